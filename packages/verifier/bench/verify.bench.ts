/**
 * `pnpm bench`: speed of the verifier on programs kept as LLVM-syntax
 * assembly beside this file:
 *
 * - sum-loop-{100,1000,10000}.s: a bounded loop summing 1..N, 4
 *   instructions per iteration, which the verifier walks iteration by
 *   iteration (about 4N processed instructions);
 * - xdp-firewall.s: the seed's XDP firewall as clang compiles it.
 *
 * Each program is verified until V8 has optimised the verifier (warm-up),
 * then timed over repeated runs; the median gives µs per verification and
 * per processed instruction. Every run's verdict and processed count are
 * checked, so a fast wrong verifier fails.
 *
 * The reference, measured in the same run: the interpreter (`@bpflab/vm`)
 * executing the same loop, in µs per executed instruction. For scale,
 * Linux verifies at about 0.4 µs per processed instruction on this machine.
 *
 * Flags: `--quick` (shorter timing, for smoke tests).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleLlvm, type Insn } from '@bpflab/isa';
import { Interpreter } from '@bpflab/vm';
import { SOCKET_FILTER, verify, XDP, type ProgramTypeDescription } from '../src/index';

interface Bench {
  readonly file: string;
  readonly progType: ProgramTypeDescription;
  /** processed instructions the verifier must report (Linux 6.18 gives the same) */
  readonly processed: number;
  /** r0 the interpreter must return, when the program runs without a context */
  readonly r0?: bigint;
}

const sum = (n: number): bigint => (BigInt(n) * BigInt(n + 1)) / 2n;
const BENCHES: readonly Bench[] = [
  { file: 'sum-loop-100.s', progType: SOCKET_FILTER, processed: 403, r0: sum(100) },
  { file: 'sum-loop-1000.s', progType: SOCKET_FILTER, processed: 4003, r0: sum(1000) },
  { file: 'sum-loop-10000.s', progType: SOCKET_FILTER, processed: 40003, r0: sum(10000) },
  { file: 'xdp-firewall.s', progType: XDP, processed: 37 },
];

const quick = process.argv.includes('--quick');
const WARMUP_MS = quick ? 150 : 600;
const MEASURE_MS = quick ? 300 : 2000;
const here = dirname(fileURLToPath(import.meta.url));

/** Median and best ns of `f()` after warm-up, over at least 5 runs. */
function timeMedian(f: () => void): { median: number; best: number; runs: number } {
  for (const end = performance.now() + WARMUP_MS; performance.now() < end; ) f();
  const times: number[] = [];
  for (const end = performance.now() + MEASURE_MS; performance.now() < end || times.length < 5; ) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((x, y) => x - y);
  return { median: times[times.length >> 1]!, best: times[0]!, runs: times.length };
}

function verifyChecked(b: Bench, insns: readonly Insn[]): void {
  const r = verify({ insns, license: 'GPL' }, b.progType);
  if (!r.ok) throw new Error(`bench ${b.file}: rejected: ${r.errors[0]?.message}: the verifier is wrong`);
  if (r.stats.processed !== b.processed) throw new Error(`bench ${b.file}: processed ${r.stats.processed} insns, expected ${b.processed}`);
}

interface Row {
  readonly b: Bench;
  readonly runs: number;
  readonly usPerVerify: number;
  readonly usPerInsn: number;
  readonly bestUsPerInsn: number;
  readonly interp?: { readonly executed: number; readonly usPerInsn: number };
}

function measure(b: Bench): Row {
  const insns = assembleLlvm(readFileSync(join(here, b.file), 'utf8'));
  const v = timeMedian(() => verifyChecked(b, insns));
  let interp: Row['interp'];
  if (b.r0 !== undefined) {
    const vm = new Interpreter(insns, { budget: 1_000_000_000 });
    let executed = 0;
    const t = timeMedian(() => {
      const r = vm.run();
      if (r.r0 !== b.r0) throw new Error(`bench ${b.file}: r0 = ${r.r0}, expected ${b.r0}: the interpreter is wrong`);
      executed = r.executed;
    });
    interp = { executed, usPerInsn: t.median / 1000 / executed };
  }
  return {
    b,
    runs: v.runs,
    usPerVerify: v.median / 1000,
    usPerInsn: v.median / 1000 / b.processed,
    bestUsPerInsn: v.best / 1000 / b.processed,
    ...(interp === undefined ? {} : { interp }),
  };
}

console.log('bpflab verifier benchmark');
console.log(`cpu:  ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} logical cores)`);
console.log(`node: ${process.version}${quick ? '   (--quick)' : ''}`);
console.log('');

const rows = BENCHES.map(measure);
const header = ['program', 'type', 'processed', 'runs', 'µs/verify', 'µs/insn (median)', 'µs/insn (best)', 'interp executed', 'interp µs/insn', 'ratio'];
const table = rows.map((r) => [
  r.b.file,
  r.b.progType.name,
  r.b.processed.toLocaleString('en-US'),
  String(r.runs),
  r.usPerVerify.toFixed(1),
  r.usPerInsn.toFixed(3),
  r.bestUsPerInsn.toFixed(3),
  r.interp === undefined ? '-' : r.interp.executed.toLocaleString('en-US'),
  r.interp === undefined ? '-' : r.interp.usPerInsn.toFixed(4),
  r.interp === undefined ? '-' : `${(r.usPerInsn / r.interp.usPerInsn).toFixed(0)}x`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: readonly string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
console.log('');
console.log('µs/insn: verification time per processed instruction (the figure the 1,000,000 limit counts).');
console.log('interp: the interpreter executing the same program in this run, µs per executed instruction;');
console.log('ratio: verifying one instruction / executing one instruction.');
console.log('for scale: Linux verifies at about 0.4 µs per processed instruction on this machine.');
