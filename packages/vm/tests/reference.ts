/**
 * A deliberately naive bigint model of RFC 9669 arithmetic, written from the
 * RFC's text, that the property tests hold the interpreter's 32-bit-halves
 * arithmetic against.
 */
import type { AluOp, JumpOp } from '@bpflab/isa';

export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
export const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
export const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

/** `dst op src` of `BPF_ALU64` (wide) or `BPF_ALU`; operands and result unsigned 64-bit. */
export function aluRef(op: AluOp, wide: boolean, dst: bigint, src: bigint): bigint {
  if (wide) {
    switch (op) {
      case 'add':
        return u64(dst + src);
      case 'sub':
        return u64(dst - src);
      case 'mul':
        return u64(dst * src);
      case 'div':
        return src === 0n ? 0n : dst / src;
      case 'sdiv':
        return src === 0n ? 0n : u64(s64(dst) / s64(src));
      case 'mod':
        return src === 0n ? dst : dst % src;
      case 'smod':
        return src === 0n ? dst : u64(s64(dst) % s64(src));
      case 'or':
        return dst | src;
      case 'and':
        return dst & src;
      case 'xor':
        return dst ^ src;
      case 'lsh':
        return u64(dst << (src & 63n));
      case 'rsh':
        return dst >> (src & 63n);
      case 'arsh':
        return u64(s64(dst) >> (src & 63n));
      case 'mov':
        return src;
    }
  }
  const a = u32(dst);
  const b = u32(src);
  switch (op) {
    case 'add':
      return u32(a + b);
    case 'sub':
      return u32(a - b);
    case 'mul':
      return u32(a * b);
    case 'div':
      return b === 0n ? 0n : a / b;
    case 'sdiv':
      return b === 0n ? 0n : u32(s32(a) / s32(b));
    case 'mod':
      return b === 0n ? a : a % b;
    case 'smod':
      return b === 0n ? a : u32(s32(a) % s32(b));
    case 'or':
      return a | b;
    case 'and':
      return a & b;
    case 'xor':
      return a ^ b;
    case 'lsh':
      return u32(a << (b & 31n));
    case 'rsh':
      return a >> (b & 31n);
    case 'arsh':
      return u32(s32(a) >> (b & 31n));
    case 'mov':
      return b;
  }
}

/** Whether a conditional jump is taken. */
export function jumpRef(op: JumpOp, wide: boolean, dst: bigint, src: bigint): boolean {
  const [a, b] = wide ? [dst, src] : [u32(dst), u32(src)];
  const [sa, sb] = wide ? [s64(a), s64(b)] : [s32(a), s32(b)];
  switch (op) {
    case 'jeq':
      return a === b;
    case 'jne':
      return a !== b;
    case 'jgt':
      return a > b;
    case 'jge':
      return a >= b;
    case 'jlt':
      return a < b;
    case 'jle':
      return a <= b;
    case 'jset':
      return (a & b) !== 0n;
    case 'jsgt':
      return sa > sb;
    case 'jsge':
      return sa >= sb;
    case 'jslt':
      return sa < sb;
    case 'jsle':
      return sa <= sb;
  }
}

/** Byte swap of the low `bits` bits (result zero-extended). */
export function bswapRef(x: bigint, bits: 16 | 32 | 64): bigint {
  let v = BigInt.asUintN(bits, x);
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) {
    out = (out << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return out;
}
