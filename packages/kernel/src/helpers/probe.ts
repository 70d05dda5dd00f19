/**
 * `bpf_probe_read_*` and `bpf_probe_write_user`: copies between a
 * program's memory and kernel or user memory that nothing vouches for. A
 * failed read zeroes the destination and returns the negative errno
 * (-EFAULT; -ERANGE when a kernel read is pointed at a user address, as on
 * x86-64).
 */
import { ERRNO, HELPER } from '@bpflab/uapi';
import { defineFastHelper, type Helper, type HelperContext } from '@bpflab/vm';
import { PF_EXITING } from '../tasks';
import type { HelperEnv } from './env';
import { copyFromKernel, copyFromUser, copyString, isUserRange, type CopyResult } from './memory-access';

/** The probe helpers by id. */
export function probeHelpers(env: HelperEnv): ReadonlyMap<number, Helper> {
  const task = () => env.frame().task;
  /** Writes a copy's bytes to `dst` (or zeroes `size` bytes there) and returns the helper's value. */
  const finish = (dst: number, size: number, r: CopyResult, value: (bytes: Uint8Array) => number): number => {
    if (r.ok) {
      env.memory.writeBytes(dst, r.bytes);
      return value(r.bytes);
    }
    env.memory.writeBytes(dst, new Uint8Array(size));
    return -r.errno;
  };
  const read = (c: HelperContext, space: 'kernel' | 'user' | 'compat'): number => {
    const dst = c.argNumber(1);
    const size = c.argLo(2);
    const src = c.arg(3);
    const user = space === 'user' || (space === 'compat' && isUserRange(env, src));
    const r = user ? copyFromUser(env, task(), src, size) : copyFromKernel(env, src, size);
    return finish(dst, size, r, () => 0);
  };
  const readStr = (c: HelperContext, space: 'kernel' | 'user' | 'compat'): number => {
    const dst = c.argNumber(1);
    const size = c.argLo(2);
    const src = c.arg(3);
    if (size === 0) return 0;
    const user = space === 'user' || (space === 'compat' && isUserRange(env, src));
    return finish(dst, size, copyString(env, user ? 'user' : 'kernel', task(), src, size), (bytes) => bytes.length);
  };
  return new Map<number, Helper>([
    [HELPER.probe_read_kernel, defineFastHelper('bpf_probe_read_kernel', (c) => read(c, 'kernel'))],
    [HELPER.probe_read_user, defineFastHelper('bpf_probe_read_user', (c) => read(c, 'user'))],
    [HELPER.probe_read, defineFastHelper('bpf_probe_read', (c) => read(c, 'compat'))],
    [HELPER.probe_read_kernel_str, defineFastHelper('bpf_probe_read_kernel_str', (c) => readStr(c, 'kernel'))],
    [HELPER.probe_read_user_str, defineFastHelper('bpf_probe_read_user_str', (c) => readStr(c, 'user'))],
    [HELPER.probe_read_str, defineFastHelper('bpf_probe_read_str', (c) => readStr(c, 'compat'))],
    [
      HELPER.probe_write_user,
      defineFastHelper('bpf_probe_write_user', (c) => {
        const frame = env.frame();
        const t = frame.task;
        const ctx = frame.traceContext;
        if (ctx.hardirq || ctx.softirq || ctx.nmi || t === undefined || t.kthread || (t.flags & PF_EXITING) !== 0) return -ERRNO.EPERM;
        const dst = c.arg(1);
        const size = c.argLo(3);
        const bytes = env.memory.readBytes(c.argNumber(2), size);
        if (size === 0) return 0;
        const a = dst < 0x1_0000_0000n ? Number(dst) : -1;
        if (a < 0 || !env.tasks.isUserMemoryOf(t, a, size) || env.memory.accessible(a, size, 'write') === undefined) return -ERRNO.EFAULT;
        env.memory.writeBytes(a, bytes);
        return 0;
      }),
    ],
  ]);
}
