/**
 * The `Btf` object: a validated type graph with lookups and the layout
 * helpers C programmers expect (`sizeof`, `alignof`, typedef resolution,
 * type names as C prints them).
 *
 * Validation follows the kernel's BTF checks where they concern structure:
 * every referenced id exists and has a kind that makes sense where it is
 * used, sizes and encodings are in range, struct members are ordered and fit,
 * names are present or absent as the kind demands, and the graph has no
 * loop the kernel would refuse: a struct containing itself by value, or a
 * chain of typedefs, qualifiers and pointers that never reaches a real type.
 * Cycles through a struct and a pointer (`struct list { struct list *next; }`)
 * are legal.
 */
import { BtfError } from './errors';
import { declare, type DeclStyle } from './internal/declarator';
import {
  assertNever,
  type BtfKind,
  type BtfType,
  type BtfTypeInput,
  type BtfTypeOf,
  type Linkage,
  type TypeId,
} from './types';

/** A parsed or built BTF type graph. Ids run from 0 (`void`) to `types.length - 1`. */
export interface Btf {
  /** Every type by id, `types[0]` being `void`; in split BTF the base's types come first. */
  readonly types: readonly BtfType[];
  /** The first id that belongs to this BTF (1, or the base's type count in split BTF). */
  readonly firstId: TypeId;
  /** The base BTF of split BTF (for example vmlinux under a module's BTF). */
  readonly base: Btf | undefined;
  /** Byte order the BTF was read in and is written in by default. */
  readonly endianness: 'little' | 'big';
  /** Pointer size in bytes, from the size of `long` as libbpf guesses it (8 when there is no `long`). */
  readonly pointerSize: number;
  /** The type with id `id`; `BtfError` `bad-id` when there is none. */
  type(id: TypeId): BtfType;
  /** The type with id `id`, which must be of kind `kind` (`BtfError` `bad-type` otherwise). */
  typeOf<K extends BtfKind>(id: TypeId, kind: K): BtfTypeOf<K>;
  /** All named types called `name` (of kind `kind` when given), in id order. */
  byName(name: string): readonly BtfType[];
  byName<K extends BtfKind>(name: string, kind: K): readonly BtfTypeOf<K>[];
  /** The first type called `name` of kind `kind`, or `undefined`. */
  find<K extends BtfKind>(name: string, kind: K): BtfTypeOf<K> | undefined;
  /**
   * Size in bytes of the type, as `sizeof` would give it (typedefs,
   * qualifiers and vars resolved, arrays multiplied out); `BtfError`
   * `unsized` for void, functions and forward declarations.
   */
  sizeof(id: TypeId): number;
  /**
   * Alignment in bytes: scalars align to their size capped at the pointer
   * size, arrays to their element, structs and unions to their most aligned
   * member, or 1 when their layout shows they are packed (as libbpf computes
   * it). `BtfError` `unsized` for types without layout.
   */
  alignof(id: TypeId): number;
  /** The type with typedefs, `const`, `volatile`, `restrict` and type tags skipped. */
  resolve(id: TypeId): BtfType;
  /**
   * The type as C spells it: `unsigned int`, `struct task_struct *`,
   * `int (*)(int, void *)`, `char[16]`; with `declarator`, a declaration of
   * that name: `int (*cb)(int, void *)`. Anonymous types print as
   * `struct (anon)`; a func prints as its function type; a var as its type.
   */
  typeName(id: TypeId, declarator?: string): string;
}

/** Options of `createBtf`. */
export interface CreateBtfOptions {
  /** Base BTF: the new types are split BTF whose ids start after the base's. Default: none. */
  readonly base?: Btf;
  /** Byte order for `encodeBtf`. Default: `'little'`. */
  readonly endianness?: 'little' | 'big';
}

/** Defaults of `CreateBtfOptions`. */
export const DEFAULT_CREATE_BTF_OPTIONS: Required<Omit<CreateBtfOptions, 'base'>> & { base: undefined } = {
  base: undefined,
  endianness: 'little',
};

