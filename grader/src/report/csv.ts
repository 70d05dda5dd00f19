/**
 * The gradebook: one CSV row per student (RFC 4180 quoting by
 * csv-stringify): student, score, max_score, the points of each scenario
 * (one column per scenario, in the lab's order), problem, message (one line).
 */
import { stringify } from 'csv-stringify/sync';
import type { Lab, SubmissionResult } from '../types';
import { byStudent } from './summary';
import { oneLine } from './text';

/** The gradebook of `results` as CSV text, with a header row. */
export function toCsv(results: readonly SubmissionResult[], lab: Lab): string {
  const names = lab.scenarios.map((s) => s.name);
  const header = ['student', 'score', 'max_score', ...names, 'problem', 'message'];
  const rows = byStudent(results).map((r) => {
    const points = new Map(r.scenarios.map((s) => [s.name, s.points]));
    return [r.student, r.score, r.maxScore, ...names.map((n) => points.get(n) ?? 0), r.problem ?? '', oneLine(r.message, 500)];
  });
  return stringify([header, ...rows]);
}
