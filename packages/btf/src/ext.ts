/**
 * `.BTF.ext`: per-section function info, line info and CO-RE relocation
 * records, with strings (section names, file names, source lines, access
 * strings) in the `.BTF` string section.
 *
 * ```
 * struct btf_ext_header (32 bytes; 24 without CO-RE)
 * +-------+---+---+---------+----------------+----------------+
 * | magic |ver|flg| hdr_len | func_info_off  | func_info_len  |
 * +-------+---+---+---------+----------------+----------------+
 * | line_info_off | line_info_len | core_relo_off | core_relo_len |
 * +---------------+---------------+---------------+---------------+
 * each info block (offsets relative to the end of the header):
 *   u32 rec_size, then per ELF section:
 *   u32 sec_name_off, u32 num_info, num_info records of rec_size bytes
 * bpf_func_info      { insn_off, type_id }
 * bpf_line_info      { insn_off, file_name_off, line_off, line_col }   line = line_col >> 10, col = line_col & 0x3ff
 * bpf_core_relo      { insn_off, type_id, access_str_off, kind }
 * ```
 * `insn_off` is a byte offset into the section's instructions (8 bytes per
 * instruction slot). Records longer than these structs are accepted and
 * their extra bytes ignored, as libbpf does.
 */
import type { Btf } from './btf';
import { encodeTypes, stringTableOf } from './codec';
import { BtfError } from './errors';
import { buildStringTable } from './internal/strings';
import { detectEndianness, encodeRawBtf } from './internal/wire';
import type { TypeId } from './types';

/** CO-RE relocation kinds (`enum bpf_core_relo_kind`), with the names libbpf prints. */
export type CoreReloKind =
  /** 0: field byte offset */
  | 'field_byte_offset'
  /** 1: field byte size */
  | 'field_byte_size'
  /** 2: field existence */
  | 'field_exists'
  /** 3: field signedness */
  | 'field_signed'
  /** 4: bitfield left shift for u64 extraction */
  | 'field_lshift_u64'
  /** 5: bitfield right shift for u64 extraction */
  | 'field_rshift_u64'
  /** 6: type id in the program's BTF */
  | 'type_id_local'
  /** 7: type id in the target BTF */
  | 'type_id_target'
  /** 8: type existence */
  | 'type_exists'
  /** 9: type size */
  | 'type_size'
  /** 10: enumerator existence */
  | 'enumval_exists'
  /** 11: enumerator value */
  | 'enumval_value'
  /** 12: type layout match */
  | 'type_matches';

/** Relocation kinds in `BPF_CORE_*` order. */
export const CORE_RELO_KINDS: readonly CoreReloKind[] = [
  'field_byte_offset',
  'field_byte_size',
  'field_exists',
  'field_signed',
  'field_lshift_u64',
  'field_rshift_u64',
  'type_id_local',
  'type_id_target',
  'type_exists',
  'type_size',
  'enumval_exists',
  'enumval_value',
  'type_matches',
];

/** `struct bpf_func_info`: where a function starts. */
export interface FuncInfo {
  /** Byte offset of the function's first instruction in the section. */
  readonly insnOff: number;
  /** Its `func` type. */
  readonly typeId: TypeId;
}

/** `struct bpf_line_info`: the source line of an instruction. */
export interface LineInfo {
  /** Byte offset of the instruction in the section. */
  readonly insnOff: number;
  readonly fileName: string;
  /** The source line's text. */
  readonly line: string;
  /** `line_col >> 10`. */
  readonly lineNum: number;
  /** `line_col & 0x3ff`. */
  readonly column: number;
}

/** `struct bpf_core_relo`: one CO-RE relocation. */
export interface CoreRelo {
  /** Byte offset of the instruction to patch in the section. */
  readonly insnOff: number;
  /** The root type of the access, in the program's BTF. */
  readonly typeId: TypeId;
  /** The access string: colon-separated indices such as `0:1:2`. */
  readonly access: string;
  readonly kind: CoreReloKind;
}

/** The records of one ELF section (`xdp`, `tracepoint/syscalls/sys_enter_openat`, `.text`, ...). */
export interface BtfExtSection<R> {
  readonly section: string;
  readonly records: readonly R[];
}

/** A parsed `.BTF.ext`. */
export interface BtfExt {
  readonly funcInfo: readonly BtfExtSection<FuncInfo>[];
  readonly lineInfo: readonly BtfExtSection<LineInfo>[];
  readonly coreRelos: readonly BtfExtSection<CoreRelo>[];
}

const HEADER_MIN = 24;
const HEADER_CORE = 32;
const ACCESS_RE = /^[0-9]+(:[0-9]+)*$/;

interface Block<R> {
  readonly name: string;
  readonly minRecSize: number;
  readonly decode: (u32: (off: number) => number, off: number, section: string) => R;
}

