// @bpflab/uapi: the kernel's BPF UAPI as data — the helper table with the
// verifier's prototypes, program/map/attach/link types, bpf() commands,
// flags, program verdicts and errno.

export { UapiError } from './errors';
export type { UapiErrorCode } from './errors';

export { defineUapiEnum, flagNames } from './enum';
export type { UapiEnum, UapiEnumEntry } from './enum';

export {
  ARG_ALIASES,
  ARG_BASES,
  argTypeName,
  hasFlag,
  isSizeArg,
  isTypeFlag,
  isUninitMemArg,
  parseArgType,
  parseRetType,
  RET_ALIASES,
  RET_BASES,
  retTypeName,
  TYPE_FLAGS,
} from './kinds';
export type {
  ArgAlias,
  ArgBase,
  ArgName,
  ArgSpelling,
  ArgType,
  BtfRef,
  RetAlias,
  RetBase,
  RetName,
  RetSpelling,
  RetType,
  TypeFlag,
} from './kinds';

export { checkHelperProto, DEFAULT_HELPER_PROTO_OPTIONS, defineHelperProto } from './helper-proto';
export type { ArgInput, HelperProto, HelperProtoOptions, RetInput } from './helper-proto';

export { HELPER, HELPER_MAX_ID } from './helper-ids';
export type { HelperIdName, HelperName } from './helper-ids';
export { HELPERS, helperById, helperByName, helperName } from './helpers';
export type { Helper } from './helpers';

export { PROG_TYPE, PROG_TYPES, progTypeName, progTypeShortName, progTypeValue } from './prog-types';
export type { ProgTypeName } from './prog-types';
export { MAP_TYPE, MAP_TYPES, mapTypeName, mapTypeShortName, mapTypeValue } from './map-types';
export type { MapTypeName } from './map-types';
export {
  ATTACH_TYPE,
  ATTACH_TYPES,
  attachTypeName,
  attachTypeShortName,
  attachTypeValue,
  LINK_TYPE,
  LINK_TYPES,
  linkTypeName,
  linkTypeShortName,
  linkTypeValue,
} from './attach-types';
export type { AttachTypeName, LinkTypeName } from './attach-types';
export { CMD, CMDS, cmdName, cmdShortName, cmdValue } from './commands';
export type { CmdName } from './commands';

export {
  ADJ_ROOM_FLAG,
  ADJ_ROOM_FLAGS,
  ADJ_ROOM_MODE,
  ADJ_ROOM_MODES,
  ATTACH_FLAG,
  ATTACH_FLAGS,
  CSUM_FLAG,
  CSUM_FLAGS,
  FIB_LKUP_RET,
  FIB_LKUP_RETS,
  FIB_LOOKUP_FLAG,
  FIB_LOOKUP_FLAGS,
  LOCAL_STORAGE_FLAG,
  LOCAL_STORAGE_FLAGS,
  MAP_FLAG,
  MAP_FLAGS,
  PERF_EVENT_FLAG,
  PERF_EVENT_FLAGS,
  PROG_LOAD_FLAG,
  PROG_LOAD_FLAGS,
  REDIRECT_FLAG,
  REDIRECT_FLAGS,
  RINGBUF_FLAG,
  RINGBUF_FLAGS,
  RINGBUF_QUERIES,
  RINGBUF_QUERY,
  STACK_FLAG,
  STACK_FLAGS,
  TIMER_FLAG,
  TIMER_FLAGS,
  UPDATE_FLAG,
  UPDATE_FLAGS,
} from './flags';

export {
  TC_ACT,
  TC_ACTS,
  tcActName,
  tcActShortName,
  tcActValue,
  XDP_ACTION,
  XDP_ACTIONS,
  xdpActionName,
  xdpActionShortName,
  xdpActionValue,
} from './actions';
export type { TcActName, XdpActionName } from './actions';

export { ERRNO, ERRNOS, errnoName, errnoText, errnoValue } from './errno';
export type { ErrnoName } from './errno';