/** Where parsed types came from, for error messages. */
export interface TypeOrigin {
  /** Byte offset of each own type's record, indexed by `id - firstId`. */
  readonly offsets: readonly number[];
}

const UNSIZED = -1;
const LINKAGES: readonly Linkage[] = ['static', 'global', 'extern'];

/** `[5] struct 'bits'`: how messages name a type. */
export function describe(t: BtfType): string {
  return `[${t.id}] ${t.kind} '${t.name}'`;
}

/**
 * Builds a `Btf` from types in id order (the first gets id 1, or the
 * base's type count in split BTF), validating the graph.
 * Throws `BtfError` naming the type id at fault.
 */
export function createBtf(types: readonly BtfTypeInput[], options: CreateBtfOptions = {}): Btf {
  return buildBtf(types, options);
}

/** `createBtf` with the byte offsets of parsed records, so errors can name them. */
export function buildBtf(inputs: readonly BtfTypeInput[], options: CreateBtfOptions, origin?: TypeOrigin): Btf {
  const base = options.base;
  const firstId = base ? base.types.length : 1;
  const all: BtfType[] = base ? base.types.slice() : [{ kind: 'void', id: 0, name: '' }];
  for (let i = 0; i < inputs.length; i++) {
    all.push({ ...inputs[i]!, id: firstId + i } as BtfType);
  }
  const count = all.length;
  const fail = (code: 'bad-id' | 'bad-type' | 'loop', t: BtfType, what: string): never => {
    const off = origin?.offsets[t.id - firstId];
    throw new BtfError(code, `type ${describe(t)}: ${what}`, off, t.id);
  };

  // Local checks: ranges, names, referenced ids.
  for (let id = firstId; id < count; id++) checkLocal(all[id]!, count, fail);

  const pointerSize = base ? base.pointerSize : guessPointerSize(all, firstId);
  checkModifierLoops(all, firstId, fail);
  const layout = computeLayout(all, firstId, pointerSize, base, fail);
  for (let id = firstId; id < count; id++) checkKinds(all[id]!, all, layout, fail);

  return makeBtf(all, firstId, base, options.endianness ?? base?.endianness ?? 'little', pointerSize, layout);
}

type Fail = (code: 'bad-id' | 'bad-type' | 'loop', t: BtfType, what: string) => never;

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function ref(t: BtfType, fail: Fail, count: number, id: TypeId, what: string, allowVoid: boolean): void {
  if (!Number.isInteger(id) || id < 0 || id >= count) fail('bad-id', t, `${what}: type id ${id} does not exist (${count} types)`);
  if (id === 0 && !allowVoid) fail('bad-id', t, `${what}: type id 0 (void) is not allowed here`);
}

function u32(t: BtfType, fail: Fail, v: number, what: string): void {
  if (!isU32(v)) fail('bad-type', t, `${what} ${v} is not a 32-bit unsigned integer`);
}

function named(t: BtfType, fail: Fail, want: boolean): void {
  if (want && t.name === '') fail('bad-type', t, `a ${t.kind} needs a name`);
  if (!want && t.name !== '') fail('bad-type', t, `a ${t.kind} cannot have a name`);
}

function nameOk(t: BtfType, fail: Fail, s: string, what: string): void {
  if (typeof s !== 'string') fail('bad-type', t, `${what}: name is not a string`);
  if (s.includes('\0')) fail('bad-type', t, `${what}: name contains a NUL character`);
}

function vlenOk(t: BtfType, fail: Fail, n: number, what: string): void {
  if (n > 0xffff) fail('bad-type', t, `${n} ${what}: more than 65535`);
}

