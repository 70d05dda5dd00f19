/**
 * Batch grading: every submission of a folder graded in a worker thread
 * pool (piscina), each under the lab's limits — a wall-clock timeout
 * (the task is aborted, which terminates its worker) and a heap cap
 * (`resourceLimits.maxOldGenerationSizeMb`: a worker that runs out dies
 * alone). A submission that hits a limit or kills its worker is graded 0
 * with the reason, and the batch goes on. Results are appended to
 * `results.jsonl` as they finish; `resume` skips the students already
 * there; an abort signal (Ctrl-C) stops taking submissions and aborts the
 * running ones, leaving the file consistent for a resume.
 *
 * ```ts
 * const outcome = await gradeBatch({ lab: loadLab('labs/xdp-firewall'), submissionsDir: 'submissions', jobs: 2 });
 * outcome.results.length; outcome.outDir; // grades/xdp-firewall
 * ```
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { Lab, ScenarioResult, SubmissionProblem, SubmissionResult } from '../types';
import { writeReports } from './outputs';
import { readResultsFile, ResultsWriter } from './results-file';
import { selectShard, shardDirName, type Shard } from './shard';
import { listSubmissions, type SubmissionEntry } from './submissions';
import type { GradeTask } from './task';

/** Options of {@link gradeBatch}. */
export interface BatchOptions {
  readonly lab: Lab;
  /** one folder or file per student */
  readonly submissionsDir: string;
  /** where results and reports go (default `grades/<lab id>` under `cwd`); a shard writes to `<out>/shard-i-of-N/` */
  readonly outDir?: string;
  /** where relative paths start (default the process's cwd) */
  readonly cwd?: string;
  /** worker threads (default os.availableParallelism()) */
  readonly jobs?: number;
  /** keep `results.jsonl` and grade only the students not in it (default false: start afresh) */
  readonly resume?: boolean;
  /** grade only this shard of the sorted students */
  readonly shard?: Shard;
  /** abort to stop (Ctrl-C): no new submissions, running ones aborted, nothing half-written */
  readonly signal?: AbortSignal;
  /** the grading module (path or file URL; its `gradeTask` or default export grades one GradeTask). Default: the runner */
  readonly workerModule?: string;
  /** wall-clock limit per submission, ms (default the lab's `timeout_seconds`) */
  readonly timeoutMs?: number;
  /** heap cap per worker, MiB (default the lab's `memory_mb`) */
  readonly memoryMb?: number;
  /** write the reports (CSV, JUnit, Gradescope, PrairieLearn) when the batch completes (default true) */
  readonly reports?: boolean;
  /** called as each student finishes (`done` counts this run's students, resumed ones excluded) */
  readonly onResult?: (result: SubmissionResult, done: number, total: number) => void;
  /** called once the students to grade are known */
  readonly onStart?: (info: { readonly total: number; readonly resumed: number; readonly outDir: string }) => void;
}

/** The end of a batch. */
export interface BatchOutcome {
  /** every result in the results file, this run's and resumed ones, by student */
  readonly results: readonly SubmissionResult[];
  /** students graded in this run */
  readonly graded: number;
  /** students skipped because the results file had them */
  readonly resumed: number;
  /** students of this shard */
  readonly total: number;
  /** stopped by the signal before every student was graded */
  readonly interrupted: boolean;
  readonly outDir: string;
  readonly resultsFile: string;
}

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);
const DEFAULT_WORKER = new URL('./worker.ts', import.meta.url).href;

function moduleUrl(m: string | undefined, cwd: string): string {
  if (m === undefined) return DEFAULT_WORKER;
  return /^file:/.test(m) ? m : pathToFileURL(resolve(cwd, m)).href;
}

/** A result for a submission whose grading did not finish: every scenario failed with `line`. */
export function unfinishedResult(lab: Lab, entry: SubmissionEntry, problem: SubmissionProblem, message: string, durationMs: number): SubmissionResult {
  const line = `not graded: ${message.split('\n')[0]}`;
  const scenarios: ScenarioResult[] = lab.scenarios.map((sc) => ({
    name: sc.name,
    status: 'failed',
    points: 0,
    maxPoints: sc.points,
    hidden: sc.hidden,
    visibility: sc.visibility,
    message: line,
    differences: [],
    durationMs: 0,
  }));
  return {
    lab: lab.id,
    student: entry.student,
    submission: entry.path,
    score: 0,
    maxScore: lab.maxScore,
    // a limit is the submission's doing; a bpflab failure is not held against it
    gradable: problem !== 'internal',
    problem,
    message,
    scenarios,
    durationMs: Math.round(durationMs),
  };
}

