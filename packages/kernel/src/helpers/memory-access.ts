/**
 * How helpers reach memory that the verifier does not vouch for
 * (`bpf_probe_read_*`, `%s` in `bpf_trace_printk`), with x86-64's rules:
 *
 * - user addresses (the NULL page, the user memory of processes, and
 *   anything below 2^47 outside the simulated kernel) are refused by the
 *   kernel-side copy with -ERANGE (`copy_from_kernel_nofault_allowed`);
 * - user-side copies succeed only inside the current task's process's user
 *   memory (-EFAULT otherwise);
 * - an unmapped kernel address is -EFAULT.
 */
import { ERRNO } from '@bpflab/uapi';
import type { Task } from '../tasks';
import type { HelperEnv } from './env';

/** The outcome of a copy: the bytes, or a negative errno. */
export type CopyResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly errno: number };

const FOUR_GIB = 0x1_0000_0000n;
/** `TASK_SIZE_MAX` on x86-64 (4-level paging), rounded to the page: user addresses lie below it. */
const TASK_SIZE = 0x0000_8000_0000_0000n;
/** The lowest canonical kernel address. */
const KERNEL_START = 0xffff_8000_0000_0000n;

/** Whether x86-64 would treat the address as a user-space address (`unsafe_ptr < TASK_SIZE`). */
export function isUserRange(env: HelperEnv, address: bigint): boolean {
  const a = BigInt.asUintN(64, address);
  if (a < BigInt(env.memory.options.guardBytes)) return true;
  if (a < FOUR_GIB) return env.tasks.isUserAddress(Number(a));
  return a < TASK_SIZE;
}

function kernelAllowed(env: HelperEnv, address: bigint): boolean {
  const a = BigInt.asUintN(64, address);
  if (a >= FOUR_GIB) return a >= KERNEL_START;
  return !isUserRange(env, a);
}

/** `copy_from_kernel_nofault`: -ERANGE for user addresses, -EFAULT where nothing is mapped. */
export function copyFromKernel(env: HelperEnv, address: bigint, size: number): CopyResult {
  if (size === 0) return { ok: true, bytes: new Uint8Array(0) };
  if (!kernelAllowed(env, address)) return { ok: false, errno: ERRNO.ERANGE };
  const a = BigInt.asUintN(64, address);
  if (a >= FOUR_GIB || env.memory.accessible(Number(a), size, 'read') === undefined) return { ok: false, errno: ERRNO.EFAULT };
  return { ok: true, bytes: env.memory.readBytes(Number(a), size) };
}

/** `copy_from_user_nofault` for the current task: -EFAULT outside its process's user memory. */
export function copyFromUser(env: HelperEnv, task: Task | undefined, address: bigint, size: number): CopyResult {
  if (size === 0) return { ok: true, bytes: new Uint8Array(0) };
  const a = BigInt.asUintN(64, address);
  if (task === undefined || a >= FOUR_GIB || !env.tasks.isUserMemoryOf(task, Number(a), size)) return { ok: false, errno: ERRNO.EFAULT };
  return { ok: true, bytes: env.memory.readBytes(Number(a), size) };
}

/**
 * `strncpy_from_{kernel,user}_nofault(dst, src, count)`: the string at
 * `address` with its NUL, at most `count` bytes (a longer string is cut to
 * `count - 1` bytes and a NUL). The result's length is the kernel's return
 * value. A string that runs into unmapped memory is -EFAULT.
 */
export function copyString(env: HelperEnv, space: 'kernel' | 'user', task: Task | undefined, address: bigint, count: number): CopyResult {
  if (count <= 0) return { ok: true, bytes: new Uint8Array(0) };
  const a = BigInt.asUintN(64, address);
  if (space === 'kernel' && !kernelAllowed(env, a)) return { ok: false, errno: ERRNO.ERANGE };
  if (a >= FOUR_GIB) return { ok: false, errno: ERRNO.EFAULT };
  const start = Number(a);
  const region = env.memory.accessible(start, 1, 'read');
  if (region === undefined) return { ok: false, errno: ERRNO.EFAULT };
  if (space === 'user' && (task === undefined || !env.tasks.isUserMemoryOf(task, start, 1))) return { ok: false, errno: ERRNO.EFAULT };
  const u8 = env.memory.bytes();
  const limit = Math.min(region.start + region.size, start + count - 1);
  let i = start;
  while (i < limit && u8[i] !== 0) i++;
  if (i < limit || i === start + count - 1) {
    const out = new Uint8Array(i - start + 1);
    out.set(u8.subarray(start, i));
    return { ok: true, bytes: out };
  }
  return { ok: false, errno: ERRNO.EFAULT };
}
