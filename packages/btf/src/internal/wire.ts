/**
 * The private wire layer of `.BTF`: the header and the type records as the
 * kernel lays them out (`include/uapi/linux/btf.h`), without interpretation
 * beyond what is needed to find where each record ends.
 *
 * ```
 * struct btf_header (24 bytes)          struct btf_type (12 bytes, then kind data)
 * +-------+---+---+---------+           +----------+----------------------------+-----------+
 * | magic |ver|flg| hdr_len |           | name_off | info: kflag:1 0:2 kind:5   | size/type |
 * +-------+---+---+---------+           |          |       0:8 vlen:16          |           |
 * | type_off | type_len     |           +----------+----------------------------+-----------+
 * | str_off  | str_len      |           then kind data, all 32-bit words
 * +-------------------------+
 * ```
 * Section offsets in the header are relative to the end of the header.
 * Either byte order is accepted: the magic 0xeB9F tells which.
 */
import { BtfError } from '../errors';

/** `BTF_MAGIC`. */
export const BTF_MAGIC = 0xeb9f;
/** `BTF_VERSION`. */
export const BTF_VERSION = 1;
/** `sizeof(struct btf_header)`. */
export const BTF_HEADER_SIZE = 24;
/** `sizeof(struct btf_type)`. */
export const BTF_TYPE_SIZE = 12;

