/**
 * Relocations and linking, as libbpf does them between open and load:
 *
 * 1. every relocation of a code section is recorded on its instruction
 *    (`bpf_program__record_reloc`): a map, global data, an extern, a
 *    subprogram call or a subprogram address;
 * 2. each entry point is linked (`bpf_object__reloc_code`): walking its
 *    instructions, the first call into a `.text` function appends that
 *    function's code after the program (then walks it, depth first), and
 *    every call offset is rewritten for the program's layout; a subprogram
 *    used by several programs is copied into each;
 * 3. `.BTF.ext` func info, line info and CO-RE records follow their
 *    instructions into the linked program, in slots relative to its start
 *    (`adjust_prog_btf_ext_info`).
 */
import type { Btf, BtfExt, BtfExtSection, CoreRelo, FuncInfo, LineInfo } from '@bpflab/btf';
import { lddwHalves, type Insn } from '@bpflab/isa';
import { hex, ObjectError } from '../errors';
import type {
  CoreRelocation,
  DataMapSpec,
  ExternSpec,
  FuncInfoRecord,
  Label,
  LinkedFunction,
  MapSpec,
  ObjectDiagnostic,
  Reference,
  Relocation,
  SourceLine,
} from '../spec';
import { isExternSymbol } from './btf-data';
import { describeCore } from './btf-names';
import {
  R_BPF,
  readRels,
  relocationTypeName,
  sectionError,
  SHN,
  STB,
  STT,
  type RawElf,
  type RawSection,
  type RawSymbol,
} from './elf';
import { functionAt, type CodeFunction, type CodeSection } from './functions';

/** A relocation recorded on an instruction of a function, before linking. */
type Recorded =
  /** A BPF-to-BPF call: the callee is at `symOff / 8 + imm + 1` in `.text`. */
  | { readonly kind: 'call'; readonly symOff: number }
  /** A callback address: the callee is at `(symOff + imm) / 8` in `.text`. */
  | { readonly kind: 'subprog_addr'; readonly symOff: number }
  /** Anything else: the reference, and the instruction as the loader will patch it. */
  | { readonly kind: 'data'; readonly ref: Reference; readonly insn: Insn };

/** What linking needs to know about the object. */
export interface LinkInput {
  readonly elf: RawElf;
  readonly symbols: readonly RawSymbol[];
  /** Code sections by section index (program sections and `.text`). */
  readonly code: ReadonlyMap<number, CodeSection>;
  readonly text: CodeSection | undefined;
  readonly maps: readonly MapSpec[];
  readonly dataBySection: ReadonlyMap<number, DataMapSpec>;
  readonly externBySymbol: ReadonlyMap<number, ExternSpec>;
  readonly btf: Btf | undefined;
  readonly ext: BtfExt | undefined;
  /** The `.BTF.ext` section, for error messages. */
  readonly extSection: RawSection | undefined;
}

/** A `bad-btf` error about `.BTF.ext` (whose records carry no file offsets of their own). */
function extError(input: LinkInput, what: string): ObjectError {
  const s = input.extSection;
  if (s) return sectionError('bad-btf', s, s.offset, what);
  return new ObjectError('bad-btf', `section '.BTF.ext': ${what}`, '.BTF.ext');
}

/** Recorded relocations by function, then instruction index. */
export type RecordedRelocations = ReadonlyMap<CodeFunction, ReadonlyMap<number, Recorded>>;

function symbolName(elf: RawElf, sym: RawSymbol): string {
  if (sym.type === STT.SECTION && sym.nameOffset === 0) return elf.sections[sym.shndx]?.name ?? '<?>';
  return sym.name === '' ? '<?>' : sym.name;
}

function variableAt(map: DataMapSpec, offset: number): string | undefined {
  return map.variables.find((v) => offset >= v.offset && offset < v.offset + Math.max(v.size, 1))?.name;
}

/** The value of a `map_value` `lddw`: map fd 0 (set by the loader) in the low half, the offset in the high half. */
function mapValue(offset: number): bigint {
  return BigInt(offset >>> 0) << 32n;
}

