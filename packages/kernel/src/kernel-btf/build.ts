/**
 * From type definitions (`defs.ts`) to a BTF type graph: top-level
 * definitions get ids 1, 2, ... in list order; pointers, qualifiers,
 * arrays, function prototypes and inline anonymous types follow, each
 * derived type made once. Then `createBtf` validates the graph, and a
 * layout check holds every struct to what a C compiler would lay out.
 */
import { createBtf, type Btf, type BtfMember, type BtfTypeInput, type TypeId } from '@bpflab/btf';
import type { EnumeratorDef, InlineCompositeDef, KernelTypeDef, MemberDef, TypeRef } from './defs';

/** The index type of every array, as pahole writes the kernel's BTF. */
export const ARRAY_INDEX_TYPE = 'int';

const INT_WORDS = new Set(['char', 'short', 'int', 'long', 'signed', 'unsigned', '_Bool', '__int128']);
const TAGS = new Set(['struct', 'union', 'enum']);

/** The key a named type is found under: `struct task_struct`, `pid_t`, `long unsigned int`. */
function keyOf(def: KernelTypeDef): string | undefined {
  switch (def.kind) {
    case 'int':
    case 'typedef':
      return def.name;
    case 'struct':
    case 'union':
      return `${def.kind} ${def.name}`;
    case 'enum':
      return def.name === '' ? undefined : `enum ${def.name}`;
    case 'fwd':
      return `${def.fwdKind} ${def.name}`;
    case 'func':
      return `func ${def.name}`;
  }
}

/** Whether enumerators need `BTF_KIND_ENUM64`, and whether the enum is signed. */
function enumShape(values: readonly EnumeratorDef[]): { wide: boolean; signed: boolean } {
  const big = values.map(([, v]) => BigInt(v));
  const signed = big.some((v) => v < 0n);
  const wide = big.some((v) => (signed ? v < -0x80000000n || v > 0x7fffffffn : v > 0xffffffffn));
  return { wide, signed };
}

/** Incremental construction of the type table (per-build state, hence a class). */
class Builder {
  readonly inputs: (BtfTypeInput | undefined)[] = [];
  private readonly named = new Map<string, TypeId>();
  private readonly derived = new Map<string, TypeId>();

  constructor(defs: readonly KernelTypeDef[]) {
    defs.forEach((def, i) => {
      const key = keyOf(def);
      if (key === undefined) return;
      if (this.named.has(key)) throw new Error(`kernel BTF: '${key}' is defined twice`);
      this.named.set(key, i + 1);
    });
    this.inputs.push(...defs.map(() => undefined));
    defs.forEach((def, i) => {
      this.inputs[i] = this.define(def);
    });
  }

  private push(t: BtfTypeInput): TypeId {
    this.inputs.push(t);
    return this.inputs.length;
  }

  private once(key: string, make: () => BtfTypeInput): TypeId {
    const known = this.derived.get(key);
    if (known !== undefined) return known;
    const id = this.push(make());
    this.derived.set(key, id);
    return id;
  }

  private lookup(key: string, where: string): TypeId {
    const id = this.named.get(key);
    if (id === undefined) throw new Error(`kernel BTF: type '${key}' is not defined (in '${where}')`);
    return id;
  }

  private define(def: KernelTypeDef): BtfTypeInput {
    switch (def.kind) {
      case 'int':
        return { kind: 'int', name: def.name, size: def.size, encoding: def.encoding, offset: 0, bits: def.size * 8 };
      case 'typedef':
        return { kind: 'typedef', name: def.name, type: this.ref(def.type) };
      case 'struct':
      case 'union':
        return { kind: def.kind, name: def.name, size: def.size, members: this.members(def.members, def.name) };
      case 'enum':
        return this.enumType(def.name, def.values);
      case 'fwd':
        return { kind: 'fwd', name: def.name, fwdKind: def.fwdKind };
      case 'func': {
        const proto = this.push({
          kind: 'func_proto',
          name: '',
          returnType: this.ref(def.returns),
          params: def.params.map(([name, type]) => ({ name, type: this.ref(type) })),
          variadic: false,
        });
        return { kind: 'func', name: def.name, type: proto, linkage: def.linkage };
      }
    }
  }

  private enumType(name: string, values: readonly EnumeratorDef[]): BtfTypeInput {
    const { wide, signed } = enumShape(values);
    if (wide) {
      return { kind: 'enum64', name, size: 8, signed, values: values.map(([n, v]) => ({ name: n, value: BigInt(v) })) };
    }
    return { kind: 'enum', name, size: 4, signed, values: values.map(([n, v]) => ({ name: n, value: Number(v) })) };
  }

  private members(members: readonly MemberDef[], where: string): BtfMember[] {
    return members.map(([name, type, offset, bitfield]) => {
      if (!Number.isInteger(offset) || offset < 0) throw new Error(`kernel BTF: ${where}.${name}: bad offset ${offset}`);
      return {
        name,
        type: this.ref(type),
        bitOffset: offset * 8 + (bitfield?.bit ?? 0),
        bitSize: bitfield?.bits ?? 0,
      };
    });
  }

  private ref(type: TypeRef): TypeId {
    if (typeof type === 'string') return this.parse(type);
    switch (type.kind) {
      case 'struct':
      case 'union':
        return this.inline(type);
      case 'enum':
        return this.push(this.enumType('', type.values));
      case 'fnptr': {
        const proto = this.push({
          kind: 'func_proto',
          name: '',
          returnType: this.ref(type.returns),
          params: type.params.map((p) => ({ name: '', type: this.ref(p) })),
          variadic: false,
        });
        return this.once(`ptr:${proto}`, () => ({ kind: 'ptr', name: '', type: proto }));
      }
    }
  }

