// Just enough ELF64 (little-endian) reading to check what clang built:
// section names and bytes, symbols, instructions, and the CO-RE relocation
// kinds of .BTF.ext. The real reader is @bpflab/object; tests here must not
// depend on it.

export interface Section {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly data: Uint8Array;
}

export interface Sym {
  readonly name: string;
  /** STB_LOCAL 0, STB_GLOBAL 1, STB_WEAK 2 */
  readonly bind: number;
  /** STT_NOTYPE 0, STT_OBJECT 1, STT_FUNC 2, STT_SECTION 3 */
  readonly type: number;
  /** the section's name, '' for SHN_UNDEF */
  readonly section: string;
}

export interface RawInsn {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

export function isElf(bytes: Uint8Array): boolean {
  return ELF_MAGIC.every((b, i) => bytes[i] === b);
}

function cstr(bytes: Uint8Array, off: number): string {
  let end = off;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(off, end)).toString('utf8');
}

export function sections(bytes: Uint8Array): readonly Section[] {
  if (!isElf(bytes) || bytes[4] !== 2 || bytes[5] !== 1) throw new Error('not an ELF64 little-endian object');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    const type = v.getUint32(at + 4, true);
    const offset = Number(v.getBigUint64(at + 0x18, true));
    const size = Number(v.getBigUint64(at + 0x20, true));
    return { nameOff: v.getUint32(at, true), type, data: type === 8 ? new Uint8Array(0) : bytes.subarray(offset, offset + size) };
  });
  const names = raw[shstrndx]?.data ?? new Uint8Array(0);
  return raw.map((s, index) => ({ index, name: cstr(names, s.nameOff), type: s.type, data: s.data }));
}

export function section(bytes: Uint8Array, name: string): Section {
  const s = sections(bytes).find((x) => x.name === name);
  if (s === undefined) throw new Error(`no section ${name}`);
  return s;
}

export function symbols(bytes: Uint8Array): readonly Sym[] {
  const all = sections(bytes);
  const symtab = all.find((s) => s.type === 2);
  const strtab = all.find((s) => s.name === '.strtab');
  if (symtab === undefined || strtab === undefined) return [];
  const v = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  const out: Sym[] = [];
  for (let at = 24; at + 24 <= symtab.data.length; at += 24) {
    const info = v.getUint8(at + 4);
    const shndx = v.getUint16(at + 6, true);
    out.push({
      name: cstr(strtab.data, v.getUint32(at, true)),
      bind: info >> 4,
      type: info & 0xf,
      section: shndx === 0 ? '' : (all[shndx]?.name ?? `#${shndx}`),
    });
  }
  return out;
}

export function insns(data: Uint8Array): readonly RawInsn[] {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: RawInsn[] = [];
  for (let at = 0; at + 8 <= data.length; at += 8) {
    const regs = v.getUint8(at + 1);
    out.push({ code: v.getUint8(at), dst: regs & 0xf, src: regs >> 4, off: v.getInt16(at + 2, true), imm: v.getInt32(at + 4, true) });
  }
  return out;
}

/** The helper ids of `call` instructions (src 0), in order. */
export function helperCalls(data: Uint8Array): readonly number[] {
  return insns(data)
    .filter((i) => i.code === 0x85 && i.src === 0)
    .map((i) => i.imm);
}

/** Offsets of 8-byte loads `rX = *(u64 *)(r1 + off)`, in order. */
export function ctxLoads(data: Uint8Array): readonly number[] {
  return insns(data)
    .filter((i) => i.code === 0x79 && i.src === 1)
    .map((i) => i.off);
}

/** The `kind` of every CO-RE relocation record in `.BTF.ext`. */
export function coreReloKinds(bytes: Uint8Array): readonly number[] {
  const ext = section(bytes, '.BTF.ext').data;
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  if (v.getUint16(0, true) !== 0xeb9f) throw new Error('bad .BTF.ext magic');
  const hdrLen = v.getUint32(4, true);
  if (hdrLen < 32) return [];
  const off = hdrLen + v.getUint32(24, true);
  const len = v.getUint32(28, true);
  if (len === 0) return [];
  const recSize = v.getUint32(off, true);
  const kinds: number[] = [];
  for (let at = off + 4; at < off + len; ) {
    const n = v.getUint32(at + 4, true);
    at += 8;
    for (let i = 0; i < n; i++, at += recSize) kinds.push(v.getUint32(at + 12, true));
  }
  return kinds;
}
