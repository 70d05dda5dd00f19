/**
 * `.BTF` bytes to the `Btf` type graph and back. The raw layer
 * (`internal/wire.ts`) finds the records; this file gives each its meaning,
 * refusing what the kernel refuses: kind_flag or vlen on kinds that do not
 * use them, reserved bits, unknown int encodings and linkages, string
 * offsets outside the string section. Semantic checks (ids, sizes, loops)
 * are `createBtf`'s.
 *
 * Encoding writes the header, the types in id order and a deduplicated
 * string section whose strings appear in order of first use. Structs and
 * unions get kind_flag exactly when a member is a bitfield.
 */
import { buildBtf, type Btf } from './btf';
import { BtfError } from './errors';
import { buildStringTable, readStringTable, type StringTable, type StringTableBuilder } from './internal/strings';
import { decodeRawBtf, encodeRawBtf, KIND, type RawType } from './internal/wire';
import { assertNever, type BtfType, type BtfTypeInput, type IntEncoding, type Linkage } from './types';

/** Options of `parseBtf`. */
export interface ParseBtfOptions {
  /**
   * Base BTF for split BTF (a kernel module's BTF over vmlinux): type ids
   * continue after the base's and string offsets past the base's string
   * section name own strings. Default: none.
   */
  readonly base?: Btf;
}

/** Options of `encodeBtf`. */
export interface EncodeBtfOptions {
  /** Byte order to write. Default: the Btf's own `endianness`. */
  readonly endianness?: 'little' | 'big';
}

const INT_ENCODING: Readonly<Record<number, IntEncoding>> = { 0: 'none', 1: 'signed', 2: 'char', 4: 'bool' };
const INT_ENCODING_BITS: Readonly<Record<IntEncoding, number>> = { none: 0, signed: 1, char: 2, bool: 4 };
const LINKAGE: readonly Linkage[] = ['static', 'global', 'extern'];

/** String tables of parsed Btf objects (so split BTF can be written against the same base offsets). */
const stringTables = new WeakMap<Btf, StringTable>();

/**
 * Parses a `.BTF` section. Throws `BtfError` with the byte offset (and
 * type id, when a type is at fault) on anything malformed.
 */
export function parseBtf(bytes: Uint8Array, options: ParseBtfOptions = {}): Btf {
  const raw = decodeRawBtf(bytes);
  const base = options.base;
  const strings = readStringTable(raw.strings, raw.stringsOffset, base ? stringTableOf(base) : undefined);
  const firstId = base ? base.types.length : 1;
  const inputs = raw.types.map((t, i) => decodeType(t, firstId + i, strings));
  const btf = buildBtf(
    inputs,
    { base, endianness: raw.littleEndian ? 'little' : 'big' },
    { offsets: raw.types.map((t) => t.offset) },
  );
  stringTables.set(btf, strings);
  return btf;
}

/**
 * Writes the Btf as a `.BTF` section (only its own types in split BTF, with
 * string offsets continuing the base's). `parseBtf` of the result gives back
 * an equal type graph.
 */
export function encodeBtf(btf: Btf, options: EncodeBtfOptions = {}): Uint8Array {
  const strings = buildStringTable(btf.base ? stringTableOf(btf.base) : undefined);
  const raw = encodeTypes(btf, strings);
  return encodeRawBtf(raw, strings.finish(), (options.endianness ?? btf.endianness) === 'little');
}

/** The own types of `btf` as raw records, their strings added to `strings`. */
export function encodeTypes(btf: Btf, strings: StringTableBuilder): Omit<RawType, 'offset'>[] {
  const out: Omit<RawType, 'offset'>[] = [];
  for (let id = btf.firstId; id < btf.types.length; id++) out.push(encodeType(btf.types[id]!, strings));
  return out;
}

/** The string table the Btf was parsed from, or the one `encodeBtf` writes for it. */
export function stringTableOf(btf: Btf): StringTable {
  let table = stringTables.get(btf);
  if (!table) {
    const builder = buildStringTable(btf.base ? stringTableOf(btf.base) : undefined);
    encodeTypes(btf, builder);
    table = readStringTable(builder.finish(), 0, btf.base ? stringTableOf(btf.base) : undefined);
    stringTables.set(btf, table);
  }
  return table;
}

const KIND_NAMES = Object.keys(KIND);

function where(t: RawType, id: number): string {
  return `.BTF: type [${id}] ${KIND_NAMES[t.kind]!} at byte ${t.offset}`;
}

