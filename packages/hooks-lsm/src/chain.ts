/**
 * The hook chain: attaching programs to LSM hooks, and what happens when
 * the kernel calls a hook.
 *
 * BPF LSM programs attach through a BPF trampoline in "modify return" mode,
 * so the chain behaves as Linux's does:
 *
 * - programs run most recently attached first (the trampoline keeps its
 *   links in a list it adds to at the head);
 * - each program's context is the hook's arguments followed by `ret`, the
 *   value the previous program returned (0 for the first);
 * - the first program that returns non-zero ends the chain: the programs
 *   after it do not run, and its value is what the hook returns to the
 *   kernel (so a program that runs always sees `ret == 0`; the seed's
 *   `if (ret != 0) return ret;` is a harmless habit);
 * - with every program returning 0 (or none attached) the hook allows.
 */
import { fail, ok, type AttachRequest, type HookAttachment, type HookContext, type LoadedProgram, type ProgramRun, type SysResult, type Task } from '@bpflab/kernel';
import { ERRNO, PROG_LOAD_FLAG } from '@bpflab/uapi';
import { findLsmHook, LSM_HOOK_NAMES, lsmAttachFunction, lsmContextSize, lsmHookName, lsmReturnRange, requireLsmHook } from './hooks';

/** `BPF_MAX_TRAMP_LINKS` of x86-64: the most programs one hook's trampoline holds. */
export const BPF_MAX_TRAMP_LINKS = 38;

/** One call of a hook by the kernel, as observations report it (JSON-safe). */
export interface LsmHookCall {
  readonly hook: string;
  /** the hook's arguments as the context holds them (u64 each, `0x` hex) */
  readonly args: readonly string[];
  /** the programs that ran, in order */
  readonly runs: readonly ProgramRun[];
  /** what the hook returned to the kernel: 0, or the deciding program's value */
  readonly result: number;
  /** the program whose non-zero return decided, if one did */
  readonly decidedBy?: string;
  /** programs that returned outside what the verifier allows for the hook (possible only for a program nothing verified) */
  readonly outOfRange?: readonly string[];
}

/** Where and as whom a hook runs. */
export interface LsmCallOptions {
  /** the current task */
  readonly task: Task;
  readonly cpu: number;
}

/**
 * A program's full name: its function's name (the kernel keeps only the
 * first 15 bytes as the program's name).
 */
export function programName(program: LoadedProgram): string {
  return program.functions.find((f) => f.pc === 0)?.name ?? program.name;
}

function who(program: LoadedProgram): string {
  return `prog ${programName(program)}`;
}

/**
 * Checks an LSM attach request the way the kernel's `BPF_LINK_CREATE` and
 * program load do, and names the hook point (the hook's name): the hook
 * must exist (`target`: `file_open`, `lsm/file_open` or
 * `bpf_lsm_file_open`), sleepable programs only on sleepable hooks, a
 * GPL-compatible license, a program at most once per hook, at most 38
 * programs per hook.
 */
export function checkLsmAttach(hook: HookContext<unknown>, program: LoadedProgram, request: AttachRequest): SysResult<HookAttachment> {
  if (program.expectedAttachType === 'LSM_CGROUP') {
    return fail(ERRNO.EOPNOTSUPP, `${who(program)}: lsm_cgroup programs attach to a cgroup, which bpflab does not model`);
  }
  const target = request.target;
  if (target === undefined || target === '') {
    return fail(ERRNO.EINVAL, `${who(program)}: an LSM program needs its hook: attach with { target: 'file_open' } (the part of SEC("lsm/...") after the slash)`);
  }
  const def = findLsmHook(target);
  if (def === undefined) {
    return fail(
      ERRNO.ESRCH,
      `${who(program)}: failed to find kernel BTF type ID of 'bpf_lsm_${lsmHookName(target)}' (bpflab drives the LSM hooks ${LSM_HOOK_NAMES.join(', ')})`,
    );
  }
  if (!program.gplCompatible) {
    return fail(ERRNO.EINVAL, `${who(program)}: LSM programs must have a GPL compatible license (its license is '${program.license}')`);
  }
  if ((program.flags & PROG_LOAD_FLAG.SLEEPABLE) !== 0 && !def.sleepable) {
    return fail(ERRNO.EINVAL, `${who(program)}: ${lsmAttachFunction(def)} is not sleepable: use SEC("lsm/${def.name}")`);
  }
  const attached = hook.attached(def.name);
  if (attached.some((a) => a.program === program)) return fail(ERRNO.EBUSY, `${who(program)}: already attached to ${lsmAttachFunction(def)}`);
  if (attached.length >= BPF_MAX_TRAMP_LINKS) {
    return fail(ERRNO.E2BIG, `${who(program)}: ${lsmAttachFunction(def)} already has ${BPF_MAX_TRAMP_LINKS} programs attached`);
  }
  return ok({ point: def.name, link: 'TRACING' });
}

/**
 * Calls a hook as the kernel does: lays its arguments and `ret` out in a
 * read-only context and runs the attached programs, most recently
 * attached first, until one returns non-zero.
 */
export function callLsmHook(hook: HookContext<unknown>, hookName: string, args: readonly bigint[], options: LsmCallOptions): LsmHookCall {
  const def = requireLsmHook(hookName);
  if (args.length !== def.args.length) {
    throw new RangeError(`hook ${def.name} takes ${def.args.length} arguments (${def.args.map((a) => a.name).join(', ')}), got ${args.length}`);
  }
  const hex = args.map((a) => `0x${BigInt.asUintN(64, a).toString(16)}`);
  const programs = hook.attached(def.name).slice().reverse();
  if (programs.length === 0) return { hook: def.name, args: hex, runs: [], result: 0 };
  const memory = hook.kernel.memory;
  const ctx = memory.allocate({ name: `ctx:lsm/${def.name}`, kind: 'ctx', size: lsmContextSize(def), writable: false });
  const retSlot = ctx.start + def.args.length * 8;
  const range = lsmReturnRange(def);
  const runs: ProgramRun[] = [];
  const outOfRange: string[] = [];
  try {
    const view = memory.view();
    args.forEach((a, i) => view.setBigUint64(ctx.start + i * 8, BigInt.asUintN(64, a), true));
    view.setBigUint64(retSlot, 0n, true);
    for (const att of programs) {
      const run = { ...hook.run(att, ctx.start, { cpu: options.cpu, task: options.task }), program: programName(att.program) };
      runs.push(run);
      if (range !== undefined && (run.retval < range.min || run.retval > range.max)) outOfRange.push(run.program);
      const r0 = BigInt(run.r0);
      // the trampoline stores the program's r0 where the next program reads ret, and stops on non-zero
      memory.view().setBigUint64(retSlot, r0, true);
      if (r0 !== 0n) {
        return { hook: def.name, args: hex, runs, result: run.retval, decidedBy: run.program, ...(outOfRange.length > 0 ? { outOfRange } : {}) };
      }
    }
    return { hook: def.name, args: hex, runs, result: 0, ...(outOfRange.length > 0 ? { outOfRange } : {}) };
  } finally {
    memory.free(ctx);
  }
}
