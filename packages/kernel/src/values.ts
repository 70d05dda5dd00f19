/**
 * Typed map keys and values: BTF types (or plain sizes) turned into codecs
 * between the bytes the kernel exchanges and TypeScript values.
 *
 * | C type | TypeScript |
 * | --- | --- |
 * | integers up to 32 bits, enums | `number` |
 * | 64-bit integers, pointers, 64-bit enums | `bigint` (`number` accepted when encoding) |
 * | `_Bool` / `bool` | `boolean` |
 * | `float`, `double` | `number` |
 * | `char[N]` | `string` (up to the first NUL; `__u8[N]` and other byte arrays stay arrays of numbers) |
 * | other arrays | arrays |
 * | structs, unions, data sections | objects by member name (bitfields included) |
 *
 * A `Uint8Array` of the right size is always accepted as the raw bytes.
 */
import type { Btf, BtfMember, TypeId } from '@bpflab/btf';
import { KernelError } from './errors';

/** A value as the typed map API gives and takes it. */
export type TypedValue = number | bigint | boolean | string | Uint8Array | readonly TypedValue[] | { readonly [name: string]: TypedValue };

/** Converts between bytes and typed values for one C type. */
export interface ValueCodec {
  /** `sizeof` the type */
  readonly size: number;
  /** the type as C spells it */
  readonly cType: string;
  decode(bytes: Uint8Array): TypedValue;
  encode(value: TypedValue): Uint8Array;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function bad(cType: string, why: string): KernelError {
  return new KernelError('bad-call', `a value of type ${cType}: ${why}`);
}

function raw(cType: string, size: number, value: TypedValue): Uint8Array | undefined {
  if (!(value instanceof Uint8Array)) return undefined;
  if (value.length !== size) throw bad(cType, `${value.length} bytes given, the type has ${size}`);
  return value.slice();
}

/** Codec of an integer of `size` bytes. */
export function intCodec(size: number, signed: boolean, cType = `${signed ? '' : 'unsigned '}int${size * 8}`, bool = false): ValueCodec {
  const bits = BigInt(size * 8);
  return {
    size,
    cType,
    decode(bytes) {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
      if (signed) v = BigInt.asIntN(size * 8, v);
      if (bool) return v !== 0n;
      return size <= 4 ? Number(v) : v;
    },
    encode(value) {
      const r = raw(cType, size, value);
      if (r !== undefined) return r;
      let v: bigint;
      if (typeof value === 'boolean') v = value ? 1n : 0n;
      else if (typeof value === 'bigint') v = value;
      else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
      else throw bad(cType, `${String(value)} is not an integer`);
      const min = signed ? -(1n << (bits - 1n)) : 0n;
      const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
      if (v < min || v > max) throw bad(cType, `${v} is out of range [${min}, ${max}]`);
      const out = new Uint8Array(size);
      let u = BigInt.asUintN(size * 8, v);
      for (let i = 0; i < size; i++) {
        out[i] = Number(u & 0xffn);
        u >>= 8n;
      }
      return out;
    },
  };
}

/** Codec of raw bytes. */
export function bytesCodec(size: number, cType = `u8[${size}]`): ValueCodec {
  return {
    size,
    cType,
    decode: (bytes) => bytes.slice(),
    encode(value) {
      const r = raw(cType, size, value);
      if (r === undefined) throw bad(cType, 'give the raw bytes as a Uint8Array');
      return r;
    },
  };
}

/** The codec for a key or value without BTF: an unsigned integer for 1, 2, 4 or 8 bytes, else raw bytes. */
export function sizeCodec(size: number): ValueCodec {
  return size === 1 || size === 2 || size === 4 || size === 8 ? intCodec(size, false, `__u${size * 8}`) : bytesCodec(size);
}

function stringCodec(length: number, cType: string): ValueCodec {
  return {
    size: length,
    cType,
    decode(bytes) {
      const nul = bytes.indexOf(0);
      return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul));
    },
    encode(value) {
      const r = raw(cType, length, value);
      if (r !== undefined) return r;
      if (typeof value !== 'string') throw bad(cType, `${String(value)} is not a string`);
      const b = new TextEncoder().encode(value);
      if (b.length > length) throw bad(cType, `"${value}" is ${b.length} bytes, the array holds ${length}`);
      const out = new Uint8Array(length);
      out.set(b);
      return out;
    },
  };
}

interface Field {
  readonly name: string;
  readonly bitOffset: number;
  readonly bitSize: number;
  readonly codec: ValueCodec;
}

