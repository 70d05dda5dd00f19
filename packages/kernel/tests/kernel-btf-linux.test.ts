// The simulated kernel's types against the running Linux kernel's BTF
// (/sys/kernel/btf/vmlinux): every struct, field, typedef, integer,
// enumerator and function bpflab defines must exist there with the same
// name, offset and type, except for the deviations KERNEL_BTF_DEVIATIONS
// documents. Kernel-internal layouts follow one kernel build, so on a
// machine running another kernel only the stable (UAPI/ABI) layouts are
// compared; without kernel BTF the suite is skipped with a message.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { parseBtf, type Btf, type BtfType, type TypeId } from '@bpflab/btf';
import { KERNEL_BTF_DEVIATIONS, KERNEL_BTF_REFERENCE, KERNEL_TYPES, kernelBtf, type KernelBtfDeviation } from '../src/index';

const VMLINUX = '/sys/kernel/btf/vmlinux';

function loadLinux(): Btf | undefined {
  if (!existsSync(VMLINUX)) {
    console.warn(`kernel-btf-linux.test.ts: ${VMLINUX} is absent, skipping the comparison with the running kernel's BTF`);
    return undefined;
  }
  return parseBtf(readFileSync(VMLINUX));
}

const linux = loadLinux();
const onReference = release() === KERNEL_BTF_REFERENCE.release;
if (linux && !onReference) {
  console.warn(
    `kernel-btf-linux.test.ts: running ${release()}, not the reference ${KERNEL_BTF_REFERENCE.release}: ` +
      'comparing names, stable layouts and enumerator values only',
  );
}

const MODIFIERS = new Set(['const', 'volatile', 'restrict', 'type_tag']);

function strip(btf: Btf, id: TypeId): BtfType {
  let t = btf.type(id);
  while (MODIFIERS.has(t.kind)) t = btf.type((t as { type: TypeId }).type);
  return t;
}

/** A type as a comparable string: qualifiers dropped at every level, typedef and tag names kept. */
function canon(btf: Btf, id: TypeId): string {
  const t = strip(btf, id);
  const name = t.name === '' ? '(anon)' : t.name;
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'int':
    case 'float':
    case 'typedef':
      return t.name;
    case 'ptr':
      return `${canon(btf, t.type)} *`;
    case 'array':
      return `${canon(btf, t.type)}[${t.length}]`;
    case 'struct':
    case 'union':
      return `${t.kind} ${name}`;
    case 'fwd':
      return `${t.fwdKind} ${name}`;
    case 'enum':
    case 'enum64':
      return `enum ${name}`;
    case 'func_proto':
      return `${canon(btf, t.returnType)} (*)(${t.params.map((p) => canon(btf, p.type)).join(', ')})`;
    default:
      return `${t.kind} ${name}`;
  }
}

interface Leaf {
  readonly bitOffset: number;
  readonly bitSize: number;
  readonly type: string;
}

/** Fields by dotted path, looking into anonymous struct and union types (named members of anonymous type too). */
function leaves(btf: Btf, id: TypeId): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const walk = (tid: TypeId, base: number, prefix: string): void => {
    const t = strip(btf, tid);
    if (t.kind !== 'struct' && t.kind !== 'union') return;
    for (const m of t.members) {
      const path = m.name === '' ? prefix : prefix === '' ? m.name : `${prefix}.${m.name}`;
      if (m.name !== '') out.set(path, { bitOffset: base + m.bitOffset, bitSize: m.bitSize, type: canon(btf, m.type) });
      const mt = strip(btf, m.type);
      if ((mt.kind === 'struct' || mt.kind === 'union') && mt.name === '') walk(m.type, base + m.bitOffset, path);
    }
  };
  walk(id, 0, '');
  return out;
}

function deviation(type: string, field?: string): KernelBtfDeviation | undefined {
  return KERNEL_BTF_DEVIATIONS.find((d) => d.type === type && d.field === field);
}

/** Every difference found, as `type[.field]: what`, with the deviations it matched. */
interface Findings {
  readonly problems: string[];
  readonly used: Set<KernelBtfDeviation>;
}

function note(f: Findings, kind: KernelBtfDeviation['kind'], type: string, field: string | undefined, what: string): void {
  const d = deviation(type, field);
  if (d !== undefined && d.kind === kind) f.used.add(d);
  else f.problems.push(`${field === undefined ? type : `${type}.${field}`}: ${what}`);
}

function compareComposite(f: Findings, ours: Btf, theirs: Btf, label: string, oursId: TypeId, theirsId: TypeId, stable: boolean): void {
  const layout = onReference || stable;
  if (layout && ours.sizeof(oursId) !== theirs.sizeof(theirsId)) {
    f.problems.push(`${label}: size ${ours.sizeof(oursId)}, Linux has ${theirs.sizeof(theirsId)}`);
  }
  const real = leaves(theirs, theirsId);
  for (const [path, leaf] of leaves(ours, oursId)) {
    const r = real.get(path);
    if (r === undefined) {
      note(f, 'absent', label, path, 'no such field in Linux');
      continue;
    }
    if (layout && (r.bitOffset !== leaf.bitOffset || r.bitSize !== leaf.bitSize)) {
      f.problems.push(`${label}.${path}: at bit ${leaf.bitOffset} (${leaf.bitSize} bits), Linux has bit ${r.bitOffset} (${r.bitSize} bits)`);
    }
    if (onReference && r.type !== leaf.type) note(f, 'type', label, path, `type ${leaf.type}, Linux has ${r.type}`);
  }
}

