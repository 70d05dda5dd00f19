/**
 * Results of user-space map operations: what `bpf()` returns, with a
 * message saying why in words a student can act on.
 */

/**
 * The outcome of a user-space map operation. A failure carries the positive
 * errno the `bpf()` syscall reports (`ERRNO.ENOENT`; libbpf returns it
 * negated) and a message.
 */
export type MapResult<T = undefined> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errno: number; readonly message: string };

/**
 * The outcome of `lookupBatch` / `lookupAndDeleteBatch`. As in the kernel a
 * batch can deliver elements *and* an error: `errno` ENOENT with a non-zero
 * `count` means "these were the last ones".
 */
export interface BatchLookupResult {
  /** 0, or the positive errno the syscall returns (ENOENT: the walk reached the end) */
  readonly errno: number;
  /** why, when `errno` is not 0 (else empty) */
  readonly message: string;
  /** elements delivered (the kernel's `count` on return) */
  readonly count: number;
  readonly keys: readonly Uint8Array[];
  /** in the user-space value format (all CPUs' values for per-CPU maps, ids for fd maps) */
  readonly values: readonly Uint8Array[];
  /**
   * where to continue (the kernel's `out_batch`), to pass as `inBatch`; the
   * kernel leaves it unwritten (undefined here) when nothing was delivered
   * by a key-ordered batch or when it fails early
   */
  readonly outBatch: Uint8Array | undefined;
}

/** The outcome of `updateBatch` / `deleteBatch`. */
export interface BatchWriteResult {
  /** 0, or the positive errno of the first element that failed */
  readonly errno: number;
  /** why, when `errno` is not 0 (else empty) */
  readonly message: string;
  /** elements updated or deleted before the first failure */
  readonly count: number;
}

/** Where a batch starts and how much it may take. */
export interface BatchOptions {
  /**
   * the `outBatch` of the previous call, or null/absent to start: a key for
   * array and LPM maps, a 4-byte bucket index for hash maps
   */
  readonly inBatch?: Uint8Array | null;
  /** the most elements to deliver (the kernel's `count` on entry) */
  readonly count: number;
  /** `elem_flags`: only `BPF_F_LOCK` exists, and bpflab refuses it (no `bpf_spin_lock`) */
  readonly elemFlags?: number;
}
