/**
 * Helpers that return a pointer to a kernel object (`RET_PTR_TO_BTF_ID`:
 * `bpf_get_current_task_btf`, `bpf_skc_to_tcp_sock`...): R0 becomes a
 * `btf_id` register of the struct the prototype names, looked up in the
 * program type's BTF (the kernel's `ret_btf_id`).
 */
import type { RetType } from '@bpflab/uapi';
import type { Env } from '../pipeline/env';
import { pointer, type RegState } from '../state/reg-state';

/** R0 after the call, or `undefined` when the program type has no BTF to name the struct in. */
export function btfHelperResult(env: Env, ret: RetType): RegState | undefined {
  const src = env.progType.btfCtx?.btf;
  const name = ret.btf?.kind === 'struct' ? ret.btf.name : undefined;
  const id = name === undefined ? undefined : src?.structId?.(name);
  if (src === undefined || id === undefined || name === undefined) return undefined;
  const flags: readonly string[] = ret.flags;
  return pointer('btf_id', {
    maybeNull: flags.includes('PTR_MAYBE_NULL'),
    btf: { src, id, name, trusted: flags.includes('PTR_TRUSTED'), untrusted: false, rcu: false },
  });
}