function str(strings: StringTable, t: RawType, id: number, off: number, field: number): string {
  const s = strings.get(off);
  if (s === undefined) {
    throw new BtfError(
      'bad-string',
      `${where(t, id)}: string offset ${off} is past the end of the string section (${strings.length} bytes)`,
      t.offset + field,
      id,
    );
  }
  return s;
}

function bad(t: RawType, id: number, what: string, field = 4): never {
  throw new BtfError('bad-kind', `${where(t, id)}: ${what}`, t.offset + field, id);
}

function noFlag(t: RawType, id: number): void {
  if (t.kflag) bad(t, id, 'kind_flag is set but not used by this kind');
}

function noVlen(t: RawType, id: number): void {
  if (t.vlen !== 0) bad(t, id, `vlen ${t.vlen} is set but not used by this kind`);
}

function decodeType(t: RawType, id: number, strings: StringTable): BtfTypeInput {
  const name = str(strings, t, id, t.nameOff, 0);
  const d = t.data;
  switch (t.kind) {
    case KIND.int: {
      noFlag(t, id);
      noVlen(t, id);
      const w = d[0]!;
      if ((w & 0xf000ff00) !== 0) bad(t, id, `reserved bits set in int data 0x${(w >>> 0).toString(16)}`, 12);
      const encoding = INT_ENCODING[(w >>> 24) & 0xf];
      if (encoding === undefined) bad(t, id, `unsupported int encoding ${(w >>> 24) & 0xf}`, 12);
      return { kind: 'int', name, size: t.sizeType, encoding: encoding!, offset: (w >>> 16) & 0xff, bits: w & 0xff };
    }
    case KIND.ptr:
    case KIND.typedef:
    case KIND.volatile:
    case KIND.const:
    case KIND.restrict: {
      noFlag(t, id);
      noVlen(t, id);
      const kind = t.kind === KIND.ptr ? 'ptr' : t.kind === KIND.typedef ? 'typedef' : t.kind === KIND.volatile ? 'volatile' : t.kind === KIND.const ? 'const' : 'restrict';
      return { kind, name, type: t.sizeType };
    }
    case KIND.array:
      noFlag(t, id);
      noVlen(t, id);
      if (t.sizeType !== 0) bad(t, id, `size ${t.sizeType} is not 0`, 8);
      return { kind: 'array', name, type: d[0]!, indexType: d[1]!, length: d[2]! };
    case KIND.struct:
    case KIND.union: {
      const members = [];
      for (let i = 0; i < t.vlen; i++) {
        const o = d[i * 3 + 2]!;
        members.push({
          name: str(strings, t, id, d[i * 3]!, 12 + i * 12),
          type: d[i * 3 + 1]!,
          bitOffset: t.kflag ? o & 0xffffff : o,
          bitSize: t.kflag ? o >>> 24 : 0,
        });
      }
      return { kind: t.kind === KIND.struct ? 'struct' : 'union', name, size: t.sizeType, members };
    }
    case KIND.enum: {
      const values = [];
      for (let i = 0; i < t.vlen; i++) {
        const v = d[i * 2 + 1]!;
        values.push({ name: str(strings, t, id, d[i * 2]!, 12 + i * 8), value: t.kflag ? v | 0 : v >>> 0 });
      }
      return { kind: 'enum', name, size: t.sizeType, signed: t.kflag, values };
    }
    case KIND.enum64: {
      const values = [];
      for (let i = 0; i < t.vlen; i++) {
        const u = (BigInt(d[i * 3 + 2]!) << 32n) | BigInt(d[i * 3 + 1]!);
        values.push({ name: str(strings, t, id, d[i * 3]!, 12 + i * 12), value: t.kflag ? BigInt.asIntN(64, u) : u });
      }
      return { kind: 'enum64', name, size: t.sizeType, signed: t.kflag, values };
    }
    case KIND.fwd:
      noVlen(t, id);
      if (t.sizeType !== 0) bad(t, id, `type ${t.sizeType} is not 0`, 8);
      return { kind: 'fwd', name, fwdKind: t.kflag ? 'union' : 'struct' };
    case KIND.func: {
      noFlag(t, id);
      const linkage = LINKAGE[t.vlen];
      if (linkage === undefined) bad(t, id, `unknown linkage ${t.vlen}`);
      return { kind: 'func', name, type: t.sizeType, linkage: linkage! };
    }
    case KIND.func_proto: {
      noFlag(t, id);
      const params = [];
      let variadic = false;
      for (let i = 0; i < t.vlen; i++) {
        const nameOff = d[i * 2]!;
        const type = d[i * 2 + 1]!;
        if (i === t.vlen - 1 && type === 0 && nameOff === 0) variadic = true;
        else params.push({ name: str(strings, t, id, nameOff, 12 + i * 8), type });
      }
      return { kind: 'func_proto', name, returnType: t.sizeType, params, variadic };
    }
    case KIND.var: {
      noFlag(t, id);
      noVlen(t, id);
      const linkage = LINKAGE[d[0]!];
      if (linkage === undefined) bad(t, id, `unknown linkage ${d[0]}`, 12);
      return { kind: 'var', name, type: t.sizeType, linkage: linkage! };
    }
    case KIND.datasec: {
      noFlag(t, id);
      const vars = [];
      for (let i = 0; i < t.vlen; i++) vars.push({ type: d[i * 3]!, offset: d[i * 3 + 1]!, size: d[i * 3 + 2]! });
      return { kind: 'datasec', name, size: t.sizeType, vars };
    }
    case KIND.float:
      noFlag(t, id);
      noVlen(t, id);
      return { kind: 'float', name, size: t.sizeType };
    case KIND.decl_tag:
      noVlen(t, id);
      return { kind: 'decl_tag', name, type: t.sizeType, componentIdx: d[0]! | 0, attr: t.kflag };
    case KIND.type_tag:
      noVlen(t, id);
      return { kind: 'type_tag', name, type: t.sizeType, attr: t.kflag };
    default:
      // decodeRawBtf refuses kinds out of range.
      throw new BtfError('bad-kind', `${where}: unknown kind ${t.kind}`, t.offset + 4, id);
  }
}

