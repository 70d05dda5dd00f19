/**
 * @bpflab/btf: the BPF Type Format. Parse and write `.BTF` (every kind,
 * split BTF over a base), parse `.BTF.ext` (func info, line info, CO-RE
 * relocations), query the type graph (sizes, alignments, offsets, C type
 * names) and print it as bpftool does: the raw listing and a C header.
 *
 * ```ts
 * const btf = parseBtf(btfSectionBytes);
 * const ext = parseBtfExt(btfExtSectionBytes, btf);
 * btf.find('task_struct', 'struct');   // BtfStruct | undefined
 * btf.sizeof(id); btf.typeName(id);    // 16, 'struct flow_key *'
 * dumpC(btf);                          // vmlinux.h-style header
 * ```
 */
export { parseBtf, encodeBtf } from './codec';
export type { ParseBtfOptions, EncodeBtfOptions } from './codec';
export { createBtf, DEFAULT_CREATE_BTF_OPTIONS } from './btf';
export type { Btf, CreateBtfOptions } from './btf';
export { parseBtfExt, encodeBtfExt, CORE_RELO_KINDS } from './ext';
export type { BtfExt, BtfExtSection, CoreRelo, CoreReloKind, EncodedBtfWithExt, FuncInfo, LineInfo } from './ext';
export { dumpRaw } from './dump-raw';
export { dumpC, DEFAULT_DUMP_C_OPTIONS } from './dump-c';
export type { DumpCOptions } from './dump-c';
export { dumpBtfExt, describeCoreAccess } from './dump-ext';
export { BtfError } from './errors';
export type { BtfErrorCode } from './errors';
export type {
  BtfArray,
  BtfComposite,
  BtfConst,
  BtfDatasec,
  BtfDeclTag,
  BtfEnum,
  BtfEnum64,
  BtfEnum64Value,
  BtfEnumValue,
  BtfFloat,
  BtfFunc,
  BtfFuncProto,
  BtfFwd,
  BtfInt,
  BtfKind,
  BtfMember,
  BtfParam,
  BtfPtr,
  BtfRef,
  BtfRestrict,
  BtfStruct,
  BtfType,
  BtfTypedef,
  BtfTypeInput,
  BtfTypeOf,
  BtfTypeTag,
  BtfUnion,
  BtfVar,
  BtfVarSecinfo,
  BtfVoid,
  BtfVolatile,
  IntEncoding,
  Linkage,
  TypeId,
} from './types';
export {
  applyCoreRelocation,
  coreEssentialName,
  CORE_POISON_HELPER_ID,
  DEFAULT_RESOLVE_CORE_OPTIONS,
  findCoreCandidates,
  resolveCoreRelocation,
} from './core';
export type {
  CoreErrorCode,
  CoreFailure,
  CorePatch,
  CorePoisoned,
  CorePoisonInsn,
  CoreRelocationRef,
  CoreRelocationResult,
  CoreResolved,
  ResolveCoreOptions,
} from './core';