type Why = 'timeout' | 'interrupted';

function failureResult(lab: Lab, entry: SubmissionEntry, e: unknown, why: Why | undefined, timeoutMs: number, memoryMb: number, ms: number): SubmissionResult {
  if (why === 'timeout') {
    return unfinishedResult(lab, entry, 'timeout', `grading took longer than the lab's limit of ${timeoutMs / 1000} s (a program or a build that does not end?)`, ms);
  }
  const err = e as { code?: unknown; message?: unknown; stack?: unknown };
  if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return unfinishedResult(lab, entry, 'memory', `grading ran out of memory: the lab's limit is ${memoryMb} MiB`, ms);
  }
  const text = typeof err?.stack === 'string' ? err.stack : typeof err?.message === 'string' ? err.message : String(e);
  return unfinishedResult(lab, entry, 'internal', `bpflab failed while grading this submission (a bug in bpflab; please report it with the submission): ${text}`, ms);
}

/** Grades a folder of submissions; see the module comment. Throws BatchError when there is nothing to grade. */
export async function gradeBatch(options: BatchOptions): Promise<BatchOutcome> {
  const { lab } = options;
  const cwd = options.cwd ?? process.cwd();
  const baseOut = resolve(cwd, options.outDir ?? join('grades', lab.id));
  const outDir = options.shard === undefined ? baseOut : join(baseOut, shardDirName(options.shard));
  const resultsFile = join(outDir, 'results.jsonl');
  const entries = selectShard(listSubmissions(resolve(cwd, options.submissionsDir)), options.shard);
  const previous = options.resume === true ? readResultsFile(resultsFile).results.filter((r) => r.lab === lab.id) : [];
  const done = new Map(previous.map((r) => [r.student, r]));
  const todo = entries.filter((e) => !done.has(e.student));
  const resumed = entries.length - todo.length;
  options.onStart?.({ total: todo.length, resumed, outDir });

  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), Math.max(1, todo.length)));
  const timeoutMs = options.timeoutMs ?? lab.limits.timeoutSeconds * 1000;
  const memoryMb = options.memoryMb ?? lab.limits.memoryMb;
  const module = moduleUrl(options.workerModule, cwd);
  const writer = new ResultsWriter(resultsFile, options.resume === true);
  const signal = options.signal;
  let graded = 0;
  let interrupted = false;
  const pool =
    todo.length === 0
      ? undefined
      : new Piscina({
          filename: BOOTSTRAP.href,
          minThreads: jobs,
          maxThreads: jobs,
          // one task per worker at a time: a timeout or a heap overflow then costs only that submission
          concurrentTasksPerWorker: 1,
          idleTimeout: 60_000,
          resourceLimits: { maxOldGenerationSizeMb: memoryMb },
        });
  const running = new Set<AbortController>();
  const onAbort = (): void => {
    for (const c of running) c.abort('interrupted');
  };
  signal?.addEventListener('abort', onAbort);

  let next = 0;
  const runOne = async (entry: SubmissionEntry): Promise<SubmissionResult | undefined> => {
    const ctl = new AbortController();
    running.add(ctl);
    let why: Why | undefined;
    const timer = setTimeout(() => {
      why = 'timeout';
      ctl.abort('timeout');
    }, timeoutMs);
    const t0 = performance.now();
    try {
      const task: GradeTask = { module, lab, student: entry.student, submission: entry.path };
      return (await pool!.run(task, { signal: ctl.signal })) as SubmissionResult;
    } catch (e) {
      if (ctl.signal.aborted && ctl.signal.reason === 'interrupted') return undefined;
      return failureResult(lab, entry, e, why, timeoutMs, memoryMb, performance.now() - t0);
    } finally {
      clearTimeout(timer);
      running.delete(ctl);
    }
  };
  const lane = async (): Promise<void> => {
    while (next < todo.length) {
      if (signal?.aborted === true) {
        interrupted = true;
        return;
      }
      const entry = todo[next++]!;
      const result = await runOne(entry);
      if (result === undefined) {
        interrupted = true;
        return;
      }
      writer.append(result);
      done.set(result.student, result);
      graded++;
      options.onResult?.(result, graded, todo.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, lane));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    writer.close();
    await pool?.destroy();
  }
  if (signal?.aborted === true && graded < todo.length) interrupted = true;
  const results = entries.map((e) => done.get(e.student)).filter((r): r is SubmissionResult => r !== undefined);
  if (!interrupted && options.reports !== false) writeReports(outDir, results, lab);
  return { results, graded, resumed, total: entries.length, interrupted, outDir, resultsFile };
}