/** `BTF_KIND_*` numbers. */
export const KIND = {
  unkn: 0,
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

/** `BTF_KIND_MAX`. */
export const KIND_MAX = 19;

/** Bits of `info` that may be set: kind_flag, kind, vlen. */
const INFO_MASK = 0x9f00ffff;

/** The decoded `struct btf_header`. */
export interface RawHeader {
  readonly magic: number;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

/** One `struct btf_type` with its kind data as 32-bit words. */
export interface RawType {
  /** Byte offset of the record in the `.BTF` section. */
  readonly offset: number;
  readonly nameOff: number;
  readonly kind: number;
  readonly kflag: boolean;
  readonly vlen: number;
  /** The `size` / `type` union. */
  readonly sizeType: number;
  /** Kind data following the 12-byte record. */
  readonly data: readonly number[];
}

/** The raw contents of a `.BTF` section. */
export interface RawBtf {
  readonly littleEndian: boolean;
  readonly header: RawHeader;
  readonly types: readonly RawType[];
  /** The string section. */
  readonly strings: Uint8Array;
  /** Byte offset of the string section in the `.BTF` bytes. */
  readonly stringsOffset: number;
}

/** Number of 32-bit words of kind data for a kind and vlen. */
export function dataWords(kind: number, vlen: number): number {
  switch (kind) {
    case KIND.int:
    case KIND.var:
    case KIND.decl_tag:
      return 1;
    case KIND.array:
      return 3;
    case KIND.struct:
    case KIND.union:
    case KIND.datasec:
    case KIND.enum64:
      return 3 * vlen;
    case KIND.enum:
    case KIND.func_proto:
      return 2 * vlen;
    default:
      return 0;
  }
}

/** Reads the byte order from the magic, or throws. */
export function detectEndianness(bytes: Uint8Array, what: string): boolean {
  if (bytes.length < 2) {
    throw new BtfError('truncated', `${what}: ${bytes.length} bytes: too short for a header`, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0, true) === BTF_MAGIC) return true;
  if (view.getUint16(0, false) === BTF_MAGIC) return false;
  const magic = view.getUint16(0, true).toString(16).padStart(4, '0');
  throw new BtfError('bad-header', `${what}: bad magic 0x${magic}: want 0xeb9f`, 0);
}

/** Splits `.BTF` bytes into header, type records and string section. */
export function decodeRawBtf(bytes: Uint8Array): RawBtf {
  const littleEndian = detectEndianness(bytes, '.BTF');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < BTF_HEADER_SIZE) {
    throw new BtfError('truncated', `.BTF: header: ${bytes.length} bytes: want at least ${BTF_HEADER_SIZE}`, 0);
  }
  const u32 = (off: number): number => view.getUint32(off, littleEndian);
  const header: RawHeader = {
    magic: BTF_MAGIC,
    version: view.getUint8(2),
    flags: view.getUint8(3),
    hdrLen: u32(4),
    typeOff: u32(8),
    typeLen: u32(12),
    strOff: u32(16),
    strLen: u32(20),
  };
  if (header.version !== BTF_VERSION) {
    throw new BtfError('bad-header', `.BTF: unsupported version ${header.version}: want ${BTF_VERSION}`, 2);
  }
  if (header.flags !== 0) {
    throw new BtfError('bad-header', `.BTF: unsupported flags 0x${header.flags.toString(16)}`, 3);
  }
  if (header.hdrLen < BTF_HEADER_SIZE) {
    throw new BtfError('bad-header', `.BTF: hdr_len ${header.hdrLen}: want at least ${BTF_HEADER_SIZE}`, 4);
  }
  if (header.hdrLen > bytes.length) {
    throw new BtfError('truncated', `.BTF: hdr_len ${header.hdrLen}: past the end of ${bytes.length} bytes`, 4);
  }
  for (let i = BTF_HEADER_SIZE; i < header.hdrLen; i++) {
    if (bytes[i] !== 0) {
      throw new BtfError('bad-header', `.BTF: unknown header field at byte ${i} is not zero`, i);
    }
  }
  const dataLen = bytes.length - header.hdrLen;
  const checkSection = (name: string, off: number, len: number, field: number): void => {
    if (off + len > dataLen) {
      throw new BtfError(
        'truncated',
        `.BTF: ${name} section (offset ${off}, length ${len}) runs past the end of ${dataLen} data bytes`,
        field,
      );
    }
  };
  checkSection('type', header.typeOff, header.typeLen, 8);
  checkSection('string', header.strOff, header.strLen, 16);
  if (header.typeOff % 4 !== 0) {
    throw new BtfError('bad-header', `.BTF: type_off ${header.typeOff} is not 4-byte aligned`, 8);
  }
  if (header.typeLen % 4 !== 0) {
    throw new BtfError('bad-header', `.BTF: type_len ${header.typeLen} is not a multiple of 4`, 12);
  }
  const typeEnd = header.typeOff + header.typeLen;
  const strEnd = header.strOff + header.strLen;
  if (header.typeLen > 0 && header.strLen > 0 && header.typeOff < strEnd && header.strOff < typeEnd) {
    throw new BtfError('bad-header', `.BTF: type and string sections overlap`, 8);
  }

  const types: RawType[] = [];
  const typeStart = header.hdrLen + header.typeOff;
  let off = typeStart;
  const end = typeStart + header.typeLen;
  while (off < end) {
    if (off + BTF_TYPE_SIZE > end) {
      throw new BtfError(
        'truncated',
        `.BTF: type [${types.length + 1}] at byte ${off}: record runs past the end of the type section`,
        off,
        types.length + 1,
      );
    }
    const nameOff = u32(off);
    const info = u32(off + 4);
    const sizeType = u32(off + 8);
    const kind = (info >>> 24) & 0x1f;
    const id = types.length + 1;
    if ((info & ~INFO_MASK) !== 0) {
      throw new BtfError(
        'bad-kind',
        `.BTF: type [${id}] at byte ${off}: reserved bits set in info 0x${(info >>> 0).toString(16)}`,
        off + 4,
        id,
      );
    }
    if (kind === KIND.unkn || kind > KIND_MAX) {
      throw new BtfError('bad-kind', `.BTF: type [${id}] at byte ${off}: unknown kind ${kind}`, off + 4, id);
    }
    const vlen = info & 0xffff;
    const words = dataWords(kind, vlen);
    const dataOff = off + BTF_TYPE_SIZE;
    if (dataOff + words * 4 > end) {
      throw new BtfError(
        'truncated',
        `.BTF: type [${id}] at byte ${off}: ${words * 4} bytes of kind data (vlen ${vlen}) run past the end of the type section`,
        off,
        id,
      );
    }
    const data = new Array<number>(words);
    for (let i = 0; i < words; i++) data[i] = u32(dataOff + i * 4);
    types.push({ offset: off, nameOff, kind, kflag: (info & 0x80000000) !== 0, vlen, sizeType, data });
    off = dataOff + words * 4;
  }
  const stringsOffset = header.hdrLen + header.strOff;
  return {
    littleEndian,
    header,
    types,
    strings: bytes.subarray(stringsOffset, stringsOffset + header.strLen),
    stringsOffset,
  };
}

/** Lays out a `.BTF` section: header, types, strings (types first, as libbpf and the kernel do). */
export function encodeRawBtf(
  types: readonly Omit<RawType, 'offset'>[],
  strings: Uint8Array,
  littleEndian: boolean,
): Uint8Array {
  let typeLen = 0;
  for (const t of types) typeLen += BTF_TYPE_SIZE + t.data.length * 4;
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + strings.length);
  const view = new DataView(out.buffer);
  const u32 = (o: number, v: number): void => view.setUint32(o, v >>> 0, littleEndian);
  view.setUint16(0, BTF_MAGIC, littleEndian);
  view.setUint8(2, BTF_VERSION);
  view.setUint8(3, 0);
  u32(4, BTF_HEADER_SIZE);
  u32(8, 0);
  u32(12, typeLen);
  u32(16, typeLen);
  u32(20, strings.length);
  let off = BTF_HEADER_SIZE;
  for (const t of types) {
    u32(off, t.nameOff);
    u32(off + 4, ((t.kflag ? 1 : 0) << 31) | (t.kind << 24) | (t.vlen & 0xffff));
    u32(off + 8, t.sizeType);
    off += BTF_TYPE_SIZE;
    for (const w of t.data) {
      u32(off, w);
      off += 4;
    }
  }
  out.set(strings, off);
  return out;
}
