/**
 * Random BPF programs for the fuzz tests, shared by the verifier's
 * (`packages/verifier/tests/fuzz.test.ts`: the verifier never throws nor runs
 * past its limits) and the kernel's (`packages/kernel/tests/verifier-fuzz.test.ts`:
 * every accepted program runs without a fault). Seeded and reproducible.
 *
 * Two flavours:
 * - `raw`: anything goes, biased towards instructions that get past the
 *   control-flow checks (short forward jumps, stack and context accesses,
 *   real helpers and maps, a final exit);
 * - `idioms`: mostly well-formed programs (registers and stack
 *   initialised, no dead code) built from what real programs do — map
 *   lookups with and without NULL checks, packet bounds checks, masked
 *   variable offsets, pointer arithmetic — so that many are accepted and the
 *   accepted ones probe the rules that keep memory accesses in bounds.
 */
import type { AluOp, Insn, JumpOp, Reg, Size } from '../../packages/isa/src/index';

/** xorshift32: small, fast, reproducible; values in [0, 1). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** A map of the fuzz programs, by the index the `lddw` map pseudo loads use. */
export interface FuzzMap {
  readonly type: 'hash' | 'array' | 'ringbuf';
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

/** The maps every fuzz program may name: index 0 hash, 1 array (global data), 2 ring buffer; 3 does not exist. */
export const FUZZ_MAPS: readonly FuzzMap[] = [
  { type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 },
  { type: 'array', keySize: 4, valueSize: 16, maxEntries: 1 },
  { type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 },
];

const ALU: AluOp[] = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'mod', 'xor', 'mov', 'arsh', 'sdiv', 'smod'];
const JMP: JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const SIZES: Size[] = [1, 2, 4, 8];
/** map helpers, clock, printk, prandom, cpu, pid, comm, perf output, xdp_adjust_head, probe_read_kernel, ringbuf, bpf_loop, an unknown id */
const HELPERS = [1, 2, 3, 5, 6, 7, 8, 14, 16, 25, 44, 113, 131, 132, 181, 999];

type Pick = <T>(a: readonly T[]) => T;

function tools(r: () => number): { pick: Pick; imm: () => number } {
  const pick: Pick = (a) => a[Math.floor(r() * a.length)]!;
  const imm = (): number => pick([0, 1, -1, 4, 8, 14, 255, 0x7fffffff, -8, Math.floor(r() * 2 ** 32) | 0]);
  return { pick, imm };
}

/** A program of the `raw` flavour. */
export function rawProgram(r: () => number): Insn[] {
  const { pick, imm } = tools(r);
  const reg = (): Reg => Math.floor(r() * 11) as Reg;
  const low = (): Reg => Math.floor(r() * 10) as Reg;
  const n = 1 + Math.floor(r() * 24);
  const out: Insn[] = [];
  if (r() < 0.7) {
    for (const d of [0, 2, 3, 4, 5] as Reg[]) out.push({ kind: 'alu', op: 'mov', wide: true, dst: d, src: { imm: imm() } });
  }
  for (let i = 0; i < n; i++) {
    const left = n - i;
    const k = r();
    if (k < 0.3) {
      out.push({ kind: 'alu', op: pick(ALU), wide: r() < 0.7, dst: low(), src: r() < 0.5 ? { reg: reg() } : { imm: imm() } });
    } else if (k < 0.42) {
      out.push({ kind: 'load', size: pick(SIZES), signed: r() < 0.1, dst: low(), base: pick<Reg>([10, 1, 0, 2, 6]), off: pick([-8, -16, -4, 0, 4, 8, 12, 76, 80, -520]) });
    } else if (k < 0.54) {
      out.push({ kind: 'store', size: pick(SIZES), base: pick<Reg>([10, 10, 1, 0]), off: pick([-8, -16, -4, -512, 0, 8, 48]), src: r() < 0.5 ? { reg: reg() } : { imm: imm() } });
    } else if (k < 0.68 && left > 1) {
      out.push({ kind: 'jump', op: pick(JMP), wide: r() < 0.7, dst: low(), src: r() < 0.5 ? { reg: reg() } : { imm: imm() }, off: pick([0, 1, 1, 2, 2, 3, -2]) });
    } else if (k < 0.74 && left > 1) {
      out.push({ kind: 'ja', off: pick([0, 1, 1, 2, -3]), long: false });
    } else if (k < 0.84) {
      out.push({ kind: 'call', helper: pick(HELPERS) });
    } else if (k < 0.9) {
      const pseudo = pick(['imm64', 'map_fd', 'map_value'] as const);
      out.push({ kind: 'lddw', dst: low(), pseudo, value: pseudo === 'imm64' ? BigInt(imm()) : pseudo === 'map_value' ? 1n : BigInt(Math.floor(r() * 3.2)) });
    } else if (k < 0.93) {
      out.push({ kind: 'atomic', op: pick(['add', 'or', 'xchg', 'cmpxchg'] as const), fetch: r() < 0.5, size: pick([4, 8] as const), base: pick<Reg>([10, 0]), off: pick([-8, 0]), src: low() });
    } else if (k < 0.95) {
      out.push({ kind: 'ld_abs', size: pick([1, 2, 4] as const), imm: pick([0, 12, 23]) });
    } else if (k < 0.97) {
      out.push({ kind: 'neg', wide: r() < 0.5, dst: low() });
    } else if (r() < 0.3) {
      out.push({ kind: 'exit' });
    } else {
      out.push({ kind: 'movsx', wide: true, dst: low(), src: low(), bits: pick([8, 16, 32] as const) });
    }
  }
  if (r() < 0.9) out.push({ kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 0 } });
  out.push({ kind: 'exit' });
  return out;
}

