/**
 * Which instructions of a program can run, following constants through
 * registers the way the verifier prunes branches it knows are never taken.
 * The loader uses it, when no verifier is installed, to tell a poisoned
 * CO-RE instruction in dead code (`if (bpf_core_field_exists(...))` on a
 * kernel without the field: the relocated check is the constant 0 and the
 * guarded read is never reached) from one the program would reach.
 *
 * The analysis over-approximates: a register holds a known 64-bit constant
 * only after `mov`/`lddw` of a constant and add, sub, mul, and, or, xor and
 * shifts of known values; anything loaded, called or merged from paths that
 * disagree is unknown, and a conditional jump on an unknown value may go
 * both ways. Every function start, call target and callback is an entry
 * with all registers unknown.
 */
import { slotIndex, type Insn, type Reg } from '@bpflab/isa';

/** Register values: a known unsigned 64-bit constant, or `undefined`. */
type Regs = readonly (bigint | undefined)[];

const UNKNOWN: Regs = Object.freeze(Array.from({ length: 11 }, () => undefined));

function set(regs: Regs, reg: Reg, value: bigint | undefined): Regs {
  if (regs[reg] === value) return regs;
  const next = regs.slice();
  next[reg] = value;
  return next;
}

/** r0-r5 unknown after a call. */
function clobber(regs: Regs): Regs {
  return [undefined, undefined, undefined, undefined, undefined, undefined, ...regs.slice(6)];
}

function join(a: Regs, b: Regs): Regs {
  return a.map((v, i) => (v === b[i] ? v : undefined));
}

function sameRegs(a: Regs, b: Regs): boolean {
  return a.every((v, i) => v === b[i]);
}

function operand(insn: Extract<Insn, { kind: 'alu' | 'jump' }>, regs: Regs): bigint | undefined {
  if ('reg' in insn.src) return regs[insn.src.reg];
  return insn.wide ? BigInt.asUintN(64, BigInt(insn.src.imm | 0)) : BigInt(insn.src.imm >>> 0);
}

function aluValue(insn: Extract<Insn, { kind: 'alu' }>, regs: Regs): bigint | undefined {
  const src = operand(insn, regs);
  if (src === undefined) return undefined;
  const bits = insn.wide ? 64 : 32;
  if (insn.op === 'mov') return BigInt.asUintN(bits, src);
  const dst = regs[insn.dst];
  if (dst === undefined) return undefined;
  const a = BigInt.asUintN(bits, dst);
  const b = BigInt.asUintN(bits, src);
  const shift = b & BigInt(bits - 1);
  switch (insn.op) {
    case 'add':
      return BigInt.asUintN(bits, a + b);
    case 'sub':
      return BigInt.asUintN(bits, a - b);
    case 'mul':
      return BigInt.asUintN(bits, a * b);
    case 'and':
      return a & b;
    case 'or':
      return a | b;
    case 'xor':
      return a ^ b;
    case 'lsh':
      return BigInt.asUintN(bits, a << shift);
    case 'rsh':
      return a >> shift;
    default:
      return undefined;
  }
}

/** Whether a conditional jump is taken, `undefined` when it depends on unknown values. */
function taken(insn: Extract<Insn, { kind: 'jump' }>, regs: Regs): boolean | undefined {
  const dst = regs[insn.dst];
  const src = operand(insn, regs);
  if (dst === undefined || src === undefined) return undefined;
  const bits = insn.wide ? 64 : 32;
  const ua = BigInt.asUintN(bits, dst);
  const ub = BigInt.asUintN(bits, src);
  const sa = BigInt.asIntN(bits, dst);
  const sb = BigInt.asIntN(bits, src);
  switch (insn.op) {
    case 'jeq':
      return ua === ub;
    case 'jne':
      return ua !== ub;
    case 'jgt':
      return ua > ub;
    case 'jge':
      return ua >= ub;
    case 'jlt':
      return ua < ub;
    case 'jle':
      return ua <= ub;
    case 'jsgt':
      return sa > sb;
    case 'jsge':
      return sa >= sb;
    case 'jslt':
      return sa < sb;
    case 'jsle':
      return sa <= sb;
    case 'jset':
      return (ua & ub) !== 0n;
  }
}

/** The slots of `insns` that can run, entering at slot 0, at `entries` and at every call or callback target. */
export function reachableSlots(insns: readonly Insn[], entries: readonly number[]): ReadonlySet<number> {
  const { pcs } = slotIndex(insns);
  const indexOf = new Map<number, number>();
  pcs.forEach((pc, i) => indexOf.set(pc, i));
  const states = new Map<number, Regs>();
  const work: number[] = [];
  const enter = (i: number | undefined, regs: Regs): void => {
    if (i === undefined || i >= insns.length) return;
    const old = states.get(i);
    const next = old === undefined ? regs : join(old, regs);
    if (old !== undefined && sameRegs(old, next)) return;
    states.set(i, next);
    work.push(i);
  };
  const at = (pc: number): number | undefined => indexOf.get(pc);
  enter(0, UNKNOWN);
  for (const pc of entries) enter(at(pc), UNKNOWN);
  while (work.length > 0) {
    const i = work.pop()!;
    const insn = insns[i]!;
    const regs = states.get(i)!;
    const pc = pcs[i]!;
    switch (insn.kind) {
      case 'alu':
        enter(i + 1, set(regs, insn.dst, aluValue(insn, regs)));
        break;
      case 'neg':
      case 'movsx':
      case 'endian':
      case 'load':
        enter(i + 1, set(regs, insn.dst, undefined));
        break;
      case 'store':
        enter(i + 1, regs);
        break;
      case 'atomic':
        if (insn.op === 'cmpxchg') enter(i + 1, set(regs, 0, undefined));
        else enter(i + 1, insn.fetch || insn.op === 'xchg' ? set(regs, insn.src, undefined) : regs);
        break;
      case 'lddw':
        if (insn.pseudo === 'func') enter(at(pc + 1 + Number(BigInt.asIntN(32, insn.value))), UNKNOWN);
        enter(i + 1, set(regs, insn.dst, insn.pseudo === 'imm64' ? insn.value : undefined));
        break;
      case 'ld_abs':
      case 'ld_ind':
        enter(i + 1, clobber(regs));
        break;
      case 'jump': {
        const t = taken(insn, regs);
        if (t !== false) enter(at(pc + 1 + insn.off), regs);
        if (t !== true) enter(i + 1, regs);
        break;
      }
      case 'ja':
        enter(at(pc + 1 + insn.off), regs);
        break;
      case 'call_local':
        enter(at(pc + 1 + insn.off), UNKNOWN);
        enter(i + 1, clobber(regs));
        break;
      case 'call':
      case 'call_kfunc':
      case 'callx':
        enter(i + 1, clobber(regs));
        break;
      case 'exit':
        break;
    }
  }
  return new Set([...states.keys()].map((i) => pcs[i]!));
}
