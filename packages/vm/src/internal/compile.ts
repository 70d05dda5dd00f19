/**
 * Pre-decoding: `Insn[]` to the flat form the interpreter's loop runs.
 *
 * Every slot pc gets four int32 words in `code`:
 *
 * ```
 *  word 0                      word 1           word 2                 word 3
 * +-------------+-----------+----------------+----------------------+----------------+
 * | op (8 bits) | d << 8    | s              | off / target / imm   | extra          |
 * +-------------+-----------+----------------+----------------------+----------------+
 * ```
 *
 * Registers live in an `Int32Array` as 32-bit halves: register n is
 * `R[2n]` (low) and `R[2n + 1]` (high). `d` and `s` are such indexes, so
 * the loop never multiplies. Immediate operands are turned into read-only
 * "constant registers" placed after r10 in the same array (the 32-bit
 * immediate and its sign extension), so `add r1, 5` and `add r1, r2` are the
 * same case of the loop with a different `s`. Jump and call targets are
 * resolved to absolute slot indexes here, and checked.
 *
 * The op numbers below are the `case` labels of the interpreter's `switch`,
 * written there as literals so V8 builds a jump table. Keep both in step.
 */
import { assertNever, isReg, type AtomicOp, type Insn, type JumpOp, type Operand } from '@bpflab/isa';
import { VmError } from '../errors';
import type { Helper } from '../helpers';

/** ALU op base numbers; 32-bit forms are these + 16. */
const ALU_BASE = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  sdiv: 4,
  or: 5,
  and: 6,
  lsh: 7,
  rsh: 8,
  mod: 9,
  smod: 10,
  xor: 11,
  mov: 12,
  arsh: 13,
} as const;

/** Interpreter op numbers (the `case` labels of the run loop). */
export const OP = {
  NEG64: 14,
  NEG32: 30,
  ALU32: 16,
  MOVSX64_8: 32,
  MOVSX64_16: 33,
  MOVSX64_32: 34,
  MOVSX32_8: 35,
  MOVSX32_16: 36,
  LE16: 37,
  LE32: 38,
  LE64: 39,
  BE16: 40,
  BE32: 41,
  BE64: 42,
  LDXB: 43,
  LDXH: 44,
  LDXW: 45,
  LDXDW: 46,
  LDXSB: 47,
  LDXSH: 48,
  LDXSW: 49,
  STB: 50,
  STH: 51,
  STW: 52,
  STDW: 53,
  ATOMIC32: 54,
  ATOMIC64: 55,
  LDDW: 56,
  LDPKT: 57,
  JMP64: 58,
  JMP32: 69,
  JA: 80,
  CALL: 81,
  CALL_LOCAL: 82,
  CALLX: 83,
  EXIT: 84,
  FELL_OFF: 85,
  LDDW_HI: 86,
  CALL_KFUNC: 87,
} as const;

const JUMP_INDEX: Readonly<Record<JumpOp, number>> = {
  jeq: 0,
  jgt: 1,
  jge: 2,
  jset: 3,
  jne: 4,
  jsgt: 5,
  jsge: 6,
  jlt: 7,
  jle: 8,
  jslt: 9,
  jsle: 10,
};

/** Atomic sub-operations (word 3 of an atomic op). */
export const ATOMIC_SUB = {
  add: 0,
  or: 1,
  and: 2,
  xor: 3,
  fetchAdd: 4,
  fetchOr: 5,
  fetchAnd: 6,
  fetchXor: 7,
  xchg: 8,
  cmpxchg: 9,
} as const;

function atomicSub(op: AtomicOp, fetch: boolean): number {
  switch (op) {
    case 'add':
      return fetch ? ATOMIC_SUB.fetchAdd : ATOMIC_SUB.add;
    case 'or':
      return fetch ? ATOMIC_SUB.fetchOr : ATOMIC_SUB.or;
    case 'and':
      return fetch ? ATOMIC_SUB.fetchAnd : ATOMIC_SUB.and;
    case 'xor':
      return fetch ? ATOMIC_SUB.fetchXor : ATOMIC_SUB.xor;
    case 'xchg':
      return ATOMIC_SUB.xchg;
    case 'cmpxchg':
      return ATOMIC_SUB.cmpxchg;
    default:
      return assertNever(op, 'atomic op');
  }
}

/** Number of int32 words per slot in `code`. */
export const STRIDE = 4;
/** Index in the register array of the first constant register. */
export const CONST_BASE = 22;

