// @bpflab/verifier: the Linux verifier's rules, messages and log, run over
// a program type description. The package's only door.
export { verify } from './verify';
export type { VerifyResult } from './verify';
export type { VerifiedProgram } from './report';
export { formatStats, COMPLEXITY_LIMIT_INSNS } from './report';
export { explain } from './explain';
export type { Explanation } from './explain';
export { VerifierError } from './errors';
export type { VerifierUsageCode } from './errors';
export { msg } from './messages';
export type { MsgCode } from './messages';
export { DEFAULT_VERIFY_OPTIONS } from './types';
export type {
  BtfContext,
  BtfCtxArg,
  BtfMemberDesc,
  BtfTypeDesc,
  BtfTypeSource,
  CtxField,
  CtxLayout,
  CtxYield,
  LineInfo,
  MapDescription,
  ProgramTypeDescription,
  ReturnRange,
  VerifyOptions,
  VerifyProgram,
  VerifyStats,
} from './types';
export { defineProgramType, PROGRAM_TYPES, SOCKET_FILTER, TEST_PROG_TYPE, TRACEPOINT, XDP } from './prog-types';
export type { MapInfo, RegKind, RegState } from './state/reg-state';
export type { Tnum } from './domain/tnum';
export { formatKernelInsn } from './log/insn-printer';
export { formatReg, regTypeName } from './log/state-printer';
export { STATE_VISIT_LIMIT } from './states/record';
export type { PathEnd, StateItem, StatePath, StateTrace, StateVisit, TracedInsn } from './states/record';
export { describePathEnd, formatStateTrace, formatVisitState } from './states/text';
export { escapeHtml, renderStatesHtml } from './states/html';
export type { StatesHtmlOptions, StatesPage } from './states/html';
