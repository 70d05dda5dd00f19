/**
 * File-operation steps: what a scenario asks a process to do, as data.
 *
 * ```yaml
 * - { task: { pid: 3001, comm: cat, uid: 1001 }, op: open, path: /etc/passwd, mode: read }
 * - { task: 3001, op: read, path: /etc/passwd }
 * - { task: { pid: 3002, comm: bash, uid: 1000 }, op: exec, path: /bin/ls, argv: [ls, -l] }
 * - { task: 3002, op: mmap, path: /usr/lib/libc.so.6, prot: [read, exec] }
 * - { task: 3002, op: unlink, path: /tmp/x }
 * - { task: 3002, op: kill, target: 3001, signal: SIGKILL }
 * - { file: /srv/secret, mode: '0600', uid: 1000, content: "..." }   # setup, as root, no hooks
 * ```
 *
 * `parseFileOpStep` and `parseFileSetupStep` check a step read from YAML
 * or JSON and throw `LsmError` `bad-step` naming the field at fault.
 */
import type { TaskRef } from '@bpflab/kernel';
import { LsmError } from './errors';
import type { FileSpec, FileType } from './filesystem';

/** How a file is opened: `O_RDONLY`, `O_WRONLY` or `O_RDWR`. */
export type FileAccess = 'read' | 'write' | 'readwrite';

/** A `PROT_*` permission of a mapping. */
export type MmapProt = 'read' | 'write' | 'exec';

/** The operations a step can perform. */
export type FileOp = 'open' | 'read' | 'write' | 'close' | 'exec' | 'unlink' | 'mmap' | 'kill';

/** Fields every step has. */
interface StepBase {
  /**
   * the process: a pid that exists, or `{ pid, comm, uid, ... }`, spawned
   * the first time it is named; default the kernel's user-space process
   * (pid 1000, root)
   */
  readonly task?: TaskRef;
  /** the CPU the task runs on; default 0 */
  readonly cpu?: number;
  /** a label, shown with the step's result */
  readonly name?: string;
}

/** One file operation, checked and with its defaults filled in. */
export type FileOpStep =
  /** `open(path, O_RDONLY | O_WRONLY | O_RDWR)`: the file stays open for the process until `close` */
  | (StepBase & { readonly op: 'open'; readonly path: string; readonly mode: FileAccess })
  /** `read`/`write` on the process's open file for `path`, opening it for the step first (as `cat` does) when it has none */
  | (StepBase & { readonly op: 'read' | 'write'; readonly path: string })
  /** `close` of the process's open file for `path` */
  | (StepBase & { readonly op: 'close'; readonly path: string })
  /** `execve(path, argv, envp)` */
  | (StepBase & { readonly op: 'exec'; readonly path: string; readonly argv: readonly string[]; readonly env: readonly string[] })
  /** `unlink(path)` */
  | (StepBase & { readonly op: 'unlink'; readonly path: string })
  /** `mmap(NULL, len, prot, MAP_SHARED | MAP_PRIVATE, fd, 0)` of the process's open file for `path` (opened for the step when it has none) */
  | (StepBase & { readonly op: 'mmap'; readonly path: string; readonly prot: readonly MmapProt[]; readonly shared: boolean })
  /** `kill(target, signal)` */
  | (StepBase & { readonly op: 'kill'; readonly target: number; readonly signal: number });

/** Signal numbers of x86-64 by name. */
export const SIGNALS: Readonly<Record<string, number>> = Object.freeze({
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
});

/** `_NSIG`: signals are 1..64 (0 checks permission only). */
export const NSIG = 64;

const OPS: readonly FileOp[] = ['open', 'read', 'write', 'close', 'exec', 'unlink', 'mmap', 'kill'];
const ACCESS: readonly FileAccess[] = ['read', 'write', 'readwrite'];
const PROTS: readonly MmapProt[] = ['read', 'write', 'exec'];
const FIELDS: Readonly<Record<FileOp, readonly string[]>> = {
  open: ['path', 'mode'],
  read: ['path'],
  write: ['path'],
  close: ['path'],
  exec: ['path', 'argv', 'env'],
  unlink: ['path'],
  mmap: ['path', 'prot', 'shared'],
  kill: ['target', 'signal'],
};

type Fields = Readonly<Record<string, unknown>>;

