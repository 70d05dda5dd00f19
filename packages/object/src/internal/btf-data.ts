/**
 * The object's BTF as libbpf prepares it at open time: `.BTF` and
 * `.BTF.ext` parsed, externs collected (`bpf_object__collect_externs`) and
 * laid out in `.kconfig`, and every DATASEC finalised
 * (`btf_fixup_datasec`): clang leaves section sizes, and the offsets of
 * global variables, as zero; they come from the ELF section sizes and
 * symbol values. Hidden globals become static, and variables are sorted by
 * offset.
 */
import {
  BtfError,
  createBtf,
  parseBtf,
  parseBtfExt,
  type Btf,
  type BtfDatasec,
  type BtfExt,
  type BtfType,
  type BtfTypeInput,
  type BtfVarSecinfo,
  type TypeId,
} from '@bpflab/btf';
import { hex, ObjectError } from '../errors';
import { typeNameOf } from './btf-names';
import type { ExternSpec, KconfigValueKind, ObjectDiagnostic } from '../spec';
import {
  describeSection,
  sectionBytes,
  sectionError,
  SHN,
  STB,
  STT,
  STV,
  type RawElf,
  type RawSection,
  type RawSymbol,
  type RawSymbols,
} from './elf';
import type { Layout } from './layout';

/** BTF, `.BTF.ext` and externs of an object. */
export interface BtfData {
  /** The finalised BTF (DATASECs fixed up), or `undefined` without `.BTF`. */
  readonly btf: Btf | undefined;
  readonly ext: BtfExt | undefined;
  /** Externs in libbpf's order. */
  readonly externs: readonly ExternSpec[];
  /** Externs by symbol index. */
  readonly externBySymbol: ReadonlyMap<number, ExternSpec>;
  readonly diagnostics: readonly ObjectDiagnostic[];
}

/** libbpf's `sym_is_extern`: an undefined global or weak symbol without a type. */
export function isExternSymbol(sym: RawSymbol): boolean {
  return sym.shndx === SHN.UNDEF && (sym.bind === STB.GLOBAL || sym.bind === STB.WEAK) && sym.type === STT.NOTYPE;
}

function wrap(section: RawSection, e: unknown): never {
  if (!(e instanceof BtfError)) throw e;
  const at = section.offset + (e.byteOffset ?? 0);
  throw new ObjectError('bad-btf', `${describeSection(section)} at file offset ${hex(at)}: ${e.message}`, section.name, at);
}

