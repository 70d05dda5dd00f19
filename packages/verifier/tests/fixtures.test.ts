// Every fixture under tests/fixtures/ through bpflab's verifier: verdict,
// error line and processed count as the fixture states them, and the level-2
// log against its sibling golden `.log` (UPDATE_GOLDEN=1 rewrites goldens).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFixture } from './support/fixture-file';
import { listFiles } from './support/glob';
import { verifyFixture } from './support/run-fixture';
import { formatStats, type VerifyResult } from '../src/index';
import { execFileSync } from 'node:child_process';

const ROOT = fileURLToPath(new URL('./fixtures', import.meta.url));
const CHILD = fileURLToPath(new URL('./support/verify-child.ts', import.meta.url));
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const FILES = listFiles(ROOT, '.s');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Summary {
  readonly ok: boolean;
  readonly error: string | undefined;
  readonly processed: number;
  readonly stats: string;
}

const summary = (r: VerifyResult): Summary => ({ ok: r.ok, error: r.errors[0]?.message, processed: r.stats.processed, stats: formatStats(r.stats) });

const childRuns = new Map<string, Summary>();
/** Verifies a fixture in a plain Node process (see support/verify-child.ts). */
function inChild(path: string): Summary {
  const cached = childRuns.get(path);
  if (cached) return cached;
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, path], { encoding: 'utf8', cwd: PACKAGE });
  const s = JSON.parse(out) as Summary;
  childRuns.set(path, s);
  return s;
}

/** Long logs keep their first 150 and last 40 lines in the golden. */
function abbreviate(log: string): string {
  const lines = log.split('\n');
  if (lines.length <= 400) return log;
  return [...lines.slice(0, 150), `... ${lines.length - 190} lines ...`, ...lines.slice(-40)].join('\n');
}

test('there are fixtures', () => {
  expect(FILES.length).toBeGreaterThan(40);
});

describe.each(FILES)('%s', (file) => {
  const f = readFixture(join(ROOT, file), file);

  const heavy = (f.processed ?? 0) > 100_000;

  test('verdict, error and processed count', () => {
    const r = heavy ? inChild(join(ROOT, file)) : summary(verifyFixture(f));
    const have = { verdict: r.ok ? 'accept' : 'reject', error: r.error, processed: r.processed };
    const want = {
      verdict: f.verdict,
      error: f.error,
      processed: f.processed ?? have.processed,
    };
    expect(have).toEqual(want);
    expect(file.includes('_error_/')).toBe(f.verdict === 'reject');
  });

  test('golden log', () => {
    // Runs near the instruction limit log megabytes: their golden is the counters line.
    const log = heavy ? `${inChild(join(ROOT, file)).stats}\n` : abbreviate(verifyFixture(f, 2).log);
    const golden = join(ROOT, file.replace(/\.s$/, '.log'));
    if (UPDATE || !existsSync(golden)) {
      if (!UPDATE) throw new Error(`${file}: no golden log; run with UPDATE_GOLDEN=1`);
      writeFileSync(golden, log);
      return;
    }
    expect(log).toBe(readFileSync(golden, 'utf8'));
  });
});
