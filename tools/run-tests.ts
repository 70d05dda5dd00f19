// `pnpm test`: type-check and test every package through nx, then close with the
// total over all packages as one line, `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reports = join(root, '.reports', 'jest');
rmSync(reports, { recursive: true, force: true });

const nx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'nx.cmd' : 'nx');
const run = spawnSync(nx, ['run-many', '-t', 'typecheck', 'test', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});

function* summaries(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* summaries(p);
    else if (name === 'summary.json') yield p;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of summaries(reports)) {
  const s = JSON.parse(readFileSync(file, 'utf8')) as { passed: number; failed: number; skipped: number };
  passed += s.passed;
  failed += s.failed;
  skipped += s.skipped;
}
const status = run.status ?? 1;
// A package that failed to type-check or crashed before jest reported still fails the run.
if (status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status);
