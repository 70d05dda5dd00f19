/** What a batch worker receives for one submission (structured-cloned into the worker thread). */
import type { Lab } from '../types';

/** One submission to grade in a worker. */
export interface GradeTask {
  /** the grading module's file URL (its default export takes this task and returns a SubmissionResult) */
  readonly module: string;
  readonly lab: Lab;
  readonly student: string;
  /** absolute path of the student's folder or file */
  readonly submission: string;
}
