/**
 * The LSM hook plugin: `SEC("lsm/<hook>")` and `SEC("lsm.s/<hook>")`
 * programs (`BPF_PROG_TYPE_LSM`, attach type `BPF_LSM_MAC`), a simulated
 * filesystem with files, directories, owners and modes, and two step
 * kinds: `op`, a process performing a file operation (which runs the hooks
 * the kernel calls for it), and `file`, putting a file in place.
 *
 * ```ts
 * const registry = new HookRegistry().register(lsmHook);
 * const kernel = new Kernel(); // resolves CO-RE against its own BTF by default
 * const host = registry.install(kernel);
 * const obj = kernel.openObject(bytes, { name: 'lsm_access.bpf.o' });
 * obj.load();
 * host.attachObject(obj);                        // lsm/file_open → the file_open hook
 * obj.map('compromised_users').update(1001, 1);
 * host.runStep({ op: 'open', path: '/etc/passwd', task: { pid: 3001, comm: 'cat', uid: 1001 } });
 * // observation: { result: -1, errno: 'EPERM', deniedBy: { kind: 'program', program: 'restrict_file_open', ... } }
 * ```
 */
import {
  ctxLayout,
  defineHook,
  KernelError,
  PROGRAM_RUN_SCHEMA,
  TASK_REF_SCHEMA,
  type CtxFieldShorthand,
  type CtxLayout,
  type EventDriver,
  type HookPlugin,
  type HookPoint,
  type JsonSchema,
} from '@bpflab/kernel';
import { checkLsmAttach } from './chain';
import { LsmError } from './errors';
import type { FilesystemOptions } from './filesystem';
import { LSM_HOOKS, lsmContextSize, MAX_ERRNO, type LsmHookDef } from './hooks';
import { fileInfoObservation, formatHookCall, runFileOp, type FileOpObservation } from './operations';
import { LsmState } from './state';
import { NSIG, parseFileOpStep, parseFileSetupStep, SIGNALS } from './steps';

/** How the plugin sets up each kernel it is installed in. */
export interface LsmHookOptions {
  /** the simulated filesystem: the default tree, files added to it */
  readonly filesystem?: FilesystemOptions;
}

/** The defaults of `LsmHookOptions`. */
export const DEFAULT_LSM_HOOK_OPTIONS: Required<LsmHookOptions> = Object.freeze({ filesystem: {} });

/** The pointee of a pointer type as the kernel's BTF names it (`const struct cred *` → `struct cred`). */
function pointee(type: string): string | undefined {
  const m = /^(?:const\s+)?(struct\s+\w+)\s*\*$/.exec(type);
  return m?.[1];
}

/**
 * The context of a hook's programs: one u64 per kernel argument, then
 * `ret`. Pointers are `PTR_TO_BTF_ID` of their struct; integers are
 * scalars.
 */
export function lsmContextLayout(hook: LsmHookDef): CtxLayout {
  const fields: Record<string, CtxFieldShorthand> = {};
  hook.args.forEach((a, i) => {
    const struct = pointee(a.type);
    fields[a.name] =
      struct === undefined
        ? [i * 8, 8, 'scalar', { cType: a.type, signed: a.type === 'int' }]
        : [i * 8, 8, 'btf_id', { btfType: struct, cType: a.type }];
  });
  if (hook.returns !== 'void') fields.ret = [hook.args.length * 8, 8, 'scalar', { cType: 'int', signed: true }];
  return ctxLayout(`u64 ctx[${lsmContextSize(hook) / 8}] (bpf_lsm_${hook.name})`, lsmContextSize(hook), fields);
}

/** The program type's generic context: as many u64 slots as the widest hook has (the hook points are precise). */
const GENERIC_SLOTS = Math.max(...LSM_HOOKS.map((h) => lsmContextSize(h) / 8));
const GENERIC_CTX = ctxLayout(
  `u64 ctx[${GENERIC_SLOTS}]`,
  GENERIC_SLOTS * 8,
  Object.fromEntries(Array.from({ length: GENERIC_SLOTS }, (_, i) => [`ctx${i}`, [i * 8, 8, 'scalar', { cType: 'unsigned long long' }] as const])),
);

const OPS = ['open', 'read', 'write', 'close', 'exec', 'unlink', 'mmap', 'kill'] as const;
const OP_FIELDS: Readonly<Record<(typeof OPS)[number], readonly string[]>> = {
  open: ['path', 'mode'],
  read: ['path'],
  write: ['path'],
  close: ['path'],
  exec: ['path', 'argv', 'env'],
  unlink: ['path'],
  mmap: ['path', 'prot', 'shared'],
  kill: ['target', 'signal'],
};

const PATH_SCHEMA = { type: 'string', pattern: '^/', description: 'an absolute path' } as const;