/**
 * Parses a `.BTF.ext` section against the `.BTF` it accompanies: `btf` must
 * be the result of `parseBtf` on that section, whose string section holds
 * the `.BTF.ext`'s strings too. Throws `BtfError` with the byte offset in
 * the `.BTF.ext` bytes on anything malformed.
 */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const littleEndian = detectEndianness(bytes, '.BTF.ext');
  if (bytes.length < HEADER_MIN) {
    throw new BtfError('truncated', `.BTF.ext: header: ${bytes.length} bytes: want at least ${HEADER_MIN}`, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number): number => view.getUint32(off, littleEndian);
  const version = view.getUint8(2);
  if (version !== 1) throw new BtfError('bad-header', `.BTF.ext: unsupported version ${version}: want 1`, 2);
  const flags = view.getUint8(3);
  if (flags !== 0) throw new BtfError('bad-header', `.BTF.ext: unsupported flags 0x${flags.toString(16)}`, 3);
  const hdrLen = u32(4);
  if (hdrLen < HEADER_MIN) throw new BtfError('bad-header', `.BTF.ext: hdr_len ${hdrLen}: want at least ${HEADER_MIN}`, 4);
  if (hdrLen > bytes.length) {
    throw new BtfError('truncated', `.BTF.ext: hdr_len ${hdrLen}: past the end of ${bytes.length} bytes`, 4);
  }
  const strings = stringTableOf(btf);
  const str = (off: number, field: number, what: string): string => {
    const s = strings.get(off);
    if (s === undefined) {
      throw new BtfError(
        'bad-string',
        `.BTF.ext: ${what} at byte ${field}: string offset ${off} is past the end of the .BTF string section (${strings.length} bytes)`,
        field,
      );
    }
    return s;
  };
  const bad = (what: string, off: number): never => {
    throw new BtfError('bad-ext', `.BTF.ext: ${what}`, off);
  };
  const insnOff = (v: number, off: number, what: string): number => {
    if (v % 8 !== 0) bad(`${what} at byte ${off}: insn_off ${v} is not a multiple of 8`, off);
    return v;
  };

  const readBlock = <R>(block: Block<R>, offField: number): BtfExtSection<R>[] => {
    if (offField + 8 > hdrLen) return [];
    const off = u32(offField);
    const len = u32(offField + 4);
    if (len === 0) return [];
    const start = hdrLen + off;
    const end = start + len;
    if (end > bytes.length) {
      throw new BtfError(
        'truncated',
        `.BTF.ext: ${block.name} (offset ${off}, length ${len}) runs past the end of ${bytes.length - hdrLen} data bytes`,
        offField,
      );
    }
    if (off % 4 !== 0) bad(`${block.name}: offset ${off} is not 4-byte aligned`, offField);
    if (len < 4) throw new BtfError('truncated', `.BTF.ext: ${block.name}: no room for the record size`, start);
    const recSize = u32(start);
    if (recSize < block.minRecSize || recSize % 4 !== 0) {
      bad(`${block.name}: record size ${recSize}: want a multiple of 4 of at least ${block.minRecSize}`, start);
    }
    const sections: BtfExtSection<R>[] = [];
    let p = start + 4;
    while (p < end) {
      if (p + 8 > end) throw new BtfError('truncated', `.BTF.ext: ${block.name}: section header at byte ${p} runs past the end`, p);
      const section = str(u32(p), p, `${block.name} section name`);
      const n = u32(p + 4);
      if (n === 0) bad(`${block.name}: section '${section}' at byte ${p} has no records`, p + 4);
      if (n * recSize > end - p - 8) {
        throw new BtfError(
          'truncated',
          `.BTF.ext: ${block.name}: section '${section}' at byte ${p}: ${n} records of ${recSize} bytes run past the end`,
          p + 4,
        );
      }
      p += 8;
      const records: R[] = [];
      for (let i = 0; i < n; i++, p += recSize) records.push(block.decode(u32, p, section));
      sections.push({ section, records });
    }
    return sections;
  };

  const funcInfo = readBlock<FuncInfo>(
    {
      name: 'func_info',
      minRecSize: 8,
      decode: (r, p, section) => {
        const typeId = r(p + 4);
        const t = btf.types[typeId];
        if (!t || t.kind !== 'func') {
          bad(`func_info '${section}' at byte ${p}: type id ${typeId} is not a func`, p + 4);
        }
        return { insnOff: insnOff(r(p), p, `func_info '${section}'`), typeId };
      },
    },
    8,
  );
  const lineInfo = readBlock<LineInfo>(
    {
      name: 'line_info',
      minRecSize: 16,
      decode: (r, p, section) => {
        const lineCol = r(p + 12);
        return {
          insnOff: insnOff(r(p), p, `line_info '${section}'`),
          fileName: str(r(p + 4), p + 4, `line_info '${section}' file name`),
          line: str(r(p + 8), p + 8, `line_info '${section}' line`),
          lineNum: lineCol >>> 10,
          column: lineCol & 0x3ff,
        };
      },
    },
    16,
  );
  const coreRelos =
    hdrLen >= HEADER_CORE
      ? readBlock<CoreRelo>(
          {
            name: 'core_relo',
            minRecSize: 16,
            decode: (r, p, section) => {
              const typeId = r(p + 4);
              if (typeId >= btf.types.length) {
                bad(`core_relo '${section}' at byte ${p}: type id ${typeId} does not exist (${btf.types.length} types)`, p + 4);
              }
              const access = str(r(p + 8), p + 8, `core_relo '${section}' access string`);
              if (!ACCESS_RE.test(access)) bad(`core_relo '${section}' at byte ${p}: bad access string '${access}'`, p + 8);
              const kind = CORE_RELO_KINDS[r(p + 12)];
              if (kind === undefined) bad(`core_relo '${section}' at byte ${p}: unknown kind ${r(p + 12)}`, p + 12);
              return { insnOff: insnOff(r(p), p, `core_relo '${section}'`), typeId, access, kind: kind! };
            },
          },
          24,
        )
      : [];
  return { funcInfo, lineInfo, coreRelos };
}

