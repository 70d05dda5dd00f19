/**
 * `bpflab grade LAB SUBMISSIONS_DIR [--jobs N] [--out DIR] [--resume]
 * [--shard i/N | --shard N | --shards N] [--json]`, and `bpflab grade LAB
 * --merge [--out DIR]`: what a TA runs. Grades every student's folder or
 * file in a pool of worker threads under the lab's limits, appending each
 * result to `<out>/results.jsonl` (default out: `grades/<lab id>`), then
 * writes the gradebook CSV, JUnit XML, Gradescope and PrairieLearn files
 * and prints the summary table (or, with --json, the results as JSON
 * lines). Ctrl-C stops cleanly (exit 130) and `--resume` finishes the
 * batch later. Exit code 0 when the batch completed, whatever the scores;
 * 2 for a bad lab, no submissions or a bad option.
 */
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  BatchError,
  createProgress,
  formatSummaryTable,
  gradeBatch,
  mergeShards,
  resolveShard,
  toJsonLine,
  wantsBar,
  type Lab,
  type SubmissionResult,
} from '@bpflab/grader';
import { CliError, CliExit } from '../errors';
import { processIo, type Io } from '../io';
import { readLab } from '../lab-path';

/** Options of `bpflab grade`. */
export interface GradeCommandOptions {
  readonly jobs?: string;
  readonly out?: string;
  readonly resume?: boolean;
  readonly shard?: string;
  readonly shards?: string;
  readonly json?: boolean;
  readonly merge?: boolean;
  /** stops the batch as Ctrl-C does (tests); the command also listens for SIGINT */
  readonly signal?: AbortSignal;
  /** the grading module (tests) */
  readonly workerModule?: string;
  /** the environment (JOB_COMPLETION_INDEX, CI); default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Exit code of a batch stopped by Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

function parseJobs(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new CliError('bad-input', `--jobs must be a positive integer, got '${v}'`);
  return n;
}

function shown(io: Io, path: string): string {
  const r = relative(io.cwd, path);
  return r === '' ? '.' : r.startsWith('..') ? path : r;
}

function printResults(io: Io, results: readonly SubmissionResult[], lab: Lab, json: boolean): void {
  if (json) {
    io.out(results.map(toJsonLine).join(''));
    return;
  }
  const color = io.color === true && (io !== processIo || process.stdout.isTTY === true);
  io.out(formatSummaryTable(results, lab, { color }));
}

/** `f`'s value; a BatchError (no submissions, a bad shard, no shards to merge) becomes bad input (exit 2). */
async function asBadInput<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof BatchError) throw new CliError('bad-input', e.message);
    throw e;
  }
}

/** Runs `bpflab grade`. */
export async function gradeCommand(io: Io, labArg: string, submissionsDir: string | undefined, opts: GradeCommandOptions): Promise<void> {
  const lab = readLab(labArg, io.cwd);
  const env = opts.env ?? process.env;
  const outDir = resolve(io.cwd, opts.out ?? join('grades', lab.id));
  if (opts.merge === true) {
    const merged = await asBadInput(() => mergeShards(outDir, lab));
    if (merged.missing.length > 0) io.err(`bpflab grade: warning: no results from ${merged.missing.join(', ')}: those students are not in the reports\n`);
    io.err(`merged ${merged.shards} shards: ${merged.results.length} students; reports in ${shown(io, outDir)}/\n`);
    printResults(io, merged.results, lab, opts.json === true);
    return;
  }
  if (submissionsDir === undefined) throw new CliError('bad-input', 'missing SUBMISSIONS_DIR: the folder holding one folder or file per student (or --merge to combine shards)');
  const jobs = parseJobs(opts.jobs);
  const ctl = new AbortController();
  const onSigint = (): void => {
    if (!ctl.signal.aborted) io.err('\nbpflab grade: interrupted: stopping the running submissions...\n');
    ctl.abort();
  };
  const forward = (): void => ctl.abort();
  opts.signal?.addEventListener('abort', forward);
  process.on('SIGINT', onSigint);
  const bar = io === processIo && wantsBar(process.stderr, env);
  const progress = createProgress({ write: io.err, bar });
  let outcome;
  try {
    const shard = await asBadInput(() => resolveShard({ ...(opts.shard === undefined ? {} : { shard: opts.shard }), ...(opts.shards === undefined ? {} : { shards: opts.shards }), env }));
    outcome = await asBadInput(() => gradeBatch({
      lab,
      submissionsDir,
      outDir,
      cwd: io.cwd,
      ...(jobs === undefined ? {} : { jobs }),
      resume: opts.resume === true,
      ...(shard === undefined ? {} : { shard }),
      signal: ctl.signal,
      ...(opts.workerModule === undefined ? {} : { workerModule: opts.workerModule }),
      onStart: ({ total, resumed, outDir: dir }) => {
        const what = shard === undefined ? '' : ` (shard ${shard.index}/${shard.count})`;
        const skip = resumed > 0 ? `; ${resumed} already graded in ${shown(io, dir)}/results.jsonl` : '';
        io.err(`grading ${total} submission${total === 1 ? '' : 's'} for ${lab.id}${what}${skip}\n`);
        progress.start(total);
      },
      onResult: (r, done, total) => progress.tick(r, done, total),
    }));
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    opts.signal?.removeEventListener('abort', forward);
  }
  if (outcome.interrupted) {
    const left = outcome.total - outcome.resumed - outcome.graded;
    io.err(
      `bpflab grade: interrupted: ${outcome.resumed + outcome.graded} of ${outcome.total} students graded, ${left} left; ` +
        `the results so far are in ${shown(io, outcome.resultsFile)}\nto finish, run the same command with --resume\n`,
    );
    throw new CliExit(EXIT_INTERRUPTED);
  }
  io.err(`reports in ${shown(io, outcome.outDir)}/: results.jsonl, grades.csv, junit.xml, gradescope/, prairielearn/\n`);
  printResults(io, outcome.results, lab, opts.json === true);
}

/** Registers `bpflab grade`. */
export function registerGradeCommand(program: Command, io: Io, exitHelp: string): void {
  program
    .command('grade')
    .description('grade a folder of submissions (one folder or file per student) in parallel workers; write the gradebook and reports')
    .argument('<lab>', 'the lab: its folder, its lab.yaml, or the id of a shipped lab')
    .argument('[submissions]', 'the folder holding one folder or file per student')
    .option('-j, --jobs <n>', 'worker threads (default: the number of CPUs)')
    .option('-o, --out <dir>', 'where results and reports go (default: grades/<lab id>)')
    .option('--resume', 'keep <out>/results.jsonl and grade only the students not in it (after Ctrl-C or a crash)')
    .option('--shard <i/N|N>', 'grade shard i of N (1-based); with N alone the index is JOB_COMPLETION_INDEX+1 (Kubernetes Indexed Job)')
    .option('--shards <n>', 'the shard count, the index from JOB_COMPLETION_INDEX (same as --shard N)')
    .option('--merge', 'combine the shards\' results (<out>/shard-i-of-N/) into <out> and write the reports')
    .option('--json', 'print the results as JSON lines instead of the summary table')
    .addHelpText(
      'after',
      `${exitHelp}\n  130 interrupted (Ctrl-C): run the same command with --resume to finish\n\nThe batch's exit code is 0 when every submission was graded, whatever the scores.`,
    )
    .action((lab: string, submissions: string | undefined, opts: GradeCommandOptions) => gradeCommand(io, lab, submissions, opts));
}