function kconfigKind(btf: Btf, id: TypeId): { kind: KconfigValueKind; signed: boolean } | undefined {
  const t = btf.resolve(id);
  switch (t.kind) {
    case 'int':
      if (t.encoding === 'bool') return t.size === 1 ? { kind: 'bool', signed: false } : undefined;
      if (t.size === 1) return { kind: 'char', signed: t.encoding === 'signed' };
      if (t.size < 1 || t.size > 8 || (t.size & (t.size - 1)) !== 0) return undefined;
      return { kind: 'int', signed: t.encoding === 'signed' };
    case 'enum':
      return t.size === 4 && t.name === 'libbpf_tristate' ? { kind: 'tristate', signed: false } : undefined;
    case 'enum64':
      return t.name === 'libbpf_tristate' ? { kind: 'tristate', signed: false } : undefined;
    case 'array':
      if (t.length === 0) return undefined;
      return kconfigKind(btf, t.type)?.kind === 'char' ? { kind: 'char_array', signed: false } : undefined;
    default:
      return undefined;
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** libbpf's `cmp_externs`: kconfig first (by alignment descending, size ascending), then ksyms; ties by name. */
function compareExterns(a: ExternSpec, b: ExternSpec): number {
  if (a.kind !== b.kind) return a.kind === 'kconfig' ? -1 : 1;
  if (a.kind === 'kconfig' && b.kind === 'kconfig') {
    if (a.align !== b.align) return b.align - a.align;
    if (a.size !== b.size) return a.size - b.size;
  }
  return compareNames(a.name, b.name);
}

function collectExterns(btf: Btf | undefined, symtab: RawSymbols): Map<number, ExternSpec> {
  const out = new Map<number, ExternSpec>();
  for (const sym of symtab.symbols) {
    if (!isExternSymbol(sym) || sym.name === '') continue;
    const fail = (code: 'bad-extern' | 'unsupported', what: string): never => {
      throw sectionError(code, symtab.section, sym.at, `symbol #${sym.index}: extern '${sym.name}': ${what}`);
    };
    if (!btf) fail('bad-extern', 'the object has no .BTF to describe it (compile with -g)');
    const t = btf!.types.find((x): x is Extract<BtfType, { kind: 'var' | 'func' }> => (x.kind === 'var' || x.kind === 'func') && x.name === sym.name);
    if (!t) fail('bad-extern', 'failed to find BTF for extern');
    if (t!.linkage !== 'extern') fail('bad-extern', `BTF ${t!.kind} [${t!.id}] of that name is not extern (linkage ${t!.linkage})`);
    const sec = btf!.types.find((x): x is BtfDatasec => x.kind === 'datasec' && x.vars.some((v) => v.type === t!.id));
    if (!sec) fail('bad-extern', `failed to find BTF for extern '${sym.name}' [${t!.id}] section`);
    const weak = sym.bind === STB.WEAK;
    if (sec!.name === '.kconfig') {
      if (t!.kind === 'func') fail('unsupported', 'extern function is unsupported under .kconfig section');
      let size: number;
      let align: number;
      try {
        size = btf!.sizeof(t!.type);
        align = btf!.alignof(t!.type);
      } catch (e) {
        if (!(e instanceof BtfError)) throw e;
        return fail('bad-extern', `failed to resolve size of extern (kcfg): ${e.message}`);
      }
      if (size <= 0) fail('bad-extern', `failed to resolve size of extern (kcfg): size ${size}`);
      const k = kconfigKind(btf!, t!.type);
      if (!k) fail('unsupported', `extern (kcfg) type ${typeNameOf(btf!, t!.type)} is unsupported: use bool, char, an integer, char[N] or enum libbpf_tristate`);
      out.set(sym.index, { kind: 'kconfig', name: sym.name, weak, btfId: t!.id, valueKind: k!.kind, signed: k!.signed, offset: 0, size, align });
    } else if (sec!.name === '.ksyms') {
      const func = t!.kind === 'func';
      const type = func ? t!.type : btf!.resolve(t!.type).id;
      out.set(sym.index, { kind: 'ksym', name: sym.name, weak, btfId: t!.id, func, type });
    } else {
      fail('unsupported', `unrecognized extern section '${sec!.name}': externs live in .kconfig or .ksyms`);
    }
  }
  return out;
}

/** Lays kconfig externs out as libbpf does: sorted, each at the next offset aligned for it. */
function layOutExterns(bySymbol: Map<number, ExternSpec>): { externs: ExternSpec[]; kconfigSize: number } {
  const sorted = [...bySymbol.entries()].sort((a, b) => compareExterns(a[1], b[1]));
  let off = 0;
  const externs: ExternSpec[] = [];
  for (const [index, e] of sorted) {
    if (e.kind === 'kconfig') {
      const at = Math.ceil(off / e.align) * e.align;
      off = at + e.size;
      const placed: ExternSpec = { ...e, offset: at };
      bySymbol.set(index, placed);
      externs.push(placed);
    } else {
      externs.push(e);
    }
  }
  return { externs, kconfigSize: off };
}

function stripId(t: Exclude<BtfType, { kind: 'void' }>): BtfTypeInput {
  const { id: _id, ...rest } = t;
  return rest as BtfTypeInput;
}

/** `btf_fixup_datasec` over every DATASEC, and the `.kconfig` layout; a new Btf when anything changed. */
function finalizeBtf(
  raw: Btf,
  elf: RawElf,
  btfSection: RawSection,
  symbols: readonly RawSymbol[],
  externs: readonly ExternSpec[],
  kconfigSize: number,
): Btf {
  const types: BtfType[] = raw.types.slice();
  let changed = false;
  const fail = (what: string): never => {
    throw sectionError('bad-btf', btfSection, btfSection.offset, what);
  };
  const varSymbol = (name: string): RawSymbol | undefined =>
    symbols.find((s) => s.type === STT.OBJECT && (s.bind === STB.GLOBAL || s.bind === STB.WEAK) && s.name === name);
  const sortVars = (vars: readonly BtfVarSecinfo[]): BtfVarSecinfo[] =>
    vars
      .map((v, i) => ({ v, i }))
      .sort((a, b) => a.v.offset - b.v.offset || a.i - b.i)
      .map((x) => x.v);
  const sameOrder = (a: readonly BtfVarSecinfo[], b: readonly BtfVarSecinfo[]): boolean => a.every((v, i) => v === b[i]);

  for (const t of raw.types) {
    if (t.kind !== 'datasec') continue;
    if (t.name === '.kconfig') {
      const vars = t.vars.map((vs) => {
        const v = types[vs.type]!;
        const ext = externs.find((e) => e.kind === 'kconfig' && e.name === v.name);
        if (!ext || ext.kind !== 'kconfig') return fail(`DATASEC '.kconfig': failed to find extern definition for BTF var '${v.name}'`);
        if (v.kind === 'var' && v.linkage !== 'global') types[v.id] = { ...v, linkage: 'global' };
        return { type: vs.type, offset: ext.offset, size: vs.size };
      });
      types[t.id] = { ...t, size: kconfigSize, vars: sortVars(vars) };
      changed = true;
      continue;
    }
    if (t.name === '.ksyms') {
      const vars = sortVars(t.vars);
      if (!sameOrder(vars, t.vars)) {
        types[t.id] = { ...t, vars };
        changed = true;
      }
      continue;
    }
    let size = t.size;
    const fixOffsets = size === 0;
    if (fixOffsets) {
      const sec = elf.sections.find((s) => s.name === t.name);
      if (!sec || sec.size === 0) fail(`DATASEC '${t.name}': failed to determine size from ELF: no section of that name with data`);
      size = sec!.size;
    }
    const vars = t.vars.map((vs) => {
      const v = types[vs.type]!;
      if (v.kind !== 'var') return fail(`DATASEC '${t.name}': unexpected non-VAR type [${v.id}] ${v.kind}`);
      if (v.linkage === 'static' || v.linkage === 'extern') return vs;
      const sym = varSymbol(v.name);
      if (!sym) return fail(`DATASEC '${t.name}': failed to find ELF symbol for VAR '${v.name}'`);
      if (sym!.visibility === STV.HIDDEN || sym!.visibility === STV.INTERNAL) types[v.id] = { ...v, linkage: 'static' };
      return fixOffsets ? { ...vs, offset: sym!.value } : vs;
    });
    const sorted = sortVars(vars);
    if (fixOffsets || !sameOrder(sorted, t.vars) || vars.some((v, i) => v !== t.vars[i])) {
      types[t.id] = { ...t, size, vars: sorted };
      changed = true;
    }
  }
  if (!changed && types.every((t, i) => t === raw.types[i])) return raw;
  try {
    return createBtf(
      types.slice(1).map((t) => stripId(t as Exclude<BtfType, { kind: 'void' }>)),
      { endianness: raw.endianness },
    );
  } catch (e) {
    return wrap(btfSection, e);
  }
}

/** Parses and finalises the object's BTF and collects its externs. */
export function loadBtf(elf: RawElf, layout: Layout, symtab: RawSymbols): BtfData {
  const { symbols } = symtab;
  const diagnostics: ObjectDiagnostic[] = [];
  let raw: Btf | undefined;
  let ext: BtfExt | undefined;
  if (layout.btf) {
    try {
      raw = parseBtf(sectionBytes(elf, layout.btf));
    } catch (e) {
      wrap(layout.btf, e);
    }
  }
  if (layout.btfExt) {
    if (raw) {
      try {
        ext = parseBtfExt(sectionBytes(elf, layout.btfExt), raw);
      } catch (e) {
        wrap(layout.btfExt, e);
      }
    } else {
      diagnostics.push({
        code: 'skipped-section',
        section: '.BTF.ext',
        message: 'ignoring .BTF.ext because its depending section .BTF is not found',
      });
    }
  }
  const bySymbol = collectExterns(raw, symtab);
  const { externs, kconfigSize } = layOutExterns(bySymbol);
  const btf = raw && layout.btf ? finalizeBtf(raw, elf, layout.btf, symbols, externs, kconfigSize) : undefined;
  return { btf, ext, externs, externBySymbol: bySymbol, diagnostics };
}
