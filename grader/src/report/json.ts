/**
 * JSON lines: one SubmissionResult per line, the format of a batch's
 * `results.jsonl` (and `bpflab grade --json` on stdout).
 */
import type { SubmissionResult } from '../types';

/** One result as one line of JSON (with its newline). */
export function toJsonLine(result: SubmissionResult): string {
  return `${JSON.stringify(result)}\n`;
}

/** Is `v` shaped like a SubmissionResult (the fields a report needs)? */
export function isSubmissionResult(v: unknown): v is SubmissionResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.student === 'string' && typeof r.lab === 'string' && typeof r.score === 'number' && typeof r.maxScore === 'number' && Array.isArray(r.scenarios);
}

/** The results of JSON lines text; a line that is not a whole result (a truncated last line) is counted in `bad`. */
export function parseJsonLines(text: string): { readonly results: SubmissionResult[]; readonly bad: number } {
  const results: SubmissionResult[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isSubmissionResult(v)) results.push(v);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { results, bad };
}
