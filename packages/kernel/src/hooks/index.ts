// The hook registry and plugin API: defineHook, context layouts, the
// registry, and the hooks at work in one kernel.
export { checkCtxLayout, ctxFieldCType, ctxLayout, formatCtxLayout } from './ctx-layout';
export type { CtxField, CtxFieldShorthand, CtxLayout, CtxYield, ReturnRange } from './ctx-layout';
export { defineHook, RESERVED_STEP_KEYS } from './define-hook';
export type {
  AnyHookPlugin,
  AttachedProgram,
  AutoAttach,
  EventDriver,
  HookArtifact,
  HookAttachment,
  HookContext,
  HookDef,
  HookPlugin,
  HookPoint,
  HookProgramType,
  HookRunOptions,
  HookSummary,
  JsonSchema,
  ProgramRun,
  SectionInfo,
} from './define-hook';
export { HookRegistry } from './registry';
export type { HookPointInfo, SectionMatch, StepKindMatch } from './registry';
export { HookHost, PROGRAM_RUN_SCHEMA } from './host';
export type { AttachOutcome, HookSummaryInfo, StepResult } from './host';
export { CORE_STEPS } from './core-steps';
export type { AdvanceStep, CoreStepState, MapDeleteStep, MapStepObservation, MapUpdateStep } from './core-steps';
export { resolveTaskRef, TASK_REF_SCHEMA } from './step-task';
export type { TaskRef } from './step-task';