function checkLocal(t: BtfType, count: number, fail: Fail): void {
  nameOk(t, fail, t.name, 'type');
  switch (t.kind) {
    case 'void':
      fail('bad-type', t, 'void is id 0 only');
      break;
    case 'int':
      if (![1, 2, 4, 8, 16].includes(t.size)) fail('bad-type', t, `size ${t.size} is not 1, 2, 4, 8 or 16`);
      if (!Number.isInteger(t.bits) || t.bits < 1 || t.bits > 128) fail('bad-type', t, `nr_bits ${t.bits} is not in 1..128`);
      if (!Number.isInteger(t.offset) || t.offset < 0 || t.offset + t.bits > t.size * 8) {
        fail('bad-type', t, `bits_offset ${t.offset} + nr_bits ${t.bits} exceed size ${t.size}`);
      }
      if (!['none', 'signed', 'char', 'bool'].includes(t.encoding)) fail('bad-type', t, `unknown encoding ${String(t.encoding)}`);
      break;
    case 'ptr':
    case 'volatile':
    case 'const':
    case 'restrict':
      named(t, fail, false);
      ref(t, fail, count, t.type, 'referenced type', true);
      break;
    case 'typedef':
      named(t, fail, true);
      ref(t, fail, count, t.type, 'referenced type', true);
      break;
    case 'type_tag':
      named(t, fail, true);
      ref(t, fail, count, t.type, 'referenced type', true);
      break;
    case 'array':
      named(t, fail, false);
      ref(t, fail, count, t.type, 'element type', false);
      ref(t, fail, count, t.indexType, 'index type', false);
      u32(t, fail, t.length, 'nr_elems');
      break;
    case 'struct':
    case 'union': {
      u32(t, fail, t.size, 'size');
      vlenOk(t, fail, t.members.length, 'members');
      // With any bitfield, every member's offset shares its word with a bitfield size (kind_flag layout).
      const kflag = t.members.some((m) => m.bitSize !== 0);
      t.members.forEach((m, i) => {
        const what = `member ${i} '${m.name}'`;
        nameOk(t, fail, m.name, what);
        ref(t, fail, count, m.type, what, false);
        if (!Number.isInteger(m.bitSize) || m.bitSize < 0 || m.bitSize > 128) {
          fail('bad-type', t, `${what}: bitfield size ${m.bitSize} is not in 0..128`);
        }
        const maxOff = kflag ? 0xffffff : 0xffffffff;
        if (!Number.isInteger(m.bitOffset) || m.bitOffset < 0 || m.bitOffset > maxOff) {
          fail('bad-type', t, `${what}: bit offset ${m.bitOffset} out of range`);
        }
      });
      break;
    }
    case 'enum':
    case 'enum64': {
      if (![1, 2, 4, 8].includes(t.size)) fail('bad-type', t, `size ${t.size} is not 1, 2, 4 or 8`);
      vlenOk(t, fail, t.values.length, 'enumerators');
      t.values.forEach((v, i) => {
        const what = `enumerator ${i} '${v.name}'`;
        nameOk(t, fail, v.name, what);
        if (v.name === '') fail('bad-type', t, `enumerator ${i}: has no name`);
        if (t.kind === 'enum') {
          const val = v.value as number;
          const ok = Number.isInteger(val) && (t.signed ? val >= -0x80000000 && val <= 0x7fffffff : val >= 0 && val <= 0xffffffff);
          if (!ok) fail('bad-type', t, `${what}: value ${val} does not fit a ${t.signed ? 'signed' : 'unsigned'} 32-bit enum`);
        } else {
          const val = v.value as bigint;
          const ok =
            typeof val === 'bigint' && (t.signed ? BigInt.asIntN(64, val) === val : BigInt.asUintN(64, val) === val);
          if (!ok) fail('bad-type', t, `${what}: value ${String(val)} does not fit a ${t.signed ? 'signed' : 'unsigned'} 64-bit enum`);
        }
      });
      break;
    }
    case 'fwd':
      named(t, fail, true);
      if (t.fwdKind !== 'struct' && t.fwdKind !== 'union') fail('bad-type', t, `fwd kind ${String(t.fwdKind)} is not struct or union`);
      break;
    case 'func':
      named(t, fail, true);
      ref(t, fail, count, t.type, 'prototype', false);
      if (!LINKAGES.includes(t.linkage)) fail('bad-type', t, `unknown linkage ${String(t.linkage)}`);
      break;
    case 'func_proto':
      named(t, fail, false);
      ref(t, fail, count, t.returnType, 'return type', true);
      vlenOk(t, fail, t.params.length + (t.variadic ? 1 : 0), 'parameters');
      t.params.forEach((p, i) => {
        nameOk(t, fail, p.name, `parameter ${i}`);
        ref(t, fail, count, p.type, `parameter ${i} '${p.name}'`, false);
      });
      break;
    case 'var':
      named(t, fail, true);
      ref(t, fail, count, t.type, 'type', false);
      if (!LINKAGES.includes(t.linkage)) fail('bad-type', t, `unknown linkage ${String(t.linkage)}`);
      break;
    case 'datasec':
      named(t, fail, true);
      u32(t, fail, t.size, 'size');
      vlenOk(t, fail, t.vars.length, 'variables');
      t.vars.forEach((v, i) => {
        ref(t, fail, count, v.type, `variable ${i}`, false);
        u32(t, fail, v.offset, `variable ${i}: offset`);
        u32(t, fail, v.size, `variable ${i}: size`);
      });
      break;
    case 'float':
      named(t, fail, true);
      if (![2, 4, 8, 12, 16].includes(t.size)) fail('bad-type', t, `size ${t.size} is not 2, 4, 8, 12 or 16`);
      break;
    case 'decl_tag':
      named(t, fail, true);
      ref(t, fail, count, t.type, 'tagged type', false);
      if (!Number.isInteger(t.componentIdx) || t.componentIdx < -1 || t.componentIdx > 0x7fffffff) {
        fail('bad-type', t, `component_idx ${t.componentIdx} is not -1 or an index`);
      }
      break;
    default:
      // Input from createBtf callers is typed, but an unknown kind is still an error, not a crash.
      fail('bad-type', t, `unknown kind ${String((t as { kind: unknown }).kind)}`);
  }
}

