// Random programs: verify() must never throw and never run past its limits,
// whatever the instructions. 10,000+ programs per run from a seeded
// generator (BPFLAB_FUZZ_SEED to replay), biased towards instructions that
// get past the control-flow checks: short forward jumps, stack and context
// accesses, real helpers and maps, a final exit.
import type { AluOp, Insn, JumpOp, Reg, Size } from '@bpflab/isa';
import { PROGRAM_TYPES, verify, type MapDescription } from '../src/index';

const SEED = Number(process.env.BPFLAB_FUZZ_SEED ?? 0x5eed);
const RUNS = Number(process.env.BPFLAB_FUZZ_RUNS ?? 12_000);

/** xorshift32: small, fast, reproducible. */
function rng(seed: number): () => number {
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

const ALU: AluOp[] = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'mod', 'xor', 'mov', 'arsh', 'sdiv', 'smod'];
const JMP: JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const SIZES: Size[] = [1, 2, 4, 8];
const HELPERS = [1, 2, 3, 5, 6, 7, 8, 14, 16, 25, 44, 113, 131, 132, 181, 999];
const MAPS: MapDescription[] = [
  { type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 },
  { type: 'array', keySize: 4, valueSize: 16, maxEntries: 1 },
  { type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 },
];
const TYPES = ['socket_filter', 'xdp', 'tracepoint', 'test'];

function program(r: () => number): Insn[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const reg = (): Reg => Math.floor(r() * 11) as Reg;
  const low = (): Reg => Math.floor(r() * 10) as Reg;
  const imm = (): number => pick([0, 1, -1, 4, 8, 14, 255, 0x7fffffff, -8, Math.floor(r() * 2 ** 32) | 0]);
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

test(`${RUNS} random programs: no throw, limits respected (seed ${SEED})`, () => {
  const r = rng(SEED);
  let accepted = 0;
  const messages = new Map<string, number>();
  for (let i = 0; i < RUNS; i++) {
    const insns = program(r);
    const type = PROGRAM_TYPES[TYPES[i % TYPES.length] as string];
    if (!type) throw new Error('missing program type');
    const limit = 4000;
    let res;
    try {
      res = verify({ insns, license: i % 7 === 0 ? 'MIT' : 'GPL' }, type, {
        maps: MAPS,
        privileged: i % 5 !== 0,
        insnLimit: limit,
        logLevel: i % 50 === 0 ? 2 : i % 10 === 0 ? 1 : 0,
      });
    } catch (e) {
      throw new Error(`seed ${SEED} program ${i} threw: ${String(e)}\n${JSON.stringify(insns, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
    }
    expect(res.stats.processed).toBeLessThanOrEqual(limit + 1);
    expect(res.errors.length).toBeLessThanOrEqual(1);
    expect(res.ok).toBe(res.errors.length === 0);
    if (res.ok) accepted++;
    else {
      const m = (res.errors[0]?.message ?? '').replace(/-?\d+/g, 'N');
      expect(m.length).toBeGreaterThan(0);
      messages.set(m, (messages.get(m) ?? 0) + 1);
    }
  }
  // The generator must exercise both outcomes and many different rules.
  if (process.env.BPFLAB_FUZZ_STATS) console.log(accepted, [...messages].sort((a, b) => b[1] - a[1]).slice(0, 40));
  expect(accepted).toBeGreaterThan(RUNS / 100);
  expect(messages.size).toBeGreaterThan(40);
});
