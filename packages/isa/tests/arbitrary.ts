/**
 * fast-check arbitraries for the isa model, shared by property tests (also of
 * other packages, which import this file by relative path).
 *
 * Every value generated is a valid, canonical `Insn`: the one `decode` gives
 * back for its encoding (immediates signed 32-bit, offsets signed 16-bit,
 * `lddw` values unsigned 64-bit, `xchg`/`cmpxchg` always fetching).
 */
import fc from 'fast-check';
import type { AluOp, AtomicOp, Insn, JumpOp, LddwPseudo, Operand, Reg, Size } from '../src/index';

const ALU_OPS: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh'];
const JUMP_OPS: readonly JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const ATOMIC_OPS: readonly AtomicOp[] = ['add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'];
const PSEUDOS: readonly LddwPseudo[] = ['imm64', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'];

/** A register r0..r10. */
export const arbReg: fc.Arbitrary<Reg> = fc.integer({ min: 0, max: 10 }) as fc.Arbitrary<Reg>;

/** A signed 32-bit value, biased towards the edges. */
export const arbImm32: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 0x7fff, -0x8000),
  fc.integer({ min: -16, max: 16 }),
);

/** A signed 16-bit value, biased towards the edges. */
export const arbOff16: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 }),
  fc.constantFrom(0, 1, -1, 2 ** 15 - 1, -(2 ** 15)),
);

/** An unsigned 64-bit value. */
export const arbU64: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 1n, (1n << 64n) - 1n, 1n << 63n, 0xffffffffn, 1n << 32n),
);

const arbOperand: fc.Arbitrary<Operand> = fc.oneof(
  arbReg.map((reg): Operand => ({ reg })),
  arbImm32.map((imm): Operand => ({ imm })),
);
const arbSize: fc.Arbitrary<Size> = fc.constantFrom<Size>(1, 2, 4, 8);
const arbLegacySize = fc.constantFrom<1 | 2 | 4>(1, 2, 4);

/** Arbitraries of each `Insn` kind, by kind. */
export const arbInsnOfKind: { readonly [K in Insn['kind']]: fc.Arbitrary<Extract<Insn, { kind: K }>> } = {
  alu: fc.record({ kind: fc.constant('alu'), op: fc.constantFrom(...ALU_OPS), wide: fc.boolean(), dst: arbReg, src: arbOperand }),
  neg: fc.record({ kind: fc.constant('neg'), wide: fc.boolean(), dst: arbReg }),
  movsx: fc.oneof(
    fc.record({ kind: fc.constant('movsx'), wide: fc.constant(true), dst: arbReg, src: arbReg, bits: fc.constantFrom<8 | 16 | 32>(8, 16, 32) }),
    fc.record({ kind: fc.constant('movsx'), wide: fc.constant(false), dst: arbReg, src: arbReg, bits: fc.constantFrom<8 | 16>(8, 16) }),
  ),
  endian: fc.record({
    kind: fc.constant('endian'),
    order: fc.constantFrom<'le' | 'be' | 'swap'>('le', 'be', 'swap'),
    bits: fc.constantFrom<16 | 32 | 64>(16, 32, 64),
    dst: arbReg,
  }),
  load: fc.oneof(
    fc.record({ kind: fc.constant('load'), size: arbSize, signed: fc.constant(false), dst: arbReg, base: arbReg, off: arbOff16 }),
    fc.record({ kind: fc.constant('load'), size: arbLegacySize, signed: fc.constant(true), dst: arbReg, base: arbReg, off: arbOff16 }),
  ),
  store: fc.record({ kind: fc.constant('store'), size: arbSize, base: arbReg, off: arbOff16, src: arbOperand }),
  atomic: fc
    .record({
      kind: fc.constant('atomic'),
      op: fc.constantFrom(...ATOMIC_OPS),
      fetch: fc.boolean(),
      size: fc.constantFrom<4 | 8>(4, 8),
      base: arbReg,
      off: arbOff16,
      src: arbReg,
    })
    .map((a) => (a.op === 'xchg' || a.op === 'cmpxchg' ? { ...a, fetch: true } : a)),
  lddw: fc.record({ kind: fc.constant('lddw'), dst: arbReg, pseudo: fc.constantFrom(...PSEUDOS), value: arbU64 }),
  ld_abs: fc.record({ kind: fc.constant('ld_abs'), size: arbLegacySize, imm: arbImm32 }),
  ld_ind: fc.record({ kind: fc.constant('ld_ind'), size: arbLegacySize, src: arbReg, imm: arbImm32 }),
  jump: fc.record({ kind: fc.constant('jump'), op: fc.constantFrom(...JUMP_OPS), wide: fc.boolean(), dst: arbReg, src: arbOperand, off: arbOff16 }),
  ja: fc.oneof(
    fc.record({ kind: fc.constant('ja'), off: arbOff16, long: fc.constant(false) }),
    fc.record({ kind: fc.constant('ja'), off: arbImm32, long: fc.constant(true) }),
  ),
  call: fc.record({ kind: fc.constant('call'), helper: arbImm32 }),
  call_local: fc.record({ kind: fc.constant('call_local'), off: arbImm32 }),
  call_kfunc: fc.record({ kind: fc.constant('call_kfunc'), btfId: arbImm32, module: arbOff16 }),
  callx: fc.record({ kind: fc.constant('callx'), reg: arbReg }),
  exit: fc.constant({ kind: 'exit' } as const),
};

/** Any valid `Insn`, every kind equally likely. */
export const arbInsn: fc.Arbitrary<Insn> = fc.oneof(...Object.values(arbInsnOfKind)) as fc.Arbitrary<Insn>;

/** A program of valid instructions (offsets are arbitrary: it need not verify). */
export const arbProgram = (maxLength = 16): fc.Arbitrary<Insn[]> => fc.array(arbInsn, { minLength: 1, maxLength });
