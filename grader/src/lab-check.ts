/**
 * A lab's own regression test: its reference solution must get full
 * marks, its starter the score the lab gives (when it gives one), each
 * wrong variant exactly its score. `bpflab lab check` prints it; CI runs
 * it over every shipped lab.
 */
import { join } from 'node:path';
import { gradeSubmission } from './runner';
import type { Lab, SubmissionResult } from './types';

/** One submission of a lab's regression test. */
export interface CheckedSubmission {
  /** `solution`, `starter` or `variant` */
  readonly role: 'solution' | 'starter' | 'variant';
  /** path relative to the lab folder */
  readonly file: string;
  /** the score the lab says it must get */
  readonly expected: number;
  readonly why?: string;
  /** false for a starter whose score the lab does not give (it is shown, not checked) */
  readonly checked: boolean;
  readonly result: SubmissionResult;
  readonly ok: boolean;
}

/** A lab's regression test. */
export interface LabCheck {
  readonly lab: string;
  readonly title: string;
  readonly maxScore: number;
  readonly submissions: readonly CheckedSubmission[];
  readonly ok: boolean;
}

/** Grades a lab's solution, starter and wrong variants against the scores the lab gives them. */
export async function checkLab(lab: Lab): Promise<LabCheck> {
  const plan: { role: CheckedSubmission['role']; file: string; expected: number | undefined; why?: string }[] = [
    { role: 'solution', file: lab.solution, expected: lab.maxScore },
    { role: 'starter', file: lab.starter, expected: lab.starterScore },
    ...lab.variants.map((v) => ({ role: 'variant' as const, file: v.file, expected: v.score, why: v.why })),
  ];
  const submissions: CheckedSubmission[] = [];
  for (const p of plan) {
    const result = await gradeSubmission(lab, join(lab.dir, p.file), { student: p.file });
    const expected = p.expected ?? result.score;
    submissions.push({ role: p.role, file: p.file, expected, ...(p.why === undefined ? {} : { why: p.why }), checked: p.expected !== undefined, result, ok: result.score === expected });
  }
  return { lab: lab.id, title: lab.title, maxScore: lab.maxScore, submissions, ok: submissions.every((s) => s.ok) };
}
