/**
 * The verifier environment (`struct bpf_verifier_env`): the program being
 * verified, per-instruction facts, the current and pending states, the log
 * and the counters. Every pipeline step reads and updates it.
 */
import type { Insn } from '@bpflab/isa';
import type { MsgCode } from '../messages';
import { formatKernelInsn } from '../log/insn-printer';
import type { LogBuffer } from '../log/log-buffer';
import { formatFrameState } from '../log/state-printer';
import type { MapInfo, RegState } from '../state/reg-state';
import { SmallSet } from './small-set';
import { curFrame, type FrameState, type VerifierState } from '../state/verifier-state';
import type { LineInfo, ProgramTypeDescription, VerifyOptions } from '../types';

/** Facts about one instruction slot (`struct bpf_insn_aux_data`). */
export interface InsnAux {
  /** states are compared and saved here (`prune_point`) */
  prunePoint: boolean;
  /** the path history records arrivals here (`jmp_point`) */
  jmpPoint: boolean;
  /** a state is always saved here (`force_checkpoint`) */
  forceCheckpoint: boolean;
  /** a helper call that runs a callback (bpf_loop) */
  callsCallback: boolean;
  /** registers read before written on some path from here (bit i = r<i>) */
  liveRegsBefore: number;
  /** strongly connected component (loop) id, 0 when in none */
  scc: number;
  /** reached by some path */
  seen: boolean;
  /** pointer kind a load/store here used, to refuse mixing (`ptr_type`) */
  ptrType: string | undefined;
  /** a speculation barrier goes before this instruction: speculative paths end here (`nospec`) */
  nospec?: boolean;
  /** a speculation barrier goes after this instruction (`nospec_result`: stores over stack a CPU might bypass) */
  nospecResult?: boolean;
  /** pointer arithmetic masking recorded here for unprivileged loaders (`alu_state`, `alu_limit`); 0 when none */
  aluState?: number;
  aluLimit?: number;
  /** a `bpf_loop` call here may be inlined: flags always 0, one callback (`loop_inline_state`) */
  loopInline?: { readonly fit: boolean; readonly subprog: number };
}

/** A subprogram (`struct bpf_subprog_info`). */
export interface Subprog {
  /** first instruction slot */
  readonly start: number;
  /** deepest stack use seen, bytes */
  stackDepth: number;
}

/** A branch waiting to be explored (`struct bpf_verifier_stack_elem`). */
export interface PendingBranch {
  readonly state: VerifierState;
  readonly insnIdx: number;
  readonly prevInsnIdx: number;
  /** log length when it was pushed */
  readonly logPos: number;
}

/** One saved state at a prune point (`struct bpf_verifier_state_list`). */
export interface ExploredState {
  readonly state: VerifierState;
  hitCnt: number;
  missCnt: number;
  inFreeList: boolean;
  cleaned: boolean;
}

/** A rejection: the student's mistake, turned into a result by the explorer. */
export class Reject extends Error {
  constructor(
    readonly code: MsgCode,
    /** the lines the kernel writes to the log, the error line last */
    readonly text: string,
    /** instruction the message is about, when not the current one */
    readonly at?: number,
    /** the error line, when it is not the last line of `text` */
    readonly headline?: string,
  ) {
    super(headline ?? text.split('\n').pop() ?? text);
  }
}

/** Raises a rejection with a catalogued message (several lines: the error line last). */
export function reject(code: MsgCode, text: string, at?: number, headline?: string): never {
  throw new Reject(code, text, at, headline);
}

/** The verifier environment. */
export class Env {
  /** instruction starting at each slot; `undefined` for the second half of an lddw */
  readonly insns: (Insn | undefined)[];
  readonly lineInfo: (LineInfo | undefined)[];
  readonly aux: InsnAux[];
  readonly subprogs: Subprog[] = [];
  readonly maps: readonly MapInfo[];
  /** `env->bpf_capable` */
  readonly bpfCapable: boolean;
  /** `env->allow_ptr_leaks` (CAP_PERFMON) */
  readonly allowPtrLeaks: boolean;
  /** the program came with BTF function info */
  readonly btf: boolean;
  /** `env->bypass_spec_v1` */
  readonly bypassSpec: boolean;
  /** `env->explore_alu_limits`: unprivileged pointer arithmetic with a variable offset was seen; pruning compares scalars exactly */
  exploreAluLimits = false;
  /** `env->allow_uninit_stack` */
  readonly allowUninitStack: boolean;
  /** the license is GPL-compatible */
  readonly gpl: boolean;
  readonly level: 0 | 1 | 2;
  readonly insnLimit: number;
  readonly nrCpus: number;

