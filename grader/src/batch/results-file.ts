/**
 * A batch's `results.jsonl`: one SubmissionResult per line, appended as
 * each student finishes (one write per line, so a crash loses at most the
 * line being written). Resuming reads the complete lines back and cuts a
 * truncated last line off before appending again.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseJsonLines, toJsonLine } from '../report/json';
import type { SubmissionResult } from '../types';

/** What a results file holds. */
export interface ResultsFileContents {
  readonly results: SubmissionResult[];
  /** lines that were not whole results (a truncated last line after a crash) */
  readonly bad: number;
}

/** The results of `file` (none when it does not exist); the last result of a student wins. */
export function readResultsFile(file: string): ResultsFileContents {
  if (!existsSync(file)) return { results: [], bad: 0 };
  const { results, bad } = parseJsonLines(readFileSync(file, 'utf8'));
  const last = new Map<string, SubmissionResult>();
  for (const r of results) last.set(r.student, r);
  return { results: [...last.values()], bad };
}

/** Appends results to a results file, one line each. */
export class ResultsWriter {
  private fd: number | undefined;

  /** Opens `file` for appending; without `resume` it starts empty. A truncated last line is cut off. */
  constructor(
    readonly file: string,
    resume: boolean,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    if (resume && existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, end)));
    }
    this.fd = openSync(file, resume ? 'a' : 'w');
  }

  /** Writes one result as one line, in one write. */
  append(result: SubmissionResult): void {
    if (this.fd === undefined) throw new Error(`${this.file}: results file already closed`);
    writeSync(this.fd, toJsonLine(result));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
