/**
 * Small text helpers the reporters share: colours that can be switched
 * off, control characters made visible, one-line messages, point counts.
 */
import pc from 'picocolors';
import type { Difference, ScenarioResult, SubmissionResult } from '../types';

/** Options every text reporter takes. */
export interface TextReportOptions {
  /** ANSI colours (default false: the CLI turns them on for a terminal without NO_COLOR) */
  readonly color?: boolean;
}

/** The colour functions of a report: identity when colours are off. */
export interface Paint {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const plain = (s: string): string => s;

/** Colour functions for `color` (picocolors, forced on or off whatever the environment says). */
export function paint(color: boolean | undefined): Paint {
  if (color !== true) return { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
  const c = pc.createColors(true);
  return { green: c.green, red: c.red, yellow: c.yellow, dim: c.dim, bold: c.bold };
}

/**
 * Control characters shown as `\xNN` (newline and tab as `\n`, `\t`).
 * Backslashes are left alone: differences arrive already escaped, and this
 * is only a guard against a raw byte reaching a terminal.
 */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** A text as one line: line breaks become ` | `, other control characters `\xNN`, cut at `max`. */
export function oneLine(s: string | undefined, max = 300): string {
  if (s === undefined) return '';
  const line = visible(s.trim().replace(/\r?\n+/g, ' | '));
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** `expected`/`actual` lines of one difference, indented. */
export function differenceLines(d: Difference, indent = '  '): string[] {
  return [`${indent}${visible(d.where)}`, `${indent}  expected: ${visible(d.expected)}`, `${indent}  actual:   ${visible(d.actual)}`];
}

/** Points as `30/40`, without trailing zeros for fractional points. */
export function pointsText(points: number, max: number): string {
  return `${formatNumber(points)}/${formatNumber(max)}`;
}

/** A number with at most two decimals, no trailing zeros. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** Counts of scenario statuses. */
export interface StatusCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly points: number;
  readonly maxPoints: number;
}

/** How many scenarios passed, failed and were skipped, and their points. */
export function countStatuses(scenarios: readonly ScenarioResult[]): StatusCounts {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let points = 0;
  let maxPoints = 0;
  for (const s of scenarios) {
    if (s.status === 'passed') passed++;
    else if (s.status === 'failed') failed++;
    else skipped++;
    points += s.points;
    maxPoints += s.maxPoints;
  }
  return { passed, failed, skipped, points, maxPoints };
}

/** `N passed, N failed` (with `, N skipped` when some were). */
export function closingLine(c: StatusCounts): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped > 0 ? `, ${c.skipped} skipped` : ''}`;
}

/** What went wrong with a submission, in a word for tables (`ok` when it was graded normally). */
export function problemWord(r: SubmissionResult): string {
  return r.problem ?? 'ok';
}

/**
 * The message line worth printing above a scenario's differences: none
 * when it only repeats the first difference (`where: expected x, got y`).
 */
export function messageAboveDifferences(s: ScenarioResult): string | undefined {
  const d = s.differences[0];
  if (d !== undefined && s.message.startsWith(`${d.where}: expected `)) {
    const n = s.differences.length;
    return n > 1 ? `${n} differences:` : undefined;
  }
  return visible(s.message);
}

/** A scenario's failure as text for report `output` fields: message, differences, hint, longer output. */
export function scenarioDetail(s: ScenarioResult): string {
  const head = messageAboveDifferences(s);
  const lines = head === undefined ? [] : [head];
  for (const d of s.differences) lines.push(...differenceLines(d, ''));
  if (s.hint !== undefined) lines.push(`hint: ${s.hint}`);
  if (s.output !== undefined && s.output !== '') lines.push('', s.output);
  return lines.join('\n');
}