  idGen = 0;
  insnProcessed = 0;
  jmpsProcessed = 0;
  prevInsnProcessed = 0;
  prevJmpsProcessed = 0;
  totalStates = 0;
  peakStates = 0;
  maxStatesPerInsn = 0;
  exploredSize = 0;
  freeListSize = 0;
  /** saved states by hash bucket (`explored_states`) */
  readonly explored = new Map<number, ExploredState[]>();
  /**
   * Saved states evicted from `explored` while paths through them were still
   * open (`free_list`); each leaves when its last path ends.
   */
  readonly freeList = new Set<VerifierState>();
  /** branches waiting to be explored, last pushed first */
  readonly pending: PendingBranch[] = [];

  cur!: VerifierState;
  insnIdx = 0;
  prevInsnIdx = -1;

  /** registers and slots touched since the state was last printed */
  readonly scratchedRegs = new SmallSet();
  readonly scratchedSlots = new SmallSet();
  prevLogPos = 0;
  prevInsnPrintPos = 0;
  /** history entry of the current instruction, once one is pushed */
  curHistEnt: import('../state/verifier-state').HistEntry | undefined;
  /** line info printed last (`prev_linfo`) */
  prevLinfo: LineInfo | undefined;
  /**
   * Stack use recorded while exploring, per frame number: slots read at each
   * instruction, and slots each instruction overwrites whole. Liveness of
   * stack slots for pruning is computed from these.
   */
  readonly stackReads: bigint[][] = [];
  readonly stackWrites: bigint[][] = [];
  /** set when new stack use was recorded since liveness was last computed */
  stackUseChanged = true;

  constructor(
    insns: (Insn | undefined)[],
    lineInfo: (LineInfo | undefined)[],
    readonly progType: ProgramTypeDescription,
    readonly options: Required<Omit<VerifyOptions, 'capabilities'>> & Pick<VerifyOptions, 'capabilities'>,
    maps: readonly MapInfo[],
    readonly log: LogBuffer,
    license: string,
  ) {
    this.insns = insns;
    this.lineInfo = lineInfo;
    this.aux = insns.map(() => ({
      prunePoint: false,
      jmpPoint: false,
      forceCheckpoint: false,
      callsCallback: false,
      liveRegsBefore: 0,
      scc: 0,
      seen: false,
      ptrType: undefined,
    }));
    this.maps = maps;
    const caps = options.capabilities ?? { bpf: options.privileged, perfmon: options.privileged };
    this.bpfCapable = caps.bpf;
    this.allowPtrLeaks = caps.perfmon;
    this.bypassSpec = caps.perfmon;
    this.allowUninitStack = caps.perfmon;
    this.gpl = isGplCompatible(license);
    this.btf = options.btf || lineInfo.some((l) => l !== undefined);
    this.level = options.logLevel;
    this.insnLimit = options.insnLimit;
    this.nrCpus = options.nrCpus;
  }

  /** Number of instruction slots. */
  get len(): number {
    return this.insns.length;
  }

  /** Writes to the log (`verbose`). */
  verbose(s: string): void {
    if (this.level > 0) this.log.write(s);
  }

  /** The current frame. */
  get frame(): FrameState {
    return curFrame(this.cur);
  }

  /** Register `r` of the current frame. */
  reg(r: number): RegState {
    return this.frame.regs[r] as RegState;
  }

  /** Replaces register `r` of the current frame. */
  setReg(r: number, v: RegState): void {
    this.frame.regs[r] = v;
  }

  /** A fresh id (`++env->id_gen`). */
  newId(): number {
    return ++this.idGen;
  }

  markRegScratched(r: number): void {
    this.scratchedRegs.add(r);
  }

  markSlotScratched(spi: number): void {
    this.scratchedSlots.add(spi);
  }

  /** Marks everything scratched (`mark_verifier_state_scratched`). */
  markAllScratched(): void {
    this.scratchedRegs.fill(11);
    this.scratchedSlots.fill(64);
  }

