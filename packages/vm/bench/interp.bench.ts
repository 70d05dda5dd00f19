/**
 * `pnpm bench`: speed of the reference interpreter on three loops kept as
 * assembly beside this file (bpf_conformance syntax):
 *
 * - count.asm: a plain counting loop;
 * - mix.asm:   ALU, 64-bit multiply, stack stores and loads;
 * - call.asm:  one BPF-to-BPF call per iteration.
 *
 * Each program is assembled, run until V8 has optimised the loop (warm-up),
 * then timed over repeated runs; the median run gives ns per executed
 * instruction. Every run's r0 is checked, so a fast wrong interpreter fails.
 *
 * The reference, measured in the same run: each program written directly in
 * JavaScript (bench/native-reference.ts), compiled by V8 to machine code and
 * timed the same way; the table gives the interpreter's cost as a ratio to it.
 *
 * Flags: `--quick` (shorter timing, for smoke tests).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleConformance } from '@bpflab/isa';
import { Interpreter } from '../src/index';
import { callNative, countNative, mixNative } from './native-reference';

interface Bench {
  readonly file: string;
  readonly what: string;
  /** r0 the program must return (worked out independently with bigint arithmetic) */
  readonly expect: bigint;
  /** the same computation in plain JavaScript: the reference */
  readonly native: () => bigint;
}

const BENCHES: readonly Bench[] = [
  { file: 'count.asm', what: 'counting loop', expect: 3_000_000n, native: countNative },
  { file: 'mix.asm', what: 'ALU + mul + stack ld/st', expect: 0x9d8326n, native: mixNative },
  { file: 'call.asm', what: 'BPF-to-BPF call per iteration', expect: 0x1f6ea76650n, native: callNative },
];

const quick = process.argv.includes('--quick');
const WARMUP_MS = quick ? 150 : 600;
const MEASURE_MS = quick ? 300 : 2000;
const here = dirname(fileURLToPath(import.meta.url));

interface Row {
  readonly name: string;
  readonly what: string;
  readonly executed: number;
  readonly runs: number;
  readonly nsPerInsn: number;
  readonly best: number;
  /** the native reference's ns per BPF instruction of the same work */
  readonly nativeNs: number;
}

function runChecked(vm: Interpreter, b: Bench): number {
  const r = vm.run();
  if (r.r0 !== b.expect) {
    throw new Error(`bench ${b.file}: r0 = 0x${r.r0.toString(16)}, expected 0x${b.expect.toString(16)}: the interpreter is wrong`);
  }
  return r.executed;
}

/** Median ns of `f()` after warm-up; `check` validates every result. */
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

function measure(b: Bench): Row {
  const source = readFileSync(join(here, b.file), 'utf8');
  const vm = new Interpreter(assembleConformance(source, { file: b.file }), { budget: 1_000_000_000 });
  let executed = 0;
  const interp = timeMedian(() => {
    executed = runChecked(vm, b);
  });
  const native = timeMedian(() => {
    const r0 = b.native();
    if (r0 !== b.expect) throw new Error(`bench ${b.file}: the native reference computed 0x${r0.toString(16)}`);
  });
  return {
    name: b.file,
    what: b.what,
    executed,
    runs: interp.runs,
    nsPerInsn: interp.median / executed,
    best: interp.best / executed,
    nativeNs: native.median / executed,
  };
}

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
console.log(`bpflab interpreter benchmark`);
console.log(`cpu:  ${cpu} (${cpus().length} logical cores)`);
console.log(`node: ${process.version}${quick ? '   (--quick)' : ''}`);
console.log('');

const rows = BENCHES.map(measure);
const header = ['program', 'what', 'insns/run', 'runs', 'ns/insn (median)', 'ns/insn (best)', 'insns/s', 'native ns/insn', 'ratio'];
const table = rows.map((r) => [
  r.name,
  r.what,
  r.executed.toLocaleString('en-US'),
  String(r.runs),
  r.nsPerInsn.toFixed(2),
  r.best.toFixed(2),
  `${(1000 / r.nsPerInsn).toFixed(1)} M`,
  r.nativeNs.toFixed(2),
  `${(r.nsPerInsn / r.nativeNs).toFixed(1)}x`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: readonly string[]): string =>
  cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
console.log('');
console.log('native: the same program written in JavaScript and compiled by V8, timed in this run;');
console.log('ratio: interpreter time / native time for the same work (lower is better).');
console.log('for scale: uBPF\'s C interpreter does 4.6-5.4 ns per instruction on these machines.');
