/**
 * Layouts of the simulated kernel's structs, for code that builds kernel
 * objects in the VM's memory (tasks, files, contexts) or reads them back:
 * sizes and the offsets of fields by C-like path.
 *
 * ```ts
 * const file = kernelStruct('file');
 * file.size;                          // 184
 * file.offsetOf('f_path.dentry');     // 72
 * file.field('f_inode').typeName;     // 'struct inode *'
 * kernelOffsetOf('trace_event_raw_sys_enter', 'args[2]');   // 32
 * ```
 *
 * Paths name members by value, as C's `.` does: anonymous struct and union
 * members are looked through (`qstr` `len`), arrays take `[index]`.
 * Pointers are not followed: lay the pointee out with its own
 * `kernelStruct`. Asking for a struct or member that does not exist is a
 * bug in the caller and throws a `RangeError`.
 */
import type { Btf, BtfMember, BtfType, TypeId } from '@bpflab/btf';
import { kernelBtf } from './kernel-btf';

/** Where one field lies. */
export interface KernelField {
  /** The path the field was asked by (`f_path.dentry`, `args[2]`). */
  readonly path: string;
  /** Byte offset from the start of the struct (for a bitfield, of the byte holding its lowest bit). */
  readonly offset: number;
  /** Bit offset from the start of the struct. */
  readonly bitOffset: number;
  /** Width of a bitfield in bits; 0 for other fields. */
  readonly bitSize: number;
  /** Size of the field's type in bytes (for a bitfield, of its declared type). */
  readonly size: number;
  /** The field's type in the kernel's BTF. */
  readonly type: TypeId;
  /** The type as C spells it: `struct dentry *`, `char[16]`, `kuid_t`. */
  readonly typeName: string;
}

/** The layout of one struct or union of the kernel's BTF. */
export interface KernelStructLayout {
  readonly name: string;
  readonly kind: 'struct' | 'union';
  /** Its id in {@link kernelBtf}. */
  readonly id: TypeId;
  /** `sizeof` in bytes. */
  readonly size: number;
  /** Alignment in bytes. */
  readonly align: number;
  /** Every named member, anonymous members looked through, in declaration order. */
  readonly fields: readonly KernelField[];
  /** The field at `path`; `RangeError` when there is none. */
  field(path: string): KernelField;
  /** Byte offset of the field at `path`; `RangeError` for a bitfield or a path that does not exist. */
  offsetOf(path: string): number;
  /** Size in bytes of the field at `path`. */
  sizeOf(path: string): number;
  /** Whether `path` names a field. */
  has(path: string): boolean;
}

interface Step {
  readonly name: string;
  readonly indices: readonly number[];
}

