/**
 * Text forms of an `ObjectSpec` for people: `formatInspect` (what
 * `bpflab inspect` prints: programs, maps, global data, externs,
 * relocations, diagnostics) and `formatSourceListing` (what
 * `bpflab disasm --source` prints: each linked program disassembled as
 * `llvm-objdump -d -S` does, the C source line above its instructions).
 */
import type { Btf, TypeId } from '@bpflab/btf';
import { encodeOne, formatLlvmInsn, slotIndex, type LlvmDisasmOptions } from '@bpflab/isa';
import { flagNames, MAP_FLAGS } from '@bpflab/uapi';
import { ObjectError } from './errors';
import { typeNameOf } from './internal/btf-names';
import type { AttachTarget } from './section-defs';
import type { CoreRelocation, DataVariable, ExternSpec, MapDefinition, MapSpec, ObjectSpec, ProgramSpec, Reference } from './spec';

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

function typeName(btf: Btf | undefined, id: TypeId | undefined): string | undefined {
  if (btf === undefined || id === undefined) return undefined;
  return typeNameOf(btf, id);
}

function flags(value: number): string {
  if (value === 0) return '0x0';
  return `${hex(value)} (${flagNames(MAP_FLAGS, value).join(' | ')})`;
}

/** `tracepoint syscalls/sys_enter_execve`, `btf file_open`, `-`. */
export function formatAttachTarget(t: AttachTarget): string {
  switch (t.kind) {
    case 'none':
      return '-';
    case 'tracepoint':
      return `tracepoint ${t.category}/${t.name}`;
    case 'raw_tracepoint':
      return `raw tracepoint ${t.name}`;
    case 'btf':
      return `btf ${t.name}`;
    case 'kprobe':
      return t.offset === 0 ? `kprobe ${t.function}` : `kprobe ${t.function}+${hex(t.offset)}`;
    case 'ksyscall':
      return `syscall ${t.syscall}`;
    case 'pattern':
      return `functions matching ${t.pattern}`;
    case 'uprobe':
      return `uprobe ${t.binary}:${t.function}`;
    case 'usdt':
      return `usdt ${t.binary}:${t.provider}:${t.name}`;
    case 'struct_ops':
      return `struct_ops ${t.name}`;
    case 'invalid':
      return `invalid '${t.extras}' (${t.reason})`;
  }
}

/** `map dropped`, `map_value xdp.data+0x8 (hits)`, `call account (pc 12)`, `kconfig CONFIG_HZ`. */
export function formatReference(ref: Reference, at?: { readonly insnKind: string }): string {
  switch (ref.kind) {
    case 'map':
      return `map ${ref.map}`;
    case 'global': {
      const off = ref.offset === 0 ? '' : ref.offset < 0 ? `-${hex(-ref.offset)}` : `+${hex(ref.offset)}`;
      return `map_value ${ref.map}${off}${ref.variable === undefined ? '' : ` (${ref.variable})`}`;
    }
    case 'subprog':
      return `${at?.insnKind === 'lddw' ? 'callback' : 'call'} ${ref.name} (pc ${ref.pc})`;
    case 'extern':
      return `${ref.extern === 'kconfig' ? 'kconfig' : at?.insnKind === 'lddw' ? 'ksym' : 'kfunc'} ${ref.name}`;
  }
}

function formatCore(c: CoreRelocation): string {
  return `CO-RE ${c.kind} [${c.typeId}] ${c.access}: ${c.description}`;
}

function definitionLine(btf: Btf | undefined, d: MapDefinition): string[] {
  const sized = (size: number, id: TypeId | undefined): string => {
    const t = typeName(btf, id);
    return t === undefined ? `${size} bytes` : `${size} bytes (${t})`;
  };
  return [
    `type:          ${d.type}`,
    `key:           ${sized(d.keySize, d.keyType)}`,
    `value:         ${sized(d.valueSize, d.valueType)}`,
    `max entries:   ${d.maxEntries}`,
    `flags:         ${flags(d.flags)}`,
    ...(d.numaNode !== 0 ? [`numa node:     ${d.numaNode}`] : []),
    ...(d.mapExtra !== 0n ? [`map extra:     ${hex(d.mapExtra)}`] : []),
  ];
}

function variableLines(btf: Btf | undefined, vars: readonly DataVariable[]): string[] {
  if (vars.length === 0) return [];
  const width = Math.max(...vars.map((v) => v.name.length));
  return [
    'variables:',
    ...vars.map((v) => {
      const t = typeName(btf, v.type);
      return `  ${hex(v.offset).padStart(6)}  ${String(v.size).padStart(4)}  ${v.name.padEnd(width)}  ${v.linkage}${t === undefined ? '' : `  ${t}`}`;
    }),
  ];
}

/** Initial values longer than this are shown in part. */
const HEX_DUMP_MAX = 256;

