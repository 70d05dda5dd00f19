/**
 * The private ELF64 layer: the file header, section headers, string
 * tables, the symbol table and `SHT_REL` relocations, each read from the
 * bytes with every offset and index checked against what holds it.
 *
 * ```
 * Elf64_Ehdr (64 bytes)                 Elf64_Shdr (64 bytes)
 *  0 e_ident[16]  7f 'E' 'L' 'F' class data version ...
 * 16 e_type u16   18 e_machine u16       0 sh_name u32    4 sh_type u32
 * 20 e_version u32                       8 sh_flags u64  16 sh_addr u64
 * 24 e_entry u64  32 e_phoff u64        24 sh_offset u64 32 sh_size u64
 * 40 e_shoff u64  48 e_flags u32        40 sh_link u32   44 sh_info u32
 * 52 e_ehsize u16 54 e_phentsize u16    48 sh_addralign u64
 * 56 e_phnum u16  58 e_shentsize u16    56 sh_entsize u64
 * 60 e_shnum u16  62 e_shstrndx u16
 *
 * Elf64_Sym (24 bytes)                   Elf64_Rel (16 bytes)
 *  0 st_name u32  4 st_info u8           0 r_offset u64
 *  5 st_other u8  6 st_shndx u16         8 r_info u64 = sym << 32 | type
 *  8 st_value u64 16 st_size u64
 * ```
 *
 * Nothing here knows about BPF beyond the header checks; the meaning of
 * sections, symbols and relocations is given by the public layer.
 */
import { hex, ObjectError } from '../errors';

/** `SHT_*` section types used by BPF objects. */
export const SHT = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOBITS: 8,
  REL: 9,
  LLVM_ADDRSIG: 0x6fff4c03,
} as const;

/** `SHF_*` section flags. */
export const SHF = { WRITE: 0x1, ALLOC: 0x2, EXECINSTR: 0x4 } as const;

/** `STB_*` symbol bindings. */
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;

/** `STT_*` symbol types. */
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;

/** `STV_*` symbol visibilities. */
export const STV = { DEFAULT: 0, INTERNAL: 1, HIDDEN: 2, PROTECTED: 3 } as const;

/** Special section indexes. */
export const SHN = { UNDEF: 0, LORESERVE: 0xff00, ABS: 0xfff1, COMMON: 0xfff2, XINDEX: 0xffff } as const;

/** `R_BPF_*` relocation types. */
export const R_BPF = {
  NONE: 0,
  '64_64': 1,
  '64_ABS64': 2,
  '64_ABS32': 3,
  '64_NODYLD32': 4,
  '64_32': 10,
} as const;

const R_BPF_NAMES = new Map<number, string>(Object.entries(R_BPF).map(([k, v]) => [v, `R_BPF_${k}`]));

/** `R_BPF_64_64`, or `type 7` for a type that has no name. */
export function relocationTypeName(type: number): string {
  return R_BPF_NAMES.get(type) ?? `type ${type}`;
}

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
/** Size of an `Elf64_Sym`. */
export const SYM_SIZE = 24;
/** Size of an `Elf64_Rel`. */
export const REL_SIZE = 16;
const EM_NONE = 0;
/** `EM_BPF` */
export const EM_BPF = 247;
const ET_REL = 1;

/** The fields of the ELF header the reader uses. */
export interface RawHeader {
  readonly type: number;
  readonly machine: number;
  readonly shoff: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

/** One section header, with its name resolved. */
export interface RawSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** File offset of the section's bytes. */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entsize: number;
  /** File offset of this section's header. */
  readonly headerOffset: number;
}

/** One symbol table entry, with its name resolved. */
export interface RawSymbol {
  readonly index: number;
  readonly name: string;
  /** `st_name`: 0 when the symbol has no name (section symbols). */
  readonly nameOffset: number;
  readonly bind: number;
  readonly type: number;
  readonly visibility: number;
  readonly shndx: number;
  readonly value: number;
  readonly size: number;
  /** File offset of the entry. */
  readonly at: number;
}

/** One `Elf64_Rel`. */
export interface RawRel {
  /** Index in its relocation section. */
  readonly index: number;
  /** `r_offset`: byte offset in the target section. */
  readonly offset: number;
  readonly sym: number;
  readonly type: number;
  /** File offset of the entry. */
  readonly at: number;
}

/** A parsed ELF file: header and named sections. */
export interface RawElf {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly header: RawHeader;
  /** Every section by index; index 0 is the null section. */
  readonly sections: readonly RawSection[];
}

/** A u64 as a number: exact up to 2^53, and above that still larger than any file. */
export function u64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  return hi * 0x1_0000_0000 + lo;
}

/** `section 'xdp' (#3)`: how messages name a section. */
export function describeSection(s: RawSection): string {
  return `section '${s.name}' (#${s.index})`;
}

