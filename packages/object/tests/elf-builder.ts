// A small writer of ELF64 little-endian relocatable objects, so tests can
// build exactly the object they need (well-formed or not) without clang.
import { encode, type Insn } from '@bpflab/isa';

export const SHT = { PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF = { WRITE: 1, ALLOC: 2, EXECINSTR: 4 } as const;
export const R = { '64_64': 1, ABS64: 2, ABS32: 3, NODYLD32: 4, '64_32': 10 } as const;

export interface SectionInput {
  readonly name: string;
  readonly type?: number;
  readonly flags?: number;
  /** Contents; for code, instructions. */
  readonly data?: Uint8Array | readonly Insn[];
  /** Size of an `SHT_NOBITS` section. */
  readonly size?: number;
}

export interface SymbolInput {
  readonly name: string;
  /** Section name, or a raw index (0 = undefined). */
  readonly section?: string | number;
  readonly value?: number;
  readonly size?: number;
  readonly bind?: 'local' | 'global' | 'weak';
  readonly type?: 'notype' | 'object' | 'func' | 'section';
  readonly visibility?: 'default' | 'hidden';
}

export interface RelInput {
  /** The section relocated. */
  readonly section: string;
  readonly offset: number;
  /** Symbol name, or a raw symbol index. */
  readonly symbol: string | number;
  readonly type: number;
}

export interface ElfInput {
  readonly sections: readonly SectionInput[];
  readonly symbols?: readonly SymbolInput[];
  readonly relocations?: readonly RelInput[];
  readonly machine?: number;
}

/** Where things landed in a built object, for tests that corrupt them. */
export interface ElfLayout {
  readonly bytes: Uint8Array;
  readonly shoff: number;
  /** Section index by name. */
  readonly index: ReadonlyMap<string, number>;
  /** File offset of each section's data, by name. */
  readonly dataOffset: ReadonlyMap<string, number>;
  /** File offset of each section header, by name. */
  readonly headerOffset: ReadonlyMap<string, number>;
  /** Symbol index by name. */
  readonly symbolIndex: ReadonlyMap<string, number>;
}

const BIND = { local: 0, global: 1, weak: 2 } as const;
const TYPE = { notype: 0, object: 1, func: 2, section: 3 } as const;

/** Builds an object: the given sections, then `.strtab`, `.symtab` and one `.rel<name>` per relocated section. */
export function buildElf(input: ElfInput): ElfLayout {
  const strtab: number[] = [0];
  const strings = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    let off = strings.get(s);
    if (off === undefined) {
      off = strtab.length;
      strings.set(s, off);
      strtab.push(...new TextEncoder().encode(s), 0);
    }
    return off;
  };

  interface Sec {
    name: string;
    type: number;
    flags: number;
    data: Uint8Array;
    size: number;
    link: number;
    info: number;
    entsize: number;
    align: number;
  }
  const secs: Sec[] = [{ name: '', type: 0, flags: 0, data: new Uint8Array(0), size: 0, link: 0, info: 0, entsize: 0, align: 0 }];
  const index = new Map<string, number>();
  for (const s of input.sections) {
    const data = s.data === undefined ? new Uint8Array(0) : s.data instanceof Uint8Array ? s.data : encode(s.data);
    const type = s.type ?? SHT.PROGBITS;
    index.set(s.name, secs.length);
    secs.push({ name: s.name, type, flags: s.flags ?? 0, data, size: type === SHT.NOBITS ? (s.size ?? 0) : data.length, link: 0, info: 0, entsize: 0, align: 8 });
  }
  const secIndex = (s: string | number | undefined): number => (typeof s === 'number' ? s : s === undefined ? 0 : index.get(s)!);

  const syms = [...(input.symbols ?? [])];
  const ordered = [...syms.filter((s) => (s.bind ?? 'global') === 'local'), ...syms.filter((s) => (s.bind ?? 'global') !== 'local')];
  const firstGlobal = 1 + syms.filter((s) => (s.bind ?? 'global') === 'local').length;
  const symbolIndex = new Map<string, number>();
  const symtab = new Uint8Array((ordered.length + 1) * 24);
  const sv = new DataView(symtab.buffer);
  ordered.forEach((s, i) => {
    const at = (i + 1) * 24;
    symbolIndex.set(s.name, i + 1);
    sv.setUint32(at, s.type === 'section' ? 0 : str(s.name), true);
    sv.setUint8(at + 4, (BIND[s.bind ?? 'global'] << 4) | TYPE[s.type ?? 'notype']);
    sv.setUint8(at + 5, s.visibility === 'hidden' ? 2 : 0);
    sv.setUint16(at + 6, secIndex(s.section), true);
    sv.setBigUint64(at + 8, BigInt(s.value ?? 0), true);
    sv.setBigUint64(at + 16, BigInt(s.size ?? 0), true);
  });

  const strIdx = secs.length;
  secs.push({ name: '.strtab', type: SHT.STRTAB, flags: 0, data: new Uint8Array(0), size: 0, link: 0, info: 0, entsize: 0, align: 1 });
  const symIdx = secs.length;
  secs.push({ name: '.symtab', type: SHT.SYMTAB, flags: 0, data: symtab, size: symtab.length, link: strIdx, info: firstGlobal, entsize: 24, align: 8 });
  index.set('.strtab', strIdx);
  index.set('.symtab', symIdx);

  const relsBySection = new Map<string, RelInput[]>();
  for (const r of input.relocations ?? []) relsBySection.set(r.section, [...(relsBySection.get(r.section) ?? []), r]);
  for (const [target, rels] of relsBySection) {
    const data = new Uint8Array(rels.length * 16);
    const dv = new DataView(data.buffer);
    rels.forEach((r, i) => {
      const sym = typeof r.symbol === 'number' ? r.symbol : symbolIndex.get(r.symbol)!;
      dv.setBigUint64(i * 16, BigInt(r.offset), true);
      dv.setBigUint64(i * 16 + 8, (BigInt(sym) << 32n) | BigInt(r.type), true);
    });
    const name = `.rel${target}`;
    index.set(name, secs.length);
    secs.push({ name, type: SHT.REL, flags: 0, data, size: data.length, link: symIdx, info: index.get(target)!, entsize: 16, align: 8 });
  }

  const names = secs.map((s) => str(s.name));
  secs[strIdx]!.data = new Uint8Array(strtab);
  secs[strIdx]!.size = strtab.length;

  const offsets: number[] = [];
  let off = 64;
  for (const s of secs) {
    if (s.align > 1) off = Math.ceil(off / s.align) * s.align;
    offsets.push(off);
    if (s.type !== SHT.NOBITS) off += s.data.length;
  }
  const shoff = Math.ceil(off / 8) * 8;
  const bytes = new Uint8Array(shoff + secs.length * 64);
  const v = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 1, true);
  v.setUint16(18, input.machine ?? 247, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, 64, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, secs.length, true);
  v.setUint16(62, strIdx, true);
  const dataOffset = new Map<string, number>();
  const headerOffset = new Map<string, number>();
  secs.forEach((s, i) => {
    if (s.type !== SHT.NOBITS) bytes.set(s.data, offsets[i]!);
    const h = shoff + i * 64;
    dataOffset.set(s.name, offsets[i]!);
    headerOffset.set(s.name, h);
    if (i === 0) return;
    v.setUint32(h, names[i]!, true);
    v.setUint32(h + 4, s.type, true);
    v.setBigUint64(h + 8, BigInt(s.flags), true);
    v.setBigUint64(h + 24, BigInt(offsets[i]!), true);
    v.setBigUint64(h + 32, BigInt(s.size), true);
    v.setUint32(h + 40, s.link, true);
    v.setUint32(h + 44, s.info, true);
    v.setBigUint64(h + 48, BigInt(s.align), true);
    v.setBigUint64(h + 56, BigInt(s.entsize), true);
  });
  return { bytes, shoff, index, dataOffset, headerOffset, symbolIndex };
}

/** `r0 = 0; exit`. */
export const RETURN_0: readonly Insn[] = [
  { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 0 } },
  { kind: 'exit' },
];

/** `r1 = <imm64>` (to be relocated). */
export function lddw(dst: 0 | 1 | 2 = 1, value = 0n): Insn {
  return { kind: 'lddw', dst, pseudo: 'imm64', value };
}

/** A BPF-to-BPF call with offset `off` (-1 when relocated). */
export function callLocal(off = -1): Insn {
  return { kind: 'call_local', off };
}

/** The program section flags clang gives code: `AX`. */
export const CODE = SHF.ALLOC | SHF.EXECINSTR;
/** The flags of `.data`: `WA`. */
export const DATA = SHF.ALLOC | SHF.WRITE;
