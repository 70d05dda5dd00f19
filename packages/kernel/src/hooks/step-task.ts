/**
 * The task a scenario step runs in: `task: 4242` (a task that exists) or
 * `task: { pid: 4242, comm: cat, uid: 1000 }`, spawned the first time it
 * is named. Naming it again with different credentials or a different
 * name is an error, so that a typo does not silently create a second
 * identity for one pid.
 */
import { KernelError } from '../errors';
import type { Kernel } from '../kernel';
import type { Task } from '../tasks';
import type { JsonSchema } from './define-hook';

/** A task as a step names it. */
export type TaskRef =
  | number
  | {
      readonly pid: number;
      /** the process (thread group); default `pid` */
      readonly tgid?: number;
      /** the parent's pid; default 1 */
      readonly ppid?: number;
      readonly comm?: string;
      readonly uid?: number;
      readonly gid?: number;
      readonly euid?: number;
      readonly egid?: number;
    };

const ID = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;

/** JSON Schema of a {@link TaskRef}, for plugins' step schemas. */
export const TASK_REF_SCHEMA: JsonSchema = Object.freeze({
  description: 'the task the event happens in: a pid that exists, or a task spawned on first mention',
  oneOf: [
    { type: 'integer', minimum: 0, maximum: 4194303 },
    {
      type: 'object',
      properties: {
        pid: { type: 'integer', minimum: 1, maximum: 4194303 },
        tgid: { type: 'integer', minimum: 1, maximum: 4194303 },
        ppid: { type: 'integer', minimum: 0, maximum: 4194303 },
        comm: { type: 'string', minLength: 1 },
        uid: ID,
        gid: ID,
        euid: ID,
        egid: ID,
      },
      required: ['pid'],
      additionalProperties: false,
    },
  ],
});

/**
 * The task `ref` names in `kernel`: an existing one (checked against what
 * the step says of it) or a new one; the kernel's user-space process when
 * `ref` is undefined.
 *
 * @throws {@link KernelError} `bad-step` for an unknown pid or a task named with other attributes than it has
 */
export function resolveTaskRef(kernel: Kernel, ref: TaskRef | undefined): Task {
  if (ref === undefined) return kernel.process;
  if (typeof ref === 'number') {
    const t = kernel.tasks.get(ref);
    if (t === undefined) throw new KernelError('bad-step', `task ${ref} does not exist (name it as { pid: ${ref}, comm: ... } to create it)`);
    return t;
  }
  const existing = kernel.tasks.get(ref.pid);
  if (existing === undefined) {
    try {
      return kernel.tasks.spawn(ref);
    } catch (e) {
      if (e instanceof KernelError) throw new KernelError('bad-step', `task ${ref.pid}: ${e.message}`, { cause: e });
      throw e;
    }
  }
  const have: Readonly<Record<string, number | string>> = {
    tgid: existing.tgid,
    ppid: existing.parent?.pid ?? 0,
    comm: existing.comm,
    uid: existing.uid,
    gid: existing.gid,
    euid: existing.euid,
    egid: existing.egid,
  };
  for (const [field, want] of Object.entries(ref)) {
    if (field === 'pid' || want === undefined) continue;
    const is = field === 'comm' && typeof want === 'string' ? new TextDecoder().decode(new TextEncoder().encode(want).subarray(0, 15)) : want;
    if (have[field] !== is) {
      throw new KernelError('bad-step', `task ${ref.pid} already exists with ${field} ${JSON.stringify(have[field])}, this step says ${JSON.stringify(want)}`);
    }
  }
  return existing;
}
