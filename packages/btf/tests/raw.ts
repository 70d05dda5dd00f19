// Hand-made .BTF bytes for the parser's tests: a header, a type section
// given as 32-bit words, and a string section given as text with \0s.

/** `info` word of a btf_type. */
export function info(kind: number, vlen = 0, kflag = false): number {
  return ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;
}

/** The kind numbers (BTF_KIND_*). */
export const K = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const;

/** `int` data word: encoding, offset, bits. */
export function intData(encoding: number, offset: number, bits: number): number {
  return ((encoding << 24) | (offset << 16) | bits) >>> 0;
}

export interface RawOptions {
  readonly magic?: number;
  readonly version?: number;
  readonly flags?: number;
  readonly hdrLen?: number;
  readonly typeOff?: number;
  readonly typeLen?: number;
  readonly strOff?: number;
  readonly strLen?: number;
  /** Bytes appended after the header fields (when hdrLen > 24). */
  readonly headerTail?: readonly number[];
  readonly bigEndian?: boolean;
}

/**
 * `.BTF` bytes: header, `types` (u32 words), then `strings`. Section
 * offsets and lengths follow from the content unless overridden.
 */
export function rawBtf(types: readonly number[], strings = '\0int\0', o: RawOptions = {}): Uint8Array {
  const str = new TextEncoder().encode(strings);
  const tail = o.headerTail ?? [];
  const hdrLen = o.hdrLen ?? 24 + tail.length;
  const typeLen = types.length * 4;
  const out = new Uint8Array(24 + tail.length + typeLen + str.length);
  const v = new DataView(out.buffer);
  const le = !o.bigEndian;
  v.setUint16(0, o.magic ?? 0xeb9f, le);
  v.setUint8(2, o.version ?? 1);
  v.setUint8(3, o.flags ?? 0);
  v.setUint32(4, hdrLen, le);
  v.setUint32(8, o.typeOff ?? 0, le);
  v.setUint32(12, o.typeLen ?? typeLen, le);
  v.setUint32(16, o.strOff ?? typeLen, le);
  v.setUint32(20, o.strLen ?? str.length, le);
  out.set(tail, 24);
  types.forEach((w, i) => v.setUint32(24 + tail.length + i * 4, w >>> 0, le));
  out.set(str, 24 + tail.length + typeLen);
  return out;
}

/** The `int` type record used by most cases: name offset 1 ("int"), 4 bytes, signed. */
export const INT = [1, info(K.int), 4, intData(1, 0, 32)];
