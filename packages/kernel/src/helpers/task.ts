/**
 * Helpers about the current task, CPU and time: pid/tgid, uid/gid, comm,
 * the task_struct pointer, signals, the CPU and NUMA node, random numbers
 * and the clocks.
 */
import { ERRNO, HELPER } from '@bpflab/uapi';
import { defineFastHelper, defineHelper, type Helper } from '@bpflab/vm';
import { PF_EXITING, TASK_COMM_LEN } from '../tasks';
import type { HelperEnv } from './env';

/** `_NSIG`: the highest signal number. */
const NSIG = 64;

/** The task, CPU and time helpers by id. */
export function taskHelpers(env: HelperEnv): ReadonlyMap<number, Helper> {
  const current = () => env.frame().task;
  const einval = BigInt.asUintN(64, BigInt(-ERRNO.EINVAL));
  const sendSignal = (sig: number, wholeProcess: boolean): number => {
    const frame = env.frame();
    const task = frame.task;
    if (task === undefined || task.kthread || (task.flags & PF_EXITING) !== 0) return -ERRNO.EPERM;
    if (task.tgid === 1) return -ERRNO.EPERM;
    if (sig > NSIG) return -ERRNO.EINVAL;
    if (sig === 0) return 0;
    const target = wholeProcess ? (env.tasks.get(task.tgid) ?? task) : task;
    target.signals.push(sig);
    return 0;
  };
  return new Map<number, Helper>([
    [
      HELPER.get_current_pid_tgid,
      defineHelper('bpf_get_current_pid_tgid', () => {
        const t = current();
        return t === undefined ? einval : (BigInt(t.tgid) << 32n) | BigInt(t.pid);
      }),
    ],
    [
      HELPER.get_current_uid_gid,
      defineHelper('bpf_get_current_uid_gid', () => {
        const t = current();
        return t === undefined ? einval : (BigInt(t.gid) << 32n) | BigInt(t.uid);
      }),
    ],
    [
      HELPER.get_current_comm,
      defineFastHelper('bpf_get_current_comm', (c) => {
        const buf = c.argNumber(1);
        const size = c.argLo(2);
        const t = current();
        const out = new Uint8Array(size);
        if (t === undefined) {
          env.memory.writeBytes(buf, out);
          return -ERRNO.EINVAL;
        }
        const comm = t.commBytes();
        const n = Math.min(size - 1, comm.indexOf(0) < 0 ? TASK_COMM_LEN : comm.indexOf(0));
        if (n > 0) out.set(comm.subarray(0, n));
        env.memory.writeBytes(buf, out);
        return 0;
      }),
    ],
    [HELPER.get_current_task, defineFastHelper('bpf_get_current_task', () => current()?.address ?? 0)],
    [HELPER.get_current_task_btf, defineFastHelper('bpf_get_current_task_btf', () => current()?.address ?? 0)],
    [HELPER.send_signal, defineFastHelper('bpf_send_signal', (c) => sendSignal(c.argLo(1), true))],
    [HELPER.send_signal_thread, defineFastHelper('bpf_send_signal_thread', (c) => sendSignal(c.argLo(1), false))],
    [HELPER.get_smp_processor_id, defineFastHelper('bpf_get_smp_processor_id', () => env.frame().cpu)],
    [HELPER.get_numa_node_id, defineFastHelper('bpf_get_numa_node_id', () => 0)],
    [HELPER.get_prandom_u32, defineFastHelper('bpf_get_prandom_u32', () => env.prandom(env.frame().cpu))],
    [HELPER.ktime_get_ns, defineHelper('bpf_ktime_get_ns', () => env.clock.now())],
    [HELPER.ktime_get_boot_ns, defineHelper('bpf_ktime_get_boot_ns', () => env.clock.boot())],
    [HELPER.ktime_get_coarse_ns, defineHelper('bpf_ktime_get_coarse_ns', () => env.clock.coarse())],
    [HELPER.jiffies64, defineHelper('bpf_jiffies64', () => env.clock.jiffies())],
  ]);
}
