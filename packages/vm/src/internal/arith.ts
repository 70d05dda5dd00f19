/**
 * 64-bit division and modulo on register halves (the interpreter's slow
 * path), with RFC 9669 semantics: `x / 0 = 0`, `x % 0 = x`, signed forms
 * truncate toward zero, `INT64_MIN / -1 = INT64_MIN`, `INT64_MIN % -1 = 0`.
 * Values that fit in 32 bits are done with numbers; the rest with bigint.
 */

/** Which operation `divmod64` performs. */
export const DIVMOD = { div: 0, sdiv: 1, mod: 2, smod: 3 } as const;

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function store(R: Int32Array, d: number, v: bigint): void {
  R[d] = Number(BigInt.asIntN(32, v));
  R[d + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** `R[d..d+1] = R[d..d+1] op R[s..s+1]` for op in `DIVMOD`. */
export function divmod64(R: Int32Array, d: number, s: number, op: number): void {
  const alo = R[d]!;
  const ahi = R[d + 1]!;
  const blo = R[s]!;
  const bhi = R[s + 1]!;
  if (op === DIVMOD.div || op === DIVMOD.mod) {
    if (ahi === 0 && bhi === 0) {
      const a = alo >>> 0;
      const b = blo >>> 0;
      R[d] = op === DIVMOD.div ? (b === 0 ? 0 : (a / b) >>> 0) : b === 0 ? a : a % b;
      R[d + 1] = 0;
      return;
    }
    const a = toBig(alo, ahi);
    const b = toBig(blo, bhi);
    if (op === DIVMOD.div) store(R, d, b === 0n ? 0n : a / b);
    else store(R, d, b === 0n ? a : a % b);
    return;
  }
  // Signed: both operands sign-extended 32-bit values?
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    if (blo === 0) {
      if (op === DIVMOD.sdiv) R[d] = R[d + 1] = 0;
      return;
    }
    // |quotient| <= 2^31, exact in a double; trunc toward zero as RFC 9669 says.
    const r = op === DIVMOD.sdiv ? Math.trunc(alo / blo) : alo % blo;
    R[d] = r | 0;
    R[d + 1] = r < 0 ? -1 : 0;
    return;
  }
  const a = BigInt.asIntN(64, toBig(alo, ahi));
  const b = BigInt.asIntN(64, toBig(blo, bhi));
  if (b === 0n) {
    if (op === DIVMOD.sdiv) store(R, d, 0n);
    return;
  }
  // bigint division truncates toward zero; INT64_MIN / -1 wraps back to INT64_MIN in `store`.
  store(R, d, op === DIVMOD.sdiv ? a / b : a % b);
}
