/**
 * Step 1, decode/prepare: lays the instructions out by slot as the kernel
 * indexes them (an `lddw` takes two), finds the subprograms
 * (`add_subprog_and_kfunc`) and resolves map references of `lddw` pseudo
 * instructions (`resolve_pseudo_ldimm64`), with the kernel's messages.
 */
import { mapTypeValue } from '@bpflab/uapi';
import type { Insn } from '@bpflab/isa';
import { msg } from '../messages';
import type { MapInfo } from '../state/reg-state';
import type { LineInfo, MapDescription, VerifyProgram } from '../types';
import { reject, type Env } from './env';

/** Largest variable offset the verifier accepts (`BPF_MAX_VAR_OFF`). */
export const MAX_VAR_OFF = 1 << 29;

/** Map types whose values a program may address directly (`map_direct_value_addr`). */
const DIRECT_VALUE_MAPS = new Set(['array']);

/** The program laid out by slot. */
export interface Layout {
  readonly insns: (Insn | undefined)[];
  readonly lineInfo: (LineInfo | undefined)[];
  /** slot of each input instruction */
  readonly slotOf: readonly number[];
}

/** Lays instructions out by slot. */
export function layout(program: VerifyProgram): Layout {
  const insns: (Insn | undefined)[] = [];
  const lineInfo: (LineInfo | undefined)[] = [];
  const slotOf: number[] = [];
  program.insns.forEach((insn, i) => {
    slotOf.push(insns.length);
    insns.push(insn);
    lineInfo.push(program.lineInfo?.[i]);
    if (insn.kind === 'lddw') {
      insns.push(undefined);
      lineInfo.push(undefined);
    }
  });
  return { insns, lineInfo, slotOf };
}

/** The verifier's view of the maps. */
export function mapInfos(maps: readonly MapDescription[]): MapInfo[] {
  return maps.map((m, index) => ({
    index,
    type: m.type.toLowerCase(),
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    ...(m.name === undefined ? {} : { name: m.name.slice(0, 15) }),
  }));
}

/** Numeric `enum bpf_map_type` of a map, for messages that print it. */
export function mapTypeNumber(m: MapInfo): number {
  return mapTypeValue(m.type.toUpperCase()) ?? 0;
}

/**
 * Finds subprograms: the main program plus every target of a BPF-to-BPF
 * call or of an `lddw` of a function (`add_subprog_and_kfunc`).
 */
export function findSubprogs(env: Env): void {
  const starts = new Set<number>([0]);
  env.insns.forEach((insn, i) => {
    if (insn === undefined) return;
    const isFunc = insn.kind === 'lddw' && insn.pseudo === 'func';
    if (insn.kind !== 'call_local' && insn.kind !== 'call_kfunc' && !isFunc) return;
    if (!env.bpfCapable) reject('subprogCallsNotAllowed', msg.subprogCallsNotAllowed());
    if (insn.kind === 'call_kfunc') {
      reject('unsupportedInsn', msg.unsupportedInsn(`kernel btf_id ${insn.btfId} is not a function`));
    }
    const off = insn.kind === 'call_local' ? insn.off : Number(BigInt.asIntN(32, (insn as { value: bigint }).value));
    const target = i + off + 1;
    if (target < 0 || target >= env.len) reject('callToInvalidDest', msg.callToInvalidDest());
    starts.add(target);
  });
  for (const start of [...starts].sort((a, b) => a - b)) env.subprogs.push({ start, stackDepth: 0 });
  if (env.level >= 2) env.subprogs.forEach((s, i) => env.verbose(`func#${i} @${s.start}\n`));
}

/** Checks the map references of pseudo `lddw`s (`resolve_pseudo_ldimm64`). */
export function resolveMaps(env: Env): void {
  env.insns.forEach((insn) => {
    if (insn?.kind !== 'lddw') return;
    const lo = Number(BigInt.asIntN(32, insn.value));
    const hi = Number(BigInt.asUintN(32, insn.value >> 32n));
    switch (insn.pseudo) {
      case 'imm64':
      case 'func':
        return;
      case 'btf_id':
        return reject('unsupportedInsn', msg.unsupportedInsn(`ldimm64 insn specifies invalid btf_id ${lo}.`));
      case 'map_fd':
      case 'map_idx':
        if (hi !== 0) reject('unrecognizedLdImm64', msg.unrecognizedLdImm64());
        break;
      case 'map_value':
      case 'map_idx_value':
        break;
    }
    const map = env.maps[lo];
    if (lo < 0 || map === undefined) return reject('mapFdInvalid', msg.mapFdInvalid(lo));
    if (insn.pseudo === 'map_value' || insn.pseudo === 'map_idx_value') {
      if (hi >= MAX_VAR_OFF) reject('directValueOffset', msg.directValueOffset(hi));
      if (!DIRECT_VALUE_MAPS.has(map.type)) reject('noDirectValueAccess', msg.noDirectValueAccess());
      if (hi >= map.valueSize || map.maxEntries !== 1) reject('invalidMapValuePointer', msg.invalidMapValuePointer(map.valueSize, hi));
    }
  });
}