/**
 * The kernel refuses chains of typedefs, qualifiers, type tags and pointers
 * that come back to themselves without reaching another kind. Each such
 * type has exactly one successor, so this is cycle finding in a functional
 * graph: walk, colouring the path, until a finished type or a repeat.
 */
function checkModifierLoops(all: readonly BtfType[], firstId: TypeId, fail: Fail): void {
  const state = new Uint8Array(all.length); // 0 new, 1 on the current walk, 2 done
  for (let start = firstId; start < all.length; start++) {
    if (state[start] !== 0) continue;
    const path: TypeId[] = [];
    let id = start;
    for (;;) {
      if (id < firstId || state[id] === 2) break;
      if (state[id] === 1) {
        const from = path.indexOf(id);
        const cycle = path.slice(from).concat(id).map((x) => describe(all[x]!)).join(' -> ');
        fail('loop', all[id]!, `typedef/qualifier/pointer loop: ${cycle}`);
      }
      const t = all[id]!;
      if (
        t.kind !== 'ptr' &&
        t.kind !== 'typedef' &&
        t.kind !== 'volatile' &&
        t.kind !== 'const' &&
        t.kind !== 'restrict' &&
        t.kind !== 'type_tag'
      ) {
        break;
      }
      state[id] = 1;
      path.push(id);
      id = t.type;
    }
    for (const p of path) state[p] = 2;
  }
}

/** Sizes and alignments of every type (-1 / 0 when it has none). */
export interface Layout {
  readonly size: Float64Array;
  readonly align: Float64Array;
}

/** The layout of every Btf made here, so split BTF can extend its base's. */
const layouts = new WeakMap<Btf, Layout>();

/** Types whose size and alignment come from what they contain by value. */
function valueChildren(t: BtfType): readonly TypeId[] {
  switch (t.kind) {
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
    case 'var':
    case 'array':
      return [t.type];
    case 'struct':
    case 'union':
      return t.members.map((m) => m.type);
    default:
      return [];
  }
}

/**
 * Post-order walk of the by-value graph, iterative so that deep chains
 * cannot overflow the stack. A type met again while still open contains
 * itself by value: a loop.
 */
