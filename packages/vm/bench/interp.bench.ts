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
 * Flags: `--quick` (shorter timing, for smoke tests).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleConformance } from '@bpflab/isa';
import { Interpreter } from '../src/index';

interface Bench {
  readonly file: string;
  readonly what: string;
  /** r0 the program must return (worked out independently with bigint arithmetic) */
  readonly expect: bigint;
}

const BENCHES: readonly Bench[] = [
  { file: 'count.asm', what: 'counting loop', expect: 3_000_000n },
  { file: 'mix.asm', what: 'ALU + mul + stack ld/st', expect: 0x9d8326n },
  { file: 'call.asm', what: 'BPF-to-BPF call per iteration', expect: 0x1f6ea76650n },
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
}

function runChecked(vm: Interpreter, b: Bench): number {
  const r = vm.run();
  if (r.r0 !== b.expect) {
    throw new Error(`bench ${b.file}: r0 = 0x${r.r0.toString(16)}, expected 0x${b.expect.toString(16)}: the interpreter is wrong`);
  }
  return r.executed;
}

function measure(b: Bench): Row {
  const source = readFileSync(join(here, b.file), 'utf8');
  const vm = new Interpreter(assembleConformance(source, { file: b.file }), { budget: 1_000_000_000 });
  let executed = 0;
  for (const end = performance.now() + WARMUP_MS; performance.now() < end; ) executed = runChecked(vm, b);
  const times: number[] = [];
  for (const end = performance.now() + MEASURE_MS; performance.now() < end || times.length < 5; ) {
    const t0 = process.hrtime.bigint();
    runChecked(vm, b);
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((x, y) => x - y);
  const median = times[times.length >> 1]!;
  return {
    name: b.file,
    what: b.what,
    executed,
    runs: times.length,
    nsPerInsn: median / executed,
    best: times[0]! / executed,
  };
}

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
console.log(`bpflab interpreter benchmark`);
console.log(`cpu:  ${cpu} (${cpus().length} logical cores)`);
console.log(`node: ${process.version}${quick ? '   (--quick)' : ''}`);
console.log('');

const rows = BENCHES.map(measure);
const header = ['program', 'what', 'insns/run', 'runs', 'ns/insn (median)', 'ns/insn (best)', 'insns/s'];
const table = rows.map((r) => [
  r.name,
  r.what,
  r.executed.toLocaleString('en-US'),
  String(r.runs),
  r.nsPerInsn.toFixed(2),
  r.best.toFixed(2),
  `${(1000 / r.nsPerInsn).toFixed(1)} M`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: readonly string[]): string =>
  cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
