/**
 * Helpers that steer execution: `bpf_tail_call`, `bpf_loop`,
 * `bpf_spin_lock`/`bpf_spin_unlock` and `bpf_override_return`.
 *
 * A tail call asks the VM to stop the calling program (`ctx.stop()`); the
 * kernel's run loop then starts the target with the same context, so the
 * caller never resumes. A failed tail call (index out of range, empty
 * slot, the 33-call limit reached) returns and the caller goes on with r0
 * unchanged, as the kernel's tail call instruction leaves it.
 */
import { ERRNO, HELPER } from '@bpflab/uapi';
import { defineFastHelper, defineHelper, hex, type Helper } from '@bpflab/vm';
import { KernelError } from '../errors';
import { MAX_TAIL_CALL_CNT } from '../run';
import { mapArgOf } from './common';
import type { HelperEnv } from './env';

/** `BPF_MAX_LOOPS`: the most iterations `bpf_loop` runs. */
export const BPF_MAX_LOOPS = 1 << 23;

/** The control helpers by id. */
export function controlHelpers(env: HelperEnv): ReadonlyMap<number, Helper> {
  return new Map<number, Helper>([
    [
      HELPER.tail_call,
      defineHelper('bpf_tail_call', (c) => {
        const frame = env.frame();
        if (frame.engines.length > 1) {
          throw new KernelError('unsupported', 'bpf_tail_call from a bpf_loop callback is not modelled by bpflab', {
            feature: 'bpf_tail_call in a callback',
          });
        }
        const array = mapArgOf(env, c, 2, ['prog_array'], 'bpf_tail_call');
        const r0 = frame.engine.register(0);
        const index = c.argLo(3);
        if (index >= array.maxEntries) return r0;
        if (frame.tailCalls >= MAX_TAIL_CALL_CNT) return r0;
        frame.tailCalls++;
        const ref = array.tailCallTarget(index);
        const target = ref === undefined ? undefined : env.programById(ref.id);
        if (target === undefined) return r0;
        frame.pendingTail = { program: target, ctx: c.arg(1) };
        c.stop();
        return r0;
      }),
    ],
    [
      HELPER.loop,
      defineFastHelper('bpf_loop', (c) => {
        const nr = c.argLo(1);
        const fn = c.arg(2);
        const callbackCtx = c.arg(3);
        if (c.arg(4) !== 0n) return -ERRNO.EINVAL;
        if (nr > BPF_MAX_LOOPS) return -ERRNO.E2BIG;
        const at = env.codeAt(fn);
        if (at === undefined) {
          throw new KernelError('bad-call', `bpf_loop: callback_fn ${hex(fn)} is not the address of a BPF function (the verifier only accepts a function pointer)`);
        }
        for (let i = 0; i < nr; i++) {
          if (env.callFunction(at.program, at.pc, [BigInt(i), callbackCtx]) !== 0n) return i + 1;
        }
        return nr;
      }),
    ],
    [
      HELPER.spin_lock,
      defineFastHelper('bpf_spin_lock', (c) => {
        const lock = c.argNumber(1);
        if (env.memory.readU32(lock) !== 0) {
          throw new KernelError('bad-call', `bpf_spin_lock: the lock at ${env.memory.describe(lock)} is already held: this run would deadlock (the verifier refuses a second lock)`);
        }
        env.memory.writeU32(lock, 1);
        return 0;
      }),
    ],
    [
      HELPER.spin_unlock,
      defineFastHelper('bpf_spin_unlock', (c) => {
        env.memory.writeU32(c.argNumber(1), 0);
        return 0;
      }),
    ],
    [
      HELPER.override_return,
      defineFastHelper('bpf_override_return', (c) => {
        env.frame().overrideReturn = c.arg(2);
        return 0;
      }),
    ],
  ]);
}