function hexDump(data: Uint8Array): string[] {
  const out: string[] = [];
  const shown = Math.min(data.length, HEX_DUMP_MAX);
  for (let i = 0; i < shown; i += 16) {
    const row = Array.from(data.subarray(i, Math.min(i + 16, shown)), (b) => b.toString(16).padStart(2, '0')).join(' ');
    out.push(`  ${hex(i).padStart(6)}  ${row}`);
  }
  if (shown < data.length) out.push(`  ... ${data.length - shown} more bytes`);
  return out;
}

function mapLines(btf: Btf | undefined, m: MapSpec): string[] {
  const lines: string[] = [];
  switch (m.kind) {
    case 'btf':
    case 'legacy': {
      lines.push(`kind:          ${m.kind} (${m.section}+${hex(m.sectionOffset)})`, ...definitionLine(btf, m));
      if (m.pinning !== 'none') lines.push(`pinning:       ${m.pinning}`);
      if (m.inner) {
        lines.push(`inner:         ${m.inner.name}`, ...definitionLine(btf, m.inner).map((l) => `  ${l}`));
      }
      if (m.initialSlots.length > 0) {
        lines.push('initial slots:', ...m.initialSlots.map((s) => `  [${s.index}] ${s.kind} ${s.name}`));
      }
      break;
    }
    case 'data':
    case 'rodata':
    case 'bss':
      lines.push(`kind:          ${m.kind} (section ${m.section})`, ...definitionLine(btf, m), ...variableLines(btf, m.variables));
      if (m.data) lines.push('initial value:', ...hexDump(m.data));
      break;
    case 'kconfig':
      lines.push(`kind:          kconfig`, ...definitionLine(btf, m), ...variableLines(btf, m.variables));
      break;
  }
  return [m.name, ...lines.map((l) => `  ${l}`)];
}

function externLine(btf: Btf | undefined, e: ExternSpec): string {
  const weak = e.weak ? ' (weak)' : '';
  if (e.kind === 'kconfig') {
    const t = typeName(btf, e.btfId) ?? e.valueKind;
    return `kconfig ${e.name}${weak}: ${t}, ${e.valueKind}${e.signed ? ' signed' : ''}, ${e.size} bytes at .kconfig+${hex(e.offset)} (align ${e.align})`;
  }
  if (e.func) return `ksym ${e.name}${weak}: kernel function ${typeName(btf, e.btfId) ?? ''}`.trimEnd();
  return `ksym ${e.name}${weak}: kernel variable${e.type === 0 ? ' (typeless)' : ` ${typeName(btf, e.type) ?? ''}`}`.trimEnd();
}

function programLines(p: ProgramSpec): string[] {
  const lines = [
    `section:       ${p.section} (offset ${hex(p.sectionOffset)})`,
    `type:          ${p.type}${p.secDef === undefined ? ' (no SEC definition matches)' : ` (SEC "${p.secDef}")`}`,
    `attach type:   ${p.expectedAttachType ?? '-'}`,
    `attach to:     ${formatAttachTarget(p.attachTarget)}`,
    `load flags:    ${[p.sleepable ? 'sleepable' : '', p.xdpFrags ? 'xdp.frags' : ''].filter((x) => x !== '').join(', ') || '-'}`,
    ...(p.autoload ? [] : ['autoload:      no (SEC("?..."): loaded only when asked for)']),
    `size:          ${p.insns.length} insns, ${p.slots} slots`,
    `functions:     ${p.functions.map((f) => `${f.name}@${f.pc} (${f.slots} slots)`).join(', ')}`,
    `line info:     ${p.lineInfo.length} records, func info: ${p.funcInfo.length} records`,
  ];
  if (p.relocations.length > 0) {
    lines.push('relocations:');
    for (const r of p.relocations) {
      lines.push(`  pc ${String(r.pc).padEnd(5)} ${formatReference(r.ref, { insnKind: p.insns[r.insn]?.kind ?? '' })}`);
    }
  }
  if (p.coreRelocations.length > 0) {
    lines.push('CO-RE relocations:');
    for (const c of p.coreRelocations) lines.push(`  pc ${String(c.pc).padEnd(5)} ${formatCore(c).slice('CO-RE '.length)}`);
  }
  return [p.name, ...lines.map((l) => `  ${l}`)];
}

function kernelVersion(v: number): string {
  return `${hex(v)} (${v >>> 16}.${(v >>> 8) & 0xff}.${v & 0xff})`;
}

/**
 * The object as `bpflab inspect` prints it: name, license, kernel
 * version; each program (section, type, attach type and target, load
 * flags, size, linked functions, relocations, CO-RE records);
 * subprograms; each map (kind, type, key and value sizes and types, max
 * entries, flags, pinning, inner map and initial slots; global data with
 * its variables and initial bytes); externs; diagnostics. Deterministic:
 * the same spec always prints the same text.
 */
