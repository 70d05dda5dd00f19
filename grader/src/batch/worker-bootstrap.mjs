// The entry point of a batch worker thread. The kit is TypeScript run
// through tsx, and a worker thread does not inherit the loader hooks of the
// thread that started it, so each worker registers tsx first and then
// imports the grading module the task names (a file URL; its default
// export grades one task). Plain JavaScript, so that Node loads it as is.
import { register } from 'tsx/esm/api';

register();

const modules = new Map();

/** Grades one task with the module it names. */
export default async function runTask(task) {
  let grade = modules.get(task.module);
  if (grade === undefined) {
    const m = await import(task.module);
    grade = typeof m.default === 'function' ? m.default : m.gradeTask;
    if (typeof grade !== 'function') throw new Error(`${task.module}: no default export to grade a task with`);
    modules.set(task.module, grade);
  }
  return grade(task);
}
