/**
 * `verify()`: the pipeline, one step per module —
 * prepare (layout, subprograms, maps) → cfg (control flow checks, prune
 * points, liveness, loops) → explore (path exploration with the transfer
 * functions and pruning) → report (log and counters). `explain()` is a
 * separate, later step.
 */
import { isRegNumber, type Insn } from '@bpflab/isa';
import { VerifierError } from './errors';
import { LogBuffer } from './log/log-buffer';
import { checkCfg, checkSubprogs, computeLiveRegs, computeScc, printLiveRegs } from './pipeline/cfg';
import { Env, Reject } from './pipeline/env';
import { explore } from './pipeline/explore';
import { findSubprogs, layout, mapInfos, resolveMaps } from './pipeline/prepare';
import { formatStats, type VerifyResult } from './report';
import { StateRecorder } from './states/record';
import { DEFAULT_VERIFY_OPTIONS, type ProgramTypeDescription, type VerifyOptions, type VerifyProgram } from './types';

export type { VerifyResult } from './report';

const usage = (code: 'bad_program' | 'bad_option', why: string): never => {
  throw new VerifierError(code, -1, why);
};

function checkInputs(program: VerifyProgram, progType: ProgramTypeDescription, o: typeof DEFAULT_VERIFY_OPTIONS): void {
  if (!Array.isArray(program.insns)) usage('bad_program', 'program.insns must be an array of instructions');
  if (typeof program.license !== 'string') usage('bad_program', 'program.license must be a string');
  if (![0, 1, 2].includes(o.logLevel)) usage('bad_option', `logLevel ${String(o.logLevel)}: must be 0, 1 or 2`);
  if (!Number.isInteger(o.insnLimit) || o.insnLimit < 1) usage('bad_option', `insnLimit ${o.insnLimit}: must be a positive integer`);
  if (!Number.isInteger(o.nrCpus) || o.nrCpus < 1) usage('bad_option', `nrCpus ${o.nrCpus}: must be a positive integer`);
  if (typeof progType?.name !== 'string' || !progType.ctx) usage('bad_option', 'progType must be a ProgramTypeDescription');
  o.maps.forEach((m, i) => {
    for (const k of ['keySize', 'valueSize', 'maxEntries'] as const) {
      if (!Number.isInteger(m[k]) || m[k] < 0) usage('bad_option', `maps[${i}].${k} must be a non-negative integer`);
    }
  });
  program.insns.forEach((insn: Insn, i) => {
    if (insn === null || typeof insn !== 'object' || typeof insn.kind !== 'string') usage('bad_program', `insns[${i}] is not an instruction`);
    for (const f of ['dst', 'src', 'base', 'reg'] as const) {
      const v = (insn as Record<string, unknown>)[f];
      if (typeof v === 'number' && !isRegNumber(v)) usage('bad_program', `insns[${i}].${f}: r${v} is not a register`);
    }
  });
}

/**
 * Verifies a program the way the Linux verifier does for the given program
 * type. Returns `{ ok, errors, log, stats }`; a rejected program is a
 * result. Throws `VerifierError` only when called with malformed input.
 */
export function verify(program: VerifyProgram, progType: ProgramTypeDescription, options: VerifyOptions = {}): VerifyResult {
  const o = { ...DEFAULT_VERIFY_OPTIONS, ...options };
  checkInputs(program, progType, o);
  const lay = layout(program);
  const log = new LogBuffer(o.logLevel > 0);
  const env = new Env(lay.insns, lay.lineInfo, progType, o, mapInfos(o.maps), log, program.license);
  const errors: VerifierError[] = [];
  const insnIndexOf = (pc: number): number => lay.slotOf.findIndex((s) => s === pc);
  const recorder = o.recordStates ? new StateRecorder(lay.insns, lay.lineInfo, env.mapAddress) : undefined;
  try {
    if (program.insns.length === 0) throw new Reject('emptyProgram', 'BPF program is empty');
    if (!(o.capabilities?.bpf ?? o.privileged) && !progType.unprivilegedLoad) {
      throw new Reject('unprivilegedType', `program type ${progType.name} needs CAP_BPF and CAP_PERFMON (or CAP_NET_ADMIN); load it as root`);
    }
    findSubprogs(env);
    checkSubprogs(env);
    resolveMaps(env);
    checkCfg(env);
    computeLiveRegs(env);
    computeScc(env);
    printLiveRegs(env, env.mapAddress);
    explore(env, recorder);
  } catch (e) {
    if (!(e instanceof Reject)) throw e;
    const pc = e.at ?? env.insnIdx;
    if (e.code !== 'infiniteLoop' || env.level === 0) env.verbose(`${e.text}\n`);
    else env.verbose(`${e.text}\n`);
    const i = insnIndexOf(pc);
    const source = i >= 0 ? program.sources?.[i] : undefined;
    errors.push(new VerifierError(e.code, pc, e.message, source));
  }
  const ok = errors.length === 0;
  if (ok && o.logLevel === 1) log.reset(0);
  const stats = {
    processed: env.insnProcessed,
    maxStatesPerInsn: env.maxStatesPerInsn,
    totalStates: env.totalStates,
    peakStates: env.peakStates,
    markRead: 0,
    stackDepth: env.subprogs.map((s) => s.stackDepth),
  };
  env.verbose(`${formatStats(stats)}\n`);
  const failing = errors[0];
  const sourceLine = failing ? env.findLinfo(failing.pc) : undefined;
  return {
    ok,
    errors,
    log: log.toString(),
    stats,
    ...(sourceLine === undefined ? {} : { sourceLine }),
    program: { insns: lay.insns, lineInfo: lay.lineInfo },
    ...(recorder === undefined ? {} : { states: recorder.finish(errors) }),
  };
}
