/**
 * Opcode byte fields (RFC 9669 section 3). The opcode byte is laid out as
 *
 * ```
 * ALU/JMP:   +----------------+--------+--------------------+
 *            |   operation    | source |   instruction class|
 *            |    4 bits      | 1 bit  |      3 bits (LSB)  |
 *            +----------------+--------+--------------------+
 * LD/ST:     +--------+--------+-------------------+
 *            |  mode  |  size  | instruction class |
 *            | 3 bits | 2 bits |   3 bits (LSB)    |
 *            +--------+--------+-------------------+
 * ```
 * and an instruction is `opcode:8 | src:4 dst:4 | offset:16 | imm:32`, little-endian.
 */

/** Instruction classes (low 3 bits). */
export const CLASS = {
  /** BPF_LD */ LD: 0x00,
  /** BPF_LDX */ LDX: 0x01,
  /** BPF_ST */ ST: 0x02,
  /** BPF_STX */ STX: 0x03,
  /** BPF_ALU */ ALU: 0x04,
  /** BPF_JMP */ JMP: 0x05,
  /** BPF_JMP32 */ JMP32: 0x06,
  /** BPF_ALU64 */ ALU64: 0x07,
} as const;

/** Source bit of ALU/JMP opcodes. */
export const SRC = {
  /** BPF_K: immediate */ K: 0x00,
  /** BPF_X: register */ X: 0x08,
} as const;

/** ALU operation codes (high 4 bits). */
export const ALU_OP = {
  add: 0x00,
  sub: 0x10,
  mul: 0x20,
  div: 0x30,
  or: 0x40,
  and: 0x50,
  lsh: 0x60,
  rsh: 0x70,
  neg: 0x80,
  mod: 0x90,
  xor: 0xa0,
  mov: 0xb0,
  arsh: 0xc0,
  end: 0xd0,
} as const;

/** Jump operation codes (high 4 bits). */
export const JMP_OP = {
  ja: 0x00,
  jeq: 0x10,
  jgt: 0x20,
  jge: 0x30,
  jset: 0x40,
  jne: 0x50,
  jsgt: 0x60,
  jsge: 0x70,
  call: 0x80,
  exit: 0x90,
  jlt: 0xa0,
  jle: 0xb0,
  jslt: 0xc0,
  jsle: 0xd0,
} as const;

/** Load/store modes (high 3 bits). */
export const MODE = {
  /** BPF_IMM */ IMM: 0x00,
  /** BPF_ABS */ ABS: 0x20,
  /** BPF_IND */ IND: 0x40,
  /** BPF_MEM */ MEM: 0x60,
  /** BPF_MEMSX */ MEMSX: 0x80,
  /** BPF_ATOMIC */ ATOMIC: 0xc0,
} as const;

/** Size field values (bits 3-4) by byte count. */
export const SIZE_BITS = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 } as const;

/** Atomic operation immediates; `FETCH` is or'ed in. */
export const ATOMIC_IMM = {
  add: 0x00,
  or: 0x40,
  and: 0x50,
  xor: 0xa0,
  xchg: 0xe0 | 0x01,
  cmpxchg: 0xf0 | 0x01,
  /** BPF_FETCH */ FETCH: 0x01,
} as const;

/** `src` field values of `BPF_CALL`. */
export const CALL_SRC = {
  helper: 0,
  /** BPF_PSEUDO_CALL */ local: 1,
  /** BPF_PSEUDO_KFUNC_CALL */ kfunc: 2,
} as const;

/** The fixed opcode of `lddw`: BPF_LD | BPF_IMM | BPF_DW. */
export const OPCODE_LDDW = 0x18;