function computeLayout(all: readonly BtfType[], firstId: TypeId, ptrSize: number, base: Btf | undefined, fail: Fail): Layout {
  const n = all.length;
  const size = new Float64Array(n).fill(UNSIZED);
  const align = new Float64Array(n);
  if (base) {
    const known = layouts.get(base);
    if (!known) throw new BtfError('bad-type', 'base BTF was not made by createBtf or parseBtf');
    size.set(known.size.subarray(0, firstId));
    align.set(known.align.subarray(0, firstId));
  }
  const state = new Uint8Array(n); // 0 new, 1 open, 2 done
  for (let id = 0; id < firstId; id++) state[id] = 2;
  const stack: TypeId[] = [];
  const childIdx: number[] = [];
  const children: (readonly TypeId[])[] = [];
  for (let root = firstId; root < n; root++) {
    if (state[root] === 2) continue;
    stack.push(root);
    children.push(valueChildren(all[root]!));
    childIdx.push(0);
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const id = stack[top]!;
      const kids = children[top]!;
      const ci = childIdx[top]!;
      if (ci < kids.length) {
        childIdx[top] = ci + 1;
        const c = kids[ci]!;
        if (state[c] === 1) {
          const from = stack.indexOf(c);
          const cycle = stack.slice(from).concat(c).map((x) => describe(all[x]!)).join(' -> ');
          fail('loop', all[c]!, `contains itself by value: ${cycle}`);
        }
        if (state[c] === 0) {
          state[c] = 1;
          stack.push(c);
          children.push(valueChildren(all[c]!));
          childIdx.push(0);
        }
        continue;
      }
      finishLayout(all[id]!, size, align, ptrSize, fail);
      state[id] = 2;
      stack.pop();
      children.pop();
      childIdx.pop();
    }
  }
  return { size, align };
}

function finishLayout(t: BtfType, size: Float64Array, align: Float64Array, ptrSize: number, fail: Fail): void {
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'enum64':
    case 'float':
      size[t.id] = t.size;
      align[t.id] = Math.min(ptrSize, t.size);
      return;
    case 'ptr':
      size[t.id] = ptrSize;
      align[t.id] = ptrSize;
      return;
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
    case 'var':
      size[t.id] = size[t.type]!;
      align[t.id] = align[t.type]!;
      return;
    case 'array': {
      const elem = size[t.type]!;
      if (elem === UNSIZED) return;
      const total = elem * t.length;
      if (total > 0xffffffff) fail('bad-type', t, `array of ${t.length} elements of ${elem} bytes is larger than 4 GiB`);
      size[t.id] = total;
      align[t.id] = align[t.type]!;
      return;
    }
    case 'struct':
    case 'union': {
      size[t.id] = t.size;
      // libbpf's btf__align_of: the most aligned member, or 1 when a
      // member sits off its alignment or the size is not a multiple of it.
      let max = 1;
      let packed = false;
      for (const m of t.members) {
        const a = align[m.type]!;
        if (a <= 0) continue; // an unsized member is refused by checkKinds
        max = Math.max(max, a);
        if (m.bitSize === 0 && m.bitOffset % (8 * a) !== 0) packed = true;
      }
      if (t.size % max !== 0) packed = true;
      align[t.id] = packed ? 1 : max;
      return;
    }
    case 'datasec':
      size[t.id] = t.size;
      return;
    case 'void':
    case 'fwd':
    case 'func':
    case 'func_proto':
    case 'decl_tag':
      return;
    default:
      assertNever(t);
  }
}

const NON_TYPES = new Set<BtfKind>(['func', 'var', 'datasec', 'decl_tag']);

function resolveKind(all: readonly BtfType[], id: TypeId): BtfType {
  let cur = all[id]!;
  while (isSkipped(cur)) cur = all[cur.type]!;
  return cur;
}

function sized(t: BtfType, all: readonly BtfType[], layout: Layout, fail: Fail, id: TypeId, what: string): void {
  isType(t, all, fail, id, what);
  if (layout.size[id] === UNSIZED) fail('bad-type', t, `${what}: ${describe(all[id]!)} has no size`);
}

