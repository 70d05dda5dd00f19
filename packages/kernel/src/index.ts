// @bpflab/kernel: the simulated kernel — the bpf() surface, the object
// loader, base helpers, tasks, CPUs, clock, trace pipe, links, bpffs, and
// a libbpf-style user-space API. The package's only door.
export { Kernel, DEFAULT_KERNEL_OPTIONS, MAX_KERNEL_CPUS } from './kernel';
export type { CoreRelocationRequest, CoreRelocator, KernelBtf, KernelOptions, RunObservation } from './kernel';
export { CORE_POISON_HELPER, defaultCoreRelocator } from './core-relocator';
export type { CorePoisonedInsn, CoreRelocatedProgram } from './core-relocator';
export { KernelError } from './errors';
export type { KernelErrorCode, KernelErrorDetails } from './errors';
export { fail, ok, OK } from './result';
export type { SysResult } from './result';
export { BpfSyscall } from './syscall';
export type { LinkInfo, MapCreateAttr, ObjInfo, ProgInfo, ProgLoadResult, TestRunOptions, TestRunResult } from './syscall';
export { BPF_COMPLEXITY_LIMIT_INSNS, BPF_OBJ_NAME_LEN } from './prog-load';
export type { ProgLoadAttr, ProgLoadFailure } from './prog-load';
export { LoadedProgram } from './program';
export { Link } from './links';
export { KernelMap, PerfEventObject } from './objects';
export type { KernelObject } from './fds';
export { MAX_FDS } from './fds';
export { BpfFs, BPFFS_MOUNT } from './bpffs';
export type { BpfFsEntry } from './bpffs';
export { ProgramTypeRegistry } from './program-types';
export type { AttachHandler, AttachRequest, LinkBody, ProgramTypeDef } from './program-types';
export { NOT_VERIFIED_LOG, licenseIsGplCompatible, passThroughVerifier } from './verifier';
export type { VerificationStatus, Verifier, VerifierIssue, VerifierMap, VerifierProgram, VerifierVerdict } from './verifier';
export { createKernelVerifier, describeBtfTyped, describeProgramType, notVerifiedLog, verifierLineInfo, verifierMaps } from './verifier-adapter';
export { describeBtfProgramType } from './verifier-btf-ctx';
export type { BtfProgramType } from './verifier-btf-ctx';
export type { DescriptionSource, KernelVerifierOptions, KernelVerifierReport, KernelVerifierVerdict, ProgramTypeLookup } from './verifier-adapter';
export { MAX_TAIL_CALL_CNT, RunFrame } from './run';
export type { ProgramRunResult, RunOptions } from './run';
export { BPF_MAX_LOOPS } from './helpers/control';
export type { HelperEnv } from './helpers/env';
export { Clock, DEFAULT_CLOCK_OPTIONS, initialJiffies } from './clock';
export type { ClockOptions } from './clock';
export { PF_EXITING, PF_KTHREAD, Task, TaskTable, TASK_COMM_LEN } from './tasks';
export type { Credentials, TaskSpec } from './tasks';
export {
  DEFAULT_TRACE_PIPE_OPTIONS,
  formatLatencyFlags,
  KernelLog,
  PROCESS_TRACE_CONTEXT,
  TracePipe,
} from './trace-pipe';
export type { TraceContext, TraceEntry, TracePipeOptions } from './trace-pipe';
export { bprintf, MAX_BPRINTF_BIN_ARGS, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, MAX_TRACE_PRINTK_VARARGS, traceText } from './bprintf';
export type { BprintfEnv, BprintfResult, KernelSymbol } from './bprintf';
export { Kallsyms } from './kallsyms';
export type { KallsymsEntry } from './kallsyms';
export { defaultKconfig, kernelVersionCode, resolveKconfig, setKconfigValue, versionCodeOf } from './kconfig';
export type { Kconfig, VirtualExterns } from './kconfig';
export { BpfObject, BpfObjectMap, BpfObjectProgram, DEFAULT_OPEN_OBJECT_OPTIONS } from './object';
export type { ObjectLoadResult, ObjectRunResult, ObjectState, OpenObjectOptions, RunContext } from './object';
export { DEFAULT_PIN_ROOT } from './loader';
export type { MapOverrides, ObjectLoadFailure, ObjectLoadFailureReason } from './loader';
export { btfCodec, bytesCodec, intCodec, sizeCodec } from './values';
export type { TypedValue, ValueCodec } from './values';
// The kernel's own BTF ("vmlinux"): its types, layouts and reference kernel.
export { kernelBtf, KERNEL_TYPES, kernelOffsetOf, kernelStruct, KERNEL_BTF_DEVIATIONS, KERNEL_BTF_REFERENCE } from './kernel-btf';
export type {
  BitfieldDef,
  CompositeDef,
  EnumDef,
  EnumeratorDef,
  FnPtrDef,
  FuncDef,
  FwdDef,
  InlineCompositeDef,
  InlineEnumDef,
  IntDef,
  KernelBtfDeviation,
  KernelBtfReference,
  KernelField,
  KernelStructLayout,
  KernelTypeDef,
  LayoutAbi,
  MemberDef,
  TypedefDef,
  TypeRef,
} from './kernel-btf';
// The hook registry and plugin API (defineHook, HookRegistry, HookHost).
export {
  checkCtxLayout,
  CORE_STEPS,
  ctxFieldCType,
  ctxLayout,
  defineHook,
  formatCtxLayout,
  HookHost,
  HookRegistry,
  PROGRAM_RUN_SCHEMA,
  RESERVED_STEP_KEYS,
  resolveTaskRef,
  TASK_REF_SCHEMA,
} from './hooks';
export type {
  AdvanceStep,
  AnyHookPlugin,
  AttachedProgram,
  AttachOutcome,
  AutoAttach,
  CoreStepState,
  CtxField,
  CtxFieldShorthand,
  CtxLayout,
  CtxYield,
  EventDriver,
  HookArtifact,
  HookAttachment,
  HookContext,
  HookDef,
  HookPlugin,
  HookPoint,
  HookPointInfo,
  HookProgramType,
  HookRunOptions,
  HookSummary,
  HookSummaryInfo,
  JsonSchema,
  MapDeleteStep,
  MapStepObservation,
  MapUpdateStep,
  ProgramRun,
  ReturnRange,
  SectionInfo,
  SectionMatch,
  StepKindMatch,
  StepResult,
  TaskRef,
} from './hooks';
