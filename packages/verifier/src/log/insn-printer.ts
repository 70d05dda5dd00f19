/**
 * Instructions as the kernel's verifier log prints them (its own syntax,
 * not llvm-objdump's): `0: (b7) r0 = 2`, `6: (85) call bpf_map_lookup_elem#1`,
 * `7: (15) if r0 == 0x0 goto pc+1`, `3: (79) r1 = *(u64 *)(r10 -8)`.
 */
import { assertNever, encodeOne, isReg, LLVM_ALU_OPERATOR, LLVM_JUMP_OPERATOR, signedType, unsignedType, type Insn } from '@bpflab/isa';
import { helperName } from '@bpflab/uapi';
import { hex } from '../domain/num';

// The kernel's printer spells operators and access types as LLVM's does.
const ALU_OP = LLVM_ALU_OPERATOR;
const JMP_OP = LLVM_JUMP_OPERATOR;

/** `%+d` */
const signed = (n: number): string => (n >= 0 ? `+${n}` : `${n}`);

const OPCODES = new WeakMap<Insn, number>();

/** The opcode byte of an instruction. */
export function opcodeOf(insn: Insn): number {
  let c = OPCODES.get(insn);
  if (c === undefined) {
    c = encodeOne(insn)[0] as number;
    OPCODES.set(insn, c);
  }
  return c;
}

/** Options of {@link formatKernelInsn}. */
export interface KernelInsnOptions {
  /**
   * The value printed for an `lddw` that loads a map (the kernel prints the
   * map's kernel address when pointer leaks are allowed, 0 otherwise).
   */
  readonly mapAddress?: (insn: Insn & { kind: 'lddw' }) => bigint;
}

/**
 * One instruction in the kernel log's syntax, without the `N: ` prefix:
 * `(b7) r0 = 2`.
 */
export function formatKernelInsn(insn: Insn, options: KernelInsnOptions = {}): string {
  const code = opcodeOf(insn).toString(16).padStart(2, '0');
  return `(${code}) ${body(insn, options)}`;
}

function body(insn: Insn, options: KernelInsnOptions): string {
  switch (insn.kind) {
    case 'alu': {
      const c = insn.wide ? 'r' : 'w';
      const op = ALU_OP[insn.op];
      if (isReg(insn.src)) return `${c}${insn.dst} ${op} ${c}${insn.src.reg}`;
      return `${c}${insn.dst} ${op} ${insn.src.imm | 0}`;
    }
    case 'neg': {
      const c = insn.wide ? 'r' : 'w';
      return `${c}${insn.dst} = -${c}${insn.dst}`;
    }
    case 'movsx': {
      const c = insn.wide ? 'r' : 'w';
      return `${c}${insn.dst} = (s${insn.bits})${c}${insn.src}`;
    }
    case 'endian':
      if (insn.order === 'swap') return `r${insn.dst} = bswap${insn.bits} r${insn.dst}`;
      return `r${insn.dst} = ${insn.order}${insn.bits} r${insn.dst}`;
    case 'load':
      return `r${insn.dst} = *(${(insn.signed ? signedType : unsignedType)(insn.size)} *)(r${insn.base} ${signed(insn.off)})`;
    case 'store': {
      const target = `*(${unsignedType(insn.size)} *)(r${insn.base} ${signed(insn.off)})`;
      return isReg(insn.src) ? `${target} = r${insn.src.reg}` : `${target} = ${insn.src.imm | 0}`;
    }
    case 'atomic': {
      const ty = unsignedType(insn.size);
      const w = insn.size === 8 ? '64' : '';
      const mem = `(${ty} *)(r${insn.base} ${signed(insn.off)})`;
      if (insn.op === 'xchg') return `r${insn.src} = atomic${w}_xchg(${mem}, r${insn.src})`;
      if (insn.op === 'cmpxchg') return `r0 = atomic${w}_cmpxchg(${mem}, r0, r${insn.src})`;
      if (!insn.fetch) return `lock *${mem} ${ALU_OP[insn.op]} r${insn.src}`;
      return `r${insn.src} = atomic${w}_fetch_${insn.op}(${mem}, r${insn.src})`;
    }
    case 'lddw': {
      let v = insn.value;
      if ((insn.pseudo === 'map_fd' || insn.pseudo === 'map_value' || insn.pseudo === 'map_idx' || insn.pseudo === 'map_idx_value') && options.mapAddress) {
        v = options.mapAddress(insn);
      }
      return `r${insn.dst} = 0x${BigInt.asUintN(64, v).toString(16)}`;
    }
    case 'ld_abs':
      return `r0 = *(${unsignedType(insn.size)} *)skb[${insn.imm}]`;
    case 'ld_ind':
      return `r0 = *(${unsignedType(insn.size)} *)skb[r${insn.src} + ${insn.imm}]`;
    case 'jump': {
      const c = insn.wide ? 'r' : 'w';
      const op = JMP_OP[insn.op];
      const rhs = isReg(insn.src) ? `${c}${insn.src.reg}` : `0x${(insn.src.imm >>> 0).toString(16)}`;
      return `if ${c}${insn.dst} ${op} ${rhs} goto pc${signed(insn.off)}`;
    }
    case 'ja':
      return insn.long ? `gotol pc${signed(insn.off)}` : `goto pc${signed(insn.off)}`;
    case 'call':
      return `call ${helperName(insn.helper) ?? 'unknown'}#${insn.helper}`;
    case 'call_local':
      return `call pc${signed(insn.off)}`;
    case 'call_kfunc':
      return `call kernel-function#${insn.btfId}`;
    case 'callx':
      return `call r${insn.reg}`;
    case 'exit':
      return 'exit';
    default:
      return assertNever(insn, 'instruction');
  }
}

/** `%#llx` of an address, for callers printing map pointers. */
export const formatAddress = (v: bigint): string => hex(v);
