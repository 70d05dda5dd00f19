// @bpflab/vm: address space, reference interpreter, helper-call interface.
export { AddressSpace, DEFAULT_ADDRESS_SPACE_OPTIONS, formatRegion, hex } from './address-space';
export type { Address, AddressSpaceOptions, AllocateOptions, Region, RegionKind, WasmMemory } from './address-space';
export { VmError } from './errors';
export type { FaultInfo, VmErrorCode, VmErrorDetails } from './errors';
export { defineFastHelper, defineHelper, helperEntries } from './helpers';
export type { ArgNumber, FastHelperFn, Helper, HelperContext, HelperFn, HelperTable } from './helpers';
export {
  DEFAULT_BUDGET,
  DEFAULT_INTERPRETER_OPTIONS,
  Interpreter,
  MAX_CALL_FRAMES,
  STACK_FRAME_SIZE,
} from './interpreter';
export type {
  FrameInfo,
  InterpreterOptions,
  InterpreterStatus,
  PacketRef,
  RunOptions,
  RunResult,
  StepResult,
  StopReason,
} from './interpreter';
export { conformanceHelpers } from './conformance-helpers';
export { runProgram } from './run-program';
export type { RunProgramOptions, RunProgramResult } from './run-program';
export { checkConformanceCase, checkConformanceDir, listConformanceFiles } from './conformance';
export type {
  ConformanceCheck,
  ConformanceCheckOptions,
  ConformanceOutcome,
  ConformanceReport,
  ConformanceStage,
} from './conformance';
