/**
 * Checks on subprograms that the kernel makes outside the path walk:
 *
 * - before it (`check_abnormal_return`): without BTF function info, a
 *   subprogram may not use `bpf_tail_call` or `LD_ABS`/`LD_IND`, whose
 *   abnormal exits need the function's prototype;
 * - after it (`check_max_stack_depth`): the stacks of the frames of every
 *   chain of BPF-to-BPF calls (and callback references) must fit in 512
 *   bytes together, each frame rounded up as the JIT lays it out; a
 *   subprogram that may tail-call must not be called with more than 256
 *   bytes of stack below it. Tracing program types on x86-64 give each
 *   frame of 64 bytes or more a private stack instead, which then only has
 *   to fit in 512 bytes on its own.
 */
import { PROG_TYPE } from '@bpflab/uapi';
import { msg } from '../messages';
import { MAX_STACK } from '../state/verifier-state';
import { reject, type Env } from './env';

/** `BPF_FUNC_tail_call` */
const TAIL_CALL = 12;
/** `BPF_PRIV_STACK_MIN_SIZE`: smaller frames stay on the kernel stack */
const PRIV_STACK_MIN_SIZE = 64;
/** Program types whose programs get private stacks from the x86-64 JIT (`bpf_enable_priv_stack`). */
const PRIV_STACK_TYPES: ReadonlySet<number> = new Set([PROG_TYPE.KPROBE, PROG_TYPE.TRACEPOINT, PROG_TYPE.PERF_EVENT, PROG_TYPE.RAW_TRACEPOINT]);

/** Index of the subprogram containing slot `i`. */
function subprogAt(env: Env, i: number): number {
  let k = 0;
  while (k + 1 < env.subprogs.length && (env.subprogs[k + 1]?.start ?? Infinity) <= i) k++;
  return k;
}

/** What each subprogram contains. */
function subprogFacts(env: Env): { readonly tailCall: boolean[]; readonly ldAbs: boolean[] } {
  const tailCall = env.subprogs.map(() => false);
  const ldAbs = env.subprogs.map(() => false);
  env.insns.forEach((insn, i) => {
    if (insn === undefined) return;
    if (insn.kind === 'call' && insn.helper === TAIL_CALL) tailCall[subprogAt(env, i)] = true;
    if (insn.kind === 'ld_abs' || insn.kind === 'ld_ind') ldAbs[subprogAt(env, i)] = true;
  });
  return { tailCall, ldAbs };
}

/** `check_abnormal_return`, for programs without BTF function info. */
export function checkAbnormalReturn(env: Env): void {
  if (env.btf) return;
  const { tailCall, ldAbs } = subprogFacts(env);
  for (let i = 1; i < env.subprogs.length; i++) {
    if (ldAbs[i]) reject('ldAbsInSubprog', msg.ldAbsInSubprog());
    if (tailCall[i]) reject('tailCallInSubprog', msg.tailCallInSubprog());
  }
}

/** `round_up_stack_depth` with the JIT on (Linux's default). */
const roundUp = (depth: number): number => Math.ceil(depth / 16) * 16;

/** `check_max_stack_depth`: walks the static call graph from the main program. */
export function checkMaxStackDepth(env: Env): void {
  const { tailCall } = subprogFacts(env);
  const privStack = !tailCall.some(Boolean) && env.progType.kernelType !== undefined && PRIV_STACK_TYPES.has(env.progType.kernelType);
  const walk = (idx: number, below: number, frames: number): void => {
    if (idx > 0 && tailCall[idx] && below >= 256) reject('tailCallStackTooLarge', msg.tailCallStackTooLarge(below));
    const own = roundUp(env.subprogs[idx]?.stackDepth ?? 0);
    let depth = below;
    if (privStack && own >= PRIV_STACK_MIN_SIZE) {
      if (own > MAX_STACK) reject('subprogStackTooLarge', msg.subprogStackTooLarge(idx, own));
    } else {
      depth += own;
      if (depth > MAX_STACK) reject('combinedStackTooLarge', msg.combinedStackTooLarge(frames, depth));
    }
    const start = env.subprogs[idx]?.start ?? 0;
    const end = env.subprogs[idx + 1]?.start ?? env.len;
    for (let i = start; i < end; i++) {
      const insn = env.insns[i];
      if (insn === undefined) continue;
      const isFunc = insn.kind === 'lddw' && insn.pseudo === 'func';
      if (insn.kind !== 'call_local' && !isFunc) continue;
      const off = insn.kind === 'call_local' ? insn.off : Number(BigInt.asIntN(32, insn.value));
      // deeper chains were refused while walking the paths (8 frames at most)
      if (frames < 8) walk(subprogAt(env, i + off + 1), depth, frames + 1);
    }
  };
  walk(0, 0, 1);
}
