// Opt-in: every fixture of a program type Linux has is loaded into the
// running kernel (BPF_PROG_LOAD through tools/kernel-oracle.c; never
// attached, never pinned) and compared with bpflab: verdict, error lines,
// processed count, and the level-1 log. Run with BPFLAB_KERNEL_ORACLE=1 as
// root; the agreement figures are printed at the end.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { PROGRAM_TYPES, type VerifyResult } from '../src/index';
import { readFixture, type Fixture } from './support/fixture-file';
import { listFiles } from './support/glob';
import { errorLinesOf, loadInKernel, normalizeLog, oracleUnavailable } from './support/kernel-oracle';
import { verifyFixture } from './support/run-fixture';

const ROOT = fileURLToPath(new URL('./fixtures', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/verify-child.ts', import.meta.url));
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const wanted = process.env.BPFLAB_KERNEL_ORACLE === '1';
const why = wanted ? oracleUnavailable() : 'BPFLAB_KERNEL_ORACLE is not 1';
const fixtures: Fixture[] = listFiles(ROOT, '.s')
  .map((file) => readFixture(join(ROOT, file), file))
  .filter((f) => PROGRAM_TYPES[f.progType]?.kernelType !== undefined);

interface Summary {
  readonly ok: boolean;
  readonly errorLines: readonly string[];
  readonly processed: number;
  /** the level-1 log, or its tail for runs near the instruction limit */
  readonly log: string;
  readonly whole: boolean;
}

const summary = (r: VerifyResult): Summary => ({ ok: r.ok, errorLines: errorLinesOf(r.log), processed: r.stats.processed, log: r.log, whole: true });

/** Runs near the 1,000,000-instruction limit go to a plain Node process (see support/verify-child.ts). */
function inChild(path: string): Summary {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, path, '1'], { encoding: 'utf8', cwd: PACKAGE, maxBuffer: 64 << 20 });
  const s = JSON.parse(out) as { ok: boolean; errorLines: string[]; processed: number; logTail: string };
  return { ok: s.ok, errorLines: s.errorLines, processed: s.processed, log: s.logTail, whole: false };
}

const tally = { n: 0, verdict: 0, error: 0, processed: 0, log: 0, skipped: [] as string[] };

if (why !== undefined) {
  test.skip(`kernel oracle skipped: ${why}`, () => undefined);
} else {
  describe.each(fixtures.map((f) => [f.file, f] as const))('%s', (_name, f) => {
    test('agrees with the running kernel', () => {
      if (f.oracleSkip !== undefined) {
        tally.skipped.push(`${f.file}: ${f.oracleSkip}`);
        return;
      }
      const k = loadInKernel(f, 1);
      const ours = (f.processed ?? 0) > 100_000 ? inChild(join(ROOT, f.file)) : summary(verifyFixture(f, 1));
      tally.n++;
      const have = { ok: ours.ok, error: ours.errorLines, processed: ours.processed };
      const want = { ok: k.ok, error: k.errorLines, processed: f.kernelProcessed ?? k.processed };
      if (have.ok === want.ok) tally.verdict++;
      if (JSON.stringify(have.error) === JSON.stringify(want.error)) tally.error++;
      if (have.processed === k.processed) tally.processed++;
      if (normalizeLog(ours.log) === normalizeLog(ours.whole ? k.log : k.log.slice(-ours.log.length))) tally.log++;
      expect(have).toEqual(want);
    });
  });

  afterAll(() => {
    const pct = (x: number): string => `${x}/${tally.n} (${((100 * x) / Math.max(tally.n, 1)).toFixed(1)}%)`;
    console.log(
      [
        `kernel oracle: ${tally.n} fixtures compared`,
        `  verdict      ${pct(tally.verdict)}`,
        `  error lines  ${pct(tally.error)}`,
        `  processed    ${pct(tally.processed)}`,
        `  level-1 log  ${pct(tally.log)}`,
        ...(tally.skipped.length ? [`  not comparable here:`, ...tally.skipped.map((s) => `    ${s}`)] : []),
      ].join('\n'),
    );
  });
}
