/**
 * The reference the interpreter benchmark is measured against, in the same
 * run: each bench program written directly in JavaScript, computing the same
 * r0 with the same 64-bit semantics, so that V8 compiles it to machine code.
 * "interpreter ns per BPF instruction / native ns per BPF instruction" is the
 * cost of interpreting.
 */

const TWO32 = 2 ** 32;

/** count.asm: r0 += 3 while r1 counts 1,000,000 down. */
export function countNative(): bigint {
  let r0 = 0;
  for (let r1 = 1_000_000; r1 !== 0; r1--) r0 += 3;
  return BigInt(r0);
}

/** mix.asm: a 64-bit LCG folded into r1 through the stack (64-bit multiply on 16-bit limbs). */
export function mixNative(): bigint {
  const c = 0x5851f42d;
  const c0 = c & 0xffff;
  const c1 = c >>> 16;
  let lo = 1;
  let hi = 0;
  let r1 = 0;
  for (let r6 = 250_000; r6 !== 0; r6--) {
    // (hi:lo) * c, low 64 bits: the high half of lo * c from 16-bit limbs.
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const m01 = a0 * c1;
    const m10 = a1 * c0;
    const mid = ((a0 * c0) >>> 16) + (m01 & 0xffff) + (m10 & 0xffff);
    const carry = a1 * c1 + (m01 >>> 16) + (m10 >>> 16) + (mid >>> 16);
    hi = (Math.imul(hi, c) + carry) >>> 0;
    lo = (Math.imul(lo, c) >>> 0) + 12345;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi = (hi + 1) >>> 0;
    }
    r1 = (r1 ^ (hi >>> 1)) >>> 0;
    r1 = (r1 << 1) & 0xffffff;
  }
  return BigInt(r1);
}

function scramble(r1: number): number {
  return ((r1 * 3) ^ 0x5a) >>> 0;
}

/** call.asm: one function call per iteration. */
export function callNative(): bigint {
  let r6 = 0;
  for (let r7 = 300_000; r7 !== 0; r7--) r6 += scramble(r7);
  return BigInt(r6);
}
