/**
 * What a student sees from `bpflab test`: the submission's problem first
 * (compiler diagnostics, the verifier's explanation), a table of the
 * visible scenarios, a count of the hidden ones, then the failures with
 * their differences and hints, and the closing `N passed, N failed`.
 *
 * ```
 * ┌───────────────────────────┬────────┬────────┐
 * │ scenario                  │ status │ points │
 * ├───────────────────────────┼────────┼────────┤
 * │ drops UDP to port 11111   │ FAILED │ 0/40   │
 * └───────────────────────────┴────────┴────────┘
 * 2 hidden scenarios: 1 passed, 1 failed (20/40 points)
 * ```
 */
import Table from 'cli-table3';
import type { Lab, ScenarioResult, SubmissionResult } from '../types';
import { closingLine, countStatuses, differenceLines, messageAboveDifferences, paint, pointsText, visible, type Paint, type TextReportOptions } from './text';

function statusCell(s: ScenarioResult, p: Paint): string {
  switch (s.status) {
    case 'passed':
      return p.green('passed');
    case 'failed':
      return p.red('FAILED');
    case 'skipped':
      return p.yellow('skipped');
  }
}

/** The hidden scenarios' line: `2 hidden scenarios: 1 passed, 1 failed (20/40 points)`. */
function hiddenLine(hidden: readonly ScenarioResult[]): string {
  const c = countStatuses(hidden);
  const what = `${hidden.length} hidden scenario${hidden.length === 1 ? '' : 's'}`;
  return `${what}: ${closingLine(c)} (${pointsText(c.points, c.maxPoints)} points)`;
}

/** The report `bpflab test` prints for one graded submission. */
export function formatStudentReport(result: SubmissionResult, lab: Lab, options: TextReportOptions = {}): string {
  const p = paint(options.color);
  const out: string[] = [`${p.bold(lab.title)} (${lab.id}): ${visible(result.submission)}`];
  if (result.problem !== undefined && result.message !== undefined) {
    out.push('', p.red(`${result.gradable ? 'problem' : 'not gradable'}: ${result.problem}`), result.message.trimEnd());
  }
  const shown = result.scenarios.filter((s) => !s.hidden);
  const hidden = result.scenarios.filter((s) => s.hidden);
  if (shown.length > 0) {
    const table = new Table({ head: ['scenario', 'status', 'points'], style: { head: [], border: [], compact: true } });
    for (const s of shown) table.push([visible(s.name), statusCell(s, p), pointsText(s.points, s.maxPoints)]);
    out.push('', table.toString());
  }
  if (hidden.length > 0) out.push(hiddenLine(hidden));
  for (const s of shown) {
    if (s.status !== 'failed') continue;
    const head = messageAboveDifferences(s);
    out.push('', `${p.red('FAILED')} ${p.bold(visible(s.name))}`, ...(head === undefined ? [] : [`  ${head}`]));
    for (const d of s.differences) out.push(...differenceLines(d, '  '));
    if (s.hint !== undefined) out.push(`  ${p.yellow('hint:')} ${s.hint}`);
  }
  out.push('', `score: ${pointsText(result.score, result.maxScore)}`, closingLine(countStatuses(result.scenarios)));
  return `${out.join('\n')}\n`;
}
