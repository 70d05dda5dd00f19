/**
 * The files a batch leaves in its output folder, written from every
 * result of its `results.jsonl`:
 *
 * ```
 * grades/<lab id>/
 *   results.jsonl                 one SubmissionResult per line (appended while grading)
 *   grades.csv                    the gradebook
 *   junit.xml                     one testsuite per student
 *   gradescope/<student>.json     Gradescope's results.json
 *   prairielearn/<student>.json   PrairieLearn's results.json
 * ```
 *
 * Shards write the same layout under `shard-i-of-N/`; {@link mergeShards}
 * gathers them into the parent folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '../report/csv';
import { toGradescope } from '../report/gradescope';
import { toJsonLine } from '../report/json';
import { toJUnit } from '../report/junit';
import { toPrairieLearn } from '../report/prairielearn';
import { byStudent } from '../report/summary';
import type { Lab, SubmissionResult } from '../types';
import { BatchError } from './errors';
import { readResultsFile } from './results-file';

/** A student's name as a file name: anything but letters, digits, `.`, `_`, `-` becomes `_`, and then a digest of the name keeps it apart from other students. */
export function studentFileName(student: string): string {
  const safe = student.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (safe === student && safe !== '') return safe;
  // a name changed to fit a file name gets a digest of the real one, so two students never share a file
  const digest = createHash('sha256').update(student).digest('hex').slice(0, 8);
  return `${safe === '' ? '_' : safe}-${digest}`;
}

/** Writes the CSV, JUnit, Gradescope and PrairieLearn reports of `results` into `outDir`. */
export function writeReports(outDir: string, results: readonly SubmissionResult[], lab: Lab): void {
  mkdirSync(join(outDir, 'gradescope'), { recursive: true });
  mkdirSync(join(outDir, 'prairielearn'), { recursive: true });
  writeFileSync(join(outDir, 'grades.csv'), toCsv(results, lab));
  writeFileSync(join(outDir, 'junit.xml'), toJUnit(results, lab));
  for (const r of results) {
    const name = `${studentFileName(r.student)}.json`;
    writeFileSync(join(outDir, 'gradescope', name), `${JSON.stringify(toGradescope(r, lab), null, 2)}\n`);
    writeFileSync(join(outDir, 'prairielearn', name), `${JSON.stringify(toPrairieLearn(r, lab), null, 2)}\n`);
  }
}

/**
 * Gathers the shards' results (`<outDir>/shard-*-of-N/results.jsonl`) into
 * `<outDir>/results.jsonl` and writes the reports there. Throws BatchError
 * when there are no shard folders, or they disagree on N.
 */
export function mergeShards(outDir: string, lab: Lab): { readonly results: readonly SubmissionResult[]; readonly shards: number; readonly missing: readonly string[] } {
  const dirs = existsSync(outDir) ? readdirSync(outDir).filter((n) => /^shard-\d+-of-\d+$/.test(n)) : [];
  if (dirs.length === 0) throw new BatchError('bad-results', `${outDir}: no shard-i-of-N folders to merge (grade with --shard first)`);
  const counts = new Set(dirs.map((d) => Number(/of-(\d+)$/.exec(d)![1])));
  if (counts.size > 1) throw new BatchError('bad-results', `${outDir}: shard folders of different shard counts (${dirs.join(', ')}): remove the stale ones`);
  const count = [...counts][0]!;
  const missing = Array.from({ length: count }, (_, i) => `shard-${i + 1}-of-${count}`).filter((d) => !dirs.includes(d));
  const byName = new Map<string, SubmissionResult>();
  for (const d of dirs.sort()) {
    for (const r of readResultsFile(join(outDir, d, 'results.jsonl')).results) if (r.lab === lab.id) byName.set(r.student, r);
  }
  const results = byStudent([...byName.values()]);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.jsonl'), results.map(toJsonLine).join(''));
  writeReports(outDir, results, lab);
  return { results, shards: count, missing };
}