/** The `.BTF` and `.BTF.ext` written together by `encodeBtfExt`. */
export interface EncodedBtfWithExt {
  readonly btf: Uint8Array;
  readonly ext: Uint8Array;
}

/**
 * Writes a `.BTF` and a `.BTF.ext` that share one string section (the
 * `.BTF`'s): the types' strings first, then the section names, file names,
 * source lines and access strings of `ext`. Parsing them back gives equal
 * models. Record sizes are the minimal ones (8, 16, 16). Throws `BtfError`
 * `bad-ext` on a record that cannot be written.
 */
export function encodeBtfExt(btf: Btf, ext: BtfExt): EncodedBtfWithExt {
  checkRecords(ext, btf);
  const strings = buildStringTable(btf.base ? stringTableOf(btf.base) : undefined);
  const types = encodeTypes(btf, strings);
  const words: number[] = [];
  const block = <R>(sections: readonly BtfExtSection<R>[], recSize: number, rec: (r: R) => number[]): number => {
    if (sections.length === 0) return 0;
    const before = words.length;
    words.push(recSize);
    for (const s of sections) {
      words.push(strings.add(s.section), s.records.length);
      for (const r of s.records) words.push(...rec(r));
    }
    return (words.length - before) * 4;
  };
  const funcLen = block(ext.funcInfo, 8, (r) => [r.insnOff, r.typeId]);
  const lineLen = block(ext.lineInfo, 16, (r) => [
    r.insnOff,
    strings.add(r.fileName),
    strings.add(r.line),
    ((r.lineNum << 10) | (r.column & 0x3ff)) >>> 0,
  ]);
  const coreLen = block(ext.coreRelos, 16, (r) => [r.insnOff, r.typeId, strings.add(r.access), CORE_RELO_KINDS.indexOf(r.kind)]);
  const littleEndian = btf.endianness === 'little';
  const out = new Uint8Array(HEADER_CORE + words.length * 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xeb9f, littleEndian);
  view.setUint8(2, 1);
  const header = [HEADER_CORE, 0, funcLen, funcLen, lineLen, funcLen + lineLen, coreLen];
  header.forEach((v, i) => view.setUint32(4 + i * 4, v, littleEndian));
  words.forEach((w, i) => view.setUint32(HEADER_CORE + i * 4, w >>> 0, littleEndian));
  return { btf: encodeRawBtf(types, strings.finish(), littleEndian), ext: out };
}

function checkRecords(ext: BtfExt, btf: Btf): void {
  const bad = (what: string): never => {
    throw new BtfError('bad-ext', `.BTF.ext: ${what}`);
  };
  const off = (v: number, where: string): void => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff || v % 8 !== 0) bad(`${where}: insn_off ${v} is not a u32 multiple of 8`);
  };
  for (const s of ext.funcInfo) {
    if (s.records.length === 0) bad(`func_info '${s.section}': no records`);
    for (const r of s.records) {
      off(r.insnOff, `func_info '${s.section}'`);
      if (btf.types[r.typeId]?.kind !== 'func') bad(`func_info '${s.section}': type id ${r.typeId} is not a func`);
    }
  }
  for (const s of ext.lineInfo) {
    if (s.records.length === 0) bad(`line_info '${s.section}': no records`);
    for (const r of s.records) {
      off(r.insnOff, `line_info '${s.section}'`);
      if (!Number.isInteger(r.lineNum) || r.lineNum < 0 || r.lineNum >= 1 << 22) bad(`line_info '${s.section}': line ${r.lineNum} out of range`);
      if (!Number.isInteger(r.column) || r.column < 0 || r.column > 0x3ff) bad(`line_info '${s.section}': column ${r.column} out of range`);
    }
  }
  for (const s of ext.coreRelos) {
    if (s.records.length === 0) bad(`core_relo '${s.section}': no records`);
    for (const r of s.records) {
      off(r.insnOff, `core_relo '${s.section}'`);
      if (btf.types[r.typeId] === undefined) bad(`core_relo '${s.section}': type id ${r.typeId} does not exist`);
      if (!ACCESS_RE.test(r.access)) bad(`core_relo '${s.section}': bad access string '${r.access}'`);
      if (!CORE_RELO_KINDS.includes(r.kind)) bad(`core_relo '${s.section}': unknown kind ${String(r.kind)}`);
    }
  }
}
