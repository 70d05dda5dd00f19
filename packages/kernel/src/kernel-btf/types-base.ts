/**
 * Base types: the integers under their BTF names, the `<linux/types.h>` and
 * kernel typedefs built on them (each through the same chain as in Linux:
 * `pid_t` → `__kernel_pid_t` → `int`), and the small structs other types
 * embed (`kuid_t`, `atomic_t`, `struct list_head`).
 */
import { anonStruct, enumeration, int, struct, typedef, type KernelTypeDef } from './defs';

/** Base integer types, named as the kernel's BTF names them (`long unsigned int`, not `unsigned long`). */
export const INT_TYPES: readonly KernelTypeDef[] = [
  int('char', 1),
  int('signed char', 1, 'signed'),
  int('unsigned char', 1),
  int('short int', 2, 'signed'),
  int('short unsigned int', 2),
  int('int', 4, 'signed'),
  int('unsigned int', 4),
  int('long int', 8, 'signed'),
  int('long unsigned int', 8),
  int('long long int', 8, 'signed'),
  int('long long unsigned int', 8),
  int('_Bool', 1, 'bool'),
];

/** The fixed-width types of `<asm-generic/int-ll64.h>`, the kernel's short forms, and the endian and checksum types. */
export const INTEGER_TYPEDEFS: readonly KernelTypeDef[] = [
  typedef('__s8', 'signed char'),
  typedef('__u8', 'unsigned char'),
  typedef('__s16', 'short int'),
  typedef('__u16', 'short unsigned int'),
  typedef('__s32', 'int'),
  typedef('__u32', 'unsigned int'),
  typedef('__s64', 'long long int'),
  typedef('__u64', 'long long unsigned int'),
  typedef('s8', '__s8'),
  typedef('u8', '__u8'),
  typedef('s16', '__s16'),
  typedef('u16', '__u16'),
  typedef('s32', '__s32'),
  typedef('u32', '__u32'),
  typedef('s64', '__s64'),
  typedef('u64', '__u64'),
  typedef('__le16', '__u16'),
  typedef('__be16', '__u16'),
  typedef('__le32', '__u32'),
  typedef('__be32', '__u32'),
  typedef('__le64', '__u64'),
  typedef('__be64', '__u64'),
  typedef('__sum16', '__u16'),
  typedef('__wsum', '__u32'),
  typedef('bool', '_Bool'),
];

/** `false` and `true`, an anonymous enum in the kernel's BTF (from `<linux/stddef.h>`). */
export const BOOL_ENUM: KernelTypeDef = enumeration('', [
  ['false', 0],
  ['true', 1],
]);

/** Process, file and size types of `<linux/types.h>` and `<uapi/asm-generic/posix_types.h>`. */
export const KERNEL_TYPEDEFS: readonly KernelTypeDef[] = [
  typedef('__kernel_long_t', 'long int'),
  typedef('__kernel_ulong_t', 'long unsigned int'),
  typedef('__kernel_pid_t', 'int'),
  typedef('__kernel_uid32_t', 'unsigned int'),
  typedef('__kernel_gid32_t', 'unsigned int'),
  typedef('__kernel_size_t', '__kernel_ulong_t'),
  typedef('__kernel_ssize_t', '__kernel_long_t'),
  typedef('__kernel_loff_t', 'long long int'),
  typedef('__kernel_dev_t', 'u32'),
  typedef('pid_t', '__kernel_pid_t'),
  typedef('uid_t', '__kernel_uid32_t'),
  typedef('gid_t', '__kernel_gid32_t'),
  typedef('size_t', '__kernel_size_t'),
  typedef('ssize_t', '__kernel_ssize_t'),
  typedef('loff_t', '__kernel_loff_t'),
  typedef('dev_t', '__kernel_dev_t'),
  typedef('umode_t', 'short unsigned int'),
  typedef('fmode_t', 'unsigned int'),
  typedef('time64_t', '__s64'),
  typedef('blkcnt_t', 'u64'),
  /** A user id as the kernel keeps it: wrapped in a struct so it is not mixed up with a plain `uid_t`. */
  typedef('kuid_t', anonStruct(4, [['val', 'uid_t', 0]])),
  typedef('kgid_t', anonStruct(4, [['val', 'gid_t', 0]])),
  typedef('atomic_t', anonStruct(4, [['counter', 'int', 0]])),
  typedef('atomic64_t', anonStruct(8, [['counter', 's64', 0]])),
  typedef('atomic_long_t', 'atomic64_t'),
  struct('refcount_struct', 4, 'internal', [['refs', 'atomic_t', 0]]),
  typedef('refcount_t', 'struct refcount_struct'),
  /** A capability set (64 bits since Linux 6.3). */
  typedef('kernel_cap_t', anonStruct(8, [['val', 'u64', 0]])),
  /** The doubly linked list node the kernel threads its lists through. */
  struct('list_head', 16, 'internal', [
    ['next', 'struct list_head *', 0],
    ['prev', 'struct list_head *', 8],
  ]),
];
