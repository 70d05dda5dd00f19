/**
 * The simulated kernel's BTF: every type the kernel has, built once from
 * the definitions of the `types-*.ts` files. CO-RE relocations of loaded
 * programs resolve against it, BTF-typed pointers (`PTR_TO_BTF_ID`) name
 * its types, and the toolchain prints it as `vmlinux.h`.
 */
import type { Btf } from '@bpflab/btf';
import { buildKernelBtf } from './build';
import type { KernelTypeDef } from './defs';
import { BOOL_ENUM, INT_TYPES, INTEGER_TYPEDEFS, KERNEL_TYPEDEFS } from './types-base';
import { BPF_TYPES } from './types-bpf';
import { FS_TYPES } from './types-fs';
import { NET_TYPES } from './types-net';
import { TASK_TYPES } from './types-task';
import { TRACE_TYPES } from './types-trace';

/** Every type of the simulated kernel, in id order (the first gets id 1), which is also `vmlinux.h`'s order. */
export const KERNEL_TYPES: readonly KernelTypeDef[] = [
  ...INT_TYPES,
  ...INTEGER_TYPEDEFS,
  BOOL_ENUM,
  ...KERNEL_TYPEDEFS,
  ...BPF_TYPES,
  ...TRACE_TYPES,
  ...TASK_TYPES,
  ...FS_TYPES,
  ...NET_TYPES,
];

let cached: Btf | undefined;

/**
 * The simulated kernel's BTF (its "vmlinux"), built on first use and shared
 * afterwards; the value is immutable.
 *
 * ```ts
 * const btf = kernelBtf();
 * btf.find('task_struct', 'struct')?.size;   // 3264
 * ```
 */
export function kernelBtf(): Btf {
  cached ??= buildKernelBtf(KERNEL_TYPES);
  return cached;
}