/** An ObjectError about `s`, at file offset `at`. */
export function sectionError(code: ConstructorParameters<typeof ObjectError>[0], s: RawSection, at: number, what: string): ObjectError {
  return new ObjectError(code, `${describeSection(s)} at file offset ${hex(at)}: ${what}`, s.name, at);
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The NUL-terminated string at `off` in a string table section, or an
 * ObjectError naming `what` and `at` (the file offset of the field that holds `off`).
 */
export function readString(elf: RawElf, table: RawSection, off: number, what: string, at: number): string {
  if (off >= table.size) {
    throw sectionError(
      'bad-string',
      table,
      at,
      `${what}: string offset ${off} is past the end of the string table (${table.size} bytes)`,
    );
  }
  const start = table.offset + off;
  const end = elf.bytes.indexOf(0, start);
  if (end < 0 || end >= table.offset + table.size) {
    throw sectionError('bad-string', table, at, `${what}: string at offset ${off} is not NUL-terminated within the table`);
  }
  return decoder.decode(elf.bytes.subarray(start, end));
}

function fail(code: 'bad-elf' | 'truncated' | 'unsupported', what: string, at: number): never {
  throw new ObjectError(code, `elf header: ${what}`, undefined, at);
}

/**
 * Reads the ELF header and section headers of a BPF object: ELF64,
 * little-endian, `ET_REL`, machine `EM_BPF` (or `EM_NONE`, which libbpf
 * also accepts). Every section's bytes must lie within the file.
 */
export function readElf(bytes: Uint8Array): RawElf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16) fail('truncated', `${bytes.length} bytes: too short for e_ident (16 bytes)`, 0);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('bad-elf', 'bad magic: not an ELF file', 0);
  }
  const cls = bytes[4];
  if (cls !== 2) fail('bad-elf', `EI_CLASS ${cls}: want 2 (ELFCLASS64); BPF objects are 64-bit`, 4);
  const data = bytes[5];
  if (data === 2) {
    fail('unsupported', 'big-endian object (EI_DATA 2, ELFDATA2MSB): only little-endian BPF objects are supported (compile with -target bpf or bpfel)', 5);
  }
  if (data !== 1) fail('bad-elf', `EI_DATA ${data}: want 1 (little-endian)`, 5);
  if (bytes.length < EHDR_SIZE) fail('truncated', `${bytes.length} bytes: too short for the ELF64 header (64 bytes)`, 0);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (type !== ET_REL) fail('bad-elf', `e_type ${type}: want 1 (ET_REL, a relocatable object as clang -c writes)`, 16);
  if (machine !== EM_BPF && machine !== EM_NONE) fail('bad-elf', `e_machine ${machine}: want ${EM_BPF} (EM_BPF)`, 18);
  const shoff = u64(view, 40);
  const shentsize = view.getUint16(58, true);
  let shnum = view.getUint16(60, true);
  let shstrndx = view.getUint16(62, true);
  if (shoff === 0) fail('bad-elf', 'no section header table (e_shoff 0)', 40);
  if (shentsize !== SHDR_SIZE) fail('bad-elf', `e_shentsize ${shentsize}: want ${SHDR_SIZE}`, 58);
  if (shoff % 8 !== 0) fail('bad-elf', `e_shoff ${hex(shoff)} is not 8-byte aligned`, 40);
  if (shoff + SHDR_SIZE > bytes.length) {
    fail('truncated', `section header table at ${hex(shoff)} is past the end of the file (${bytes.length} bytes)`, 40);
  }
  // Extended numbering: the real counts live in section header 0.
  if (shnum === 0) shnum = u64(view, shoff + 32);
  if (shstrndx === SHN.XINDEX) shstrndx = view.getUint32(shoff + 40, true);
  if (shnum === 0) fail('bad-elf', 'no sections', 60);
  if (shoff + shnum * SHDR_SIZE > bytes.length) {
    fail(
      'truncated',
      `section header table at ${hex(shoff)} (${shnum} headers of ${SHDR_SIZE} bytes) runs past the end of the file (${bytes.length} bytes)`,
      40,
    );
  }
  if (shstrndx === SHN.UNDEF || shstrndx >= shnum) {
    fail('bad-elf', `e_shstrndx ${shstrndx}: not a section (${shnum} sections)`, 62);
  }

  interface RawHeaderEntry {
    readonly index: number;
    readonly nameOffset: number;
    readonly type: number;
    readonly flags: number;
    readonly offset: number;
    readonly size: number;
    readonly link: number;
    readonly info: number;
    readonly entsize: number;
    readonly headerOffset: number;
  }
  const rawHeaders: RawHeaderEntry[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    rawHeaders.push({
      index: i,
      nameOffset: view.getUint32(at, true),
      type: view.getUint32(at + 4, true),
      flags: u64(view, at + 8),
      offset: u64(view, at + 24),
      size: u64(view, at + 32),
      link: view.getUint32(at + 40, true),
      info: view.getUint32(at + 44, true),
      entsize: u64(view, at + 56),
      headerOffset: at,
    });
  }
  const outOfFile = (h: RawHeaderEntry): boolean =>
    h.type !== SHT.NOBITS && h.type !== SHT.NULL && h.size > 0 && (h.offset > bytes.length || h.size > bytes.length - h.offset);
  const extent = (h: RawHeaderEntry): string =>
    `data at ${hex(h.offset)} (${h.size} bytes) runs past the end of the file (${bytes.length} bytes)`;
  const strHeader = rawHeaders[shstrndx]!;
  if (strHeader.type !== SHT.STRTAB) {
    fail('bad-elf', `e_shstrndx ${shstrndx}: section #${shstrndx} is not a string table (type ${strHeader.type})`, 62);
  }
  if (outOfFile(strHeader)) {
    const at = strHeader.headerOffset + 24;
    throw new ObjectError('truncated', `section name table (#${shstrndx}) at file offset ${hex(at)}: ${extent(strHeader)}`, undefined, at);
  }
  const shstrtab: RawSection = { ...strHeader, name: '.shstrtab' };
  const elf0 = { bytes, view, header: { type, machine, shoff, shnum, shstrndx }, sections: [] as RawSection[] };
  const sections: RawSection[] = [];
  for (const h of rawHeaders) {
    const name =
      h.index === 0 && h.nameOffset === 0
        ? ''
        : readString(elf0, shstrtab, h.nameOffset, `section header #${h.index} name`, h.headerOffset);
    const section: RawSection = {
      index: h.index,
      name,
      type: h.type,
      flags: h.flags,
      offset: h.offset,
      size: h.size,
      link: h.link,
      info: h.info,
      entsize: h.entsize,
      headerOffset: h.headerOffset,
    };
    if (outOfFile(h)) throw sectionError('truncated', section, h.headerOffset + 24, extent(h));
    sections.push(section);
  }
  return { bytes, view, header: elf0.header, sections };
}