function encodeType(t: BtfType, strings: StringTableBuilder): Omit<RawType, 'offset'> {
  const nameOff = strings.add(t.name);
  const rec = (kind: number, sizeType: number, data: number[] = [], vlen = 0, kflag = false): Omit<RawType, 'offset'> => ({
    nameOff,
    kind,
    kflag,
    vlen,
    sizeType,
    data,
  });
  switch (t.kind) {
    case 'void':
      throw new BtfError('bad-type', 'void (id 0) is not written to BTF', undefined, 0);
    case 'int':
      return rec(KIND.int, t.size, [(INT_ENCODING_BITS[t.encoding] << 24) | (t.offset << 16) | t.bits]);
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      return rec(KIND[t.kind], t.type, [], 0, t.kind === 'type_tag' && t.attr);
    case 'array':
      return rec(KIND.array, 0, [t.type, t.indexType, t.length]);
    case 'struct':
    case 'union': {
      const kflag = t.members.some((m) => m.bitSize !== 0);
      const data: number[] = [];
      for (const m of t.members) {
        data.push(strings.add(m.name), m.type, kflag ? ((m.bitSize << 24) | m.bitOffset) >>> 0 : m.bitOffset);
      }
      return rec(KIND[t.kind], t.size, data, t.members.length, kflag);
    }
    case 'enum': {
      const data: number[] = [];
      for (const v of t.values) data.push(strings.add(v.name), v.value >>> 0);
      return rec(KIND.enum, t.size, data, t.values.length, t.signed);
    }
    case 'enum64': {
      const data: number[] = [];
      for (const v of t.values) {
        const u = BigInt.asUintN(64, v.value);
        data.push(strings.add(v.name), Number(u & 0xffffffffn), Number(u >> 32n));
      }
      return rec(KIND.enum64, t.size, data, t.values.length, t.signed);
    }
    case 'fwd':
      return rec(KIND.fwd, 0, [], 0, t.fwdKind === 'union');
    case 'func':
      return rec(KIND.func, t.type, [], LINKAGE.indexOf(t.linkage));
    case 'func_proto': {
      const data: number[] = [];
      for (const p of t.params) data.push(strings.add(p.name), p.type);
      if (t.variadic) data.push(0, 0);
      return rec(KIND.func_proto, t.returnType, data, data.length / 2);
    }
    case 'var':
      return rec(KIND.var, t.type, [LINKAGE.indexOf(t.linkage)]);
    case 'datasec': {
      const data: number[] = [];
      for (const v of t.vars) data.push(v.type, v.offset, v.size);
      return rec(KIND.datasec, t.size, data, t.vars.length);
    }
    case 'float':
      return rec(KIND.float, t.size);
    case 'decl_tag':
      return rec(KIND.decl_tag, t.type, [t.componentIdx >>> 0], 0, t.attr);
    default:
      return assertNever(t);
  }
}