function isType(t: BtfType, all: readonly BtfType[], fail: Fail, id: TypeId, what: string): void {
  if (NON_TYPES.has(all[id]!.kind)) fail('bad-type', t, `${what}: ${describe(all[id]!)} is not a data type`);
}

/** Checks that need the whole graph: kinds of referenced types, sizes, member layout. */
function checkKinds(t: BtfType, all: readonly BtfType[], layout: Layout, fail: Fail): void {
  switch (t.kind) {
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      isType(t, all, fail, t.type, 'referenced type');
      return;
    case 'array': {
      sized(t, all, layout, fail, t.type, 'element type');
      const index = resolveKind(all, t.indexType);
      if (index.kind !== 'int') fail('bad-type', t, `index type ${describe(all[t.indexType]!)} is not an int`);
      return;
    }
    case 'struct':
    case 'union': {
      let last = 0;
      t.members.forEach((m, i) => {
        const what = `member ${i} '${m.name}'`;
        sized(t, all, layout, fail, m.type, what);
        if (t.kind === 'union' && m.bitOffset !== 0) fail('bad-type', t, `${what}: union member at bit offset ${m.bitOffset}`);
        if (m.bitOffset < last) fail('bad-type', t, `${what}: bit offset ${m.bitOffset} is before the previous member's ${last}`);
        last = m.bitOffset;
        const r = resolveKind(all, m.type);
        if (m.bitSize > 0) {
          if (r.kind !== 'int' && r.kind !== 'enum' && r.kind !== 'enum64') {
            fail('bad-type', t, `${what}: bitfield of ${describe(r)}: only ints and enums can be bitfields`);
          }
          if (m.bitSize > layout.size[m.type]! * 8) {
            fail('bad-type', t, `${what}: bitfield of ${m.bitSize} bits is wider than its ${layout.size[m.type]}-byte type`);
          }
        } else if (r.kind !== 'int' && m.bitOffset % 8 !== 0) {
          fail('bad-type', t, `${what}: bit offset ${m.bitOffset} is not byte aligned`);
        }
        const end = m.bitOffset + (m.bitSize > 0 ? m.bitSize : layout.size[m.type]! * 8);
        if (end > t.size * 8) fail('bad-type', t, `${what}: ends at bit ${end}, past the ${t.size}-byte ${t.kind}`);
      });
      return;
    }
    case 'func': {
      if (all[t.type]!.kind !== 'func_proto') fail('bad-type', t, `prototype ${describe(all[t.type]!)} is not a func_proto`);
      return;
    }
    case 'func_proto':
      if (t.returnType !== 0) sized(t, all, layout, fail, t.returnType, 'return type');
      t.params.forEach((p, i) => sized(t, all, layout, fail, p.type, `parameter ${i} '${p.name}'`));
      return;
    case 'var':
      // An extern (`extern const void sym __ksym;`, an extern of a forward-declared
      // struct) names a kernel symbol whose size the program does not know.
      if (t.linkage === 'extern') isType(t, all, fail, t.type, 'type');
      else sized(t, all, layout, fail, t.type, 'type');
      return;
    case 'datasec':
      t.vars.forEach((v, i) => {
        const k = all[v.type]!.kind;
        if (k !== 'var' && k !== 'func') fail('bad-type', t, `variable ${i}: ${describe(all[v.type]!)} is not a var or func`);
      });
      return;
    case 'decl_tag': {
      const target = all[t.type]!;
      let components = 0;
      switch (target.kind) {
        case 'struct':
        case 'union':
          components = target.members.length;
          break;
        case 'func': {
          const proto = all[target.type]!;
          components = proto.kind === 'func_proto' ? proto.params.length : 0;
          break;
        }
        case 'var':
        case 'typedef':
          break;
        default:
          fail('bad-type', t, `tagged type ${describe(target)} is not a struct, union, func, var or typedef`);
      }
      if (t.componentIdx >= 0 && t.componentIdx >= components) {
        fail('bad-type', t, `component_idx ${t.componentIdx} is past the ${components} components of ${describe(target)}`);
      }
      return;
    }
    case 'void':
    case 'int':
    case 'enum':
    case 'enum64':
    case 'fwd':
    case 'float':
      return;
    default:
      assertNever(t);
  }
}

