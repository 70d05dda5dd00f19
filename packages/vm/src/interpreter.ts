/**
 * The reference interpreter: exact RFC 9669 semantics, a 512-byte stack per
 * frame, BPF-to-BPF calls up to 8 frames deep, helpers supplied by the
 * embedder, an instruction budget, precise memory faults, single-stepping
 * and an instruction trace.
 *
 * The program is pre-decoded (see `internal/compile.ts`) and the loop keeps
 * registers as 32-bit halves in an `Int32Array`: no bigint is created per
 * instruction. Only 64-bit division and modulo of values wider than 32 bits
 * go through bigint.
 */
import { formatLlvmInsn, type Insn, type Reg } from '@bpflab/isa';
import { AddressSpace, hex, type Region } from './address-space';
import { VmError } from './errors';
import { helperEntries, type ArgNumber, type Helper, type HelperContext, type HelperTable } from './helpers';
import { divmod64 } from './internal/arith';
import { ATOMIC_SUB, compile, type Compiled } from './internal/compile';

/** Most frames a BPF-to-BPF call chain may have (`MAX_CALL_FRAMES` in the kernel). */
export const MAX_CALL_FRAMES = 8;
/** Stack bytes of each frame (`MAX_BPF_STACK`). */
export const STACK_FRAME_SIZE = 512;
/** Default instruction budget of a run. */
export const DEFAULT_BUDGET = 1_000_000;

/** How an interpreter is set up. */
export interface InterpreterOptions {
  /** helpers by id; a `call` of an id not here is refused at load time. Default: none */
  readonly helpers?: HelperTable;
  /** kfuncs by BTF id, for `call_kfunc`. Default: none */
  readonly kfuncs?: HelperTable;
  /** the address space to run in; default: a new one with default options */
  readonly memory?: AddressSpace;
  /** default instruction budget of each run; default 1,000,000 */
  readonly budget?: number;
}

/** The defaults of `InterpreterOptions` (a fresh `AddressSpace` stands in for `memory`). */
export const DEFAULT_INTERPRETER_OPTIONS: Required<Omit<InterpreterOptions, 'memory'>> = {
  helpers: new Map<number, Helper>(),
  kfuncs: new Map<number, Helper>(),
  budget: DEFAULT_BUDGET,
};

/** Where the packet of a legacy `ld_abs`/`ld_ind` load is. */
export interface PacketRef {
  readonly start: number;
  readonly size: number;
}

/** One run's inputs. */
export interface RunOptions {
  /** initial r1..r5 (at most five); others start at 0 */
  readonly args?: readonly (bigint | number)[];
  /** the packet `ld_abs`/`ld_ind` read (a region or a range inside one) */
  readonly packet?: PacketRef | Region;
  /** instruction budget of this run; default: the interpreter's */
  readonly budget?: number;
  /** called with one line per executed instruction (see `Interpreter.run`) */
  readonly trace?: (line: string) => void;
}

/** Why a run ended. */
export type StopReason =
  /** `exit` from the outermost frame */
  | 'exit'
  /** a helper asked to stop (`ctx.stop()`); r0 is that helper's return value */
  | 'helper-stop'
  /** a legacy packet load was out of bounds: the program ends with r0 = 0, as in Linux */
  | 'packet-bounds';

/** What a finished run gives back. */
export interface RunResult {
  /** r0 at exit, unsigned 64-bit */
  readonly r0: bigint;
  /** instructions executed (a helper call counts as one) */
  readonly executed: number;
  readonly stop: StopReason;
}

/** Where an interpreter is. */
export type InterpreterStatus =
  /** no run started */
  | 'idle'
  /** started and not finished: `step`/`resume` continue it */
  | 'paused'
  | 'done'
  /** the last step threw; start again */
  | 'faulted';

/** One frame of the BPF-to-BPF call chain, outermost first. */
export interface FrameInfo {
  /** 0 for the program's main function */
  readonly depth: number;
  /** slot index where this frame's function starts */
  readonly entryPc: number;
  /** where this frame is: the current pc for the innermost frame, else its pending `call` */
  readonly pc: number;
  /** this frame's r10 */
  readonly fp: bigint;
}

/** What `step` did. */
export interface StepResult {
  /** slot index of the instruction just executed */
  readonly pc: number;
  readonly insn: Insn;
  /** true when the program has finished (`result()` is available) */
  readonly done: boolean;
}

/** Words per saved frame: return pc, callee entry pc, r6-r9 halves, r10. */
const FRAME_WORDS = 11;
const FP = 20;
const TWO32 = 2 ** 32;

/** Trace text of an instruction: what `llvm-objdump -d --mattr=+alu32` prints for it. */
function formatInsn(insn: Insn, pc: number): string {
  return formatLlvmInsn(insn, pc, { alu32: true });
}