function compareAll(ours: Btf, theirs: Btf): Findings {
  const f: Findings = { problems: [], used: new Set() };
  for (const def of KERNEL_TYPES) {
    switch (def.kind) {
      case 'struct':
      case 'union': {
        const t = ours.find(def.name, def.kind)!;
        const r = theirs.find(def.name, def.kind);
        if (r === undefined) note(f, 'absent', def.name, undefined, `no ${def.kind} ${def.name} in Linux`);
        else compareComposite(f, ours, theirs, def.name, t.id, r.id, def.abi === 'stable');
        break;
      }
      case 'typedef': {
        const t = ours.find(def.name, 'typedef')!;
        const r = theirs.find(def.name, 'typedef');
        if (r === undefined) {
          note(f, 'absent', def.name, undefined, 'no such typedef in Linux');
          break;
        }
        if (canon(ours, t.type) !== canon(theirs, r.type)) {
          note(f, 'type', def.name, undefined, `aliases ${canon(ours, t.type)}, Linux's aliases ${canon(theirs, r.type)}`);
        }
        const inner = strip(ours, t.type);
        if ((inner.kind === 'struct' || inner.kind === 'union') && inner.name === '') {
          compareComposite(f, ours, theirs, def.name, t.type, r.type, true);
        }
        break;
      }
      case 'int': {
        const t = ours.find(def.name, 'int')!;
        const r = theirs.find(def.name, 'int');
        if (r === undefined) note(f, 'absent', def.name, undefined, 'no such int in Linux');
        else if (r.size !== t.size || r.encoding !== t.encoding) {
          f.problems.push(`${def.name}: ${t.size} bytes ${t.encoding}, Linux has ${r.size} bytes ${r.encoding}`);
        }
        break;
      }
      case 'fwd':
        if (theirs.find(def.name, def.fwdKind) === undefined) note(f, 'absent', def.name, undefined, `no ${def.fwdKind} ${def.name} in Linux`);
        break;
      case 'func': {
        const t = ours.find(def.name, 'func')!;
        const r = theirs.find(def.name, 'func');
        if (r === undefined) note(f, 'absent', def.name, undefined, 'no such function in Linux');
        else {
          const sig = (btf: Btf, proto: TypeId): string => {
            const p = btf.typeOf(proto, 'func_proto');
            return `${canon(btf, p.returnType)} (${p.params.map((x) => `${canon(btf, x.type)} ${x.name}`).join(', ')})`;
          };
          if (sig(ours, t.type) !== sig(theirs, r.type)) {
            note(f, 'type', def.name, undefined, `prototype ${sig(ours, t.type)}, Linux has ${sig(theirs, r.type)}`);
          }
        }
        break;
      }
      case 'enum':
        break; // enumerators are compared one by one below, wherever they are declared
    }
  }
  // Enumerators, named and anonymous enums alike (typedef'd ones too).
  const real = new Map<string, bigint>();
  for (const t of theirs.types) {
    if (t.kind === 'enum' || t.kind === 'enum64') for (const v of t.values) real.set(v.name, BigInt(v.value));
  }
  for (const t of ours.types) {
    if (t.kind !== 'enum' && t.kind !== 'enum64') continue;
    for (const v of t.values) {
      const r = real.get(v.name);
      if (r === undefined) {
        if (onReference) note(f, 'absent', v.name, undefined, 'no such enumerator in Linux');
      } else if (r !== BigInt(v.value)) {
        f.problems.push(`${v.name}: ${v.value}, Linux has ${r}`);
      }
    }
  }
  return f;
}

const describeLinux = linux ? describe : describe.skip;

describeLinux(`the simulated kernel's BTF against ${VMLINUX} (Linux ${release()})`, () => {
  const findings = linux ? compareAll(kernelBtf(), linux) : { problems: [], used: new Set<KernelBtfDeviation>() };

  it('has every type, field, enumerator and function with Linux\'s names, offsets and types', () => {
    expect(findings.problems).toEqual([]);
  });

  (onReference ? it : it.skip)('documents only deviations that exist', () => {
    const unused = KERNEL_BTF_DEVIATIONS.filter((d) => !findings.used.has(d)).map((d) => `${d.type}${d.field ? `.${d.field}` : ''}`);
    expect(unused).toEqual([]);
  });

  it('compares something: the fields of every struct are found', () => {
    // Guards the comparison itself: it must see the kernel's task_struct fields.
    const real = leaves(linux!, linux!.find('task_struct', 'struct')!.id);
    expect(real.get('pid')?.type).toBe('pid_t');
    expect(real.get('comm')?.type).toBe('char[16]');
  });
});
