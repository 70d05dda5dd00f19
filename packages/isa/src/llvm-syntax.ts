/**
 * Spellings shared by the LLVM-syntax assembler and disassembler: the
 * operator of each ALU and jump operation, and the C type of each access
 * size, as LLVM's BPF backend writes them (`r1 s>>= 3`, `if w1 s< 5`,
 * `*(u16 *)(r1 + 2)`).
 */
import type { AluOp, AtomicOp, JumpOp, Size } from './insn';

/** Compound-assignment operator of each ALU operation (`mov` is plain `=`). */
export const LLVM_ALU_OPERATOR: Readonly<Record<AluOp, string>> = {
  add: '+=',
  sub: '-=',
  mul: '*=',
  div: '/=',
  sdiv: 's/=',
  or: '|=',
  and: '&=',
  lsh: '<<=',
  rsh: '>>=',
  mod: '%=',
  smod: 's%=',
  xor: '^=',
  mov: '=',
  arsh: 's>>=',
};

/** Comparison operator of each conditional jump. */
export const LLVM_JUMP_OPERATOR: Readonly<Record<JumpOp, string>> = {
  jeq: '==',
  jgt: '>',
  jge: '>=',
  jset: '&',
  jne: '!=',
  jsgt: 's>',
  jsge: 's>=',
  jlt: '<',
  jle: '<=',
  jslt: 's<',
  jsle: 's<=',
};

/** Operator of the non-fetching `lock` atomics (`lock *(u64 *)(r10 - 8) += r1`). */
export const LLVM_LOCK_OPERATOR: Readonly<Record<'add' | 'or' | 'and' | 'xor', string>> = {
  add: '+=',
  or: '|=',
  and: '&=',
  xor: '^=',
};

/** Atomic operations written as `lock ... op= reg` when they do not fetch. */
export function isLockOp(op: AtomicOp): op is 'add' | 'or' | 'and' | 'xor' {
  return op === 'add' || op === 'or' || op === 'and' || op === 'xor';
}

/** The unsigned C type of an access size: `u8`, `u16`, `u32`, `u64`. */
export function unsignedType(size: Size): string {
  return `u${size * 8}`;
}

/** The signed C type of an access size: `s8`, `s16`, `s32`, `s64`. */
export function signedType(size: Size): string {
  return `s${size * 8}`;
}
