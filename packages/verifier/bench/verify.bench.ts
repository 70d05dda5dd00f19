/**
 * `pnpm bench`: speed of the verifier on programs kept as LLVM-syntax
 * assembly beside this file:
 *
 * - sum-loop-{100,1000,10000}.s: a bounded loop summing 1..N, 4
 *   instructions per iteration, which the verifier walks iteration by
 *   iteration (about 4N processed instructions);
 * - xdp-firewall.s: the seed's XDP firewall as clang compiles it;
 * - unbounded-pid-loop.s: a student's loop bounded by the pid, which the
 *   verifier walks to the 1,000,000-instruction limit and rejects ("BPF
 *   program is too large"): the longest wait a student meets. Timed twice:
 *   without a log, and with the level-1 log that `load`, `run`, `sim`,
 *   `verify` and the grader ask for (row "(log 1)").
 *
 * Each program is verified until V8 has optimised the verifier (warm-up),
 * then timed over repeated runs; the median gives µs per verification and
 * per processed instruction. Every run's verdict, error and processed count
 * are checked, so a fast wrong verifier fails.
 *
 * The references, measured in the same run:
 * - Linux: when the running kernel can load BPF (root and a C compiler, as
 *   the kernel oracle test needs), each program is loaded with
 *   `BPF_PROG_LOAD` at log level 4 (`BPF_LOG_STATS`), never attached, and
 *   the kernel's own `verification time N usec` over its `processed`
 *   count gives µs per processed instruction (it prints them for rejected
 *   programs too); the median of several loads.
 *   Elsewhere the fixed figure measured on the reference machine (0.4 µs)
 *   is printed, labelled as such;
 * - the interpreter (`@bpflab/vm`) executing the same loop, in µs per
 *   executed instruction.
 *
 * Flags: `--quick` (shorter timing, for smoke tests), `--no-kernel` (skip
 * the Linux measurement).
 */
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleLlvm, type Insn } from '@bpflab/isa';
import { Interpreter } from '@bpflab/vm';
import { SOCKET_FILTER, TRACEPOINT, verify, XDP, type ProgramTypeDescription } from '../src/index';
import { loadRaw, oracleUnavailable } from '../tests/support/kernel-oracle';

interface Bench {
  readonly file: string;
  readonly progType: ProgramTypeDescription;
  /** processed instructions the verifier must report (Linux 6.18 gives the same) */
  readonly processed: number;
  /** the error the verifier must reject the program with; accepted when absent */
  readonly error?: string;
  /** verifier log level (default 0: no log) */
  readonly logLevel?: 0 | 1;
  /** r0 the interpreter must return, when the program runs without a context */
  readonly r0?: bigint;
}

const sum = (n: number): bigint => (BigInt(n) * BigInt(n + 1)) / 2n;
const BENCHES: readonly Bench[] = [
  { file: 'sum-loop-100.s', progType: SOCKET_FILTER, processed: 403, r0: sum(100) },
  { file: 'sum-loop-1000.s', progType: SOCKET_FILTER, processed: 4003, r0: sum(1000) },
  { file: 'sum-loop-10000.s', progType: SOCKET_FILTER, processed: 40003, r0: sum(10000) },
  { file: 'xdp-firewall.s', progType: XDP, processed: 37 },
  { file: 'unbounded-pid-loop.s', progType: TRACEPOINT, processed: 1_000_001, error: 'BPF program is too large. Processed 1000001 insn' },
  { file: 'unbounded-pid-loop.s', progType: TRACEPOINT, processed: 1_000_001, error: 'BPF program is too large. Processed 1000001 insn', logLevel: 1 },
];

const quick = process.argv.includes('--quick');
const WARMUP_MS = quick ? 150 : 600;
const MEASURE_MS = quick ? 300 : 2000;
const here = dirname(fileURLToPath(import.meta.url));