function toBigint(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function checkArgNumber(n: number): void {
  if (!(n === 1 || n === 2 || n === 3 || n === 4 || n === 5)) {
    throw new VmError('bad-call', `helper argument number must be 1-5, is ${n}`);
  }
}

/** The `HelperContext` handed to helpers; one per interpreter, reused for every call. */
class CallContext implements HelperContext {
  pc = 0;
  helperId = 0;
  stopRequested = false;

  constructor(
    readonly memory: AddressSpace,
    private readonly R: Int32Array,
  ) {}

  arg(n: ArgNumber): bigint {
    checkArgNumber(n);
    return toBigint(this.R[2 * n]!, this.R[2 * n + 1]!);
  }

  argLo(n: ArgNumber): number {
    checkArgNumber(n);
    return this.R[2 * n]! >>> 0;
  }

  argHi(n: ArgNumber): number {
    checkArgNumber(n);
    return this.R[2 * n + 1]! >>> 0;
  }

  argNumber(n: ArgNumber): number {
    checkArgNumber(n);
    const hi = this.R[2 * n + 1]! >>> 0;
    if (hi >= 0x200000) {
      throw new VmError(
        'helper',
        `argument r${n} = ${hex(this.arg(n))} does not fit in a number exactly (use arg(${n}) for a bigint)`,
      );
    }
    return hi * TWO32 + (this.R[2 * n]! >>> 0);
  }

  stop(): void {
    this.stopRequested = true;
  }
}

function helperTableLookup(table: HelperTable | undefined): Map<number, Helper> {
  return new Map(helperEntries(table));
}

function normaliseArg(v: bigint | number, i: number): bigint {
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  if (!Number.isSafeInteger(v)) throw new VmError('bad-call', `argument r${i + 1} must be a bigint or a safe integer, is ${v}`);
  return BigInt.asUintN(64, BigInt(v));
}

/**
 * A BPF program prepared to run in an address space.
 *
 * ```ts
 * const vm = new Interpreter(insns, { helpers: conformanceHelpers });
 * const { r0, executed } = vm.run({ args: [ctx.start] });
 * ```
 *
 * Construction checks what can be checked before running (helper ids, jump
 * targets, writes to r10) and throws `VmError`. `run` executes to the end;
 * `start` + `step`/`resume` execute one instruction (or a few) at a time,
 * with the registers, pc and call frames open to inspection in between.
 */
export class Interpreter {
  readonly memory: AddressSpace;
  /** the program as given */
  readonly program: readonly Insn[];
  /** length of the program in 8-byte slots */
  readonly slots: number;
  /** the stack region: MAX_CALL_FRAMES frames of STACK_FRAME_SIZE bytes, frame 0 at the top */
  readonly stack: Region;
  /** default budget of a run */
  readonly budget: number;

  private readonly c: Compiled;
  private readonly R: Int32Array;
  private readonly F = new Int32Array(MAX_CALL_FRAMES * FRAME_WORDS);
  private readonly helperById: Map<number, Helper>;
  private readonly ctx: CallContext;

  private pcNow = 0;
  private depth = 0;
  private executedNow = 0;
  private budgetNow: number;
  private statusNow: InterpreterStatus = 'idle';
  private stopNow: StopReason = 'exit';
  private packet: PacketRef | undefined;
  // Output channel of `translate`: the region it found, for the loop's caches.
  private cacheLo = 0;
  private cacheHi = 0;

  constructor(program: readonly Insn[], options: InterpreterOptions = {}) {
    const budget = options.budget ?? DEFAULT_BUDGET;
    if (!Number.isSafeInteger(budget) || budget < 1) {
      throw new VmError('bad-call', `budget must be a positive integer, is ${budget}`);
    }
    this.helperById = helperTableLookup(options.helpers);
    const kfuncs = helperTableLookup(options.kfuncs);
    this.c = compile(program, {
      helper: (id) => this.helperById.get(id),
      kfunc: (id) => kfuncs.get(id),
      helperIds: [...this.helperById.keys()],
    });
    this.program = program;
    this.slots = this.c.slots;
    this.budget = budget;
    this.budgetNow = budget;
    this.memory = options.memory ?? new AddressSpace();
    this.stack = this.memory.allocate({
      name: 'stack',
      kind: 'stack',
      size: MAX_CALL_FRAMES * STACK_FRAME_SIZE,
      align: 16,
    });
    this.R = this.c.registers.slice();
    this.ctx = new CallContext(this.memory, this.R);
  }

  /** Unmaps the stack region. The interpreter cannot run afterwards. */
  dispose(): void {
    this.memory.free(this.stack);
    this.statusNow = 'faulted';
  }

  /* ----------------------------------------------------------- inspection */

  /** Where the interpreter is. */
  get status(): InterpreterStatus {
    return this.statusNow;
  }

  /** Slot index of the next instruction to execute. */
  get pc(): number {
    return this.pcNow;
  }

  /** Instructions executed in the current run. */
  get executed(): number {
    return this.executedNow;
  }

  /** The instruction starting at slot `pc` (undefined past the end or inside an `lddw`). */
  insnAt(pc: number): Insn | undefined {
    return this.c.insnAt[pc];
  }

  /** Register `n` as an unsigned 64-bit value. */
  register(n: Reg): bigint {
    if (!Number.isInteger(n) || n < 0 || n > 10) throw new VmError('bad-call', `register must be r0-r10, is r${n}`);
    return toBigint(this.R[2 * n]!, this.R[2 * n + 1]!);
  }

  /** r0..r10 as unsigned 64-bit values. */
  registers(): bigint[] {
    const out: bigint[] = [];
    for (let n = 0; n <= 10; n++) out.push(toBigint(this.R[2 * n]!, this.R[2 * n + 1]!));
    return out;
  }

  /** Sets r0-r9 between steps (r10, the frame pointer, is read-only). */
  setRegister(n: Reg, value: bigint): void {
    if (!Number.isInteger(n) || n < 0 || n > 9) {
      throw new VmError('bad-call', `only r0-r9 can be set, not r${n} (r10 is the read-only frame pointer)`);
    }
    const v = BigInt.asUintN(64, value);
    this.R[2 * n] = Number(v & 0xffffffffn);
    this.R[2 * n + 1] = Number(v >> 32n);
  }

  /** The call frames, outermost first. */
  frames(): FrameInfo[] {
    const out: FrameInfo[] = [];
    for (let k = 0; k <= this.depth; k++) {
      const entryPc = k === 0 ? 0 : this.F[(k - 1) * FRAME_WORDS + 1]!;
      if (k === this.depth) {
        out.push({ depth: k, entryPc, pc: this.pcNow, fp: BigInt(this.R[FP]! >>> 0) });
      } else {
        const f = k * FRAME_WORDS;
        out.push({ depth: k, entryPc, pc: this.F[f]! - 1, fp: BigInt(this.F[f + 10]! >>> 0) });
      }
    }
    return out;
  }

  /** The result of the finished run. */
  result(): RunResult {
    if (this.statusNow !== 'done') {
      throw new VmError('bad-call', `the program has not finished (status ${this.statusNow}): no result yet`);
    }
    return { r0: toBigint(this.R[0]!, this.R[1]!), executed: this.executedNow, stop: this.stopNow };
  }

  /* ------------------------------------------------------------- running */

  /**
   * Runs the program to its end and returns r0. With `trace`, every executed
   * instruction is reported as a line such as
   * `   3: r0 += r1                 ; r0 = 0x2a` (the registers and memory it
   * changed, whether a jump was taken).
   */
  run(options: RunOptions = {}): RunResult {
    this.start(options);
    if (options.trace !== undefined) {
      while (this.statusNow === 'paused') this.traceStep(options.trace);
    } else {
      this.advance(Infinity);
    }
    return this.result();
  }

  /**
   * Resets the machine for a run without executing anything: r1-r5 from
   * `args`, r10 at the top of frame 0 of a zeroed stack, pc 0.
   */
  start(options: RunOptions = {}): void {
    if (this.memory.region(this.stack.id) === undefined) {
      throw new VmError('bad-call', 'this interpreter was disposed: its stack region is no longer mapped');
    }
    const args = options.args ?? [];
    if (args.length > 5) throw new VmError('bad-call', `at most 5 arguments (r1-r5) can be passed, got ${args.length}`);
    const budget = options.budget ?? this.budget;
    if (!Number.isSafeInteger(budget) || budget < 1) {
      throw new VmError('bad-call', `budget must be a positive integer, is ${budget}`);
    }
    if (options.packet !== undefined) {
      const p = options.packet;
      if (p.size > 0 && this.memory.accessible(p.start, p.size, 'read') === undefined) {
        throw new VmError(
          'bad-call',
          `the packet [${hex(p.start)}, ${hex(p.start + p.size)}) does not lie inside one mapped region`,
        );
      }
      this.packet = { start: p.start, size: p.size };
    } else {
      this.packet = undefined;
    }
    this.R.fill(0, 0, 22);
    args.forEach((a, i) => {
      const v = normaliseArg(a, i);
      this.R[2 * (i + 1)] = Number(v & 0xffffffffn);
      this.R[2 * (i + 1) + 1] = Number(v >> 32n);
    });
    this.R[FP] = this.stack.start + this.stack.size;
    this.memory.bytes().fill(0, this.stack.start, this.stack.start + this.stack.size);
    this.pcNow = 0;
    this.depth = 0;
    this.executedNow = 0;
    this.budgetNow = budget;
    this.stopNow = 'exit';
    this.statusNow = 'paused';
  }

  /** Executes one instruction of a started run. */
  step(): StepResult {
    const pc = this.pcNow;
    this.requirePaused('step');
    this.advance(1);
    return { pc, insn: this.c.insnAt[pc]!, done: this.statusNow === 'done' };
  }

  /**
   * Continues a started run for at most `maxSteps` instructions (default: to
   * the end). Returns the result when the program finished, else undefined.
   */
  resume(maxSteps = Infinity): RunResult | undefined {
    this.requirePaused('resume');
    this.advance(maxSteps);
    return this.statusNow === 'done' ? this.result() : undefined;
  }

  private requirePaused(what: string): void {
    if (this.statusNow !== 'paused') {
      const why =
        this.statusNow === 'idle'
          ? 'no run was started (call start first)'
          : this.statusNow === 'done'
            ? 'the program has finished'
            : 'the last step failed';
      throw new VmError('bad-call', `cannot ${what}: ${why}`);
    }
  }

  /** Executes until the program ends or `maxSteps` instructions ran, enforcing the budget. */
  private advance(maxSteps: number): void {
    let steps = maxSteps;
    while (this.statusNow === 'paused' && steps > 0) {
      const budgetLeft = this.budgetNow - this.executedNow;
      if (budgetLeft <= 0) {
        this.statusNow = 'faulted';
        throw new VmError(
          'budget',
          `pc ${this.pcNow}: instruction budget of ${this.budgetNow} exhausted before the program exited ` +
            '(an endless loop? a larger budget can be given with the budget option)',
          { pc: this.pcNow },
        );
      }
      const before = this.executedNow;
      this.exec(Math.min(steps, budgetLeft));
      steps -= this.executedNow - before;
    }
  }

  /* ---------------------------------------------------------- the loop */

  /**
   * Executes at most `limit` instructions. Case labels are the op numbers of
   * `internal/compile.ts` (`OP`), as literals so V8 builds a jump table.
   */
  private exec(limit: number): void {
    const code = this.c.code;
    const R = this.R;
    const F = this.F;
    let u8 = this.memory.bytes();
    let dv = this.memory.view();
    const sLo = this.stack.start;
    const sHi = sLo + this.stack.size;
    // One-region caches for loads (any region) and stores (writable regions); empty is [0, 0).
    let rLo = 0;
    let rHi = 0;
    let wLo = 0;
    let wHi = 0;
    let pc = this.pcNow;
    let depth = this.depth;
    let left = limit;
    try {
      run: for (;;) {
        if (left === 0) break;
        left--;
        const b = pc << 2;
        const w = code[b]!;
        const d = w >> 8;
        switch (w & 0xff) {
          /* ---------------- ALU64: add sub mul div sdiv or and lsh rsh mod smod xor mov arsh neg */
          case 0: {
            const s = code[b + 1]!;
            const lo = (R[d]! >>> 0) + (R[s]! >>> 0);
            R[d + 1] = (R[d + 1]! + R[s + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0;
            R[d] = lo;
            pc++;
            break;
          }
          case 1: {
            const s = code[b + 1]!;
            const x = R[d]! >>> 0;
            const y = R[s]! >>> 0;
            R[d + 1] = (R[d + 1]! - R[s + 1]! - (x < y ? 1 : 0)) | 0;
            R[d] = x - y;
            pc++;
            break;
          }
          case 2: {
            const s = code[b + 1]!;
            const al = R[d]!;
            const bl = R[s]!;
            const a0 = al & 0xffff;
            const a1 = al >>> 16;
            const b0 = bl & 0xffff;
            const b1 = bl >>> 16;
            const t = a0 * b0;
            const m1 = a1 * b0;
            const m2 = a0 * b1;
            const mid = (t >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
            const carry = a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16);
            R[d + 1] = (carry + Math.imul(R[d + 1]!, bl) + Math.imul(al, R[s + 1]!)) | 0;
            R[d] = Math.imul(al, bl);
            pc++;
            break;
          }
          case 3:
            divmod64(R, d, code[b + 1]!, 0);
            pc++;
            break;
          case 4:
            divmod64(R, d, code[b + 1]!, 1);
            pc++;
            break;
          case 5: {
            const s = code[b + 1]!;
            R[d] = R[d]! | R[s]!;
            R[d + 1] = R[d + 1]! | R[s + 1]!;
            pc++;
            break;
          }
          case 6: {
            const s = code[b + 1]!;
            R[d] = R[d]! & R[s]!;
            R[d + 1] = R[d + 1]! & R[s + 1]!;
            pc++;
            break;
          }
          case 7: {
            const n = R[code[b + 1]!]! & 63;
            const lo = R[d]!;
            if (n >= 32) {
              R[d + 1] = lo << (n - 32);
              R[d] = 0;
            } else if (n !== 0) {
              R[d + 1] = (R[d + 1]! << n) | (lo >>> (32 - n));
              R[d] = lo << n;
            }
            pc++;
            break;
          }
          case 8: {
            const n = R[code[b + 1]!]! & 63;
            const hi = R[d + 1]!;
            if (n >= 32) {
              R[d] = hi >>> (n - 32);
              R[d + 1] = 0;
            } else if (n !== 0) {
              R[d] = (R[d]! >>> n) | (hi << (32 - n));
              R[d + 1] = hi >>> n;
            }
            pc++;
            break;
          }
          case 9:
            divmod64(R, d, code[b + 1]!, 2);
            pc++;
            break;
          case 10:
            divmod64(R, d, code[b + 1]!, 3);
            pc++;
            break;
          case 11: {
            const s = code[b + 1]!;
            R[d] = R[d]! ^ R[s]!;
            R[d + 1] = R[d + 1]! ^ R[s + 1]!;
            pc++;
            break;
          }
          case 12: {
            const s = code[b + 1]!;
            R[d] = R[s]!;
            R[d + 1] = R[s + 1]!;
            pc++;
            break;
          }
          case 13: {
            const n = R[code[b + 1]!]! & 63;
            const hi = R[d + 1]!;
            if (n >= 32) {
              R[d] = hi >> (n - 32);
              R[d + 1] = hi >> 31;
            } else if (n !== 0) {
              R[d] = (R[d]! >>> n) | (hi << (32 - n));
              R[d + 1] = hi >> n;
            }
            pc++;
            break;
          }
          case 14: {
            const lo = R[d]!;
            R[d] = -lo;
            R[d + 1] = (~R[d + 1]! + (lo === 0 ? 1 : 0)) | 0;
            pc++;
            break;
          }
          /* ---------------- ALU32 (results zero-extended into 64 bits) */
          case 16:
            R[d] = R[d]! + R[code[b + 1]!]!;
            R[d + 1] = 0;
            pc++;
            break;
          case 17:
            R[d] = R[d]! - R[code[b + 1]!]!;
            R[d + 1] = 0;
            pc++;
            break;
          case 18:
            R[d] = Math.imul(R[d]!, R[code[b + 1]!]!);
            R[d + 1] = 0;
            pc++;
            break;
          case 19: {
            const y = R[code[b + 1]!]! >>> 0;
            R[d] = y === 0 ? 0 : (R[d]! >>> 0) / y;
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 20: {
            const y = R[code[b + 1]!]!;
            R[d] = y === 0 ? 0 : (R[d]! / y) | 0;
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 21:
            R[d] = R[d]! | R[code[b + 1]!]!;
            R[d + 1] = 0;
            pc++;
            break;
          case 22:
            R[d] = R[d]! & R[code[b + 1]!]!;
            R[d + 1] = 0;
            pc++;
            break;
          case 23:
            R[d] = R[d]! << (R[code[b + 1]!]! & 31);
            R[d + 1] = 0;
            pc++;
            break;
          case 24:
            R[d] = R[d]! >>> (R[code[b + 1]!]! & 31);
            R[d + 1] = 0;
            pc++;
            break;
          case 25: {
            const y = R[code[b + 1]!]! >>> 0;
            if (y !== 0) R[d] = (R[d]! >>> 0) % y;
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 26: {
            const y = R[code[b + 1]!]!;
            if (y !== 0) R[d] = R[d]! % y;
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 27:
            R[d] = R[d]! ^ R[code[b + 1]!]!;
            R[d + 1] = 0;
            pc++;
            break;
          case 28:
            R[d] = R[code[b + 1]!]!;
            R[d + 1] = 0;
            pc++;
            break;
          case 29:
            R[d] = R[d]! >> (R[code[b + 1]!]! & 31);
            R[d + 1] = 0;
            pc++;
            break;
          case 30:
            R[d] = -R[d]!;
            R[d + 1] = 0;
            pc++;
            break;
          /* ---------------- movsx */
          case 32: {
            const v = (R[code[b + 1]!]! << 24) >> 24;
            R[d] = v;
            R[d + 1] = v >> 31;
            pc++;
            break;
          }
          case 33: {
            const v = (R[code[b + 1]!]! << 16) >> 16;
            R[d] = v;
            R[d + 1] = v >> 31;
            pc++;
            break;
          }
          case 34: {
            const v = R[code[b + 1]!]!;
            R[d] = v;
            R[d + 1] = v >> 31;
            pc++;
            break;
          }
          case 35:
            R[d] = (R[code[b + 1]!]! << 24) >> 24;
            R[d + 1] = 0;
            pc++;
            break;
          case 36:
            R[d] = (R[code[b + 1]!]! << 16) >> 16;
            R[d + 1] = 0;
            pc++;
            break;
          /* ---------------- byte order: le16 le32 le64 be16 be32 be64 (bswap = be here) */
          case 37:
            R[d] = R[d]! & 0xffff;
            R[d + 1] = 0;
            pc++;
            break;
          case 38:
            R[d + 1] = 0;
            pc++;
            break;
          case 39:
            pc++;
            break;
          case 40: {
            const v = R[d]!;
            R[d] = ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 41: {
            const v = R[d]!;
            R[d] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 42: {
            const v = R[d]!;
            const h = R[d + 1]!;
            R[d] = (h << 24) | ((h & 0xff00) << 8) | ((h >>> 8) & 0xff00) | (h >>> 24);
            R[d + 1] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
            pc++;
            break;
          }
          /* ---------------- loads: ldxb ldxh ldxw ldxdw ldxsb ldxsh ldxsw */
          case 43: {
            const bs = code[b + 1]!;
            let a = (R[bs]! >>> 0) + code[b + 2]!;
            if (R[bs + 1]! !== 0 || ((a < sLo || a + 1 > sHi) && (a < rLo || a + 1 > rHi))) {
              a = this.translate(pc, bs, code[b + 2]!, 1, false);
              rLo = this.cacheLo;
              rHi = this.cacheHi;
            }
            R[d] = u8[a]!;
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 44: {
            const bs = code[b + 1]!;
            let a = (R[bs]! >>> 0) + code[b + 2]!;
            if (R[bs + 1]! !== 0 || ((a < sLo || a + 2 > sHi) && (a < rLo || a + 2 > rHi))) {
              a = this.translate(pc, bs, code[b + 2]!, 2, false);
              rLo = this.cacheLo;
              rHi = this.cacheHi;
            }
            R[d] = dv.getUint16(a, true);
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 45: {
            const bs = code[b + 1]!;
            let a = (R[bs]! >>> 0) + code[b + 2]!;
            if (R[bs + 1]! !== 0 || ((a < sLo || a + 4 > sHi) && (a < rLo || a + 4 > rHi))) {
              a = this.translate(pc, bs, code[b + 2]!, 4, false);
              rLo = this.cacheLo;
              rHi = this.cacheHi;
            }
            R[d] = dv.getInt32(a, true);
            R[d + 1] = 0;
            pc++;
            break;
          }
          case 46: {
            const bs = code[b + 1]!;
            let a = (R[bs]! >>> 0) + code[b + 2]!;
            if (R[bs + 1]! !== 0 || ((a < sLo || a + 8 > sHi) && (a < rLo || a + 8 > rHi))) {
              a = this.translate(pc, bs, code[b + 2]!, 8, false);
              rLo = this.cacheLo;
              rHi = this.cacheHi;
            }
            R[d] = dv.getInt32(a, true);
            R[d + 1] = dv.getInt32(a + 4, true);
            pc++;
            break;
          }
          case 47: {
            const bs = code[b + 1]!;
            let a = (R[bs]! >>> 0) + code[b + 2]!;
            if (R[bs + 1]! !== 0 || ((a < sLo || a + 1 > sHi) && (a < rLo || a + 1 > rHi))) {
              a = this.translate(pc, bs, code[b + 2]!, 1, false);
              rLo = this.cacheLo;
              rHi = this.cacheHi;
            }
            const v = dv.getInt8(a);
            R[d] = v;
            R[d + 1] = v >> 31;
            pc++;
            break;
          }
          case 48: {
            const bs = code[b + 1]!;
            let a = (R[bs]! >>> 0) + code[b + 2]!;
            if (R[bs + 1]! !== 0 || ((a < sLo || a + 2 > sHi) && (a < rLo || a + 2 > rHi))) {
              a = this.translate(pc, bs, code[b + 2]!, 2, false);
              rLo = this.cacheLo;
              rHi = this.cacheHi;
            }
            const v = dv.getInt16(a, true);
            R[d] = v;
            R[d + 1] = v >> 31;
            pc++;
            break;
          }
          case 49: {
            const bs = code[b + 1]!;
            let a = (R[bs]! >>> 0) + code[b + 2]!;
            if (R[bs + 1]! !== 0 || ((a < sLo || a + 4 > sHi) && (a < rLo || a + 4 > rHi))) {
              a = this.translate(pc, bs, code[b + 2]!, 4, false);
              rLo = this.cacheLo;
              rHi = this.cacheHi;
            }
            const v = dv.getInt32(a, true);
            R[d] = v;
            R[d + 1] = v >> 31;
            pc++;
            break;
          }
          /* ---------------- stores: stb sth stw stdw (d is the base, s the value) */
          case 50: {
            let a = (R[d]! >>> 0) + code[b + 2]!;
            if (R[d + 1]! !== 0 || ((a < sLo || a + 1 > sHi) && (a < wLo || a + 1 > wHi))) {
              a = this.translate(pc, d, code[b + 2]!, 1, true);
              wLo = this.cacheLo;
              wHi = this.cacheHi;
            }
            u8[a] = R[code[b + 1]!]!;
            pc++;
            break;
          }
          case 51: {
            let a = (R[d]! >>> 0) + code[b + 2]!;
            if (R[d + 1]! !== 0 || ((a < sLo || a + 2 > sHi) && (a < wLo || a + 2 > wHi))) {
              a = this.translate(pc, d, code[b + 2]!, 2, true);
              wLo = this.cacheLo;
              wHi = this.cacheHi;
            }
            dv.setInt16(a, R[code[b + 1]!]!, true);
            pc++;
            break;
          }
          case 52: {
            let a = (R[d]! >>> 0) + code[b + 2]!;
            if (R[d + 1]! !== 0 || ((a < sLo || a + 4 > sHi) && (a < wLo || a + 4 > wHi))) {
              a = this.translate(pc, d, code[b + 2]!, 4, true);
              wLo = this.cacheLo;
              wHi = this.cacheHi;
            }
            dv.setInt32(a, R[code[b + 1]!]!, true);
            pc++;
            break;
          }
          case 53: {
            let a = (R[d]! >>> 0) + code[b + 2]!;
            if (R[d + 1]! !== 0 || ((a < sLo || a + 8 > sHi) && (a < wLo || a + 8 > wHi))) {
              a = this.translate(pc, d, code[b + 2]!, 8, true);
              wLo = this.cacheLo;
              wHi = this.cacheHi;
            }
            const s = code[b + 1]!;
            dv.setInt32(a, R[s]!, true);
            dv.setInt32(a + 4, R[s + 1]!, true);
            pc++;
            break;
          }
          /* ---------------- atomics, lddw, legacy packet loads */
          case 54:
          case 55:
            this.atomic(pc, b, dv);
            pc++;
            break;
          case 56:
            R[d] = code[b + 2]!;
            R[d + 1] = code[b + 3]!;
            pc += 2;
            break;
          case 57:
            if (!this.loadPacket(pc, b, dv)) {
              R[0] = 0;
              R[1] = 0;
              this.stopNow = 'packet-bounds';
              this.statusNow = 'done';
              break run;
            }
            pc++;
            break;
          /* ---------------- JMP: jeq jgt jge jset jne jsgt jsge jlt jle jslt jsle */
          case 58: {
            const s = code[b + 1]!;
            pc = R[d] === R[s] && R[d + 1] === R[s + 1] ? code[b + 2]! : pc + 1;
            break;
          }
          case 59: {
            const s = code[b + 1]!;
            const x = R[d + 1]! >>> 0;
            const y = R[s + 1]! >>> 0;
            pc = x > y || (x === y && R[d]! >>> 0 > R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          case 60: {
            const s = code[b + 1]!;
            const x = R[d + 1]! >>> 0;
            const y = R[s + 1]! >>> 0;
            pc = x > y || (x === y && R[d]! >>> 0 >= R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          case 61: {
            const s = code[b + 1]!;
            pc = (R[d]! & R[s]!) !== 0 || (R[d + 1]! & R[s + 1]!) !== 0 ? code[b + 2]! : pc + 1;
            break;
          }
          case 62: {
            const s = code[b + 1]!;
            pc = R[d] !== R[s] || R[d + 1] !== R[s + 1] ? code[b + 2]! : pc + 1;
            break;
          }
          case 63: {
            const s = code[b + 1]!;
            const x = R[d + 1]!;
            const y = R[s + 1]!;
            pc = x > y || (x === y && R[d]! >>> 0 > R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          case 64: {
            const s = code[b + 1]!;
            const x = R[d + 1]!;
            const y = R[s + 1]!;
            pc = x > y || (x === y && R[d]! >>> 0 >= R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          case 65: {
            const s = code[b + 1]!;
            const x = R[d + 1]! >>> 0;
            const y = R[s + 1]! >>> 0;
            pc = x < y || (x === y && R[d]! >>> 0 < R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          case 66: {
            const s = code[b + 1]!;
            const x = R[d + 1]! >>> 0;
            const y = R[s + 1]! >>> 0;
            pc = x < y || (x === y && R[d]! >>> 0 <= R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          case 67: {
            const s = code[b + 1]!;
            const x = R[d + 1]!;
            const y = R[s + 1]!;
            pc = x < y || (x === y && R[d]! >>> 0 < R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          case 68: {
            const s = code[b + 1]!;
            const x = R[d + 1]!;
            const y = R[s + 1]!;
            pc = x < y || (x === y && R[d]! >>> 0 <= R[s]! >>> 0) ? code[b + 2]! : pc + 1;
            break;
          }
          /* ---------------- JMP32: the same on the low halves */
          case 69:
            pc = R[d] === R[code[b + 1]!] ? code[b + 2]! : pc + 1;
            break;
          case 70:
            pc = R[d]! >>> 0 > R[code[b + 1]!]! >>> 0 ? code[b + 2]! : pc + 1;
            break;
          case 71:
            pc = R[d]! >>> 0 >= R[code[b + 1]!]! >>> 0 ? code[b + 2]! : pc + 1;
            break;
          case 72:
            pc = (R[d]! & R[code[b + 1]!]!) !== 0 ? code[b + 2]! : pc + 1;
            break;
          case 73:
            pc = R[d] !== R[code[b + 1]!] ? code[b + 2]! : pc + 1;
            break;
          case 74:
            pc = R[d]! > R[code[b + 1]!]! ? code[b + 2]! : pc + 1;
            break;
          case 75:
            pc = R[d]! >= R[code[b + 1]!]! ? code[b + 2]! : pc + 1;
            break;
          case 76:
            pc = R[d]! >>> 0 < R[code[b + 1]!]! >>> 0 ? code[b + 2]! : pc + 1;
            break;
          case 77:
            pc = R[d]! >>> 0 <= R[code[b + 1]!]! >>> 0 ? code[b + 2]! : pc + 1;
            break;
          case 78:
            pc = R[d]! < R[code[b + 1]!]! ? code[b + 2]! : pc + 1;
            break;
          case 79:
            pc = R[d]! <= R[code[b + 1]!]! ? code[b + 2]! : pc + 1;
            break;
          /* ---------------- control: ja call call_local callx exit */
          case 80:
            pc = code[b + 2]!;
            break;
          case 81:
          case 83:
          case 87: {
            const op = w & 0xff;
            let helper: Helper;
            let id: number;
            if (op === 81) {
              helper = this.c.helpers[code[b + 1]!]!;
              id = this.c.helperIds[code[b + 1]!]!;
            } else if (op === 87) {
              helper = this.c.kfuncs[code[b + 1]!]!;
              id = this.c.kfuncIds[code[b + 1]!]!;
            } else {
              const r = code[b + 1]!;
              id = R[r]! >>> 0;
              const found = R[r + 1] === 0 ? this.helperById.get(id) : undefined;
              if (found === undefined) {
                throw new VmError(
                  'unknown-helper',
                  `pc ${pc}: callx r${r >> 1} calls helper ${toBigint(R[r]!, R[r + 1]!)}, which is not supplied`,
                  { pc, helper: id },
                );
              }
              helper = found;
            }
            const stop = this.callHelper(pc, helper, id);
            u8 = this.memory.bytes();
            dv = this.memory.view();
            rLo = rHi = wLo = wHi = 0;
            if (stop) {
              this.stopNow = 'helper-stop';
              this.statusNow = 'done';
              break run;
            }
            pc++;
            break;
          }
          case 82: {
            if (depth + 1 >= MAX_CALL_FRAMES) {
              throw new VmError(
                'call-depth',
                `pc ${pc}: call ${code[b + 2]! - pc - 1 >= 0 ? '+' : ''}${code[b + 2]! - pc - 1} would make frame ${depth + 2} ` +
                  `of at most ${MAX_CALL_FRAMES} (BPF-to-BPF calls nest at most ${MAX_CALL_FRAMES} deep; unbounded recursion?)`,
                { pc },
              );
            }
            const f = depth * FRAME_WORDS;
            F[f] = pc + 1;
            F[f + 1] = code[b + 2]!;
            F[f + 2] = R[12]!;
            F[f + 3] = R[13]!;
            F[f + 4] = R[14]!;
            F[f + 5] = R[15]!;
            F[f + 6] = R[16]!;
            F[f + 7] = R[17]!;
            F[f + 8] = R[18]!;
            F[f + 9] = R[19]!;
            F[f + 10] = R[FP]!;
            R[FP] = R[FP]! - STACK_FRAME_SIZE;
            depth++;
            pc = code[b + 2]!;
            break;
          }
          case 84: {
            if (depth === 0) {
              this.statusNow = 'done';
              break run;
            }
            depth--;
            const f = depth * FRAME_WORDS;
            pc = F[f]!;
            R[12] = F[f + 2]!;
            R[13] = F[f + 3]!;
            R[14] = F[f + 4]!;
            R[15] = F[f + 5]!;
            R[16] = F[f + 6]!;
            R[17] = F[f + 7]!;
            R[18] = F[f + 8]!;
            R[19] = F[f + 9]!;
            R[FP] = F[f + 10]!;
            break;
          }
          case 85:
            throw new VmError(
              'fell-off',
              `pc ${pc}: execution ran past the end of the program (${this.slots} slot${this.slots === 1 ? '' : 's'}): ` +
                `the instruction at pc ${this.lastInsnPc()} is not exit and did not jump`,
              { pc },
            );
          default:
            throw new Error(`bpflab vm internal error: op ${w & 0xff} at pc ${pc} has no case`);
        }
      }
    } catch (e) {
      this.statusNow = 'faulted';
      throw e;
    } finally {
      this.pcNow = pc;
      this.depth = depth;
      this.executedNow += limit - left;
    }
  }

  private lastInsnPc(): number {
    let pc = this.slots - 1;
    while (pc > 0 && this.c.insnAt[pc] === undefined) pc--;
    return pc;
  }

  /**
   * The slow path of a load or store: computes the full 64-bit address
   * `reg + off`, checks it against the region table, fills the cache fields
   * and returns the address, or throws the fault.
   */
  private translate(pc: number, base: number, off: number, size: number, write: boolean): number {
    const addr = BigInt.asUintN(64, toBigint(this.R[base]!, this.R[base + 1]!) + BigInt(off));
    const access = write ? 'write' : 'read';
    const region = addr < 0x100000000n ? this.memory.accessible(addr, size, access) : undefined;
    if (region === undefined) throw this.memory.fault(access, size, addr, pc);
    this.cacheLo = region.start;
    this.cacheHi = region.start + region.size;
    return Number(addr);
  }

  private atomic(pc: number, b: number, dv: DataView): void {
    const code = this.c.code;
    const R = this.R;
    const wide = (code[b]! & 0xff) === 55;
    const size = wide ? 8 : 4;
    const base = code[b]! >> 8;
    const s = code[b + 1]!;
    const a = this.translate(pc, base, code[b + 2]!, size, true);
    const oldLo = dv.getInt32(a, true);
    const oldHi = wide ? dv.getInt32(a + 4, true) : 0;
    const srcLo = R[s]!;
    const srcHi = wide ? R[s + 1]! : 0;
    let newLo = oldLo;
    let newHi = oldHi;
    let fetchInto = -1;
    const sub = code[b + 3]!;
    switch (sub) {
      case ATOMIC_SUB.add:
      case ATOMIC_SUB.fetchAdd: {
        const lo = (oldLo >>> 0) + (srcLo >>> 0);
        newLo = lo | 0;
        newHi = (oldHi + srcHi + (lo > 0xffffffff ? 1 : 0)) | 0;
        break;
      }
      case ATOMIC_SUB.or:
      case ATOMIC_SUB.fetchOr:
        newLo = oldLo | srcLo;
        newHi = oldHi | srcHi;
        break;
      case ATOMIC_SUB.and:
      case ATOMIC_SUB.fetchAnd:
        newLo = oldLo & srcLo;
        newHi = oldHi & srcHi;
        break;
      case ATOMIC_SUB.xor:
      case ATOMIC_SUB.fetchXor:
        newLo = oldLo ^ srcLo;
        newHi = oldHi ^ srcHi;
        break;
      case ATOMIC_SUB.xchg:
        newLo = srcLo;
        newHi = srcHi;
        break;
      case ATOMIC_SUB.cmpxchg: {
        const equal = wide ? R[0] === oldLo && R[1] === oldHi : R[0] === oldLo;
        if (equal) {
          newLo = srcLo;
          newHi = srcHi;
        }
        fetchInto = 0;
        break;
      }
      default:
        throw new Error(`bpflab vm internal error: atomic sub-op ${sub} at pc ${pc}`);
    }
    if (sub >= ATOMIC_SUB.fetchAdd && sub <= ATOMIC_SUB.xchg) fetchInto = s;
    dv.setInt32(a, newLo, true);
    if (wide) dv.setInt32(a + 4, newHi, true);
    if (fetchInto >= 0) {
      R[fetchInto] = oldLo;
      R[fetchInto + 1] = oldHi;
    }
  }

  /** `ld_abs`/`ld_ind`: r0 = big-endian load from the packet; false when out of bounds. */
  private loadPacket(pc: number, b: number, dv: DataView): boolean {
    const code = this.c.code;
    const p = this.packet;
    if (p === undefined) {
      throw new VmError(
        'no-packet',
        `pc ${pc}: ${formatInsn(this.c.insnAt[pc]!, pc)} is a legacy packet load (ld_abs/ld_ind), ` +
          'but this run has no packet (pass RunOptions.packet)',
        { pc },
      );
    }
    const size = code[b + 3]!;
    const off = (this.R[code[b + 1]!]! + code[b + 2]!) | 0;
    if (off < 0 || off + size > p.size) return false;
    const a = p.start + off;
    this.R[0] = size === 1 ? dv.getUint8(a) : size === 2 ? dv.getUint16(a, false) : dv.getInt32(a, false);
    this.R[1] = 0;
    return true;
  }

  /** Calls a helper with r1-r5, puts its result in r0; returns true when it asked to stop. */
  private callHelper(pc: number, helper: Helper, id: number): boolean {
    const ctx = this.ctx;
    const R = this.R;
    ctx.pc = pc;
    ctx.helperId = id;
    ctx.stopRequested = false;
    let value: unknown;
    try {
      value =
        helper.kind === 'fast'
          ? helper.fn(ctx)
          : helper.fn(
              ctx,
              toBigint(R[2]!, R[3]!),
              toBigint(R[4]!, R[5]!),
              toBigint(R[6]!, R[7]!),
              toBigint(R[8]!, R[9]!),
              toBigint(R[10]!, R[11]!),
            );
    } catch (e) {
      const what = `pc ${pc}: helper ${id} (${helper.name})`;
      if (e instanceof VmError) {
        if (e.pc !== undefined) throw e;
        const details = { pc, helper: id, cause: e };
        throw new VmError(e.code, `${what}: ${e.message}`, e.fault === undefined ? details : { ...details, fault: e.fault });
      }
      throw new VmError('helper', `${what} failed: ${e instanceof Error ? e.message : String(e)}`, {
        pc,
        helper: id,
        cause: e,
      });
    }
    if (typeof value === 'bigint') {
      const v = BigInt.asUintN(64, value);
      R[0] = Number(v & 0xffffffffn);
      R[1] = Number(v >> 32n);
    } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
      R[0] = value;
      R[1] = Math.floor(value / TWO32);
    } else {
      throw new VmError(
        'helper',
        `pc ${pc}: helper ${id} (${helper.name}) returned ${String(value)}, not a bigint or a safe integer`,
        { pc, helper: id },
      );
    }
    return ctx.stopRequested;
  }

  /* ------------------------------------------------------------- tracing */

  private traceStep(sink: (line: string) => void): void {
    const pc = this.pcNow;
    const insn = this.c.insnAt[pc];
    const text = insn === undefined ? '<past the end of the program>' : formatInsn(insn, pc);
    const before = this.R.slice(0, 22);
    const depthBefore = this.depth;
    const written = insn === undefined ? undefined : this.storeTarget(insn);
    const line = (notes: readonly string[]): string =>
      `${String(pc).padStart(4)}: ${notes.length === 0 ? text : `${text.padEnd(26)} ; ${notes.join(', ')}`}`;
    try {
      this.advance(1);
    } catch (e) {
      sink(line([e instanceof VmError ? `${e.code}!` : 'error!']));
      throw e;
    }
    const notes: string[] = [];
    if (insn?.kind === 'jump' && insn.off !== 0) notes.push(this.pcNow === pc + 1 + insn.off ? 'taken' : 'not taken');
    for (let n = 0; n <= 10; n++) {
      if (before[2 * n] !== this.R[2 * n] || before[2 * n + 1] !== this.R[2 * n + 1]) {
        notes.push(`r${n} = ${hex(toBigint(this.R[2 * n]!, this.R[2 * n + 1]!))}`);
      }
    }
    if (written !== undefined && this.memory.accessible(written.address, written.size, 'read') !== undefined) {
      const v = written.size === 8 ? this.memory.readU64(written.address) : BigInt(this.readSmall(written));
      notes.push(`*(u${written.size * 8} *)(${this.describeForTrace(written.address)}) = ${hex(v)}`);
    }
    if (insn?.kind === 'exit' && depthBefore === 0) notes.push(`return ${hex(toBigint(this.R[0]!, this.R[1]!))}`);
    if (this.statusNow === 'done' && this.stopNow === 'helper-stop') notes.push('helper stopped the program');
    if (this.statusNow === 'done' && this.stopNow === 'packet-bounds') notes.push('packet load out of bounds: return 0');
    sink(line(notes));
  }

  /** Stack addresses relative to the frame pointer (`fp-8`), others relative to their region (`ctx+4`). */
  private describeForTrace(address: number): string {
    if (address >= this.stack.start && address < this.stack.start + this.stack.size) {
      const off = address - (this.R[FP]! >>> 0);
      return off < 0 ? `fp${off}` : `fp+${off}`;
    }
    return this.memory.describe(address);
  }

  private readSmall(w: { readonly address: number; readonly size: number }): number {
    return w.size === 1 ? this.memory.readU8(w.address) : w.size === 2 ? this.memory.readU16(w.address) : this.memory.readU32(w.address);
  }

  /** For a store or atomic: the address and size it will write (when it is a plain 32-bit address). */
  private storeTarget(insn: Insn): { readonly address: number; readonly size: number } | undefined {
    if (insn.kind !== 'store' && insn.kind !== 'atomic') return undefined;
    const addr = toBigint(this.R[2 * insn.base]!, this.R[2 * insn.base + 1]!) + BigInt(insn.off);
    if (addr < 0n || addr >= 0x100000000n) return undefined;
    return { address: Number(addr), size: insn.size };
  }
}
