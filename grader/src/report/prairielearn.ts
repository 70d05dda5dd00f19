/**
 * PrairieLearn's external grader results (`/grade/results/results.json`,
 * docs "External Grading", "Grading results"): `gradable` (false when the
 * submission does not build, load or verify: PrairieLearn then neither
 * scores it nor counts the attempt), `score` in 0..1, `message`, `output`,
 * and one test per scenario with `name`, `points`, `max_points`,
 * `message`, `output`; `format_errors` holds the problem of an ungradable
 * submission. Hidden scenarios are listed without their details.
 */
import type { Lab, SubmissionResult } from '../types';
import { closingLine, countStatuses, scenarioDetail } from './text';

/** One test of PrairieLearn's results. */
export interface PrairieLearnTest {
  readonly name: string;
  readonly description?: string;
  readonly points: number;
  readonly max_points: number;
  readonly message: string;
  readonly output: string;
}

/** PrairieLearn's results.json. */
export interface PrairieLearnResults {
  readonly gradable: boolean;
  /** 0..1 */
  readonly score: number;
  readonly message: string;
  readonly output: string;
  readonly format_errors?: readonly string[];
  readonly tests: readonly PrairieLearnTest[];
}

/** The results.json a PrairieLearn external grader writes. */
export function toPrairieLearn(result: SubmissionResult, lab: Lab): PrairieLearnResults {
  const counts = countStatuses(result.scenarios);
  const score = result.maxScore > 0 ? Math.min(1, Math.max(0, result.score / result.maxScore)) : 0;
  const message = result.problem === undefined ? `${lab.title}: ${result.score}/${result.maxScore} points; ${closingLine(counts)}` : `${result.problem}: ${firstLine(result.message)}`;
  return {
    gradable: result.gradable,
    score,
    message,
    output: result.message ?? '',
    ...(result.gradable ? {} : { format_errors: [result.message ?? result.problem ?? 'not gradable'] }),
    tests: result.scenarios.map((s) => ({
      name: s.hidden ? `hidden scenario (${s.maxPoints} points)` : s.name,
      ...(s.hidden ? { description: 'a hidden scenario of the lab' } : {}),
      points: s.points,
      max_points: s.maxPoints,
      message: s.hidden ? s.status : s.message,
      output: s.hidden || s.status === 'passed' ? '' : scenarioDetail(s),
    })),
  };
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0] ?? '';
}