const OP_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'a process performs a file operation; the kernel calls the LSM hooks it calls for it',
  properties: {
    op: { enum: [...OPS], description: 'the operation' },
    task: TASK_REF_SCHEMA,
    cpu: { type: 'integer', minimum: 0 },
    path: PATH_SCHEMA,
    mode: { enum: ['read', 'write', 'readwrite'], description: 'open: O_RDONLY, O_WRONLY or O_RDWR (default read)' },
    argv: { type: 'array', items: { type: 'string' }, description: 'exec: the arguments (default [path])' },
    env: { type: 'array', items: { type: 'string' }, description: 'exec: the environment (default none)' },
    prot: { type: 'array', items: { enum: ['read', 'write', 'exec'] }, description: 'mmap: PROT_* (default [read])' },
    shared: { type: 'boolean', description: 'mmap: MAP_SHARED instead of MAP_PRIVATE' },
    target: { type: 'integer', minimum: 0, maximum: 4194303, description: 'kill: the pid signalled' },
    signal: {
      description: 'kill: a number or a name (default SIGTERM)',
      oneOf: [
        { type: 'integer', minimum: 0, maximum: NSIG },
        { type: 'string', enum: [...Object.keys(SIGNALS), ...Object.keys(SIGNALS).map((s) => s.slice(3))] },
      ],
    },
  },
  required: ['op'],
  allOf: OPS.map((op) => ({
    if: { properties: { op: { const: op } }, required: ['op'] },
    then: {
      propertyNames: { enum: ['op', 'task', 'cpu', 'name', ...OP_FIELDS[op]] },
      required: op === 'kill' ? ['target'] : ['path'],
    },
  })),
};

const HOOK_CALL_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    hook: { type: 'string' },
    args: { type: 'array', items: { type: 'string', pattern: '^0x[0-9a-f]+$' } },
    runs: { type: 'array', items: PROGRAM_RUN_SCHEMA },
    result: { type: 'integer' },
    decidedBy: { type: 'string' },
    outOfRange: { type: 'array', items: { type: 'string' } },
  },
  required: ['hook', 'args', 'runs', 'result'],
  additionalProperties: false,
};

const OP_OBSERVATION: JsonSchema = {
  type: 'object',
  properties: {
    op: { enum: [...OPS] },
    path: { type: 'string' },
    target: { type: 'integer' },
    signal: { type: 'integer' },
    pid: { type: 'integer' },
    comm: { type: 'string' },
    uid: { type: 'integer' },
    result: { type: 'integer', maximum: 0 },
    errno: { type: 'string' },
    deniedBy: {
      oneOf: [
        {
          type: 'object',
          properties: { kind: { const: 'program' }, hook: { type: 'string' }, program: { type: 'string' }, retval: { type: 'integer' } },
          required: ['kind', 'hook', 'program', 'retval'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { kind: { const: 'kernel' }, reason: { type: 'string' } },
          required: ['kind', 'reason'],
          additionalProperties: false,
        },
      ],
    },
    fd: { type: 'integer', minimum: 0 },
    hooks: { type: 'array', items: HOOK_CALL_SCHEMA },
  },
  required: ['op', 'pid', 'comm', 'uid', 'result', 'hooks'],
  additionalProperties: false,
};

/** Rethrows a malformed step as the registry's `bad-step` (with the plugin's error as the cause). */
function asStepError(e: unknown): unknown {
  return e instanceof LsmError ? new KernelError('bad-step', e.message, { cause: e }) : e;
}

/** A file operation in one line, then one line per hook called. */
export function formatFileOp(o: FileOpObservation): readonly string[] {
  const what = o.op === 'kill' ? `kill ${o.target} ${o.signal}` : `${o.op} ${o.path}`;
  const verdict =
    o.result === 0
      ? o.fd === undefined
        ? 'ok'
        : `fd ${o.fd}`
      : `-${o.errno ?? -o.result}${
          o.deniedBy === undefined ? '' : o.deniedBy.kind === 'program' ? ` (${o.deniedBy.program} at ${o.deniedBy.hook})` : ` (${o.deniedBy.reason})`
        }`;
  return [`${what} by ${o.comm}[${o.pid}] uid ${o.uid}: ${verdict}`, ...o.hooks.map((h) => `  ${formatHookCall(h)}`)];
}

function opDriver(): EventDriver<LsmState, Readonly<Record<string, unknown>>, FileOpObservation> {
  return {
    doc: 'a process performs a file operation (open, read, write, close, exec, mmap, unlink, kill); the kernel checks permissions and calls the LSM hooks it calls for that operation; the result is 0 or -errno, with who denied it',
    schema: OP_SCHEMA,
    observation: OP_OBSERVATION,
    run(hook, raw) {
      let step;
      try {
        step = parseFileOpStep(raw);
      } catch (e) {
        throw asStepError(e);
      }
      return runFileOp(hook, step, hook.task(step.task), hook.cpu(step.cpu));
    },
    format: formatFileOp,
  };
}

function fileDriver(): EventDriver<LsmState, Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>> {
  return {
    doc: 'puts a file or directory in place as root, without calling any hook (mkdir -p, install -m): creates it, or changes its mode, owner and contents',
    schema: {
      type: 'object',
      properties: {
        file: PATH_SCHEMA,
        type: { enum: ['file', 'dir'] },
        mode: { type: 'string', pattern: '^(0o?)?[0-7]{1,4}$', description: "permission bits as an octal string: '0644' (unquoted, YAML reads 0644 as decimal)" },
        uid: { type: 'integer', minimum: 0, maximum: 4294967294 },
        gid: { type: 'integer', minimum: 0, maximum: 4294967294 },
        content: { type: 'string' },
      },
      required: ['file'],
    },
    observation: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        type: { enum: ['file', 'dir'] },
        mode: { type: 'string' },
        uid: { type: 'integer' },
        gid: { type: 'integer' },
        ino: { type: 'integer' },
        size: { type: 'integer' },
        inode: { type: 'string' },
        dentry: { type: 'string' },
      },
      required: ['path', 'type', 'mode', 'uid', 'gid', 'ino', 'size', 'inode', 'dentry'],
      additionalProperties: false,
    },
    run(hook, raw) {
      try {
        return fileInfoObservation(hook.state.fs.put(parseFileSetupStep(raw)));
      } catch (e) {
        throw asStepError(e);
      }
    },
    format: (o) => [`file ${String(o.path)}: ${String(o.type)} ${String(o.mode)} ${String(o.uid)}:${String(o.gid)}, ${String(o.size)} bytes`],
  };
}

