// @bpflab/hooks-tracepoint: the tracepoint hook plugin (tracepoint, tp,
// raw_tracepoint, raw_tp, tp_btf), the x86-64 syscall tracepoints and the
// syscall workload driver. The package's only door.
export { tracepointHook } from './plugin';
export { isPointerParam, isStringParam, MAX_SYSCALL_NR, syscallByName, syscallByNr, syscallNames, SYSCALLS } from './syscalls';
export type { Syscall, SyscallParam } from './syscalls';
export {
  MAX_BPF_FUNC_ARGS,
  PERF_MAX_TRACE_SIZE,
  RAW_TRACEPOINT_CTX,
  RAW_TRACEPOINTS,
  rawTracepointByName,
  TP_BTF_CTX,
  TRACEPOINT_CTX,
  TRACEPOINTS,
  tracepointByPath,
} from './tracepoints';
export type { RawTracepointDef, SyscallPhase, TracepointDef } from './tracepoints';
export { formatSyscallObservation, newTracepointState, resolveSyscall, runMixStep, runSyscallStep } from './workload';
export type { MixStep, SyscallArg, SyscallEvent, SyscallObservation, SyscallStep, TracepointState } from './workload';
