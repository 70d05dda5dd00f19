/**
 * `bpflab test LAB [SUBMISSION] [--json] [--watch]`: what a student runs.
 * Grades the submission (default: the lab's submission file in the current
 * folder) as the grader will, and prints a table of the scenarios with
 * their points, the differences and hints of the failed ones (hidden
 * scenarios are counted, never shown), and `N passed, N failed`. Exit code
 * 0 when every scenario passed, 1 otherwise, 2 for a bad lab or a missing
 * submission.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { watch } from 'chokidar';
import { formatStudentReport, gradeSubmission, resolveSubmissionFile, toGradescope, toPrairieLearn, type Lab, type SubmissionResult } from '@bpflab/grader';
import { CliError, CliExit, EXIT } from '../errors';
import { processIo, type Io } from '../io';
import { readLab } from '../lab-path';

/** Options of `bpflab test`. */
export interface TestOptions {
  readonly json?: boolean;
  readonly watch?: boolean;
  /** also write Gradescope's results.json here */
  readonly gradescope?: string;
  /** also write PrairieLearn's results.json here */
  readonly prairielearn?: string;
}

/** The submission to grade: the one given, else the lab's submission file in `cwd`. */
function submissionPath(io: Io, lab: Lab, given: string | undefined): string {
  if (given !== undefined) {
    const found = resolveSubmissionFile(lab, given, io.cwd);
    if (!found.ok) throw new CliError('bad-input', found.message);
    return found.file;
  }
  const here = resolve(io.cwd, lab.submission);
  if (existsSync(here)) return here;
  const starter = shownPath(io.cwd, join(lab.dir, lab.starter));
  throw new CliError(
    'bad-input',
    `no ${lab.submission} in this folder: run bpflab test in the folder holding your ${lab.submission}, or name it: bpflab test ${lab.id} path/to/${lab.submission}\n(the lab's starter code is ${starter}: copy it here to begin)`,
  );
}

function writeJson(io: Io, file: string, value: unknown): void {
  const full = resolve(io.cwd, file);
  try {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, `${JSON.stringify(value, null, 2)}\n`);
  } catch (e) {
    throw new CliError('bad-input', `${file}: cannot write: ${(e as Error).message}`);
  }
}

/** Colours for stdout: the process's terminal without NO_COLOR (never for captured output). */
function stdoutColor(io: Io): boolean {
  return io.color === true && (io !== processIo || process.stdout.isTTY === true);
}

/** A path as the user reads it best: relative when below the current folder, else absolute. */
export function shownPath(cwd: string, path: string): string {
  const r = relative(cwd, path);
  return r === '' ? path : r.startsWith('..') || isAbsolute(r) ? path : r;
}

/**
 * The result as a student may see it: a hidden scenario keeps its points
 * and status, not its name or what differed (Gradescope's file keeps them,
 * with the visibility Gradescope honours).
 */
export function studentView(r: SubmissionResult): SubmissionResult {
  let n = 0;
  return {
    ...r,
    scenarios: r.scenarios.map((s) => {
      if (!s.hidden) return s;
      n++;
      return { name: `hidden scenario ${n}`, status: s.status, points: s.points, maxPoints: s.maxPoints, hidden: true, visibility: s.visibility, message: s.status, differences: [], durationMs: s.durationMs };
    }),
  };
}

/** Grades once and prints; true when every scenario passed. */
async function runOnce(io: Io, lab: Lab, submission: string, opts: TestOptions): Promise<SubmissionResult> {
  const shown = shownPath(io.cwd, submission);
  const result = await gradeSubmission(lab, shown, { cwd: io.cwd });
  if (opts.gradescope !== undefined) writeJson(io, opts.gradescope, toGradescope(result, lab));
  if (opts.prairielearn !== undefined) writeJson(io, opts.prairielearn, toPrairieLearn(result, lab));
  io.out(opts.json === true ? `${JSON.stringify(studentView(result), null, 2)}\n` : formatStudentReport(result, lab, { color: stdoutColor(io) }));
  return result;
}

function allPassed(r: SubmissionResult): boolean {
  return r.scenarios.every((s) => s.status === 'passed');
}

/**
 * Re-runs the tests whenever the submission or the lab changes, until
 * `signal` aborts (Ctrl-C for the command).
 */
export async function watchTests(io: Io, lab: Lab, submission: string, opts: TestOptions, signal: AbortSignal, onRun?: (r: SubmissionResult) => void): Promise<void> {
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      const r = await runOnce(io, lab, submission, opts);
      io.err(`bpflab test: watching ${shownPath(io.cwd, submission)} (Ctrl-C to stop)\n`);
      onRun?.(r);
    } while (again && !signal.aborted);
    running = false;
  };
  const watcher = watch([submission], { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 } });
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void run(), 50);
  });
  await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  await run();
  await new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
  if (timer !== undefined) clearTimeout(timer);
  await watcher.close();
}

/** `bpflab test LAB [SUBMISSION] [--json] [--watch] [--gradescope F] [--prairielearn F]` */
export async function testCommand(io: Io, labArg: string, given: string | undefined, opts: TestOptions): Promise<void> {
  const lab = readLab(labArg, io.cwd);
  const submission = submissionPath(io, lab, given);
  if (opts.watch === true) {
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    try {
      await watchTests(io, lab, submission, opts, stop.signal);
    } finally {
      process.off('SIGINT', onSignal);
    }
    return;
  }
  const result = await runOnce(io, lab, submission, opts);
  if (!allPassed(result)) throw new CliExit(EXIT.programFailed);
}

const TEST_EXIT_HELP = `
Exit codes:
  0   every scenario passed
  1   some scenario failed or was skipped (the table says which; hidden ones are counted)
  2   bad input (no such lab, a broken lab.yaml, no submission file)
  70  a bug in bpflab (please report it with the input that caused it)`;

/** Adds `bpflab test` to the command tree. */
export function registerTestCommand(program: Command, io: Io): void {
  program
    .command('test')
    .description("grade your submission against a lab's scenarios, as the grader will: points, what differed, hints")
    .argument('<lab>', 'the lab: its folder (holding lab.yaml), its lab.yaml, or the id of a shipped lab (xdp-firewall)')
    .argument('[submission]', "your C file (or .o, or a folder holding it); default: the lab's file name in this folder")
    .option('--json', 'print the result as JSON (hidden scenarios: points and status only)')
    .option('--watch', 'grade again each time the submission changes (Ctrl-C to stop)')
    .option('--gradescope <file>', "also write Gradescope's results.json (for an autograder image)")
    .option('--prairielearn <file>', "also write PrairieLearn's results.json (for an external grader)")
    .addHelpText('after', TEST_EXIT_HELP)
    .action((lab: string, submission: string | undefined, opts: TestOptions) => testCommand(io, lab, submission, opts));
}
