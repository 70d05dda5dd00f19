/**
 * Disassembler to the bpf_conformance suite's syntax: the inverse of
 * `assembleConformance`, so that assembling what it prints gives back the
 * same instructions.
 *
 * Jumps and local calls print their relative offset in slots (`+2`, `-1`),
 * which the suite's syntax accepts wherever a label is; immediates print in
 * decimal, `lddw` values in hex. The ALU64 byte swap prints as `bswapN`, the
 * RFC 9669 name (`swapN` is the same instruction).
 */
import { assertNever, isReg, type Insn, type Operand, type Reg, type Size } from './insn';

const SIZE_SUFFIX: Readonly<Record<Size, string>> = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };

const r = (n: Reg): string => `%r${n}`;
const operand = (src: Operand): string => (isReg(src) ? r(src.reg) : String(src.imm));
const rel = (off: number): string => (off < 0 ? String(off) : `+${off}`);
const memRef = (base: Reg, off: number): string => (off === 0 ? `[${r(base)}]` : `[${r(base)}${rel(off)}]`);

/** One instruction in the bpf_conformance syntax, without a line break. */
export function formatConformanceInsn(insn: Insn): string {
  switch (insn.kind) {
    case 'alu':
      return `${insn.op}${insn.wide ? '' : '32'} ${r(insn.dst)}, ${operand(insn.src)}`;
    case 'neg':
      return `neg${insn.wide ? '' : '32'} ${r(insn.dst)}`;
    case 'movsx':
      return `movsx${insn.bits}${insn.wide ? 64 : 32} ${r(insn.dst)}, ${r(insn.src)}`;
    case 'endian':
      return `${insn.order === 'swap' ? 'bswap' : insn.order}${insn.bits} ${r(insn.dst)}`;
    case 'load':
      return `ldx${insn.signed ? 's' : ''}${SIZE_SUFFIX[insn.size]} ${r(insn.dst)}, ${memRef(insn.base, insn.off)}`;
    case 'store':
      return `st${isReg(insn.src) ? 'x' : ''}${SIZE_SUFFIX[insn.size]} ${memRef(insn.base, insn.off)}, ${operand(insn.src)}`;
    case 'atomic': {
      const fetch = insn.fetch && insn.op !== 'xchg' && insn.op !== 'cmpxchg' ? 'fetch ' : '';
      return `lock ${fetch}${insn.op}${insn.size === 4 ? '32' : ''} ${memRef(insn.base, insn.off)}, ${r(insn.src)}`;
    }
    case 'lddw': {
      const value = `0x${BigInt.asUintN(64, insn.value).toString(16)}`;
      return `lddw ${r(insn.dst)}, ${insn.pseudo === 'imm64' ? '' : `${insn.pseudo} `}${value}`;
    }
    case 'ld_abs':
      return `ldabs${SIZE_SUFFIX[insn.size]} ${insn.imm}`;
    case 'ld_ind':
      return `ldind${SIZE_SUFFIX[insn.size]} ${r(insn.src)}, ${insn.imm}`;
    case 'jump':
      return `${insn.op}${insn.wide ? '' : '32'} ${r(insn.dst)}, ${operand(insn.src)}, ${rel(insn.off)}`;
    case 'ja':
      return `ja${insn.long ? '32' : ''} ${rel(insn.off)}`;
    case 'call':
      return `call ${insn.helper}`;
    case 'call_local':
      return `call local ${rel(insn.off)}`;
    case 'call_kfunc':
      return `call runtime ${insn.btfId}${insn.module === 0 ? '' : `, ${insn.module}`}`;
    case 'callx':
      return `call ${r(insn.reg)}`;
    case 'exit':
      return 'exit';
    default:
      return assertNever(insn, 'instruction');
  }
}

/**
 * Prints a program in the bpf_conformance syntax, one instruction per line
 * (each line ends with a newline). `assembleConformance` of the result gives
 * back `insns`.
 */
export function disassembleConformance(insns: readonly Insn[]): string {
  return insns.map((insn) => `${formatConformanceInsn(insn)}\n`).join('');
}