/** Median and best ns of `f()` after warm-up (at least one run), over at least `minRuns` runs. */
function timeMedian(f: () => void, minRuns = 5): { median: number; best: number; runs: number } {
  for (const end = performance.now() + WARMUP_MS; performance.now() < end; ) f();
  const times: number[] = [];
  for (const end = performance.now() + MEASURE_MS; performance.now() < end || times.length < minRuns; ) {
    const t0 = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((x, y) => x - y);
  return { median: times[times.length >> 1]!, best: times[0]!, runs: times.length };
}

function verifyChecked(b: Bench, insns: readonly Insn[]): void {
  const r = verify({ insns, license: 'GPL' }, b.progType, { logLevel: b.logLevel ?? 0 });
  const error = r.errors[0]?.message;
  if (error !== b.error) throw new Error(`bench ${b.file}: ${error === undefined ? 'accepted' : `rejected: ${error}`}, expected ${b.error === undefined ? 'accepted' : `rejected: ${b.error}`}: the verifier is wrong`);
  if (r.stats.processed !== b.processed) throw new Error(`bench ${b.file}: processed ${r.stats.processed} insns, expected ${b.processed}`);
}

/** Linux's verification of the same program, when the running kernel allows it. */
interface KernelRef {
  readonly usec: number;
  readonly processed: number;
  readonly usPerInsn: number;
}

/** The fixed figure for machines whose kernel cannot be asked: Linux 6.18 on the reference machine. */
const LINUX_US_PER_INSN = 0.4;

const noKernel = process.argv.includes('--no-kernel');
const kernelWhy = noKernel ? '--no-kernel' : oracleUnavailable();

/** Median `verification time` the kernel reports over several loads (it counts whole µs, so a few loads smooth it). */
function measureKernel(b: Bench, insns: readonly Insn[]): KernelRef | undefined {
  const kernelType = b.progType.kernelType;
  if (kernelWhy !== undefined || kernelType === undefined) return undefined;
  const times: number[] = [];
  let processed = 0;
  const loads = b.processed > 100_000 ? (quick ? 3 : 5) : quick ? 5 : 21;
  for (let i = 0; i < loads; i++) {
    const k = loadRaw(insns, kernelType, 4, 'GPL', 'root', []);
    if (k.ok !== (b.error === undefined) || k.verificationUsec === undefined || k.processed === undefined) {
      throw new Error(`bench ${b.file}: the kernel ${k.ok ? 'accepted it' : `refused it (errno ${k.errno}): ${k.errorLines.join(' | ')}`}, expected ${b.error === undefined ? 'accepted' : 'refused'}`);
    }
    times.push(k.verificationUsec);
    processed = k.processed;
  }
  times.sort((x, y) => x - y);
  const usec = times[times.length >> 1]!;
  return { usec, processed, usPerInsn: usec / processed };
}

interface Row {
  readonly b: Bench;
  readonly kernel?: KernelRef;
  readonly runs: number;
  readonly usPerVerify: number;
  readonly usPerInsn: number;
  readonly bestUsPerInsn: number;
  readonly interp?: { readonly executed: number; readonly usPerInsn: number };
}

function measure(b: Bench): Row {
  const insns = assembleLlvm(readFileSync(join(here, b.file), 'utf8'));
  // a run near the instruction limit takes seconds: three of them, after one warm-up run
  const v = timeMedian(() => verifyChecked(b, insns), b.processed > 100_000 ? 3 : 5);
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
  const kernel = measureKernel(b, insns);
  return {
    b,
    ...(kernel === undefined ? {} : { kernel }),
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
const linuxPerInsn = (r: Row): number => r.kernel?.usPerInsn ?? LINUX_US_PER_INSN;
const header = ['program', 'type', 'processed', 'runs', 'µs/verify', 'µs/insn (median)', 'µs/insn (best)', 'Linux µs/verify', 'Linux µs/insn', 'vs Linux', 'interp executed', 'interp µs/insn', 'ratio'];
const table = rows.map((r) => [
  r.b.logLevel ? `${r.b.file} (log ${r.b.logLevel})` : r.b.file,
  r.b.progType.name,
  r.b.processed.toLocaleString('en-US'),
  String(r.runs),
  r.usPerVerify.toFixed(1),
  r.usPerInsn.toFixed(3),
  r.bestUsPerInsn.toFixed(3),
  r.kernel === undefined ? '-' : String(r.kernel.usec),
  r.kernel === undefined ? `${LINUX_US_PER_INSN} (fixed)` : r.kernel.usPerInsn.toFixed(3),
  `${(r.usPerInsn / linuxPerInsn(r)).toFixed(1)}x`,
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
for (const b of new Set(rows.filter((r) => r.b.error !== undefined).map((r) => `${r.b.file}: rejected ("${r.b.error}")`))) console.log(b);
console.log('(log 1): verified with the level-1 log, as load, run, sim, verify and the grader do (Linux is measured without a log).');
if (kernelWhy === undefined) {
  console.log(`Linux: the running kernel (${release()}) verifying the same program in this run: median of its own "verification time" (whole µs) over its processed count;`);
  for (const r of rows) {
    if (r.kernel && r.kernel.processed !== r.b.processed) console.log(`  note: ${r.b.file}: Linux processed ${r.kernel.processed} insns, bpflab ${r.b.processed}`);
  }
} else {
  console.log(`Linux: not measured here (${kernelWhy}); the fixed figure ${LINUX_US_PER_INSN} µs per processed instruction is Linux 6.18 on the reference machine;`);
}
console.log('vs Linux: bpflab µs/insn / Linux µs/insn (how many times slower bpflab verifies).');
console.log('interp: the interpreter executing the same program in this run, µs per executed instruction;');
console.log('ratio: verifying one instruction / executing one instruction.');
