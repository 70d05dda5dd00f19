/** `bpf_trace_printk`, `bpf_trace_vprintk` and `bpf_snprintf`. */
import { ERRNO, HELPER } from '@bpflab/uapi';
import { defineFastHelper, type Helper } from '@bpflab/vm';
import { bprintf, MAX_BPRINTF_VARARGS, traceText, type BprintfEnv } from '../bprintf';
import type { HelperEnv } from './env';
import { copyFromKernel, copyString } from './memory-access';

/** What `bprintf` reads, for the run in progress. */
export function printfEnv(env: HelperEnv): BprintfEnv {
  const task = (): ReturnType<HelperEnv['frame']>['task'] => env.frame().task;
  return {
    readString(address, max, space) {
      const r = copyString(env, space, task(), address, max);
      return r.ok ? r.bytes.subarray(0, Math.max(0, r.bytes.length - 1)) : undefined;
    },
    readKernel(address, size) {
      const r = copyFromKernel(env, address, size);
      return r.ok ? r.bytes : undefined;
    },
    symbolAt: (address) => env.kallsyms.symbolAt(address),
    hashPointer: (address) => env.hashPointer(address),
  };
}

/** The u64 arguments of the `data`/`data_len` array form, or -EINVAL as the kernel checks them. */
function argArray(env: HelperEnv, data: number, dataLen: number): bigint[] | number {
  if (dataLen % 8 !== 0 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen > 0 && data === 0)) return -ERRNO.EINVAL;
  const bytes = env.memory.readBytes(data, dataLen);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: bigint[] = [];
  for (let i = 0; i < dataLen; i += 8) out.push(view.getBigUint64(i, true));
  return out;
}

/** The printing helpers by id. */
export function traceHelpers(env: HelperEnv): ReadonlyMap<number, Helper> {
  const penv = printfEnv(env);
  const print = (fmtAddress: number, fmtSize: number, args: readonly bigint[]): number => {
    const r = bprintf(env.memory.readBytes(fmtAddress, fmtSize), args, penv);
    if (!r.ok) return -r.errno;
    env.traceEvent(traceText(r.bytes));
    return r.length;
  };
  return new Map<number, Helper>([
    [HELPER.trace_printk, defineFastHelper('bpf_trace_printk', (c) => print(c.argNumber(1), c.argLo(2), [c.arg(3), c.arg(4), c.arg(5)]))],
    [
      HELPER.trace_vprintk,
      defineFastHelper('bpf_trace_vprintk', (c) => {
        const args = argArray(env, c.argNumber(3), c.argLo(4));
        return typeof args === 'number' ? args : print(c.argNumber(1), c.argLo(2), args);
      }),
    ],
    [
      HELPER.snprintf,
      defineFastHelper('bpf_snprintf', (c) => {
        const str = c.argNumber(1);
        const size = c.argLo(2);
        const fmt = c.argNumber(3);
        const args = argArray(env, c.argNumber(4), c.argLo(5));
        if (typeof args === 'number') return args;
        const r = bprintf(env.memory.readBytes(fmt, env.memory.cStringLength(fmt) + 1), args, penv);
        if (!r.ok) return -r.errno;
        if (size > 0) {
          const n = Math.min(r.bytes.length, size - 1);
          const out = new Uint8Array(n + 1);
          out.set(r.bytes.subarray(0, n));
          env.memory.writeBytes(str, out);
        }
        return r.length + 1;
      }),
    ],
  ]);
}
