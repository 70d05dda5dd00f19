// The simulated kernel's own BTF ("vmlinux"): its types as data, the built
// type graph, struct layouts for laying kernel objects out in memory, and
// the reference kernel those layouts follow.
export { kernelBtf, KERNEL_TYPES } from './kernel-btf';
export { kernelOffsetOf, kernelStruct } from './layout';
export type { KernelField, KernelStructLayout } from './layout';
export { KERNEL_BTF_DEVIATIONS, KERNEL_BTF_REFERENCE } from './reference';
export type { KernelBtfDeviation, KernelBtfReference } from './reference';
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
  KernelTypeDef,
  LayoutAbi,
  MemberDef,
  TypedefDef,
  TypeRef,
} from './defs';
