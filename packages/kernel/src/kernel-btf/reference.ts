/**
 * Where the simulated kernel's layouts come from, and where they knowingly
 * differ from it. A test compares every struct, field, typedef, enumerator
 * and function with the BTF of the running kernel (`/sys/kernel/btf/vmlinux`)
 * and accepts exactly the differences listed here.
 */

/** The Linux build whose BTF the simulated kernel's types were taken from. */
export interface KernelBtfReference {
  /** `uname -r` of the reference kernel. */
  readonly release: string;
  /** Kernel version, major.minor. */
  readonly version: string;
  readonly arch: 'x86-64';
}

/**
 * The reference kernel. Layouts marked `'stable'` (UAPI, tracepoint records,
 * `pt_regs`) are the same on every kernel; `'internal'` ones (`task_struct`,
 * `file`, ...) are this build's and differ between versions and
 * configurations, which is what CO-RE is for.
 */
export const KERNEL_BTF_REFERENCE: KernelBtfReference = {
  release: '6.18.44-fc-v669',
  version: '6.18',
  arch: 'x86-64',
};

/** One deliberate difference between the simulated kernel's BTF and the reference kernel's. */
export interface KernelBtfDeviation {
  /** The struct, union, typedef, enumerator or function concerned. */
  readonly type: string;
  /** The member, for a difference in one field. */
  readonly field?: string;
  /**
   * `'absent'`: the reference kernel's BTF has no such type or field;
   * `'type'`: the field has another type there.
   */
  readonly kind: 'absent' | 'type';
  /** Why bpflab differs. */
  readonly reason: string;
}

/** Every deliberate difference from the reference kernel. */
export const KERNEL_BTF_DEVIATIONS: readonly KernelBtfDeviation[] = [
  {
    type: 'bpf_lpm_trie_key',
    kind: 'absent',
    reason:
      'UAPI struct deprecated in Linux 6.8 and no longer used inside the kernel, so its BTF lacks it; ' +
      'course material still declares LPM keys with it',
  },
];
