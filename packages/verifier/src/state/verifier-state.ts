/**
 * The whole abstract machine state along one path: call frames (registers
 * and stack), acquired references, and the bookkeeping path exploration
 * needs (`struct bpf_verifier_state` / `struct bpf_func_state`).
 *
 * Registers and stack slots are immutable values, so copying a state for a
 * branch copies arrays of references, not the values themselves.
 */
import { NOT_INIT, pointer, type RegState } from './reg-state';

/** Bytes in one stack slot (`BPF_REG_SIZE`). */
export const SLOT = 8;
/** The stack of one frame (`MAX_BPF_STACK`). */
export const MAX_STACK = 512;

/**
 * Type of each byte of a stack slot, as the log prints it:
 * `?` invalid (never written), `r` spilled register, `m` misc data, `0` zero.
 * Index j is the byte at `fp - 8*spi - 1 - j` (j = 7 is the lowest address).
 */
export type SlotByte = '?' | 'r' | 'm' | '0';

/** One 8-byte stack slot (`struct bpf_stack_state`). */
export interface StackSlot {
  /** eight `SlotByte`s */
  readonly types: string;
  /** the spilled register (meaningful when the last byte is `r`) */
  readonly spilled: RegState;
}

/** An untouched slot. */
export const EMPTY_SLOT: StackSlot = Object.freeze({ types: '????????', spilled: NOT_INIT });

/** `struct bpf_func_state`: one call frame. */
export interface FrameState {
  /** r0..r10 */
  regs: RegState[];
  /** slots by index `spi` (slot i covers fp-8*(i+1) .. fp-8*i-1) */
  stack: StackSlot[];
  /** 0 for the main program */
  readonly frameno: number;
  /** the call instruction that created this frame (-1 for the main program) */
  readonly callsite: number;
  /** subprogram index */
  readonly subprogno: number;
  /** for callbacks: the instruction to resume after the callback loop */
  readonly callbackRet?: { readonly min: bigint; readonly max: bigint };
  /** nesting depth of callback calls (bpf_loop), compared by pruning */
  callbackDepth: number;
  /** true when this frame runs a callback body */
  readonly inCallback: boolean;
}

/** One acquired reference (ringbuf records). */
export interface RefState {
  readonly id: number;
  readonly insnIdx: number;
}

/** One entry of the history of a path segment (`struct bpf_jmp_history_entry`). */
export interface HistEntry {
  readonly idx: number;
  readonly prevIdx: number;
  /** stack slot accessed by a load/store at `idx` (frame, spi), if any */
  stack?: { readonly frame: number; readonly spi: number };
  /** registers (frame, reg) and stack slots linked by id when a jump refined them */
  linked?: readonly LinkedReg[];
}

/** A register or spilled slot sharing a scalar id (`struct linked_reg`). */
export interface LinkedReg {
  readonly frame: number;
  readonly isReg: boolean;
  /** register number or stack slot index */
  readonly n: number;
}

/** `struct bpf_verifier_state` */
export interface VerifierState {
  frames: FrameState[];
  curframe: number;
  refs: RefState[];
  /** checkpoint this state descends from */
  parent: VerifierState | undefined;
  /** unfinished paths through this (checkpoint) state */
  branches: number;
  /** where this state was checkpointed */
  insnIdx: number;
  /** first instruction of the path segment since the parent checkpoint */
  firstInsnIdx: number;
  /** last instruction processed before this segment ended */
  lastInsnIdx: number;
  /** history of the segment: non-linear steps and stack accesses */
  history: HistEntry[];
  /** nesting depth of callback unrolling */
  callbackUnrollDepth: number;
  /** a loop entry this state passed (for SCC-style exact comparison) */
  inLoop: boolean;
  /**
   * a path only a mispredicting CPU would take (`speculative`): explored
   * for loaders without CAP_PERFMON; an error on it ends the path instead
   * of failing the program (the kernel then patches in a barrier)
   */
  speculative: boolean;
}

/** A fresh frame with every register NOT_INIT and an empty stack. */
export function newFrame(frameno: number, callsite: number, subprogno: number, inCallback = false): FrameState {
  const regs: RegState[] = [];
  for (let i = 0; i < 11; i++) regs.push(NOT_INIT);
  regs[10] = pointer('fp', { frameno });
  return { regs, stack: [], frameno, callsite, subprogno, callbackDepth: 0, inCallback };
}

/**
 * A copy of a frame: new arrays, shared immutable values. Written field by
 * field (a new field is a compile error here until it is copied): V8 builds
 * such a literal much faster than a spread.
 */
export function copyFrame(f: FrameState): FrameState {
  return {
    regs: f.regs.slice(),
    stack: f.stack.slice(),
    frameno: f.frameno,
    callsite: f.callsite,
    subprogno: f.subprogno,
    callbackRet: f.callbackRet,
    callbackDepth: f.callbackDepth,
    inCallback: f.inCallback,
  } satisfies Record<keyof FrameState, unknown>;
}

/**
 * A copy of a path history. Only the last entry can still change (the
 * current instruction's, which `pushHistory` may complete), so the others
 * are shared.
 */
function copyHistory(h: readonly HistEntry[]): HistEntry[] {
  const out = h.slice();
  const n = out.length - 1;
  if (n >= 0) out[n] = { ...(out[n] as HistEntry) };
  return out;
}

/** A copy of a state for a pushed branch (`copy_verifier_state`). */
export function copyState(s: VerifierState): VerifierState {
  return {
    frames: s.frames.map(copyFrame),
    curframe: s.curframe,
    refs: s.refs.slice(),
    parent: s.parent,
    branches: s.branches,
    insnIdx: s.insnIdx,
    firstInsnIdx: s.firstInsnIdx,
    lastInsnIdx: s.lastInsnIdx,
    history: copyHistory(s.history),
    callbackUnrollDepth: s.callbackUnrollDepth,
    inLoop: s.inLoop,
    speculative: s.speculative,
  };
}

/** The current frame. */
export const curFrame = (s: VerifierState): FrameState => s.frames[s.curframe] as FrameState;

/** Slot index of a byte offset from fp (negative), e.g. -8 → 0, -9 → 1. */
export const spiOf = (off: number): number => Math.floor((-off - 1) / SLOT);

/** Index within the slot's `types` of the byte at fp-relative `off`. */
export const byteIndex = (off: number): number => (-off - 1) % SLOT;

/** The slot at `spi`, empty when not allocated. */
export const slotAt = (f: FrameState, spi: number): StackSlot => f.stack[spi] ?? EMPTY_SLOT;

/** Replaces slot `spi`, growing the stack as the kernel grows `allocated_stack`. */
export function setSlot(f: FrameState, spi: number, slot: StackSlot): void {
  while (f.stack.length <= spi) f.stack.push(EMPTY_SLOT);
  f.stack[spi] = slot;
}

/** True when the slot holds a spilled register (`is_spilled_reg`). */
export const isSpilled = (s: StackSlot): boolean => s.types[SLOT - 1] === 'r';
/** A spilled scalar (`is_spilled_scalar_reg`). */
export const isSpilledScalar = (s: StackSlot): boolean => isSpilled(s) && s.spilled.kind === 'scalar';
/** A full 8-byte scalar spill (`is_spilled_scalar_reg64`). */
export const isSpilledScalar64 = (s: StackSlot): boolean => s.types[0] === 'r' && s.spilled.kind === 'scalar';