/** The hook points: one per LSM hook, with its precise context. */
function lsmPoints(): readonly HookPoint[] {
  return LSM_HOOKS.map((h) => ({
    name: h.name,
    section: `lsm/${h.name}`,
    progType: 'LSM' as const,
    ctx: lsmContextLayout(h),
    doc: `int ${h.name}(${h.args.map((a) => `${a.type}${a.type.endsWith('*') ? '' : ' '}${a.name}`).join(', ')})${h.sleepable ? '' : ' (not sleepable)'}: ${h.calledBy}`,
  }));
}

/**
 * Makes the LSM plugin with a filesystem of your own (the files added to
 * the default tree); `lsmHook` is the plugin with the default tree.
 */
export function createLsmHook(options: LsmHookOptions = {}): HookPlugin<LsmState> {
  const o = { ...DEFAULT_LSM_HOOK_OPTIONS, ...options };
  return defineHook<LsmState>({
    name: 'lsm',
    doc:
      'Linux Security Module hooks: SEC("lsm/<hook>") and SEC("lsm.s/<hook>") programs decide file operations. ' +
      'A simulated filesystem (paths, owners, modes) and processes; each `op` step runs the hooks the kernel calls for it, ' +
      'programs most recently attached first, and the first non-zero return (a negative errno) denies the operation.',
    programTypes: [
      {
        progType: 'LSM',
        sections: ['lsm+', 'lsm.s+'],
        ctx: GENERIC_CTX,
        returns: { min: BigInt(-MAX_ERRNO), max: 0n },
      },
    ],
    setup: (kernel) => new LsmState(kernel, o.filesystem),
    attach: (hook, program, request) => checkLsmAttach(hook, program, request),
    autoAttach: (sec) =>
      sec.target.kind === 'btf'
        ? { kind: 'attach', request: { target: sec.target.name } }
        : { kind: 'manual', reason: `SEC("${sec.section}") names no LSM hook: write SEC("lsm/file_open"), or attach it with a target` },
    points: lsmPoints,
    events: { op: opDriver(), file: fileDriver() },
    summary: (hook) => {
      const s = hook.state;
      if (s.tally.size === 0) return undefined;
      const operations = Object.fromEntries([...s.tally.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      const deniedBy = Object.fromEntries([...s.deniedBy.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      return {
        title: 'LSM decisions',
        data: { operations, deniedBy },
        text: [
          ...Object.entries(operations).map(([op, t]) => `${op}: ${t.allowed} allowed, ${t.denied} denied`),
          ...Object.entries(deniedBy).map(([p, n]) => `${p} denied ${n}`),
        ],
      };
    },
  });
}

/** The LSM plugin with the default filesystem (see `DEFAULT_FILES`). */
export const lsmHook: HookPlugin<LsmState> = createLsmHook();

