/**
 * Gradescope's autograder `results.json` (gradescope-autograders.readthedocs.io,
 * "Autograder Specifications"): the submission's `score`, `execution_time`
 * (seconds), `output` (the submission's problem, or a summary line), and
 * one test per scenario with `name`, `score`, `max_score`, `status`
 * (`passed`/`failed`; a skipped scenario is a failed test with 0 points),
 * `output` (message, differences, hint) and `visibility` (a hidden
 * scenario's visibility is the scenario's or the lab's, `after_published`
 * by default).
 */
import type { Lab, SubmissionResult, Visibility } from '../types';
import { closingLine, countStatuses, scenarioDetail } from './text';

/** One test of Gradescope's results.json. */
export interface GradescopeTest {
  readonly name: string;
  readonly score: number;
  readonly max_score: number;
  readonly status: 'passed' | 'failed';
  readonly output: string;
  readonly visibility: Visibility;
}

/** Gradescope's results.json. */
export interface GradescopeResults {
  readonly score: number;
  /** seconds */
  readonly execution_time: number;
  readonly output: string;
  readonly visibility: Visibility;
  readonly stdout_visibility: Visibility;
  readonly tests: readonly GradescopeTest[];
}

/** The results.json Gradescope reads from `/autograder/results/results.json`. */
export function toGradescope(result: SubmissionResult, lab: Lab): GradescopeResults {
  const counts = countStatuses(result.scenarios);
  const summary = `${lab.title}: ${result.score}/${result.maxScore} points; ${closingLine(counts)}`;
  const output = result.problem === undefined ? summary : `${summary}\n\n${result.problem}: ${result.message ?? ''}`.trimEnd();
  return {
    score: result.score,
    execution_time: Math.round(result.durationMs) / 1000,
    output,
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: result.scenarios.map((s) => ({
      name: s.name,
      score: s.points,
      max_score: s.maxPoints,
      status: s.status === 'passed' ? 'passed' : 'failed',
      output: s.status === 'passed' ? s.message : scenarioDetail(s),
      visibility: s.visibility,
    })),
  };
}
