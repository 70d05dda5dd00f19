/**
 * The grader's data: a lab as read from its `lab.yaml`, and the results of
 * grading one submission against it. Reporters, the batch pool and the
 * CLI all speak these types; everything here is JSON-safe (no bigints, no
 * class instances), so results cross worker threads and land in JSON
 * lines unchanged.
 */

/** A place in a source file, 1-based. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/** Per-submission limits (the lab's `limits`, with defaults filled in). */
export interface LabLimits {
  /** instructions one program run may execute (tail calls and callbacks included) */
  readonly insnsPerEvent: number;
  /** wall-clock seconds for the whole submission (build, load, every scenario) */
  readonly timeoutSeconds: number;
  /** heap cap of the worker that grades it, in MiB */
  readonly memoryMb: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: LabLimits = Object.freeze({ insnsPerEvent: 1_000_000, timeoutSeconds: 60, memoryMb: 512 });

/** How Gradescope shows a scenario (its `visibility`). */
export type Visibility = 'visible' | 'hidden' | 'after_due_date' | 'after_published';

/** One expectation of a scenario (after the step expectations). */
export type Expectation =
  /** the verifier's verdict on every program (or the named one) */
  | { readonly kind: 'verifier'; readonly verdict: 'accept' | 'reject'; readonly program?: string; readonly message?: string; readonly hint?: string; readonly pos: SourcePos }
  /** trace pipe lines: exactly these (in order), or lines matching each pattern (in order), or a count of lines matching one pattern */
  | {
      readonly kind: 'trace';
      readonly lines?: readonly string[];
      readonly match?: readonly string[];
      readonly contains?: string;
      readonly count?: number;
      readonly hint?: string;
      readonly pos: SourcePos;
    }
  /**
   * a map's contents after the run: one element (`key` with `value`, or
   * `total` summed over CPUs for per-CPU maps, or `absent`), or the exact
   * set of elements (`entries`)
   */
  | {
      readonly kind: 'map';
      readonly map: string;
      readonly key?: unknown;
      readonly value?: unknown;
      readonly total?: unknown;
      readonly absent?: boolean;
      readonly entries?: readonly { readonly key: unknown; readonly value?: unknown; readonly total?: unknown }[];
      readonly hint?: string;
      readonly pos: SourcePos;
    }
  /** a plugin's end-of-scenario summary data (a subset match) */
  | { readonly kind: 'summary'; readonly hook: string; readonly data: unknown; readonly hint?: string; readonly pos: SourcePos }
  /** budgets: instructions per program run, and instructions per program (its size after loading) */
  | { readonly kind: 'budget'; readonly insnsPerEvent?: number; readonly programInsns?: number; readonly hint?: string; readonly pos: SourcePos };

/** One step of a scenario: the plugin step, and what its observation must contain. */
export interface LabStep {
  /** the step as the hook registry runs it (without `expect` and `hint`) */
  readonly step: Readonly<Record<string, unknown>>;
  /** its kind (`packet`, `syscall`, `map_update`...) */
  readonly kind: string;
  /** a subset of the observation: every key given must match */
  readonly expect?: unknown;
  readonly hint?: string;
  readonly pos: SourcePos;
}

/** One scenario of a lab. */
export interface Scenario {
  readonly name: string;
  readonly points: number;
  /** hidden from students (`bpflab test` counts it but shows nothing) */
  readonly hidden: boolean;
  /** Gradescope visibility */
  readonly visibility: Visibility;
  /** scenarios that must pass first (otherwise this one is skipped) */
  readonly dependsOn: readonly string[];
  readonly cpus: number;
  /** attach targets by program name, or by section name (every program of that SEC()) */
  readonly attach: Readonly<Record<string, string>>;
  /** steps run before `steps`, whose observations are not checked */
  readonly setup: readonly LabStep[];
  readonly steps: readonly LabStep[];
  readonly expect: readonly Expectation[];
  /** shown when the scenario fails and no expectation has its own hint */
  readonly hint?: string;
  /** does it need a kernel to run in? false for scenarios whose only checks are verifier verdicts */
  readonly needsLoad: boolean;
  readonly pos: SourcePos;
}

/** A wrong variant of the lab's own regression test. */
export interface LabVariant {
  /** path relative to the lab folder */
  readonly file: string;
  /** the score it must get */
  readonly score: number;
  /** what is wrong with it, one line */
  readonly why: string;
}

/** A lab, read and checked. */
export interface Lab {
  readonly id: string;
  readonly title: string;
  /** the lab folder (absolute) */
  readonly dir: string;
  /** the lab file (absolute) */
  readonly file: string;
  /** the hook plugin the lab is about */
  readonly hook: string;
  /** the file name a student hands in (`firewall.bpf.c`, or a `.o`) */
  readonly submission: string;
  /** paths relative to `dir` */
  readonly starter: string;
  /** the score the starter must get in `bpflab lab check`, when the lab says */
  readonly starterScore?: number;
  readonly solution: string;
  readonly variants: readonly LabVariant[];
  /** load as root (default) or without CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN */
  readonly privileged: boolean;
  readonly limits: LabLimits;
  readonly scenarios: readonly Scenario[];
  /** sum of the scenarios' points */
  readonly maxScore: number;
}

/** Why a submission got no points from its scenarios. */
export type SubmissionProblem =
  /** not C, not an ELF object, or missing */
  | 'bad-submission'
  /** C that does not compile (or no compiler) */
  | 'build-failed'
  /** the loader refused it before verification (bad relocation, unknown map type...) */
  | 'load-failed'
  /** the verifier rejected a program */
  | 'rejected'
  /** the wall-clock limit */
  | 'timeout'
  /** the memory cap */
  | 'memory'
  /** bpflab failed (a bug: the message says what to report) */
  | 'internal';

/** The outcome of one scenario. */
export type ScenarioStatus = 'passed' | 'failed' | 'skipped';

/** One difference between what a scenario expected and what happened. */
export interface Difference {
  /** where: `steps[2] (packet) action`, `map syscall_counts key 59 total`, `trace line 1` */
  readonly where: string;
  /** expected and actual, as printable text (unprintable bytes escaped) */
  readonly expected: string;
  readonly actual: string;
}

/** The result of one scenario. */
export interface ScenarioResult {
  readonly name: string;
  readonly status: ScenarioStatus;
  readonly points: number;
  readonly maxPoints: number;
  readonly hidden: boolean;
  readonly visibility: Visibility;
  /** one line: `all 3 checks passed`, `steps[2] (packet): expected action XDP_DROP, got XDP_PASS`, `skipped: depends on "loads"` */
  readonly message: string;
  readonly differences: readonly Difference[];
  /** the hint of the first failed expectation (or the scenario's) */
  readonly hint?: string;
  /** longer text (a verifier log, a fault): for reports' output fields */
  readonly output?: string;
  readonly durationMs: number;
}

/** The result of grading one submission. */
export interface SubmissionResult {
  readonly lab: string;
  /** the student (the submission's folder or file name, without extension) */
  readonly student: string;
  /** the submission path as given */
  readonly submission: string;
  readonly score: number;
  readonly maxScore: number;
  /** false when the submission could not be graded at all (does not build, load or verify) */
  readonly gradable: boolean;
  /** why it got nothing (absent when it was graded normally) */
  readonly problem?: SubmissionProblem;
  /** one paragraph: the compiler's diagnostics, the verifier's explained error, the limit hit */
  readonly message?: string;
  readonly scenarios: readonly ScenarioResult[];
  readonly durationMs: number;
}
