// @bpflab/hooks-lsm: the LSM hook plugin — lsm/ and lsm.s/ programs, a
// simulated filesystem with its kernel objects, file-operation steps that
// run the hook chain, and CO-RE relocation against the kernel's BTF. The
// package's only door.
export { createLsmHook, DEFAULT_LSM_HOOK_OPTIONS, formatFileOp, lsmContextLayout, lsmHook } from './plugin';
export type { LsmHookOptions } from './plugin';
export {
  findLsmHook,
  LSM_HOOK_NAMES,
  LSM_HOOKS,
  lsmAttachFunction,
  lsmContextSize,
  lsmHookName,
  lsmReturnRange,
  MAX_ERRNO,
  requireLsmHook,
} from './hooks';
export type { LsmHookArg, LsmHookDef, LsmReturnKind } from './hooks';
export { BPF_MAX_TRAMP_LINKS, callLsmHook, checkLsmAttach, programName } from './chain';
export type { LsmCallOptions, LsmHookCall } from './chain';
export { fileInfoObservation, formatHookCall, modeText, runFileOp } from './operations';
export type { Denial, FileOpObservation } from './operations';
export { NSIG, parseFileOpStep, parseFileOpSteps, parseFileSetupStep, SIGNALS } from './steps';
export type { FileAccess, FileOp, FileOpStep, FileSetupStep, MmapProt } from './steps';
export {
  DEFAULT_FILES,
  DEFAULT_FILESYSTEM_OPTIONS,
  FsNode,
  NAME_MAX,
  parseMode,
  PATH_MAX,
  SimFilesystem,
} from './filesystem';
export type { FileInfo, FileSpec, FilesystemOptions, FileType, FsCredentials, Lookup, ParentLookup } from './filesystem';
export { LsmState } from './state';
export type { OpenFile, OpTally } from './state';
export {
  allocSiginfo,
  allocString,
  allocStruct,
  BINPRM_BUF_SIZE,
  copyCred,
  FMODE,
  KERNEL_SIGINFO,
  MAP,
  MAY,
  O_FLAG,
  PROT,
  readField,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  SI_USER,
  writeFieldBytes,
  writeFields,
} from './kernel-objects';
export type { FieldValue } from './kernel-objects';
export { LsmError } from './errors';
export type { LsmErrorCode, LsmErrorDetails } from './errors';