class StepReader {
  constructor(
    private readonly where: string,
    private readonly index: number | undefined,
  ) {}

  fail(field: string, want: string, got: unknown): never {
    throw new LsmError('bad-step', `${this.where}: field '${field}': ${want}, got ${describe(got)}`, {
      field,
      ...(this.index === undefined ? {} : { step: this.index }),
    });
  }

  id(field: string, value: unknown, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) this.fail(field, `want an integer in [0, ${max}]`, value);
    return value;
  }

  path(value: unknown): string {
    if (typeof value !== 'string' || !value.startsWith('/')) this.fail('path', 'want an absolute path such as /etc/passwd', value);
    return value;
  }

  strings(field: string, value: unknown): readonly string[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) this.fail(field, 'want a list of strings', value);
    return value as string[];
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list (${JSON.stringify(v)})`;
  return JSON.stringify(v) ?? String(v);
}

function isRecord(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks one step (from YAML, JSON or code) and fills in its defaults
 * (`mode: read`, `prot: [read]`, `shared: false`, `signal: SIGTERM`,
 * `argv: [path]`). Throws `LsmError` `bad-step` whose message and `field`
 * name what is wrong: `step 3: field 'mode': want read, write or readwrite, got "rw"`.
 */
export function parseFileOpStep(input: unknown, index?: number): FileOpStep {
  const where = index === undefined ? 'step' : `step ${index}`;
  const r: StepReader = new StepReader(where, index);
  if (!isRecord(input)) r.fail('op', 'want a step object such as { task: { pid: 42 }, op: open, path: /etc/passwd }', input);
  const op = input['op'];
  if (typeof op !== 'string' || !OPS.includes(op as FileOp)) r.fail('op', `want one of ${OPS.join(', ')}`, op);
  const fileOp = op as FileOp;
  const allowed = new Set(['op', 'task', 'cpu', 'name', ...FIELDS[fileOp]]);
  for (const key of Object.keys(input)) {
    if (!allowed.has(key)) r.fail(key, `not a field of a ${fileOp} step (its fields: ${[...allowed].join(', ')})`, input[key]);
  }
  const name = input['name'];
  if (name !== undefined && typeof name !== 'string') r.fail('name', 'want a label (a string)', name);
  const base: StepBase = {
    ...(input['task'] === undefined ? {} : { task: parseTask(r, input['task']) }),
    ...(input['cpu'] === undefined ? {} : { cpu: r.id('cpu', input['cpu'], 1023) }),
    ...(name === undefined ? {} : { name: name as string }),
  };
  switch (fileOp) {
    case 'open': {
      const mode = input['mode'] ?? 'read';
      if (typeof mode !== 'string' || !ACCESS.includes(mode as FileAccess)) r.fail('mode', 'want read, write or readwrite', mode);
      return { ...base, op: fileOp, path: r.path(input['path']), mode: mode as FileAccess };
    }
    case 'read':
    case 'write':
    case 'close':
    case 'unlink':
      return { ...base, op: fileOp, path: r.path(input['path']) };
    case 'exec': {
      const path = r.path(input['path']);
      const argv = input['argv'] === undefined ? [path] : r.strings('argv', input['argv']);
      const env = input['env'] === undefined ? [] : r.strings('env', input['env']);
      return { ...base, op: fileOp, path, argv, env };
    }
    case 'mmap': {
      const prot = input['prot'] ?? ['read'];
      if (!Array.isArray(prot) || prot.some((p) => typeof p !== 'string' || !PROTS.includes(p as MmapProt))) {
        r.fail('prot', 'want a list of read, write, exec (an empty list is PROT_NONE)', prot);
      }
      const shared = input['shared'] ?? false;
      if (typeof shared !== 'boolean') r.fail('shared', 'want true (MAP_SHARED) or false (MAP_PRIVATE)', shared);
      return { ...base, op: fileOp, path: r.path(input['path']), prot: [...new Set(prot as MmapProt[])], shared };
    }
    case 'kill': {
      const target = r.id('target', input['target'], 4_194_303);
      return { ...base, op: fileOp, target, signal: parseSignal(r, input['signal'] ?? 'SIGTERM') };
    }
  }
}

/** Checks a list of steps; errors name the step's index. */
export function parseFileOpSteps(input: unknown): readonly FileOpStep[] {
  if (!Array.isArray(input)) throw new LsmError('bad-step', `steps: want a list of steps, got ${describe(input)}`);
  return input.map((s, i) => parseFileOpStep(s, i));
}

const TASK_FIELDS = ['pid', 'tgid', 'ppid', 'comm', 'uid', 'gid', 'euid', 'egid'] as const;

function parseTask(r: StepReader, task: unknown): TaskRef {
  if (typeof task === 'number') return r.id('task', task, 4_194_303);
  if (!isRecord(task)) r.fail('task', 'want a pid or the process, such as { pid: 3001, comm: cat, uid: 1001 }', task);
  for (const key of Object.keys(task)) {
    if (!(TASK_FIELDS as readonly string[]).includes(key)) r.fail(`task.${key}`, `not a field of a task (its fields: ${TASK_FIELDS.join(', ')})`, task[key]);
  }
  const out: Record<string, number | string> = { pid: r.id('task.pid', task['pid'], 4_194_303) };
  for (const field of ['tgid', 'ppid'] as const) if (task[field] !== undefined) out[field] = r.id(`task.${field}`, task[field], 4_194_303);
  for (const field of ['uid', 'gid', 'euid', 'egid'] as const) if (task[field] !== undefined) out[field] = r.id(`task.${field}`, task[field], 0xffffffff);
  const comm = task['comm'];
  if (comm !== undefined) {
    if (typeof comm !== 'string' || comm === '') r.fail('task.comm', 'want a command name', comm);
    out['comm'] = comm;
  }
  return out as unknown as TaskRef;
}

function parseSignal(r: StepReader, signal: unknown): number {
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal) || signal < 0 || signal > NSIG) r.fail('signal', `want a signal number in [0, ${NSIG}] or a name such as SIGKILL`, signal);
    return signal;
  }
  if (typeof signal === 'string') {
    const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
    const n = SIGNALS[name];
    if (n !== undefined) return n;
  }
  return r.fail('signal', `want a signal number in [0, ${NSIG}] or a name such as SIGKILL`, signal);
}

/** A file or directory a scenario puts in place before (or between) operations: `{ file: /srv/secret, mode: '0600', uid: 1000 }`. */
export interface FileSetupStep {
  /** the absolute path */
  readonly file: string;
  readonly type?: FileType;
  /** permission bits as an octal string (`'0644'`, `'1777'`) */
  readonly mode?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly content?: string;
  readonly name?: string;
}

const SETUP_FIELDS = ['file', 'type', 'mode', 'uid', 'gid', 'content', 'name'];

/**
 * Checks a `file` setup step and gives the file it describes. Throws
 * `LsmError` `bad-step` naming the field at fault.
 */
export function parseFileSetupStep(input: unknown, index?: number): FileSpec {
  const r: StepReader = new StepReader(index === undefined ? 'step' : `step ${index}`, index);
  if (!isRecord(input)) r.fail('file', 'want a step object such as { file: /srv/secret, mode: 0600 }', input);
  for (const key of Object.keys(input)) {
    if (!SETUP_FIELDS.includes(key)) r.fail(key, `not a field of a file step (its fields: ${SETUP_FIELDS.join(', ')})`, input[key]);
  }
  const path = input['file'];
  if (typeof path !== 'string' || !path.startsWith('/')) r.fail('file', 'want an absolute path such as /srv/secret', path);
  const type = input['type'];
  if (type !== undefined && type !== 'file' && type !== 'dir') r.fail('type', 'want file or dir', type);
  const mode = input['mode'];
  if (mode !== undefined && typeof mode !== 'string') {
    r.fail('mode', "want the permission bits as an octal string such as '0644' (YAML reads an unquoted 0644 as the decimal 644)", mode);
  }
  const content = input['content'];
  if (content !== undefined && typeof content !== 'string') r.fail('content', 'want the contents as a string', content);
  const out: Record<string, unknown> = { path };
  if (type !== undefined) out['type'] = type;
  if (mode !== undefined) out['mode'] = mode;
  if (input['uid'] !== undefined) out['uid'] = r.id('uid', input['uid'], 0xfffffffe);
  if (input['gid'] !== undefined) out['gid'] = r.id('gid', input['gid'], 0xfffffffe);
  if (content !== undefined) out['content'] = content;
  return out as unknown as FileSpec;
}
