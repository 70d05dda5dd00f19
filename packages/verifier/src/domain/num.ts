/**
 * Fixed-width integer helpers over `bigint`: the verifier reasons about
 * 64-bit and 32-bit machine values, signed and unsigned, and every bound it
 * keeps is one of these.
 */

/** 2^64 - 1 (`U64_MAX`) */
export const U64_MAX = (1n << 64n) - 1n;
/** -2^63 (`S64_MIN`) */
export const S64_MIN = -(1n << 63n);
/** 2^63 - 1 (`S64_MAX`) */
export const S64_MAX = (1n << 63n) - 1n;
/** 2^32 - 1 (`U32_MAX`) */
export const U32_MAX = (1n << 32n) - 1n;
/** -2^31 (`S32_MIN`) */
export const S32_MIN = -(1n << 31n);
/** 2^31 - 1 (`S32_MAX`) */
export const S32_MAX = (1n << 31n) - 1n;

/** The value as an unsigned 64-bit integer. */
export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
/** The value as a signed 64-bit integer. */
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
/** The low 32 bits, unsigned. */
export const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
/** The low 32 bits, signed. */
export const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

/** The smaller of two bigints. */
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
/** The larger of two bigints. */
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** True when `x` is inside the signed 64-bit range. */
export const inS64 = (x: bigint): boolean => x >= S64_MIN && x <= S64_MAX;
/** True when `x` is inside the unsigned 64-bit range. */
export const inU64 = (x: bigint): boolean => x >= 0n && x <= U64_MAX;
/** True when `x` is inside the signed 32-bit range. */
export const inS32 = (x: bigint): boolean => x >= S32_MIN && x <= S32_MAX;
/** True when `x` is inside the unsigned 32-bit range. */
export const inU32 = (x: bigint): boolean => x >= 0n && x <= U32_MAX;

/**
 * How the kernel log prints a signed number: decimal while it fits in a
 * signed 16-bit value, else `%#llx` of its 64-bit pattern.
 */
export function fmtSnum(x: bigint): string {
  const v = s64(x);
  if (v >= -32768n && v <= 32767n) return v.toString();
  return hex(u64(v));
}

/** How the kernel log prints an unsigned number: decimal up to 0xffff, else `%#llx`. */
export function fmtUnum(x: bigint): string {
  const v = u64(x);
  return v <= 0xffffn ? v.toString() : hex(v);
}

/** `%#llx`: `0x`-prefixed lowercase hex, and plain `0` for zero as C prints it. */
export function hex(x: bigint): string {
  return x === 0n ? '0' : `0x${x.toString(16)}`;
}
