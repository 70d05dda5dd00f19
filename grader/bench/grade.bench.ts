/**
 * `pnpm bench`: batch grading throughput. Grades 200 copies of the
 * xdp-firewall lab's reference solution, handed in as a prebuilt object
 * (compiled once here with the kit's toolchain), with `jobs: 2` — the
 * issue's target is 500 submissions within 30 s on 2 cores — and prints
 * submissions per second and the time 500 would take at that rate.
 *
 * The reference, measured in the same run: the same batch with `jobs: 1`,
 * printed as the speed-up of 2 workers over 1. Every submission must
 * score full marks, so a fast wrong grader fails the bench.
 *
 * Flags: `--quick` (40 copies, for smoke tests).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compile, formatDiagnostics } from '@bpflab/toolchain';
import { gradeBatch, loadLab, type Lab } from '../src/index';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const COPIES = process.argv.includes('--quick') ? 40 : 200;

async function buildSolution(lab: Lab): Promise<Uint8Array> {
  const r = await compile(join(lab.dir, lab.solution), { cwd: lab.dir });
  if (!r.ok) throw new Error(`the xdp-firewall solution does not compile:\n${formatDiagnostics(r.diagnostics, { color: false })}`);
  return r.object;
}

interface Timing {
  /** the whole batch, seconds: worker start-up, grading, reports */
  readonly total: number;
  /** until the first result: mostly starting the workers (tsx, the kit's modules) */
  readonly firstResult: number;
  /** submissions per second from the first result to the last */
  readonly steadyRate: number;
}

async function timeBatch(lab: Lab, dir: string, jobs: number): Promise<Timing> {
  const out = join(dir, `out-${jobs}`);
  const t0 = performance.now();
  let first = 0;
  let last = 0;
  const o = await gradeBatch({
    lab,
    submissionsDir: join(dir, 'subs'),
    outDir: out,
    jobs,
    onResult: (_r, done) => {
      last = performance.now();
      if (done === 1) first = last;
    },
  });
  const total = (performance.now() - t0) / 1000;
  const wrong = o.results.filter((r) => r.score !== lab.maxScore);
  if (o.results.length !== COPIES || wrong.length > 0) {
    throw new Error(`jobs ${jobs}: ${o.results.length} results, ${wrong.length} without full marks (first: ${wrong[0]?.student}: ${wrong[0]?.message ?? wrong[0]?.scenarios.find((s) => s.status !== 'passed')?.message})`);
  }
  return { total, firstResult: (first - t0) / 1000, steadyRate: (COPIES - 1) / ((last - first) / 1000) };
}

const lab = loadLab(join(REPO, 'labs', 'xdp-firewall'));
const dir = mkdtempSync(join(tmpdir(), 'bpflab-grade-bench-'));
try {
  const object = await buildSolution(lab);
  const subs = join(dir, 'subs');
  mkdirSync(subs);
  for (let i = 0; i < COPIES; i++) writeFileSync(join(subs, `student${String(i).padStart(3, '0')}.o`), object);
  console.log(`grading ${COPIES} copies of the ${lab.id} solution (${object.length}-byte object, ${lab.scenarios.length} scenarios) on ${availableParallelism()} CPUs`);
  const two = await timeBatch(lab, dir, 2);
  const one = await timeBatch(lab, dir, 1);
  const show = (t: Timing): string =>
    `${t.total.toFixed(2)} s, ${(COPIES / t.total).toFixed(1)} submissions/s overall (first result after ${t.firstResult.toFixed(2)} s, then ${t.steadyRate.toFixed(1)}/s)`;
  // 500 submissions: the start-up once, then the steady rate
  const for500 = two.firstResult + 499 / two.steadyRate;
  console.log(`jobs 2: ${show(two)}; 500 submissions: ${for500.toFixed(1)} s (target 30 s)`);
  console.log(`jobs 1 (reference): ${show(one)}`);
  console.log(`2 workers vs 1: ${(one.total / two.total).toFixed(2)}x overall, ${(two.steadyRate / one.steadyRate).toFixed(2)}x steady (the machine's load sets the ceiling: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
