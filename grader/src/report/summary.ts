/**
 * The TA's view of a batch: one row per student (score, status, problem)
 * and the totals: how many, mean and median score, full marks, ungradable.
 */
import Table from 'cli-table3';
import type { Lab, SubmissionResult } from '../types';
import { formatNumber, oneLine, paint, pointsText, problemWord, type TextReportOptions } from './text';

/** Totals of a batch. */
export interface BatchSummary {
  readonly count: number;
  readonly mean: number;
  readonly median: number;
  /** students with every point */
  readonly fullMarks: number;
  /** students whose submission could not be graded (does not build, load or verify) */
  readonly ungradable: number;
  /** students whose grading hit a limit or failed (timeout, memory, internal) */
  readonly limited: number;
  readonly maxScore: number;
}

/** The totals of `results` (mean and median of the scores; 0 for an empty batch). */
export function summarize(results: readonly SubmissionResult[], lab: Lab): BatchSummary {
  const scores = results.map((r) => r.score).sort((a, b) => a - b);
  const n = scores.length;
  const mean = n === 0 ? 0 : scores.reduce((a, b) => a + b, 0) / n;
  const median = n === 0 ? 0 : n % 2 === 1 ? scores[(n - 1) / 2]! : (scores[n / 2 - 1]! + scores[n / 2]!) / 2;
  return {
    count: n,
    mean,
    median,
    fullMarks: results.filter((r) => r.score >= r.maxScore && r.maxScore > 0).length,
    ungradable: results.filter((r) => !r.gradable).length,
    limited: results.filter((r) => r.problem === 'timeout' || r.problem === 'memory' || r.problem === 'internal').length,
    maxScore: lab.maxScore,
  };
}

/** Results in student order. */
export function byStudent(results: readonly SubmissionResult[]): SubmissionResult[] {
  return [...results].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
}

/** The summary table `bpflab grade` prints on stdout. */
export function formatSummaryTable(results: readonly SubmissionResult[], lab: Lab, options: TextReportOptions = {}): string {
  const p = paint(options.color);
  const table = new Table({ head: ['student', 'score', 'status', 'problem'], style: { head: [], border: [], compact: true } });
  for (const r of byStudent(results)) {
    const full = r.score >= r.maxScore && r.maxScore > 0;
    const status = r.problem !== undefined ? p.red(r.gradable ? 'limit' : 'ungradable') : full ? p.green('full marks') : 'graded';
    const problem = r.problem === undefined ? '' : `${problemWord(r)}: ${oneLine(r.message, 60)}`;
    table.push([r.student, pointsText(r.score, r.maxScore), status, problem]);
  }
  const s = summarize(results, lab);
  const totals = [
    `${s.count} student${s.count === 1 ? '' : 's'}`,
    `mean ${formatNumber(s.mean)}/${formatNumber(s.maxScore)}`,
    `median ${formatNumber(s.median)}/${formatNumber(s.maxScore)}`,
    `${s.fullMarks} full marks`,
    `${s.ungradable} ungradable`,
    ...(s.limited > 0 ? [`${s.limited} hit a limit or failed`] : []),
  ];
  return `${p.bold(`${lab.title} (${lab.id})`)}\n${table.toString()}\n${totals.join(', ')}\n`;
}
