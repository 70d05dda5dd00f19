/**
 * The one instruction model of the kit (RFC 9669).
 *
 * An `Insn` is a plain, readonly value. Jump and call offsets are kept as the
 * encoding has them: relative, counted in 8-byte slots, from the slot after
 * the instruction. `lddw` is one `Insn` that takes two slots.
 */

/** A BPF register: r0..r10 (r10 is the read-only frame pointer). */
export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/** Access size in bytes: `BPF_B`, `BPF_H`, `BPF_W`, `BPF_DW`. */
export type Size = 1 | 2 | 4 | 8;

/** Second operand: a register (`BPF_X`) or a 32-bit signed immediate (`BPF_K`). */
export type Operand = { readonly reg: Reg } | { readonly imm: number };

/** Two-operand ALU operations; `sdiv`/`smod` are `BPF_DIV`/`BPF_MOD` with offset 1. */
export type AluOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'sdiv'
  | 'or'
  | 'and'
  | 'lsh'
  | 'rsh'
  | 'mod'
  | 'smod'
  | 'xor'
  | 'mov'
  | 'arsh';

/** Conditional jump operations (`BPF_JA` is its own kind). */
export type JumpOp =
  | 'jeq'
  | 'jgt'
  | 'jge'
  | 'jset'
  | 'jne'
  | 'jsgt'
  | 'jsge'
  | 'jlt'
  | 'jle'
  | 'jslt'
  | 'jsle';

/** Atomic operations of `BPF_STX | BPF_ATOMIC`. `xchg` and `cmpxchg` always fetch. */
export type AtomicOp = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';

/**
 * What the `src` field of an `lddw` says about its 64-bit immediate
 * (`BPF_PSEUDO_*` in the kernel's UAPI).
 */
export type LddwPseudo =
  /** 0: a plain 64-bit constant */
  | 'imm64'
  /** 1 `BPF_PSEUDO_MAP_FD`: imm is a map fd */
  | 'map_fd'
  /** 2 `BPF_PSEUDO_MAP_VALUE`: imm is a map fd, next imm an offset into its value */
  | 'map_value'
  /** 3 `BPF_PSEUDO_BTF_ID`: imm is a BTF id of a kernel variable */
  | 'btf_id'
  /** 4 `BPF_PSEUDO_FUNC`: imm is a relative offset of a subprogram */
  | 'func'
  /** 5 `BPF_PSEUDO_MAP_IDX`: imm is an index into the program's fd array */
  | 'map_idx'
  /** 6 `BPF_PSEUDO_MAP_IDX_VALUE` */
  | 'map_idx_value';

/** The pseudo kinds in the order of their `src` field values. */
export const LDDW_PSEUDO: readonly LddwPseudo[] = [
  'imm64',
  'map_fd',
  'map_value',
  'btf_id',
  'func',
  'map_idx',
  'map_idx_value',
];