function compositeCodec(fields: readonly Field[], size: number, cType: string, union: boolean): ValueCodec {
  return {
    size,
    cType,
    decode(bytes) {
      const out: Record<string, TypedValue> = {};
      for (const f of fields) {
        if (f.bitSize === 0) {
          const at = f.bitOffset / 8;
          out[f.name] = f.codec.decode(bytes.subarray(at, at + f.codec.size));
        } else {
          let word = 0n;
          for (let i = bytes.length - 1; i >= 0; i--) word = (word << 8n) | BigInt(bytes[i]!);
          const v = (word >> BigInt(f.bitOffset)) & ((1n << BigInt(f.bitSize)) - 1n);
          out[f.name] = f.bitSize <= 32 ? Number(v) : v;
        }
      }
      return out;
    },
    encode(value) {
      const r = raw(cType, size, value);
      if (r !== undefined) return r;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(cType, 'give an object with the members by name');
      const given = value as Readonly<Record<string, TypedValue>>;
      for (const k of Object.keys(given)) {
        if (!fields.some((f) => f.name === k)) throw bad(cType, `it has no member ${k} (members: ${fields.map((f) => f.name).join(', ')})`);
      }
      if (union && Object.keys(given).length > 1) throw bad(cType, 'a union takes one member');
      const out = new Uint8Array(size);
      for (const f of fields) {
        const v = given[f.name];
        if (v === undefined) continue;
        if (f.bitSize === 0) {
          out.set(f.codec.encode(v), f.bitOffset / 8);
          continue;
        }
        const n = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : typeof v === 'boolean' ? (v ? 1n : 0n) : undefined;
        if (n === undefined || n < 0n || n >= 1n << BigInt(f.bitSize)) throw bad(cType, `bitfield ${f.name} (${f.bitSize} bits) cannot hold ${String(v)}`);
        for (let bit = 0; bit < f.bitSize; bit++) {
          if (((n >> BigInt(bit)) & 1n) === 1n) {
            const pos = f.bitOffset + bit;
            out[pos >> 3] = out[pos >> 3]! | (1 << (pos & 7));
          }
        }
      }
      return out;
    },
  };
}

/** The codec of BTF type `id` of `btf`. */
export function btfCodec(btf: Btf, id: TypeId): ValueCodec {
  const t = btf.resolve(id);
  const cType = btf.typeName(id);
  switch (t.kind) {
    case 'int':
      if (t.encoding === 'bool') return intCodec(t.size, false, cType, true);
      return t.size <= 8 || t.size === 16 ? intCodec(t.size, t.encoding === 'signed', cType) : bytesCodec(t.size, cType);
    case 'enum':
    case 'enum64':
      return intCodec(t.size, t.signed, cType);
    case 'ptr':
      return intCodec(btf.pointerSize, false, cType);
    case 'float':
      if (t.size !== 4 && t.size !== 8) return bytesCodec(t.size, cType);
      return {
        size: t.size,
        cType,
        decode: (b) => (t.size === 4 ? view(b).getFloat32(0, true) : view(b).getFloat64(0, true)),
        encode(value) {
          const r = raw(cType, t.size, value);
          if (r !== undefined) return r;
          if (typeof value !== 'number') throw bad(cType, `${String(value)} is not a number`);
          const out = new Uint8Array(t.size);
          if (t.size === 4) view(out).setFloat32(0, value, true);
          else view(out).setFloat64(0, value, true);
          return out;
        },
      };
    case 'array': {
      if (isCharType(btf, t.type)) return stringCodec(t.length, cType);
      const ec = btfCodec(btf, t.type);
      const size = ec.size * t.length;
      return {
        size,
        cType,
        decode: (b) => Array.from({ length: t.length }, (_, i) => ec.decode(b.subarray(i * ec.size, (i + 1) * ec.size))),
        encode(value) {
          const r = raw(cType, size, value);
          if (r !== undefined) return r;
          if (!Array.isArray(value) || value.length > t.length) throw bad(cType, `give an array of at most ${t.length} elements`);
          const out = new Uint8Array(size);
          (value as readonly TypedValue[]).forEach((v, i) => out.set(ec.encode(v), i * ec.size));
          return out;
        },
      };
    }
    case 'struct':
    case 'union':
      return compositeCodec(fieldsOf(btf, t.members, 0), t.size, cType, t.kind === 'union');
    case 'datasec':
      return compositeCodec(
        t.vars.map((v) => {
          const variable = btf.type(v.type);
          return { name: variable.name, bitOffset: v.offset * 8, bitSize: 0, codec: btfCodec(btf, variable.kind === 'var' ? variable.type : v.type) };
        }),
        t.size,
        cType,
        false,
      );
    case 'var':
      return btfCodec(btf, t.type);
    default:
      return bytesCodec(btf.sizeof(id), cType);
  }
}

/** Whether `id` is C's `char` (qualifiers skipped, not through typedefs: `__u8 mac[6]` stays numbers). */
function isCharType(btf: Btf, id: TypeId): boolean {
  let t = btf.type(id);
  while (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag') t = btf.type(t.type);
  return t.kind === 'int' && t.size === 1 && (t.encoding === 'char' || t.name === 'char');
}

/** Members with their bit offsets from the outermost struct; anonymous structs and unions are flattened. */
function fieldsOf(btf: Btf, members: readonly BtfMember[], base: number): Field[] {
  const out: Field[] = [];
  for (const m of members) {
    const t = btf.resolve(m.type);
    if (m.name === '' && (t.kind === 'struct' || t.kind === 'union')) {
      out.push(...fieldsOf(btf, t.members, base + m.bitOffset));
      continue;
    }
    if (m.name === '') continue;
    out.push({ name: m.name, bitOffset: base + m.bitOffset, bitSize: m.bitSize, codec: btfCodec(btf, m.type) });
  }
  return out;
}
