/**
 * Kernel objects the LSM hooks pass to programs, laid out in the address
 * space with the offsets of the kernel's own BTF (`kernelStruct`), so that
 * a program reads them directly (`file->f_inode`), with
 * `bpf_probe_read_kernel`, or through `BPF_CORE_READ` exactly as it would
 * read Linux's.
 *
 * ```
 *  struct file ──f_path.dentry──► struct dentry ──d_name.name──► "passwd\0"
 *      │  └─f_path.mnt──► struct vfsmount      │ └─d_parent──► dentry of /etc
 *      ├─f_inode──────────────────────────────►└─d_inode──► struct inode
 *      └─f_cred──► struct cred (the opener's)          (i_mode, i_uid, i_ino, ...)
 * ```
 *
 * Every object is a read-only `kernel` region: programs read, never write.
 */
import { kernelStruct, type KernelStructLayout } from '@bpflab/kernel';
import type { AddressSpace, Region } from '@bpflab/vm';

/** `S_IFMT`: the file-type bits of `i_mode`. */
export const S_IFMT = 0o170000;
/** `S_IFREG`: a regular file. */
export const S_IFREG = 0o100000;
/** `S_IFDIR`: a directory. */
export const S_IFDIR = 0o040000;

/** `MAY_*` bits of a permission mask (`file_permission`'s `mask`). */
export const MAY = Object.freeze({ EXEC: 0x1, WRITE: 0x2, READ: 0x4, APPEND: 0x8, ACCESS: 0x10, OPEN: 0x20 });

/** `FMODE_*` bits of `file->f_mode` that bpflab sets. */
export const FMODE = Object.freeze({ READ: 0x1, WRITE: 0x2, LSEEK: 0x4, PREAD: 0x8, PWRITE: 0x10, EXEC: 0x20 });

/** `O_*` open flags (x86-64) that bpflab sets in `file->f_flags`. */
export const O_FLAG = Object.freeze({ RDONLY: 0, WRONLY: 0o1, RDWR: 0o2, LARGEFILE: 0o100000, FMODE_EXEC: 0o40 });

/** `PROT_*` bits of `mmap_file`'s `reqprot` and `prot`. */
export const PROT = Object.freeze({ READ: 0x1, WRITE: 0x2, EXEC: 0x4 });

/** `MAP_*` bits of `mmap_file`'s `flags`. */
export const MAP = Object.freeze({ SHARED: 0x1, PRIVATE: 0x2 });

/** `SI_USER`: `si_code` of a signal sent by `kill(2)`. */
export const SI_USER = 0;

/** `BINPRM_BUF_SIZE`: the bytes of the program file the kernel reads into `bprm->buf`. */
export const BINPRM_BUF_SIZE = 256;

/**
 * `struct kernel_siginfo` of x86-64: `si_signo`, `si_errno`, `si_code`,
 * then the `_sifields` union at 16 whose `_kill` member holds the sender's
 * pid and uid. (The kernel's BTF in bpflab does not describe this struct
 * yet, so its layout is written down here.)
 */
export const KERNEL_SIGINFO = Object.freeze({ size: 48, si_signo: 0, si_errno: 4, si_code: 8, _pid: 16, _uid: 20 });

/** A value for one field: a number or bigint, written with the field's width. */
export type FieldValue = number | bigint;

/** Allocates a read-only kernel region holding a NUL-terminated string. */
export function allocString(memory: AddressSpace, name: string, text: string): Region {
  const bytes = new TextEncoder().encode(text);
  const init = new Uint8Array(bytes.length + 1);
  init.set(bytes);
  return memory.allocate({ name, kind: 'kernel', size: init.length, writable: false, align: 1, init });
}

/** Allocates a zeroed, read-only kernel region the size of `struct <name>`. */
export function allocStruct(memory: AddressSpace, struct: string, name: string): Region {
  const layout = kernelStruct(struct);
  return memory.allocate({ name, kind: 'kernel', size: layout.size, writable: false, align: layout.align });
}

/**
 * Writes fields of `struct <struct>` at `address`, each with its own width
 * (`{ i_mode: 0o100644, 'i_uid': 1000, d_inode: 0x12340n }`).
 */
export function writeFields(memory: AddressSpace, address: number, struct: string, values: Readonly<Record<string, FieldValue>>): void {
  const layout = kernelStruct(struct);
  for (const [path, value] of Object.entries(values)) writeField(memory, address, layout, path, value);
}

function writeField(memory: AddressSpace, address: number, layout: KernelStructLayout, path: string, value: FieldValue): void {
  const f = layout.field(path);
  const at = address + layout.offsetOf(path);
  const v = memory.view();
  const big = BigInt(value);
  switch (f.size) {
    case 1:
      v.setUint8(at, Number(BigInt.asUintN(8, big)));
      return;
    case 2:
      v.setUint16(at, Number(BigInt.asUintN(16, big)), true);
      return;
    case 4:
      v.setUint32(at, Number(BigInt.asUintN(32, big)), true);
      return;
    case 8:
      v.setBigUint64(at, BigInt.asUintN(64, big), true);
      return;
    default:
      throw new RangeError(`struct ${layout.name}: field '${path}' has ${f.size} bytes: write it as bytes`);
  }
}

/** Writes bytes into a field (an array such as `linux_binprm.buf`), cut to the field's size. */
export function writeFieldBytes(memory: AddressSpace, address: number, struct: string, path: string, bytes: Uint8Array): void {
  const layout = kernelStruct(struct);
  const size = layout.sizeOf(path);
  memory.bytes().set(bytes.subarray(0, size), address + layout.offsetOf(path));
}

/** Reads an unsigned field of `struct <struct>` at `address` (for tests and observations). */
export function readField(memory: AddressSpace, address: number, struct: string, path: string): bigint {
  const layout = kernelStruct(struct);
  const at = address + layout.offsetOf(path);
  const v = memory.view();
  switch (layout.sizeOf(path)) {
    case 1:
      return BigInt(v.getUint8(at));
    case 2:
      return BigInt(v.getUint16(at, true));
    case 4:
      return BigInt(v.getUint32(at, true));
    case 8:
      return v.getBigUint64(at, true);
    default:
      throw new RangeError(`struct ${struct}: field '${path}' is not an integer or a pointer`);
  }
}

/** Copies a `struct cred` (what `prepare_exec_creds` does for `bprm->cred`) into a new region. */
export function copyCred(memory: AddressSpace, from: number, name: string): Region {
  const size = kernelStruct('cred').size;
  const region = allocStruct(memory, 'cred', name);
  memory.bytes().copyWithin(region.start, from, from + size);
  memory.view().setBigInt64(region.start + kernelStruct('cred').offsetOf('usage'), 1n, true);
  return region;
}

/** Allocates a `struct kernel_siginfo` for a signal sent by `kill(2)`. */
export function allocSiginfo(memory: AddressSpace, sig: number, senderTgid: number, senderUid: number): Region {
  const region = memory.allocate({ name: `kernel_siginfo:${sig}`, kind: 'kernel', size: KERNEL_SIGINFO.size, writable: false });
  const v = memory.view();
  v.setInt32(region.start + KERNEL_SIGINFO.si_signo, sig, true);
  v.setInt32(region.start + KERNEL_SIGINFO.si_errno, 0, true);
  v.setInt32(region.start + KERNEL_SIGINFO.si_code, SI_USER, true);
  v.setInt32(region.start + KERNEL_SIGINFO._pid, senderTgid, true);
  v.setUint32(region.start + KERNEL_SIGINFO._uid, senderUid, true);
  return region;
}