/** One decoded instruction. */
export type Insn =
  /** `BPF_ALU`/`BPF_ALU64` two-operand operations; `wide` is ALU64. */
  | { readonly kind: 'alu'; readonly op: AluOp; readonly wide: boolean; readonly dst: Reg; readonly src: Operand }
  /** `BPF_NEG` */
  | { readonly kind: 'neg'; readonly wide: boolean; readonly dst: Reg }
  /** `BPF_MOV | BPF_X` with offset 8/16/32: sign-extending move (cpu v4). */
  | { readonly kind: 'movsx'; readonly wide: boolean; readonly dst: Reg; readonly src: Reg; readonly bits: 8 | 16 | 32 }
  /**
   * `BPF_END`: `le`/`be` (class ALU, source bit = `BPF_TO_LE`/`BPF_TO_BE`) convert to
   * that byte order and zero-extend; `swap` (class ALU64, cpu v4) swaps unconditionally.
   */
  | { readonly kind: 'endian'; readonly order: 'le' | 'be' | 'swap'; readonly bits: 16 | 32 | 64; readonly dst: Reg }
  /** `BPF_LDX | BPF_MEM` (or `BPF_MEMSX` when `signed`, cpu v4). */
  | { readonly kind: 'load'; readonly size: Size; readonly signed: boolean; readonly dst: Reg; readonly base: Reg; readonly off: number }
  /** `BPF_STX | BPF_MEM` (register source) or `BPF_ST | BPF_MEM` (immediate source). */
  | { readonly kind: 'store'; readonly size: Size; readonly base: Reg; readonly off: number; readonly src: Operand }
  /** `BPF_STX | BPF_ATOMIC`, 32 or 64 bit. */
  | {
      readonly kind: 'atomic';
      readonly op: AtomicOp;
      readonly fetch: boolean;
      readonly size: 4 | 8;
      readonly base: Reg;
      readonly off: number;
      readonly src: Reg;
    }
  /** `BPF_LD | BPF_IMM | BPF_DW`: two slots; `value` is the unsigned 64-bit immediate. */
  | { readonly kind: 'lddw'; readonly dst: Reg; readonly pseudo: LddwPseudo; readonly value: bigint }
  /** Legacy packet loads `BPF_LD | BPF_ABS` (r0 = ntoh(skb[imm])). */
  | { readonly kind: 'ld_abs'; readonly size: 1 | 2 | 4; readonly imm: number }
  /** Legacy packet loads `BPF_LD | BPF_IND` (r0 = ntoh(skb[src + imm])). */
  | { readonly kind: 'ld_ind'; readonly size: 1 | 2 | 4; readonly src: Reg; readonly imm: number }
  /** Conditional jumps; `wide` is `BPF_JMP` (64-bit compare), otherwise `BPF_JMP32`. */
  | { readonly kind: 'jump'; readonly op: JumpOp; readonly wide: boolean; readonly dst: Reg; readonly src: Operand; readonly off: number }
  /** `BPF_JA`: with `long` it is `BPF_JMP32 | BPF_JA` (`gotol`), offset in imm (cpu v4). */
  | { readonly kind: 'ja'; readonly off: number; readonly long: boolean }
  /** `BPF_CALL` of a helper by its id (src 0). */
  | { readonly kind: 'call'; readonly helper: number }
  /** `BPF_CALL` with src `BPF_PSEUDO_CALL`: a BPF-to-BPF call, `off` relative in slots. */
  | { readonly kind: 'call_local'; readonly off: number }
  /** `BPF_CALL` with src `BPF_PSEUDO_KFUNC_CALL`: a kernel function by BTF id. */
  | { readonly kind: 'call_kfunc'; readonly btfId: number; readonly module: number }
  /** `BPF_CALL | BPF_X` (`callx`): call the helper whose id is in `reg`. */
  | { readonly kind: 'callx'; readonly reg: Reg }
  /** `BPF_EXIT` */
  | { readonly kind: 'exit' };

/** The kinds of `Insn`. */
export type InsnKind = Insn['kind'];

/** Number of 8-byte slots an instruction takes: 2 for `lddw`, else 1. */
export function slotsOf(insn: Insn): 1 | 2 {
  return insn.kind === 'lddw' ? 2 : 1;
}

/** True when the operand is a register. */
export function isReg(src: Operand): src is { readonly reg: Reg } {
  return 'reg' in src;
}

/** Exhaustiveness guard for `switch` over `kind` unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}

/** True when `n` is a valid register number. */
export function isRegNumber(n: number): n is Reg {
  return Number.isInteger(n) && n >= 0 && n <= 10;
}

/**
 * Slot index (pc) of each instruction of a program, plus the total slot count.
 * `pcs[i]` is where `insns[i]` starts.
 */
export function slotIndex(insns: readonly Insn[]): { readonly pcs: readonly number[]; readonly slots: number } {
  const pcs: number[] = [];
  let pc = 0;
  for (const insn of insns) {
    pcs.push(pc);
    pc += slotsOf(insn);
  }
  return { pcs, slots: pc };
}

/** For a `map_value` style `lddw`: the low 32 bits (first imm) and high 32 bits (second imm), as signed. */
export function lddwHalves(value: bigint): { readonly lo: number; readonly hi: number } {
  const v = BigInt.asUintN(64, value);
  return { lo: Number(BigInt.asIntN(32, v)), hi: Number(BigInt.asIntN(32, v >> 32n)) };
}