/** Records the relocations of every code section's `SHT_REL` section. */
export function recordRelocations(input: LinkInput, relSections: readonly RawSection[]): RecordedRelocations {
  const { elf, symbols, code, maps, dataBySection, externBySymbol } = input;
  const out = new Map<CodeFunction, Map<number, Recorded>>();
  const textIndex = input.text?.section.index;
  for (const rs of relSections) {
    const target = elf.sections[rs.info]!;
    if (target.name === '.maps') continue;
    const cs = code.get(target.index);
    for (const r of readRels(elf, rs, symbols.length)) {
      const sym = symbols[r.sym]!;
      const name = symbolName(elf, sym);
      const fail = (what: string): never => {
        throw sectionError('bad-relocation', rs, r.at, `relocation #${r.index} against '${name}': ${what}`);
      };
      if (r.offset % 8 !== 0 || r.offset >= target.size) {
        fail(`invalid offset ${hex(r.offset)} in section '${target.name}' (${target.size} bytes)`);
      }
      const slot = r.offset / 8;
      const fn = cs && functionAt(cs, slot);
      if (!fn) continue; // no function there (libbpf skips such relocations)
      const idx = fn.indexOfPc[slot - fn.slotOffset]!;
      if (idx < 0) fail(`offset ${hex(r.offset)} is the second half of an lddw in '${fn.name}'`);
      const insn = fn.insns[idx]!;
      const isCall = insn.kind === 'call' || insn.kind === 'call_local' || insn.kind === 'call_kfunc';
      const isLddw = insn.kind === 'lddw';
      const where = `insns[${idx}] of '${fn.name}'`;
      if (!isCall && !isLddw) fail(`invalid relo for ${where}: a ${insn.kind} instruction, want a call or lddw`);
      const want = isCall ? R_BPF['64_32'] : R_BPF['64_64'];
      if (r.type !== want) {
        fail(`${relocationTypeName(r.type)} on the ${isCall ? 'call' : 'lddw'} at ${where}: want ${relocationTypeName(want)}`);
      }
      let byInsn = out.get(fn);
      if (!byInsn) out.set(fn, (byInsn = new Map()));
      if (byInsn.has(idx)) fail(`a second relocation for ${where}`);
      const record = (rec: Recorded): void => {
        byInsn!.set(idx, rec);
      };

      if (isExternSymbol(sym)) {
        const ext = externBySymbol.get(sym.index);
        if (!ext) return fail('extern relo failed to find extern');
        const ref: Reference = { kind: 'extern', name: ext.name, extern: ext.kind };
        if (isCall) {
          if (ext.kind !== 'ksym' || !ext.func) fail(`call of extern '${ext.name}', which is not a kernel function (__ksym function)`);
          record({ kind: 'data', ref, insn: { kind: 'call_kfunc', btfId: 0, module: 0 } });
        } else if (ext.kind === 'ksym') {
          // A kernel variable's address, or a kfunc's (`bpf_ksym_exists()`): the loader sets BPF_PSEUDO_BTF_ID.
          record({ kind: 'data', ref, insn });
        } else {
          const dst = (insn as Extract<Insn, { kind: 'lddw' }>).dst;
          record({ kind: 'data', ref, insn: { kind: 'lddw', dst, pseudo: 'map_value', value: mapValue(ext.offset) } });
        }
        continue;
      }

      if (isCall) {
        if (insn.kind !== 'call_local') fail(`incorrect bpf_call opcode at ${where}: a relocated call must be a BPF-to-BPF call (src_reg 1)`);
        if (sym.shndx === SHN.UNDEF || sym.shndx !== textIndex) {
          fail(`bad call relo: '${name}' is in section '${elf.sections[sym.shndx]?.name ?? `#${sym.shndx}`}', subprograms must be in .text`);
        }
        if (sym.value % 8 !== 0) fail(`bad call relo at symbol offset ${sym.value}`);
        record({ kind: 'call', symOff: sym.value });
        continue;
      }

      const lddw = insn as Extract<Insn, { kind: 'lddw' }>;
      if (sym.shndx === SHN.UNDEF || sym.shndx >= SHN.LORESERVE) {
        fail(`invalid relo in special section ${hex(sym.shndx)}; forgot to initialize global var?`);
      }
      const isSubprog =
        sym.shndx === textIndex &&
        ((sym.bind === STB.LOCAL && sym.type === STT.SECTION) || (sym.bind === STB.GLOBAL && sym.type === STT.FUNC));
      if (isSubprog) {
        const imm = lddwHalves(lddw.value).lo;
        if (sym.value % 8 !== 0 || imm % 8 !== 0) fail(`bad subprog addr relo at offset ${sym.value}+${imm}`);
        record({ kind: 'subprog_addr', symOff: sym.value });
        continue;
      }
      const data = dataBySection.get(sym.shndx);
      if (data) {
        const offset = lddwHalves(lddw.value).lo + sym.value;
        const ref: Reference = { kind: 'global', map: data.name, section: data.section, offset, variable: variableAt(data, offset) };
        record({ kind: 'data', ref, insn: { kind: 'lddw', dst: lddw.dst, pseudo: 'map_value', value: mapValue(offset) } });
        continue;
      }
      const symSection = elf.sections[sym.shndx];
      const secName = symSection?.name ?? `#${sym.shndx}`;
      if (symSection?.name === '.maps' || symSection?.name === 'maps') {
        const kind = symSection.name === '.maps' ? 'btf' : 'legacy';
        const map = maps.find((m) => m.kind === kind && m.sectionOffset === sym.value);
        if (!map) return fail(`map relo failed to find map for section '${secName}', off ${sym.value}`);
        record({ kind: 'data', ref: { kind: 'map', map: map.name }, insn: { kind: 'lddw', dst: lddw.dst, pseudo: 'map_fd', value: 0n } });
        continue;
      }
      const isDataName = /^\.(data|rodata|bss)(\.|$)/.test(secName);
      fail(
        isDataName
          ? `data relo failed to find map for section '${secName}'`
          : `bad map relo against '${name}' in section '${secName}': not a map or global data section`,
      );
    }
  }
  return out;
}

/* ------------------------------------------------------------ linking */

/** A program after linking. */
export interface LinkedProgram {
  readonly insns: readonly Insn[];
  readonly slots: number;
  readonly functions: readonly LinkedFunction[];
  readonly labels: readonly Label[];
  readonly relocations: readonly Relocation[];
  readonly funcInfo: readonly FuncInfoRecord[];
  readonly lineInfo: readonly SourceLine[];
  readonly coreRelocations: readonly CoreRelocation[];
  readonly diagnostics: readonly ObjectDiagnostic[];
}

interface Placed {
  readonly fn: CodeFunction;
  /** First slot in the linked program. */
  readonly base: number;
  /** First instruction index in the linked program. */
  readonly first: number;
}

/** The first `.BTF.ext` block of each section name, and every CO-RE block. */
export interface ExtIndex {
  readonly funcInfo: ReadonlyMap<string, BtfExtSection<FuncInfo>>;
  readonly lineInfo: ReadonlyMap<string, BtfExtSection<LineInfo>>;
}

/** Indexes `.BTF.ext` by section name (the first block of a name is the one libbpf uses). */
export function indexExt(ext: BtfExt | undefined): ExtIndex {
  const first = <R>(blocks: readonly BtfExtSection<R>[] | undefined): Map<string, BtfExtSection<R>> => {
    const m = new Map<string, BtfExtSection<R>>();
    for (const b of blocks ?? []) if (!m.has(b.section)) m.set(b.section, b);
    return m;
  };
  return { funcInfo: first(ext?.funcInfo), lineInfo: first(ext?.lineInfo) };
}

/** CO-RE records by function and instruction index (`bpf_object__relocate_core`'s assignment). */
export function assignCoreRelos(input: LinkInput): Map<CodeFunction, { idx: number; rec: CoreRelo }[]> {
  const out = new Map<CodeFunction, { idx: number; rec: CoreRelo }[]>();
  const { elf, code, ext } = input;
  for (const block of ext?.coreRelos ?? []) {
    const section = elf.sections.find((s) => s.name === block.section);
    const cs = section && code.get(section.index);
    if (!cs) continue;
    for (const rec of block.records) {
      const slot = rec.insnOff / 8;
      const fn = functionAt(cs, slot);
      if (!fn) continue; // an eliminated weak subprogram's record: libbpf skips it
      const idx = fn.indexOfPc[slot - fn.slotOffset]!;
      if (idx < 0) {
        throw extError(input, `CO-RE relocation for section '${block.section}' at insn_off ${rec.insnOff}: the second half of an lddw in '${fn.name}'`);
      }
      let list = out.get(fn);
      if (!list) out.set(fn, (list = []));
      list.push({ idx, rec });
    }
  }
  return out;
}

/**
 * Links one entry point: appends the subprograms it reaches (depth first,
 * in order of first call), fixes call and callback offsets, and carries
 * relocations, `.BTF.ext` records and labels along.
 */
export function linkProgram(
  input: LinkInput,
  main: CodeFunction,
  recorded: RecordedRelocations,
  extIndex: ExtIndex,
  core: ReadonlyMap<CodeFunction, readonly { idx: number; rec: CoreRelo }[]>,
): LinkedProgram {
  const { text } = input;
  const placed: Placed[] = [{ fn: main, base: 0, first: 0 }];
  const byFn = new Map<CodeFunction, Placed>([[main, placed[0]!]]);
  let slots = main.slots;
  let count = main.insns.length;
  /** Instructions rewritten for this program, by linked index. */
  const patched = new Map<number, Insn>();
  const relocations: Relocation[] = [];

  const fail = (fn: CodeFunction, idx: number, what: string): never => {
    const at = fn.section.offset + fn.offset + (fn.pcs[idx] ?? 0) * 8;
    throw new ObjectError(
      'bad-relocation',
      `section '${fn.section.name}' (#${fn.section.index}) at file offset ${hex(at)}: prog '${main.name}': insns[${idx}] of '${fn.name}': ${what}`,
      fn.section.name,
      at,
    );
  };

  // Iterative depth-first walk: a frame per function being scanned.
  const stack: { p: Placed; i: number }[] = [{ p: placed[0]!, i: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { fn, base, first } = frame.p;
    if (frame.i >= fn.insns.length) {
      stack.pop();
      continue;
    }
    const idx = frame.i++;
    const insn = fn.insns[idx]!;
    const pc = fn.pcs[idx]!;
    const rec = recorded.get(fn)?.get(idx);
    if (rec?.kind === 'data') {
      patched.set(first + idx, rec.insn);
      relocations.push({ insn: first + idx, pc: base + pc, ref: rec.ref });
      continue;
    }
    const isCall = insn.kind === 'call_local';
    // libbpf marks every lddw with a subprogram address relocation as BPF_PSEUDO_FUNC.
    const isFuncAddr = insn.kind === 'lddw' && (insn.pseudo === 'func' || rec?.kind === 'subprog_addr');
    if (!isCall && !isFuncAddr) continue;
    let subSlot: number;
    if (rec?.kind === 'call' && isCall) {
      subSlot = rec.symOff / 8 + insn.off + 1;
    } else if (rec?.kind === 'subprog_addr' && isFuncAddr) {
      subSlot = (rec.symOff + lddwHalves(insn.value).lo) / 8;
    } else if (isFuncAddr) {
      return fail(fn, idx, 'missing subprog addr relo');
    } else {
      // A call without relocation: relative to its own position in its section.
      subSlot = fn.slotOffset + pc + (insn as Extract<Insn, { kind: 'call_local' }>).off + 1;
    }
    const callee = text && functionAt(text, subSlot);
    if (!callee) {
      return fail(fn, idx, `no .text function at slot ${subSlot} for this ${isCall ? 'call' : 'callback address'}`);
    }
    if (callee.slotOffset !== subSlot) {
      fail(fn, idx, `the ${isCall ? 'call' : 'callback address'} points into the middle of '${callee.name}' (slot ${subSlot})`);
    }
    let target = byFn.get(callee);
    if (!target) {
      target = { fn: callee, base: slots, first: count };
      slots += callee.slots;
      count += callee.insns.length;
      placed.push(target);
      byFn.set(callee, target);
      stack.push({ p: target, i: 0 });
    }
    const rel = target.base - (base + pc) - 1;
    patched.set(
      first + idx,
      isCall
        ? { kind: 'call_local', off: rel }
        : { kind: 'lddw', dst: (insn as Extract<Insn, { kind: 'lddw' }>).dst, pseudo: 'func', value: BigInt(rel >>> 0) },
    );
    relocations.push({ insn: first + idx, pc: base + pc, ref: { kind: 'subprog', name: callee.name, pc: target.base } });
  }

  const insns: Insn[] = [];
  for (const p of placed) p.fn.insns.forEach((insn, i) => insns.push(patched.get(p.first + i) ?? insn));
  relocations.sort((a, b) => a.insn - b.insn);
  const functions: LinkedFunction[] = placed.map((p) => ({
    name: p.fn.name,
    pc: p.base,
    slots: p.fn.slots,
    section: p.fn.section.name,
    sectionOffset: p.fn.offset,
  }));
  const labels: Label[] = placed.flatMap((p) => p.fn.labels.map((l) => ({ pc: p.base + l.pc, name: l.name })));
  const ext = linkExtInfo(input, main, placed, extIndex);
  const coreRelocations: CoreRelocation[] = placed.flatMap((p) =>
    (core.get(p.fn) ?? []).map(({ idx, rec }) => ({
      insn: p.first + idx,
      pc: p.base + p.fn.pcs[idx]!,
      kind: rec.kind,
      typeId: rec.typeId,
      access: rec.access,
      description: input.btf ? describeCore(input.btf, rec) : '',
    })),
  );
  return { insns, slots, functions, labels, relocations, coreRelocations, ...ext };
}

/**
 * Func and line info of a linked program, libbpf's way: the main
 * function's records first (none: the program gets none, with a
 * diagnostic), then each appended subprogram's (none while the main
 * function has some: an error, as the kernel would refuse the program).
 */
function linkExtInfo(
  input: LinkInput,
  main: CodeFunction,
  placed: readonly Placed[],
  extIndex: ExtIndex,
): { funcInfo: FuncInfoRecord[]; lineInfo: SourceLine[]; diagnostics: ObjectDiagnostic[] } {
  const diagnostics: ObjectDiagnostic[] = [];
  const { btf } = input;
  const recordsOf = <R extends { readonly insnOff: number }>(
    blocks: ReadonlyMap<string, BtfExtSection<R>>,
    p: Placed,
  ): { pc: number; rec: R }[] | undefined => {
    const block = blocks.get(p.fn.section.name);
    if (!block) return undefined;
    const lo = p.fn.slotOffset;
    const hi = lo + p.fn.slots;
    const out = block.records
      .filter((r) => r.insnOff / 8 >= lo && r.insnOff / 8 < hi)
      .map((rec) => ({ pc: rec.insnOff / 8 - lo + p.base, rec }));
    return out.length > 0 ? out : undefined;
  };
  const collect = <R extends { readonly insnOff: number }, T>(
    what: 'func' | 'line',
    blocks: ReadonlyMap<string, BtfExtSection<R>>,
    make: (pc: number, rec: R) => T,
  ): T[] => {
    if (blocks.size === 0) return [];
    const out: T[] = [];
    for (const p of placed) {
      const recs = recordsOf(blocks, p);
      if (!recs) {
        if (p.fn === main) {
          diagnostics.push({
            code: 'btf-ext-skipped',
            section: main.section.name,
            program: main.name,
            message: `prog '${main.name}': missing .BTF.ext ${what} info for the main program, skipping all of .BTF.ext ${what} info`,
          });
          return [];
        }
        throw extError(input, `prog '${main.name}': missing .BTF.ext ${what} info for subprogram '${p.fn.name}'`);
      }
      for (const { pc, rec } of recs) out.push(make(pc, rec));
    }
    return out;
  };
  const funcInfo = collect('func', extIndex.funcInfo, (pc, r) => ({
    pc,
    typeId: r.typeId,
    name: btf?.types[r.typeId]?.name ?? '',
  }));
  const lineInfo = collect('line', extIndex.lineInfo, (pc, r) => ({
    pc,
    file: r.fileName,
    line: r.lineNum,
    column: r.column,
    text: r.line,
  }));
  return { funcInfo, lineInfo, diagnostics };
}