const LONG_NAMES = new Set([
  'long',
  'long int',
  'int long',
  'unsigned long',
  'long unsigned',
  'unsigned long int',
  'unsigned int long',
  'long unsigned int',
  'long int unsigned',
  'int unsigned long',
  'int long unsigned',
]);

function guessPointerSize(all: readonly BtfType[], firstId: TypeId): number {
  for (let id = firstId; id < all.length; id++) {
    const t = all[id]!;
    if (t.kind === 'int' && (t.size === 4 || t.size === 8) && LONG_NAMES.has(t.name)) return t.size;
  }
  return 8;
}

function isSkipped(t: BtfType): t is BtfType & { kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag' } {
  return t.kind === 'typedef' || t.kind === 'volatile' || t.kind === 'const' || t.kind === 'restrict' || t.kind === 'type_tag';
}

/** Names for `typeName`: the model's names, `(anon)` for anonymous tags. */
function plainStyle(btf: Btf): DeclStyle {
  return {
    type: (id) => btf.type(id),
    tagName: (t) => (t.name === '' ? '(anon)' : t.name),
    identName: (t) => t.name,
  };
}

function makeBtf(
  all: readonly BtfType[],
  firstId: TypeId,
  base: Btf | undefined,
  endianness: 'little' | 'big',
  pointerSize: number,
  layout: Layout,
): Btf {
  let names: Map<string, BtfType[]> | undefined;
  const index = (): Map<string, BtfType[]> => {
    if (!names) {
      names = new Map();
      for (const t of all) {
        if (t.name === '') continue;
        const list = names.get(t.name);
        if (list) list.push(t);
        else names.set(t.name, [t]);
      }
    }
    return names;
  };
  const btf: Btf = {
    types: all,
    firstId,
    base,
    endianness,
    pointerSize,
    type(id) {
      const t = Number.isInteger(id) ? all[id] : undefined;
      if (!t) throw new BtfError('bad-id', `type id ${id} does not exist (${all.length} types)`, undefined, id);
      return t;
    },
    typeOf<K extends BtfKind>(id: TypeId, kind: K): BtfTypeOf<K> {
      const t = btf.type(id);
      if (t.kind !== kind) throw new BtfError('bad-type', `type ${describe(t)}: is not a ${kind}`, undefined, id);
      return t as BtfTypeOf<K>;
    },
    byName(name: string, kind?: BtfKind) {
      const list = index().get(name) ?? [];
      return kind === undefined ? list : list.filter((t) => t.kind === kind);
    },
    find<K extends BtfKind>(name: string, kind: K) {
      return (index().get(name) ?? []).find((t) => t.kind === kind) as BtfTypeOf<K> | undefined;
    },
    sizeof(id) {
      const t = btf.type(id);
      const s = layout.size[id]!;
      if (s === UNSIZED) throw new BtfError('unsized', `type ${describe(t)}: has no size`, undefined, id);
      return s;
    },
    alignof(id) {
      const t = btf.type(id);
      const a = layout.align[id]!;
      if (a <= 0) throw new BtfError('unsized', `type ${describe(t)}: has no alignment`, undefined, id);
      return a;
    },
    resolve(id) {
      let t = btf.type(id);
      while (isSkipped(t)) t = all[t.type]!;
      return t;
    },
    typeName(id, declarator = '') {
      let t = btf.type(id);
      if (t.kind === 'func' || t.kind === 'var') t = all[t.type]!;
      if (t.kind === 'datasec' || t.kind === 'decl_tag') return `${t.kind} '${t.name}'`;
      return declare(plainStyle(btf), t.id, declarator, 0, 0, new Set());
    },
  };
  layouts.set(btf, layout);
  return btf;
}
