/**
 * The helpers of the bpf_conformance harness, by id:
 *
 * | id | name           | does                                                                |
 * |----|----------------|---------------------------------------------------------------------|
 * | 0  | `gather_bytes` | `(a&0xff)<<32 \| (b&0xff)<<24 \| (c&0xff)<<16 \| (d&0xff)<<8 \| (e&0xff)` |
 * | 1  | `memfrob`      | xors `len` bytes at `ptr` with 42, returns 0                         |
 * | 2  | `no_op`        | returns 0                                                           |
 * | 3  | `sqrti`        | floor(sqrt(a)) of the unsigned 64-bit `a`                           |
 * | 4  | `strcmp_ext`   | compares two NUL-terminated strings: <0, 0 or >0                    |
 * | 5  | `unwind`       | returns `a`; when that is 0 the program stops at once with r0 = 0   |
 */
import { defineFastHelper, defineHelper, type Helper } from './helpers';

function isqrt(a: bigint): bigint {
  if (a < 2n) return a;
  let x = BigInt(Math.floor(Math.sqrt(Number(a))));
  while (x * x > a) x--;
  while ((x + 1n) * (x + 1n) <= a) x++;
  return x;
}

/** Helpers 0-5 of the conformance harness contract. */
export const conformanceHelpers: ReadonlyMap<number, Helper> = new Map<number, Helper>([
  [
    0,
    defineFastHelper('gather_bytes', (ctx) => {
      const lo =
        (((ctx.argLo(2) & 0xff) << 24) | ((ctx.argLo(3) & 0xff) << 16) | ((ctx.argLo(4) & 0xff) << 8) | (ctx.argLo(5) & 0xff)) >>>
        0;
      return (ctx.argLo(1) & 0xff) * 2 ** 32 + lo;
    }),
  ],
  [
    1,
    defineFastHelper('memfrob', (ctx) => {
      const ptr = ctx.argNumber(1);
      const len = ctx.argNumber(2);
      const bytes = ctx.memory.readBytes(ptr, len);
      for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 42;
      ctx.memory.writeBytes(ptr, bytes);
      return 0;
    }),
  ],
  [2, defineFastHelper('no_op', () => 0)],
  [3, defineHelper('sqrti', (_ctx, a) => isqrt(a))],
  [
    4,
    defineFastHelper('strcmp_ext', (ctx) => {
      const a = ctx.argNumber(1);
      const b = ctx.argNumber(2);
      const sa = ctx.memory.readBytes(a, ctx.memory.cStringLength(a) + 1);
      const sb = ctx.memory.readBytes(b, ctx.memory.cStringLength(b) + 1);
      for (let i = 0; ; i++) {
        const x = sa[i] ?? 0;
        const y = sb[i] ?? 0;
        if (x !== y || x === 0) return x - y;
      }
    }),
  ],
  [
    5,
    defineHelper('unwind', (ctx, a) => {
      if (a === 0n) ctx.stop();
      return a;
    }),
  ],
]);
