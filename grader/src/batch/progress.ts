/**
 * Progress of a batch on stderr: a cli-progress bar when stderr is a
 * terminal outside CI, otherwise one line per finished student (what a CI
 * log or a redirected file wants).
 */
import { SingleBar } from 'cli-progress';
import type { SubmissionResult } from '../types';

/** Where progress goes. */
export interface ProgressSink {
  readonly write: (text: string) => void;
  /** draw a bar (a terminal, not CI) */
  readonly bar: boolean;
  /** the stream the bar draws on (default process.stderr) */
  readonly stream?: NodeJS.WritableStream;
}

/** Reports each finished student. */
export interface Progress {
  start(total: number): void;
  tick(result: SubmissionResult, done: number, total: number): void;
  stop(): void;
}

/** Should a bar be drawn on this stream? Only on a terminal, and not under CI. */
export function wantsBar(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && (env.CI ?? '') === '' && env.TERM !== 'dumb';
}

/** A progress reporter for `sink`. */
export function createProgress(sink: ProgressSink): Progress {
  if (sink.bar) {
    const bar = new SingleBar({
      format: 'grading [{bar}] {value}/{total} {student}',
      stream: sink.stream ?? process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    });
    return {
      start: (total) => bar.start(total, 0, { student: '' }),
      tick: (r, done) => bar.update(done, { student: r.student }),
      stop: () => bar.stop(),
    };
  }
  return {
    start: () => {},
    tick: (r, done, total) => {
      const width = String(total).length;
      const note = r.problem === undefined ? '' : ` (${r.problem})`;
      sink.write(`[${String(done).padStart(width)}/${total}] ${r.student}: ${r.score}/${r.maxScore}${note}\n`);
    },
    stop: () => {},
  };
}