/** The bytes of a section (empty for `SHT_NOBITS`). */
export function sectionBytes(elf: RawElf, s: RawSection): Uint8Array {
  if (s.type === SHT.NOBITS) return new Uint8Array(0);
  return elf.bytes.subarray(s.offset, s.offset + s.size);
}

/** The symbol table and its string table. */
export interface RawSymbols {
  readonly section: RawSection;
  readonly strings: RawSection;
  readonly symbols: readonly RawSymbol[];
}

/**
 * Reads the one `SHT_SYMTAB` section. An object without one (stripped) or
 * with several is refused, as libbpf refuses it.
 */
export function readSymbols(elf: RawElf): RawSymbols {
  const tables = elf.sections.filter((s) => s.type === SHT.SYMTAB);
  if (tables.length === 0) {
    throw new ObjectError('bad-symbol', 'elf: no symbol table (SHT_SYMTAB): stripped object file?', undefined, elf.header.shoff);
  }
  if (tables.length > 1) {
    const second = tables[1]!;
    throw sectionError('bad-symbol', second, second.headerOffset, `a second symbol table (the first is #${tables[0]!.index})`);
  }
  const section = tables[0]!;
  if (section.entsize !== SYM_SIZE) {
    throw sectionError('bad-symbol', section, section.headerOffset + 56, `sh_entsize ${section.entsize}: want ${SYM_SIZE}`);
  }
  if (section.size % SYM_SIZE !== 0) {
    throw sectionError('truncated', section, section.offset, `size ${section.size} is not a multiple of ${SYM_SIZE}`);
  }
  const strings = elf.sections[section.link];
  if (section.link === 0 || !strings || strings.type !== SHT.STRTAB) {
    throw sectionError('bad-symbol', section, section.headerOffset + 40, `sh_link ${section.link}: not a string table`);
  }
  const { view } = elf;
  const count = section.size / SYM_SIZE;
  const symbols: RawSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const at = section.offset + i * SYM_SIZE;
    const nameOffset = view.getUint32(at, true);
    const info = view.getUint8(at + 4);
    const name = nameOffset === 0 ? '' : readString(elf, strings, nameOffset, `symbol #${i} name`, at);
    symbols.push({
      index: i,
      name,
      nameOffset,
      bind: info >> 4,
      type: info & 0xf,
      visibility: view.getUint8(at + 5) & 0x3,
      shndx: view.getUint16(at + 6, true),
      value: u64(view, at + 8),
      size: u64(view, at + 16),
      at,
    });
  }
  return { section, strings, symbols };
}

/** Reads the entries of an `SHT_REL` section, checking symbol indexes against `symbolCount`. */
export function readRels(elf: RawElf, s: RawSection, symbolCount: number): readonly RawRel[] {
  if (s.entsize !== REL_SIZE) {
    throw sectionError('bad-relocation', s, s.headerOffset + 56, `sh_entsize ${s.entsize}: want ${REL_SIZE} (Elf64_Rel)`);
  }
  if (s.size % REL_SIZE !== 0) {
    throw sectionError('truncated', s, s.offset, `size ${s.size} is not a multiple of ${REL_SIZE}`);
  }
  const out: RawRel[] = [];
  for (let i = 0; i < s.size / REL_SIZE; i++) {
    const at = s.offset + i * REL_SIZE;
    const sym = elf.view.getUint32(at + 12, true);
    if (sym >= symbolCount) {
      throw sectionError('bad-relocation', s, at, `relocation #${i}: symbol #${sym} does not exist (${symbolCount} symbols)`);
    }
    out.push({ index: i, offset: u64(elf.view, at), sym, type: elf.view.getUint32(at + 8, true), at });
  }
  return out;
}
