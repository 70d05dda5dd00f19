/**
 * The default grading module of a batch worker: the in-process runner.
 * Loaded once per worker thread (by worker-bootstrap.mjs), it grades one
 * submission per task; the pool around it enforces the wall-clock and
 * memory limits.
 */
import { gradeSubmission } from '../runner';
import type { SubmissionResult } from '../types';
import type { GradeTask } from './task';

/** Grades the task's submission against its lab. */
export function gradeTask(task: GradeTask): Promise<SubmissionResult> {
  return gradeSubmission(task.lab, task.submission, { student: task.student });
}
