/**
 * The maps package's one error class.
 *
 * A map definition the kernel would refuse (`bpf(BPF_MAP_CREATE)` failing)
 * throws `MapError` with the errno the kernel returns. Everything a student's
 * program or user-space code can get wrong *while using* a map (a missing
 * key, a full map, bad flags) is a result, never an exception: program-side
 * operations return negative errno numbers, user-side ones `MapResult`s.
 */

/** Stable codes of the maps package's errors. */
export type MapErrorCode =
  /** the kernel refuses the definition (`errno` says how: EINVAL, E2BIG, EBADF, ENOTSUPP...) */
  | 'invalid-def'
  /**
   * a map type the kernel has and bpflab does not model (`errno` is EINVAL,
   * what a kernel without it returns), or a feature of a modelled one (a
   * program in a devmap entry: EOPNOTSUPP)
   */
  | 'unsupported'
  /** the address space cannot hold the map's storage (`errno` is ENOMEM) */
  | 'no-memory'
  /**
   * the API was used wrongly: a key or value buffer of the wrong length, a
   * CPU number out of range, a destroyed map, a program-side operation the
   * verifier never allows on this map type, an unknown ring buffer record
   */
  | 'bad-call';

/**
 * The maps package's error. `errno` is the positive errno the kernel's
 * `BPF_MAP_CREATE` would fail with, for codes other than `bad-call`.
 */
export class MapError extends Error {
  override readonly name = 'MapError';

  constructor(
    readonly code: MapErrorCode,
    message: string,
    readonly errno?: number,
  ) {
    super(message);
  }
}