/** What an `idioms` program may use of its program type. */
export interface IdiomOptions {
  /** the context has `data`/`data_end` at offsets 0 and 4 (XDP) */
  readonly packet: boolean;
  /** bytes of the context readable as scalars from offset 0 (for ctx loads) */
  readonly ctxScalarEnd: number;
  /** the first readable scalar offset of the context */
  readonly ctxScalarStart: number;
}

/**
 * A program of the `idioms` flavour. Registers r6 (ctx copy), r7, r8, r9
 * and stack fp-8..fp-32 are initialised up front; blocks follow one another
 * and their jumps stay inside the block or skip to the next one.
 */
export function idiomProgram(r: () => number, o: IdiomOptions): Insn[] {
  const { pick, imm } = tools(r);
  const out: Insn[] = [];
  const mov = (dst: Reg, src: Reg | number): void => {
    out.push({ kind: 'alu', op: 'mov', wide: true, dst, src: typeof src === 'number' && src > 10 ? { imm: src } : { reg: src as Reg } });
  };
  const movi = (dst: Reg, v: number): void => void out.push({ kind: 'alu', op: 'mov', wide: true, dst, src: { imm: v } });
  const alu = (op: AluOp, dst: Reg, src: Reg | { imm: number }, wide = true): void => {
    out.push({ kind: 'alu', op, wide, dst, src: typeof src === 'number' ? { reg: src } : src });
  };
  const jmp = (op: JumpOp, dst: Reg, src: Reg | { imm: number }, off: number, wide = true): void => {
    out.push({ kind: 'jump', op, wide, dst, src: typeof src === 'number' ? { reg: src } : src, off });
  };
  const ld = (size: Size, dst: Reg, base: Reg, off: number): void => void out.push({ kind: 'load', size, signed: false, dst, base, off });
  const st = (size: Size, base: Reg, off: number, src: Reg | { imm: number }): void => {
    out.push({ kind: 'store', size, base, off, src: typeof src === 'number' ? { reg: src } : src });
  };
  mov(6, 1);
  for (const d of [0, 7, 8, 9] as Reg[]) movi(d, imm());
  for (const off of [-8, -16, -24, -32]) st(8, 10, off, { imm: r() < 0.5 ? 0 : imm() });
  const scalar = (): Reg => pick<Reg>([0, 7, 8, 9]);
  /** positions of the `lddw rX, func` of bpf_loop calls */
  const loopCalls: number[] = [];
  /** A pointer into the stack, the context or a map value, in r2..r5 (set up by the caller) or r10. */
  const blocks = 1 + Math.floor(r() * 6);
  for (let b = 0; b < blocks; b++) {
    const k = r();
    if (k < 0.22) {
      // a map value: lookup, maybe a NULL check, then accesses through it with a (masked) variable offset
      const map = r() < 0.85 ? pick([0, 1]) : 2;
      const valueSize = FUZZ_MAPS[map]!.valueSize;
      out.push({ kind: 'lddw', dst: 1, pseudo: 'map_fd', value: BigInt(map) });
      mov(2, 10);
      alu('add', 2, { imm: pick([-8, -16, -4, -32]) });
      out.push({ kind: 'call', helper: 1 });
      const body: Insn[] = [];
      const saved = out.length;
      const v = scalar();
      if (r() < 0.6) {
        alu('and', v, { imm: pick([3, 7, 8, 15, 16, 0xff]) }, r() < 0.7);
        if (r() < 0.8) alu('add', 0, v);
      }
      const size = pick(SIZES);
      const off = pick([0, 0, 4, 8, valueSize - size, valueSize - size + 1, valueSize, -1, 12]);
      if (r() < 0.5) ld(size, pick<Reg>([3, 4, 5]), 0, off);
      else st(size, 0, off, r() < 0.5 ? { imm: imm() } : scalar());
      body.push(...out.splice(saved));
      if (r() < 0.85) jmp('jeq', 0, { imm: 0 }, body.length);
      out.push(...body);
    } else if (k < 0.42 && o.packet) {
      // a packet access after (or without, or one byte short of) the data_end check
      ld(4, 2, 6, 0);
      ld(4, 3, 6, 4);
      const hdr = pick([1, 2, 4, 8, 14, 34]);
      mov(4, 2);
      alu('add', 4, { imm: pick([hdr, hdr, hdr - 1]) });
      const size = pick(SIZES.filter((s) => s <= hdr));
      const off = pick([0, hdr - size, hdr - size + 1]);
      const body: Insn[] = [];
      if (r() < 0.3) {
        // a variable offset into the packet, masked
        ld(1, 5, 2, 0);
        alu('and', 5, { imm: pick([1, 3, 7, 15]) });
        alu('add', 2, 5);
        body.push(...out.splice(out.length - 3));
      }
      body.push({ kind: 'load', size, signed: false, dst: 0, base: 2, off });
      if (r() < 0.3) body.push({ kind: 'store', size, base: 2, off, src: { imm: imm() } });
      const op = pick<JumpOp>(['jgt', 'jgt', 'jge', 'jlt']);
      if (op === 'jlt') jmp('jlt', 3, 4, body.length);
      else if (r() < 0.9) jmp(op, 4, 3, body.length);
      out.push(...body);
    } else if (k < 0.55) {
      // a variable stack offset
      const v = scalar();
      mov(2, 10);
      alu('and', v, { imm: pick([7, 8, 15, 24, 31]) });
      alu('add', 2, { imm: pick([-16, -32, -33]) });
      alu('add', 2, v);
      const size = pick(SIZES);
      if (r() < 0.5) ld(size, 3, 2, 0);
      else st(size, 2, 0, scalar());
    } else if (k < 0.68) {
      // a context read, as the layout allows or just outside it
      const span = Math.max(o.ctxScalarEnd - o.ctxScalarStart, 4);
      const size = pick<Size>([1, 2, 4, 8]);
      const off = pick([o.ctxScalarStart, o.ctxScalarStart + Math.floor(r() * span), o.ctxScalarEnd - size, o.ctxScalarEnd]);
      ld(size, scalar(), 6, off - (off % size));
    } else if (k < 0.8) {
      // scalar arithmetic and a branch that narrows it
      const d = scalar();
      alu(pick(ALU.filter((a) => a !== 'div' && a !== 'mod')), d, r() < 0.5 ? { imm: imm() } : scalar(), r() < 0.7);
      const then: Insn[] = [{ kind: 'alu', op: pick(['add', 'lsh', 'rsh', 'and'] as const), wide: r() < 0.7, dst: d, src: { imm: pick([1, 3, 31, 63]) } }];
      jmp(pick(JMP), d, r() < 0.5 ? { imm: imm() } : scalar(), then.length, r() < 0.7);
      out.push(...then);
    } else if (k < 0.84) {
      // bpf_loop with a callback (appended after the main program) that reads and writes through its context pointer
      movi(1, pick([1, 3, 0x7fffffff]));
      loopCalls.push(out.length);
      out.push({ kind: 'lddw', dst: 2, pseudo: 'func', value: 0n });
      if (r() < 0.8) {
        mov(3, 10);
        alu('add', 3, { imm: pick([-16, -32, -8]) });
      } else movi(3, 0);
      movi(4, 0);
      out.push({ kind: 'call', helper: 181 });
    } else if (k < 0.9) {
      // a helper with stack buffers
      const id = pick([5, 7, 8, 14, 16, 113, 6]);
      mov(1, 10);
      alu('add', 1, { imm: -32 });
      movi(2, pick([4, 8, 16, 32, 33]));
      if (id === 113) {
        movi(3, 0);
      }
      if (id === 6) movi(3, 0);
      out.push({ kind: 'call', helper: id });
    } else {
      // spill and fill a pointer or scalar
      const src = pick<Reg>([6, 10, 7, 8]);
      st(8, 10, -40, src);
      ld(8, pick<Reg>([7, 8, 9]), 10, -40);
    }
  }
  if (r() < 0.95) movi(0, pick([0, 1, 2]));
  out.push({ kind: 'exit' });
  if (loopCalls.length > 0) {
    // the callback: callback(index, ctx)
    const slotOf = (n: number): number => out.slice(0, n).reduce((a, i) => a + (i.kind === 'lddw' ? 2 : 1), 0);
    const start = slotOf(out.length);
    for (const at of loopCalls) out[at] = { kind: 'lddw', dst: 2, pseudo: 'func', value: BigInt(start - slotOf(at) - 1) };
    const size = pick(SIZES);
    ld(size, 0, 2, pick([0, 8, -8, 16]));
    st(size, 2, pick([0, 8, -8]), r() < 0.5 ? 1 : { imm: imm() });
    movi(0, pick([0, 0, 1, 2]));
    out.push({ kind: 'exit' });
  }
  return out;
}