function parsePath(owner: string, path: string): readonly Step[] {
  return path.split('.').map((seg) => {
    const m = /^([A-Za-z_]\w*)((?:\[\d+\])*)$/.exec(seg);
    if (m === null) throw new RangeError(`${owner}: bad field path '${path}'`);
    const indices = [...(m[2] ?? '').matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return { name: m[1]!, indices };
  });
}

/** A named member of a struct or union, looking through anonymous members; its bit offset is from the start of `t`. */
function findMember(btf: Btf, t: BtfType, name: string): { member: BtfMember; bitOffset: number } | undefined {
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  for (const m of t.members) {
    if (m.name === name) return { member: m, bitOffset: m.bitOffset };
    if (m.name === '') {
      const inner = findMember(btf, btf.resolve(m.type), name);
      if (inner) return { member: inner.member, bitOffset: m.bitOffset + inner.bitOffset };
    }
  }
  return undefined;
}

function resolveField(btf: Btf, root: BtfType, label: string, path: string): KernelField {
  const steps = parsePath(label, path);
  let type = root.id;
  let bitOffset = 0;
  let bitSize = 0;
  let walked = '';
  for (const step of steps) {
    const here = btf.resolve(type);
    if (bitSize > 0) throw new RangeError(`${label}: '${walked}' is a bitfield, it has no member '${step.name}'`);
    if (here.kind !== 'struct' && here.kind !== 'union') {
      const hint = here.kind === 'ptr' ? ': pointers are not followed, lay the pointee out with its own kernelStruct()' : '';
      throw new RangeError(`${label}: '${walked}' is ${btf.typeName(type)}, not a struct or union (in '${path}')${hint}`);
    }
    const found = findMember(btf, here, step.name);
    if (!found) throw new RangeError(`${label}: no member '${step.name}'${walked === '' ? '' : ` in '${walked}'`} (in '${path}')`);
    bitOffset += found.bitOffset;
    bitSize = found.member.bitSize;
    type = found.member.type;
    walked = walked === '' ? step.name : `${walked}.${step.name}`;
    for (const index of step.indices) {
      const arr = btf.resolve(type);
      if (arr.kind !== 'array') throw new RangeError(`${label}: '${walked}' is ${btf.typeName(type)}, not an array (in '${path}')`);
      if (index >= arr.length) throw new RangeError(`${label}: index ${index} is past the ${arr.length} elements of '${walked}' (in '${path}')`);
      bitOffset += index * btf.sizeof(arr.type) * 8;
      type = arr.type;
      walked += `[${index}]`;
    }
  }
  return {
    path,
    offset: Math.floor(bitOffset / 8),
    bitOffset,
    bitSize,
    size: btf.sizeof(type),
    type,
    typeName: btf.typeName(type),
  };
}

/** Names of the members of `t`, looking through anonymous members, in declaration order. */
function memberNames(btf: Btf, t: BtfType, out: string[]): void {
  if (t.kind !== 'struct' && t.kind !== 'union') return;
  for (const m of t.members) {
    if (m.name === '') memberNames(btf, btf.resolve(m.type), out);
    else out.push(m.name);
  }
}

function makeLayout(btf: Btf, t: BtfType & { kind: 'struct' | 'union' }): KernelStructLayout {
  const label = `${t.kind} ${t.name}`;
  const byPath = new Map<string, KernelField>();
  const field = (path: string): KernelField => {
    let f = byPath.get(path);
    if (!f) {
      f = resolveField(btf, t, label, path);
      byPath.set(path, f);
    }
    return f;
  };
  const names: string[] = [];
  memberNames(btf, t, names);
  const fields = names.map(field);
  return {
    name: t.name,
    kind: t.kind,
    id: t.id,
    size: t.size,
    align: btf.alignof(t.id),
    fields,
    field,
    offsetOf(path) {
      const f = field(path);
      if (f.bitSize > 0) throw new RangeError(`${label}: '${path}' is a ${f.bitSize}-bit bitfield at bit ${f.bitOffset}, it has no byte offset`);
      return f.offset;
    },
    sizeOf(path) {
      return field(path).size;
    },
    has(path) {
      try {
        field(path);
        return true;
      } catch (e) {
        if (e instanceof RangeError) return false;
        throw e;
      }
    },
  };
}

const layouts = new Map<string, KernelStructLayout>();

/**
 * The layout of the kernel's `struct name` (or `union name` when there is
 * no such struct). `RangeError` when the kernel's BTF has neither.
 */
export function kernelStruct(name: string): KernelStructLayout {
  const known = layouts.get(name);
  if (known) return known;
  const btf = kernelBtf();
  const t = btf.find(name, 'struct') ?? btf.find(name, 'union');
  if (!t) throw new RangeError(`kernel BTF: no struct or union '${name}'`);
  const layout = makeLayout(btf, t);
  layouts.set(name, layout);
  return layout;
}

/** `offsetof(struct name, path)` in the simulated kernel: `kernelOffsetOf('task_struct', 'real_cred') === 1728`. */
export function kernelOffsetOf(name: string, path: string): number {
  return kernelStruct(name).offsetOf(path);
}