  /** Records that the current instruction reads slot `spi` of frame `frameno`. */
  markStackRead(frameno: number, spi: number): void {
    const a = (this.stackReads[frameno] ??= []);
    const old = a[this.insnIdx] ?? 0n;
    const v = old | (1n << BigInt(spi));
    if (v !== old) {
      a[this.insnIdx] = v;
      this.stackUseChanged = true;
    }
  }

  /** Records that the current instruction overwrites all of slot `spi` of frame `frameno`. */
  markStackWrite(frameno: number, spi: number): void {
    const a = (this.stackWrites[frameno] ??= []);
    const old = a[this.insnIdx];
    const v = (old ?? 0n) | (1n << BigInt(spi));
    if (v !== old) {
      a[this.insnIdx] = v;
      this.stackUseChanged = true;
    }
  }

  /** At the start every register and slot counts as touched, so the first state prints in full. */
  markAllScalarsScratchedAtStart(): void {
    this.markAllScratched();
  }

  /** Clears scratch marks (`mark_verifier_state_clean`). */
  markClean(): void {
    this.scratchedRegs.clear();
    this.scratchedSlots.clear();
  }

  get stateScratched(): boolean {
    return !this.scratchedRegs.empty || !this.scratchedSlots.empty;
  }

  /**
   * Prints the registers and slots touched since the last print
   * (`print_insn_state`): on the instruction's own line after a `;` when
   * nothing was printed since the instruction, else on a line of its own.
   */
  printInsnState(): void {
    if (this.level === 0) return;
    if (this.prevLogPos !== 0 && this.prevLogPos === this.log.end) {
      this.log.reset(this.prevLogPos - 1);
      const pos = this.prevInsnPrintPos;
      const width = Math.ceil(Math.max(pos + 4, 40) / 8) * 8 - pos - 1;
      this.verbose(`${' '.repeat(Math.max(width, 1))};`);
    } else {
      this.verbose(`${this.insnIdx}:`);
    }
    this.verbose(`${formatFrameState(this.cur, this.cur.curframe, { regs: this.scratchedRegs, slots: this.scratchedSlots })}\n`);
    this.markClean();
  }

  /** The address the log shows for a map loaded by an `lddw` (0 when pointers may not leak). */
  readonly mapAddress = (insn: Insn & { kind: 'lddw' }): bigint => {
    if (!this.allowPtrLeaks) return 0n;
    const index = Number(BigInt.asIntN(32, insn.value));
    const base = 0xffff888100000000n + BigInt(index + 1) * 0x1000n;
    if (insn.pseudo === 'map_value' || insn.pseudo === 'map_idx_value') return base + 0x100n + (insn.value >> 32n);
    return base;
  };

  /** Prints the source line of an instruction once (`verbose_linfo`). */
  verboseLinfo(insnIdx: number, prefix: string): void {
    if (this.level === 0) return;
    const li = this.findLinfo(insnIdx);
    if (li === undefined || li === this.prevLinfo) return;
    this.verbose(`${prefix}${li.line.trimStart()}\n`);
    this.prevLinfo = li;
  }

  /** The line info in force at an instruction: the last one given at or before it. */
  findLinfo(insnIdx: number): LineInfo | undefined {
    const n = this.lineInfo.length;
    if (n === 0 || insnIdx < 0) return undefined;
    if (this.linfoAt === undefined) {
      const at: (LineInfo | undefined)[] = new Array<LineInfo | undefined>(n);
      let last: LineInfo | undefined;
      for (let i = 0; i < n; i++) at[i] = last = this.lineInfo[i] ?? last;
      this.linfoAt = at;
    }
    return this.linfoAt[Math.min(insnIdx, n - 1)];
  }
  /** `findLinfo` of every slot, computed on first use */
  private linfoAt: (LineInfo | undefined)[] | undefined;

  /** An instruction as the log prints it (`(b7) r0 = 0`), formatted once per slot. */
  insnText(idx: number, insn: Insn): string {
    let t = this.insnTexts[idx];
    if (t === undefined) this.insnTexts[idx] = t = formatKernelInsn(insn, { mapAddress: this.mapAddress });
    return t;
  }
  private readonly insnTexts: string[] = [];
}

/**
 * The licenses the kernel accepts as GPL-compatible (`license_is_gpl_compatible`).
 */
export function isGplCompatible(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}
