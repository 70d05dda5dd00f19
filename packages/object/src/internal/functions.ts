/**
 * The functions of an object's code sections (`bpf_object__add_programs`):
 * one per `STT_FUNC` symbol, decoded. Functions outside `.text` are entry
 * points and must be global and visible; functions in `.text` are
 * subprograms, static or global.
 */
import { decode, IsaError, slotIndex, type Insn } from '@bpflab/isa';
import { hex, ObjectError } from '../errors';
import { sectionError, STB, STT, STV, type RawElf, type RawSection, type RawSymbol } from './elf';

/** A function of a code section, decoded. */
export interface CodeFunction {
  readonly name: string;
  readonly section: RawSection;
  /** Byte offset in the section. */
  readonly offset: number;
  /** Slot offset in the section (`sec_insn_off`). */
  readonly slotOffset: number;
  /** Size in slots (`sec_insn_cnt`). */
  readonly slots: number;
  readonly insns: readonly Insn[];
  /** Slot of each instruction, relative to the function. */
  readonly pcs: readonly number[];
  /** Instruction index by relative slot; -1 for the second slot of an `lddw`. */
  readonly indexOfPc: Int32Array;
  /** In `.text`: a subprogram rather than an entry point. */
  readonly subprog: boolean;
  readonly global: boolean;
  readonly hidden: boolean;
  /** Local labels (`LBB0_3`) in the function, by relative slot. */
  readonly labels: readonly { readonly pc: number; readonly name: string }[];
}

/** The functions of one code section, by offset. */
export interface CodeSection {
  readonly section: RawSection;
  readonly functions: readonly CodeFunction[];
}

/** The function of `cs` whose slots include `slot` (section-relative), or `undefined`. */
export function functionAt(cs: CodeSection, slot: number): CodeFunction | undefined {
  const fns = cs.functions;
  let lo = 0;
  let hi = fns.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = fns[mid]!;
    if (slot < f.slotOffset) hi = mid - 1;
    else if (slot >= f.slotOffset + f.slots) lo = mid + 1;
    else return f;
  }
  return undefined;
}

/** Reads the functions of a code section from the symbols that point into it. */
export function readCodeSection(elf: RawElf, section: RawSection, symbols: readonly RawSymbol[], subprog: boolean): CodeSection {
  const bytes = elf.bytes.subarray(section.offset, section.offset + section.size);
  const funcs = symbols.filter((s) => s.shndx === section.index && s.type === STT.FUNC).sort((a, b) => a.value - b.value || a.index - b.index);
  const labelSyms = symbols.filter((s) => s.shndx === section.index && s.type === STT.NOTYPE && s.bind === STB.LOCAL && s.name !== '');
  const functions: CodeFunction[] = [];
  let previous: CodeFunction | undefined;
  for (const sym of funcs) {
    // Point at the function's code when it lies in the section, else at its symbol table entry.
    const at = sym.value < section.size ? section.offset + sym.value : sym.at;
    const bad = (code: 'bad-program' | 'unsupported', what: string): never => {
      throw sectionError(code, section, at, `function symbol #${sym.index} '${sym.name}': ${what}`);
    };
    if (sym.name === '') bad('bad-program', 'has no name');
    if (sym.value % 8 !== 0) bad('bad-program', `offset ${sym.value} is not a multiple of 8`);
    if (sym.size % 8 !== 0) bad('bad-program', `size ${sym.size} is not a multiple of 8`);
    if (sym.size === 0) bad('bad-program', 'has no instructions (size 0)');
    if (sym.value > section.size || sym.size > section.size - sym.value) {
      bad('bad-program', `program at offset ${sym.value} (${sym.size} bytes) crosses the section boundary (${section.size} bytes)`);
    }
    if (!subprog && sym.bind === STB.LOCAL) bad('unsupported', `program '${sym.name}' is static and not supported: entry points must be global functions`);
    if (!subprog && sym.visibility === STV.HIDDEN) bad('unsupported', `program '${sym.name}' is hidden and not supported`);
    if (previous && sym.value < previous.offset + previous.slots * 8) {
      bad('bad-program', `overlaps function '${previous.name}' (offset ${previous.offset}, ${previous.slots * 8} bytes)`);
    }
    let insns: Insn[];
    try {
      insns = decode(bytes.subarray(sym.value, sym.value + sym.size));
    } catch (e) {
      if (!(e instanceof IsaError)) throw e;
      const at = section.offset + sym.value + (e.byteOffset ?? 0);
      throw new ObjectError('bad-program', `section '${section.name}' (#${section.index}) at file offset ${hex(at)}: function '${sym.name}': ${e.message}`, section.name, at);
    }
    const { pcs } = slotIndex(insns);
    const slots = sym.size / 8;
    const indexOfPc = new Int32Array(slots).fill(-1);
    pcs.forEach((pc, i) => {
      indexOfPc[pc] = i;
    });
    const start = sym.value;
    const end = sym.value + sym.size;
    const labels = labelSyms
      .filter((l) => l.value >= start && l.value < end && l.value % 8 === 0)
      .map((l) => ({ pc: (l.value - start) / 8, name: l.name }))
      .sort((a, b) => a.pc - b.pc || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const fn: CodeFunction = {
      name: sym.name,
      section,
      offset: sym.value,
      slotOffset: sym.value / 8,
      slots,
      insns,
      pcs,
      indexOfPc,
      subprog,
      global: sym.bind !== STB.LOCAL,
      hidden: sym.visibility === STV.HIDDEN || sym.visibility === STV.INTERNAL,
      labels,
    };
    functions.push(fn);
    previous = fn;
  }
  return { section, functions };
}