  private inline(def: InlineCompositeDef): TypeId {
    // Reserve the id first so that the members' derived types come after it.
    const id = this.push({ kind: def.kind, name: '', size: def.size, members: [] });
    this.inputs[id - 1] = { kind: def.kind, name: '', size: def.size, members: this.members(def.members, `(anon ${def.kind})`) };
    return id;
  }

  private qualified(kind: 'const' | 'volatile', type: TypeId): TypeId {
    return this.once(`${kind}:${type}`, () => ({ kind, name: '', type }));
  }

  /** A C type expression: `[const|volatile]* base ['*' [const]]* ['[' N ']']*`. */
  private parse(expr: string): TypeId {
    const tokens = expr.match(/\*|\[|\]|\w+|\S/g) ?? [];
    let i = 0;
    const fail = (why: string): never => {
      throw new Error(`kernel BTF: bad type expression '${expr}': ${why}`);
    };
    const quals: ('const' | 'volatile')[] = [];
    while (tokens[i] === 'const' || tokens[i] === 'volatile') quals.push(tokens[i++] as 'const' | 'volatile');
    let key: string;
    const first = tokens[i];
    if (first === undefined) return fail('no type');
    if (TAGS.has(first)) {
      const name = tokens[i + 1];
      if (name === undefined || !/^\w+$/.test(name)) return fail(`no name after '${first}'`);
      key = `${first} ${name}`;
      i += 2;
    } else if (INT_WORDS.has(first)) {
      const words: string[] = [];
      while (tokens[i] !== undefined && INT_WORDS.has(tokens[i]!)) words.push(tokens[i++]!);
      key = words.join(' ');
    } else if (first === 'void') {
      key = 'void';
      i++;
    } else if (/^\w+$/.test(first)) {
      key = first;
      i++;
    } else {
      return fail(`unexpected '${first}'`);
    }
    let id = key === 'void' ? 0 : this.lookup(key, expr);
    for (const q of quals) id = this.qualified(q, id);
    while (tokens[i] === '*') {
      i++;
      const pointee = id;
      id = this.once(`ptr:${pointee}`, () => ({ kind: 'ptr', name: '', type: pointee }));
      if (tokens[i] === 'const') {
        i++;
        id = this.qualified('const', id);
      }
    }
    const dims: number[] = [];
    while (tokens[i] === '[') {
      const n = tokens[i + 1];
      if (n === undefined || !/^\d+$/.test(n) || tokens[i + 2] !== ']') return fail('bad array dimension');
      dims.push(Number(n));
      i += 3;
    }
    if (i !== tokens.length) fail(`unexpected '${tokens[i]}'`);
    if (dims.length > 0) {
      const index = this.lookup(ARRAY_INDEX_TYPE, expr);
      for (const n of dims.reverse()) {
        const elem = id;
        id = this.once(`array:${elem}:${n}`, () => ({ kind: 'array', name: '', type: elem, indexType: index, length: n }));
      }
    }
    return id;
  }
}

/**
 * The alignment C gives a type: the most aligned member of a struct or
 * union, whatever its size (`Btf.alignof` says 1 for a struct whose layout
 * looks packed, which is what this check must not take for granted).
 */
function naturalAlign(btf: Btf, id: TypeId): number {
  const t = btf.resolve(id);
  if (t.kind === 'struct' || t.kind === 'union') return Math.max(1, ...t.members.map((m) => naturalAlign(btf, m.type)));
  if (t.kind === 'array') return naturalAlign(btf, t.type);
  return btf.alignof(t.id);
}

/**
 * Check what `createBtf` does not: in every struct, members do not overlap
 * (bitfields may share storage), sit at their type's natural alignment,
 * and the size is a multiple of the struct's alignment. The kernel's
 * structs bpflab models are all laid out naturally.
 */
function checkNaturalLayout(btf: Btf): void {
  const problems: string[] = [];
  for (const t of btf.types) {
    if (t.kind !== 'struct' && t.kind !== 'union') continue;
    const label = `${t.kind} ${t.name === '' ? '(anon)' : t.name}`;
    let end = 0;
    for (const m of t.members) {
      const size = btf.sizeof(m.type) * 8;
      if (m.bitSize > 0) {
        const unit = Math.floor(m.bitOffset / size) * size;
        if (m.bitOffset + m.bitSize > unit + size) problems.push(`${label}.${m.name}: bitfield crosses its storage unit`);
        if (t.kind === 'struct' && m.bitOffset < end) problems.push(`${label}.${m.name}: overlaps the member before it`);
        end = m.bitOffset + m.bitSize;
        continue;
      }
      const align = naturalAlign(btf, m.type) * 8;
      if (m.bitOffset % align !== 0) problems.push(`${label}.${m.name}: offset ${m.bitOffset / 8} is not ${align / 8}-byte aligned`);
      if (t.kind === 'struct' && m.bitOffset < end) problems.push(`${label}.${m.name}: overlaps the member before it`);
      end = m.bitOffset + size;
    }
    const align = naturalAlign(btf, t.id);
    if (t.size % align !== 0) problems.push(`${label}: size ${t.size} is not a multiple of its alignment ${align}`);
  }
  if (problems.length > 0) throw new Error(`kernel BTF: layout problems:\n${problems.join('\n')}`);
}

/**
 * Builds a BTF type graph from type definitions. Throws an `Error` naming
 * the definition at fault (a name defined twice, an unknown type, a bad
 * type expression), a `BtfError` from `createBtf` for an invalid graph,
 * and an `Error` listing the structs whose layout is not natural.
 */
export function buildKernelBtf(defs: readonly KernelTypeDef[]): Btf {
  const b = new Builder(defs);
  const btf = createBtf(b.inputs.map((t) => t!));
  checkNaturalLayout(btf);
  return btf;
}