export function formatInspect(spec: ObjectSpec): string {
  const out: string[] = [
    `object:         ${spec.name}`,
    `license:        ${spec.license === undefined ? '(none)' : JSON.stringify(spec.license)}`,
    `kernel version: ${spec.kernelVersion === undefined ? '(none)' : kernelVersion(spec.kernelVersion)}`,
    `btf:            ${spec.btf === undefined ? '(none)' : `${spec.btf.types.length - 1} types`}`,
  ];
  const block = (title: string, items: readonly string[][]): void => {
    out.push('', `${title} (${items.length}):`);
    for (const item of items) out.push(...item.map((l) => `  ${l}`));
  };
  block('programs', spec.programs.map(programLines));
  block(
    'subprograms',
    spec.subprograms.map((s) => [
      `${s.name}: .text+${hex(s.sectionOffset)}, ${s.slots} slots, ${s.global ? 'global' : 'static'}${s.hidden ? ', hidden' : ''}`,
    ]),
  );
  block('maps', spec.maps.map((m) => mapLines(spec.btf, m)));
  block('externs', spec.externs.map((e) => [externLine(spec.btf, e)]));
  block(
    'diagnostics',
    spec.diagnostics.map((d) => [`${d.code}: ${d.section}${d.program === undefined ? '' : ` (${d.program})`}: ${d.message}`]),
  );
  return `${out.join('\n')}\n`;
}

/** Options of `formatSourceListing`: how instructions are printed (see `LlvmDisasmOptions`). */
/** Options of `formatSourceListing`: the disassembler's, and whether to show C lines. */
export interface SourceListingOptions extends Omit<LlvmDisasmOptions, 'labels'> {
  /** Print each C source line (from BTF line info) above its instructions, as `llvm-objdump -S` (default true). */
  readonly source?: boolean;
}

const hexBytes = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

function listProgram(p: ProgramSpec, options: SourceListingOptions | undefined): string[] {
  const labels = new Map<number, string>();
  for (const f of p.functions) labels.set(f.pc, f.name);
  for (const l of p.labels) if (!labels.has(l.pc)) labels.set(l.pc, l.name);
  const opts: LlvmDisasmOptions = { ...options, labels };
  const { pcs } = slotIndex(p.insns);
  const refs = new Map(p.relocations.map((r) => [r.insn, r.ref]));
  const core = new Map<number, CoreRelocation[]>();
  for (const c of p.coreRelocations) core.set(c.insn, [...(core.get(c.insn) ?? []), c]);
  const out: string[] = ['', `Disassembly of program ${p.name} (section ${p.section}, ${p.type}):`];
  let line = 0;
  let lastSource: string | undefined;
  p.insns.forEach((insn, i) => {
    const pc = pcs[i]!;
    const end = pc + (insn.kind === 'lddw' ? 2 : 1);
    const header = labels.get(pc);
    if (header !== undefined) out.push('', `${(pc * 8).toString(16).padStart(16, '0')} <${header}>:`);
    // The last line record starting at or before this instruction's last slot.
    let source: (typeof p.lineInfo)[number] | undefined;
    while (line < p.lineInfo.length && p.lineInfo[line]!.pc < end) source = p.lineInfo[line++];
    if (source && options?.source !== false) {
      const key = `${source.file}:${source.line}`;
      if (key !== lastSource) out.push(`; ${source.text}`);
      lastSource = key;
    }
    out.push(`${String(pc).padStart(8)}:\t${hexBytes(encodeOne(insn))}\t${formatLlvmInsn(insn, pc, opts)}`);
    const at = (pc * 8).toString(16).padStart(16, '0');
    const ref = refs.get(i);
    if (ref) out.push(`\t\t${at}:  ${formatReference(ref, { insnKind: insn.kind })}`);
    for (const c of core.get(i) ?? []) out.push(`\t\t${at}:  ${formatCore(c)}`);
  });
  return out;
}

/**
 * Each linked program (or only `programName`) disassembled as
 * `llvm-objdump -d -S` prints a section: symbol headers for the program
 * and each appended subprogram, the C source line (from `.BTF.ext` line
 * info) above the instructions it produced (printed again only when the
 * line changes), one line per instruction with its slot, bytes and LLVM
 * syntax, and, where `-r` would show a relocation, the typed reference
 * (`map dropped`, `call account (pc 12)`) and CO-RE records.
 * Throws `ObjectError` `not-found` when no program has that name.
 */
export function formatSourceListing(spec: ObjectSpec, programName?: string, options?: SourceListingOptions): string {
  let programs = spec.programs;
  if (programName !== undefined) {
    programs = programs.filter((p) => p.name === programName);
    if (programs.length === 0) {
      const names = spec.programs.map((p) => p.name).join(', ') || 'none';
      throw new ObjectError('not-found', `object '${spec.name}': no program named '${programName}' (programs: ${names})`);
    }
  }
  const out: string[] = [];
  for (const p of programs) out.push(...listProgram(p, options));
  return `${out.join('\n')}\n`;
}