/** The pre-decoded program. */
export interface Compiled {
  /** STRIDE words per slot, plus one FELL_OFF slot at the end */
  readonly code: Int32Array;
  /** registers r0-r10 (zero) followed by the constant registers */
  readonly registers: Int32Array;
  /** number of slots of the program (without the sentinel) */
  readonly slots: number;
  /** `insnAt[pc]`: the instruction starting at slot pc (undefined for the second slot of lddw) */
  readonly insnAt: readonly (Insn | undefined)[];
  /** helpers referenced by `call`, by the index word 1 holds */
  readonly helpers: readonly Helper[];
  /** the helper id of each entry of `helpers` */
  readonly helperIds: readonly number[];
  /** kfuncs referenced by `call_kfunc`, by the index word 1 holds */
  readonly kfuncs: readonly Helper[];
  readonly kfuncIds: readonly number[];
}

/** How `compile` finds helpers. */
export interface CompileEnv {
  readonly helper: (id: number) => Helper | undefined;
  readonly kfunc: (btfId: number) => Helper | undefined;
  /** listed in the unknown-helper message */
  readonly helperIds: readonly number[];
}

function listIds(ids: readonly number[]): string {
  if (ids.length === 0) return 'none';
  // Collapse runs: 0-5, 7, 9-11.
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j > i ? `${ids[i]}-${ids[j]}` : `${ids[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Pre-decodes and checks a program. Throws `VmError` for what can be known before running. */
export function compile(insns: readonly Insn[], env: CompileEnv): Compiled {
  if (insns.length === 0) throw new VmError('empty-program', 'the program has no instructions');

  // Slot index of every instruction, and which slots start one.
  const starts: number[] = [];
  let slots = 0;
  for (const insn of insns) {
    starts.push(slots);
    slots += insn.kind === 'lddw' ? 2 : 1;
  }
  const insnAt: (Insn | undefined)[] = new Array<Insn | undefined>(slots).fill(undefined);
  insns.forEach((insn, i) => {
    insnAt[starts[i]!] = insn;
  });

  const code = new Int32Array((slots + 1) * STRIDE);
  const consts: number[] = [];
  const constIndex = new Map<number, number>();
  const constant = (imm: number): number => {
    const v = imm | 0;
    let at = constIndex.get(v);
    if (at === undefined) {
      at = CONST_BASE + consts.length * 2;
      consts.push(v);
      constIndex.set(v, at);
    }
    return at;
  };
  const operand = (src: Operand): number => (isReg(src) ? src.reg * 2 : constant(src.imm));
  const helpers: Helper[] = [];
  const helperIds: number[] = [];
  const kfuncs: Helper[] = [];
  const kfuncIds: number[] = [];

  const target = (pc: number, off: number, what: string): number => {
    const t = pc + 1 + off;
    if (t < 0 || t >= slots) {
      throw new VmError(
        'bad-jump',
        `pc ${pc}: ${what} ${off >= 0 ? '+' : ''}${off} goes to ${t}, outside the program (pcs 0-${slots - 1})`,
        { pc },
      );
    }
    if (insnAt[t] === undefined) {
      throw new VmError('bad-jump', `pc ${pc}: ${what} ${off >= 0 ? '+' : ''}${off} goes to ${t}, the middle of the lddw at pc ${t - 1}`, {
        pc,
      });
    }
    return t;
  };
  const writable = (pc: number, reg: number, what: string): number => {
    if (reg === 10) {
      throw new VmError('bad-insn', `pc ${pc}: ${what} writes r10, the read-only frame pointer`, { pc });
    }
    return reg * 2;
  };

  insns.forEach((insn, i) => {
    const pc = starts[i]!;
    const b = pc * STRIDE;
    const put = (op: number, d: number, w1 = 0, w2 = 0, w3 = 0): void => {
      code[b] = op | (d << 8);
      code[b + 1] = w1;
      code[b + 2] = w2;
      code[b + 3] = w3;
    };
    switch (insn.kind) {
      case 'alu':
        put(ALU_BASE[insn.op] + (insn.wide ? 0 : OP.ALU32), writable(pc, insn.dst, insn.op), operand(insn.src));
        return;
      case 'neg':
        put(insn.wide ? OP.NEG64 : OP.NEG32, writable(pc, insn.dst, 'neg'));
        return;
      case 'movsx': {
        const op = insn.wide
          ? insn.bits === 8
            ? OP.MOVSX64_8
            : insn.bits === 16
              ? OP.MOVSX64_16
              : OP.MOVSX64_32
          : insn.bits === 8
            ? OP.MOVSX32_8
            : insn.bits === 16
              ? OP.MOVSX32_16
              : // 32-bit movsx of 32 bits is a plain 32-bit move.
                ALU_BASE.mov + OP.ALU32;
        put(op, writable(pc, insn.dst, 'movsx'), insn.src * 2);
        return;
      }
      case 'endian': {
        // On this little-endian machine `le` only truncates; `be` and `swap` swap.
        const base = insn.order === 'le' ? OP.LE16 : OP.BE16;
        put(base + (insn.bits === 16 ? 0 : insn.bits === 32 ? 1 : 2), writable(pc, insn.dst, insn.order));
        return;
      }
      case 'load': {
        const op = insn.signed
          ? insn.size === 1
            ? OP.LDXSB
            : insn.size === 2
              ? OP.LDXSH
              : OP.LDXSW
          : insn.size === 1
            ? OP.LDXB
            : insn.size === 2
              ? OP.LDXH
              : insn.size === 4
                ? OP.LDXW
                : OP.LDXDW;
        put(op, writable(pc, insn.dst, 'load'), insn.base * 2, insn.off);
        return;
      }
      case 'store': {
        const op = insn.size === 1 ? OP.STB : insn.size === 2 ? OP.STH : insn.size === 4 ? OP.STW : OP.STDW;
        put(op, insn.base * 2, operand(insn.src), insn.off);
        return;
      }
      case 'atomic':
        if (insn.op === 'cmpxchg' || insn.fetch) writable(pc, insn.src, `atomic ${insn.op}`);
        put(insn.size === 4 ? OP.ATOMIC32 : OP.ATOMIC64, insn.base * 2, insn.src * 2, insn.off, atomicSub(insn.op, insn.fetch));
        return;
      case 'lddw': {
        if (insn.pseudo !== 'imm64') {
          throw new VmError(
            'bad-insn',
            `pc ${pc}: lddw with pseudo source ${insn.pseudo} must be resolved by the loader before the program runs`,
            { pc },
          );
        }
        const v = BigInt.asUintN(64, insn.value);
        put(OP.LDDW, writable(pc, insn.dst, 'lddw'), 0, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
        code[b + STRIDE] = OP.LDDW_HI;
        return;
      }
      case 'ld_abs':
        put(OP.LDPKT, 0, constant(0), insn.imm, insn.size);
        return;
      case 'ld_ind':
        put(OP.LDPKT, 0, insn.src * 2, insn.imm, insn.size);
        return;
      case 'jump':
        put(
          (insn.wide ? OP.JMP64 : OP.JMP32) + JUMP_INDEX[insn.op],
          insn.dst * 2,
          operand(insn.src),
          target(pc, insn.off, insn.op),
        );
        return;
      case 'ja':
        put(OP.JA, 0, 0, target(pc, insn.off, insn.long ? 'gotol' : 'goto'));
        return;
      case 'call': {
        const h = env.helper(insn.helper);
        if (h === undefined) {
          throw new VmError(
            'unknown-helper',
            `pc ${pc}: call of helper ${insn.helper}, which is not supplied (supplied helpers: ${listIds(env.helperIds)})`,
            { pc, helper: insn.helper },
          );
        }
        let at = helperIds.indexOf(insn.helper);
        if (at < 0) {
          at = helpers.length;
          helpers.push(h);
          helperIds.push(insn.helper);
        }
        put(OP.CALL, 0, at);
        return;
      }
      case 'call_local':
        put(OP.CALL_LOCAL, 0, 0, target(pc, insn.off, 'call'));
        return;
      case 'call_kfunc': {
        const h = env.kfunc(insn.btfId);
        if (h === undefined) {
          throw new VmError('unknown-kfunc', `pc ${pc}: call of kfunc with BTF id ${insn.btfId}, which is not supplied`, {
            pc,
            helper: insn.btfId,
          });
        }
        let at = kfuncIds.indexOf(insn.btfId);
        if (at < 0) {
          at = kfuncs.length;
          kfuncs.push(h);
          kfuncIds.push(insn.btfId);
        }
        put(OP.CALL_KFUNC, 0, at);
        return;
      }
      case 'callx':
        put(OP.CALLX, 0, insn.reg * 2);
        return;
      case 'exit':
        put(OP.EXIT, 0);
        return;
      default:
        assertNever(insn, 'instruction');
    }
  });
  code[slots * STRIDE] = OP.FELL_OFF;

  const registers = new Int32Array(CONST_BASE + consts.length * 2);
  consts.forEach((v, k) => {
    registers[CONST_BASE + 2 * k] = v;
    registers[CONST_BASE + 2 * k + 1] = v >> 31;
  });
  return { code, registers, slots, insnAt, helpers, helperIds, kfuncs, kfuncIds };
}
