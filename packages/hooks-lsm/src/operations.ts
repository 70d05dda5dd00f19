/**
 * File operations as the kernel performs them: the permission checks it
 * makes before asking the LSM, the LSM hooks it calls and in which order,
 * and the checks after them.
 *
 * | operation | what the kernel does (hooks in bold) |
 * | --- | --- |
 * | open | path walk (search permission) → `may_open` (read/write permission, EISDIR) → **file_open** |
 * | read, write | (open first, when the process has no open file for the path) → EBADF for the wrong open mode → **file_permission** (MAY_READ / MAY_WRITE) → EISDIR for a directory |
 * | exec | path walk → execute permission → **file_open** → **file_permission** (MAY_READ: the kernel reads the header) → **bprm_check_security** → the format: ELF runs, `#!` opens the interpreter (**file_open**) and checks it again, anything else is ENOEXEC |
 * | mmap | (open first when needed) → **mmap_file** → EACCES without read access (or write access for a shared writable mapping), ENODEV for a directory |
 * | unlink | parent walk → `may_delete` (write and search permission on the directory, the sticky bit, EISDIR) → **inode_unlink** → removed |
 * | kill | ESRCH → `kill_ok_by_cred` (same user, or root) → **task_kill** |
 *
 * The first non-zero hook result ends the operation with that result.
 */
import { type HookContext, type ProgramRun, type Task } from '@bpflab/kernel';
import { ERRNO, errnoName } from '@bpflab/uapi';
import type { Region } from '@bpflab/vm';
import { callLsmHook, type LsmHookCall } from './chain';
import type { FileInfo, FsCredentials, FsNode } from './filesystem';
import {
  allocSiginfo,
  allocString,
  allocStruct,
  BINPRM_BUF_SIZE,
  copyCred,
  FMODE,
  MAP,
  MAY,
  O_FLAG,
  PROT,
  readField,
  writeFieldBytes,
  writeFields,
} from './kernel-objects';
import type { LsmState, OpenFile } from './state';
import type { FileAccess, FileOp, FileOpStep } from './steps';

/** Who decided that an operation fails. */
export type Denial =
  /** an LSM program returned non-zero */
  | { readonly kind: 'program'; readonly hook: string; readonly program: string; readonly retval: number }
  /** the kernel's own checks (permissions, a missing file...) before or after the hooks */
  | { readonly kind: 'kernel'; readonly reason: string };

/** What one file operation came to (JSON-safe). */
export interface FileOpObservation {
  readonly op: FileOp;
  /** the path operated on (all but kill) */
  readonly path?: string;
  /** kill: the pid signalled and the signal */
  readonly target?: number;
  readonly signal?: number;
  /** the process that performed it */
  readonly pid: number;
  readonly comm: string;
  readonly uid: number;
  /** what the system call returns: 0, or a negative errno */
  readonly result: number;
  /** the errno's name (`EPERM`) when the operation failed */
  readonly errno?: string;
  /** who made it fail */
  readonly deniedBy?: Denial;
  /** open: the new file descriptor */
  readonly fd?: number;
  /** every LSM hook the kernel called, in order, with the programs that ran */
  readonly hooks: readonly LsmHookCall[];
}

/** One operation in progress: the process, its CPU, and the hooks called so far. */
class Operation {
  readonly hooks: LsmHookCall[] = [];
  /** regions to free when the operation ends */
  readonly temporary: Region[] = [];

  constructor(
    readonly hook: HookContext<LsmState>,
    readonly task: Task,
    readonly cpu: number,
  ) {}

  get state(): LsmState {
    return this.hook.state;
  }

  /** The filesystem identity of the task (`fsuid`/`fsgid`, which follow the effective ids). */
  get cred(): FsCredentials {
    return { uid: this.task.euid, gid: this.task.egid };
  }

  /** Calls a hook; a denial when it returns non-zero. */
  call(name: string, args: readonly bigint[]): Denial | undefined {
    const c = callLsmHook(this.hook, name, args, { task: this.task, cpu: this.cpu });
    this.hooks.push(c);
    return c.result !== 0 && c.decidedBy !== undefined ? { kind: 'program', hook: c.hook, program: c.decidedBy, retval: c.result } : undefined;
  }

  string(name: string, text: string): Region {
    const r = allocString(this.hook.kernel.memory, name, text);
    this.temporary.push(r);
    return r;
  }

  finish(): void {
    for (const r of this.temporary.splice(0)) this.hook.kernel.memory.free(r);
  }
}

/** An operation's end: 0, or an errno with who decided it. */
type Outcome = { readonly result: number; readonly deniedBy?: Denial; readonly fd?: number };

const OK: Outcome = { result: 0 };

function kernelDenies(errno: number, reason: string): Outcome {
  return { result: -errno, deniedBy: { kind: 'kernel', reason } };
}

/**
 * A program's denial. A positive value (which the verifier never lets an
 * errno hook's program return) fails the call with -EINVAL, as `do_open`
 * turns a positive error into.
 */
function programDenies(d: Denial): Outcome {
  const value = d.kind === 'program' ? d.retval : -ERRNO.EPERM;
  return { result: value > 0 ? -ERRNO.EINVAL : value, deniedBy: d };
}

type Opened = { readonly ok: true; readonly region: Region; readonly node: FsNode } | { readonly ok: false; readonly outcome: Outcome };

/**
 * Opens `path` for `access` (or for exec) as the kernel's `do_filp_open`:
 * the path walk and `may_open` checks, a `struct file` in kernel memory,
 * then `file_open`.
 */
function openPath(op: Operation, path: string, access: FileAccess | 'exec'): Opened {
  const fs = op.state.fs;
  const found = fs.lookup(path, op.cred);
  if (!found.ok) return { ok: false, outcome: kernelDenies(found.errno, found.reason) };
  const node = found.node;
  if (access === 'exec') {
    if (node.type === 'dir') return { ok: false, outcome: kernelDenies(ERRNO.EACCES, `${path}: is a directory, it cannot be executed`) };
    if (fs.permission(node, MAY.EXEC, op.cred) !== 0) {
      return { ok: false, outcome: kernelDenies(ERRNO.EACCES, `${path}: uid ${op.cred.uid} may not execute it (mode ${modeText(node.mode)}, owner ${node.uid}:${node.gid})`) };
    }
  } else {
    if (node.type === 'dir' && access !== 'read') return { ok: false, outcome: kernelDenies(ERRNO.EISDIR, `${path}: is a directory, it cannot be opened for writing`) };
    const mask = access === 'read' ? MAY.READ : access === 'write' ? MAY.WRITE : MAY.READ | MAY.WRITE;
    if (fs.permission(node, mask, op.cred) !== 0) {
      return {
        ok: false,
        outcome: kernelDenies(ERRNO.EACCES, `${path}: uid ${op.cred.uid} may not open it for ${access} (mode ${modeText(node.mode)}, owner ${node.uid}:${node.gid})`),
      };
    }
  }
  const memory = op.hook.kernel.memory;
  const region = allocStruct(memory, 'file', `file:${path}`);
  const fmode = access === 'exec' ? FMODE.READ | FMODE.EXEC : access === 'read' ? FMODE.READ : access === 'write' ? FMODE.WRITE : FMODE.READ | FMODE.WRITE;
  const fflags =
    O_FLAG.LARGEFILE |
    (access === 'exec' ? O_FLAG.RDONLY | O_FLAG.FMODE_EXEC : access === 'read' ? O_FLAG.RDONLY : access === 'write' ? O_FLAG.WRONLY : O_FLAG.RDWR);
  writeFields(memory, region.start, 'file', {
    f_mode: fmode,
    f_flags: fflags,
    f_inode: node.inodeRegion.start,
    'f_path.mnt': op.state.fs.mount.start,
    'f_path.dentry': node.dentryRegion.start,
    f_cred: op.task.credAddress,
    f_pos: 0,
  });
  const denied = op.call('file_open', [BigInt(region.start)]);
  if (denied !== undefined) {
    memory.free(region);
    return { ok: false, outcome: programDenies(denied) };
  }
  // once open, the file can seek and use positioned I/O (do_dentry_open)
  writeFields(memory, region.start, 'file', { f_mode: fmode | FMODE.LSEEK | FMODE.PREAD | FMODE.PWRITE });
  return { ok: true, region, node };
}

function fileMode(op: Operation, region: Region): number {
  return Number(readField(op.hook.kernel.memory, region.start, 'file', 'f_mode'));
}

function doOpen(op: Operation, step: Extract<FileOpStep, { op: 'open' }>): Outcome {
  const r = openPath(op, step.path, step.mode);
  if (!r.ok) return r.outcome;
  const file = op.state.addOpenFile(op.task.tgid, { path: step.path, node: r.node, region: r.region, access: step.mode });
  return { result: 0, fd: file.fd };
}

function doReadWrite(op: Operation, step: Extract<FileOpStep, { op: 'read' | 'write' }>): Outcome {
  const held = op.state.openFile(op.task.tgid, step.path);
  let file: { readonly region: Region; readonly node: FsNode };
  if (held !== undefined) {
    file = held;
  } else {
    const r = openPath(op, step.path, step.op === 'read' ? 'read' : 'write');
    if (!r.ok) return r.outcome;
    op.temporary.push(r.region);
    file = r;
  }
  const want = step.op === 'read' ? FMODE.READ : FMODE.WRITE;
  if ((fileMode(op, file.region) & want) === 0) {
    return kernelDenies(ERRNO.EBADF, `${step.path}: the file was opened ${held?.access === 'write' ? 'write' : 'read'}-only`);
  }
  const denied = op.call('file_permission', [BigInt(file.region.start), BigInt(step.op === 'read' ? MAY.READ : MAY.WRITE)]);
  if (denied !== undefined) return programDenies(denied);
  if (file.node.type === 'dir') return kernelDenies(ERRNO.EISDIR, `${step.path}: is a directory`);
  return OK;
}

function doClose(op: Operation, step: Extract<FileOpStep, { op: 'close' }>): Outcome {
  return op.state.closeFile(op.task.tgid, step.path) ? OK : kernelDenies(ERRNO.EBADF, `${step.path}: process ${op.task.tgid} has no open file for it`);
}

/** Deepest chain of interpreters exec follows (`exec_binprm`). */
const MAX_BINFMT_DEPTH = 5;

function doExec(op: Operation, step: Extract<FileOpStep, { op: 'exec' }>): Outcome {
  const memory = op.hook.kernel.memory;
  const first = openPath(op, step.path, 'exec');
  if (!first.ok) return first.outcome;
  op.temporary.push(first.region);
  const filename = op.string(`bprm.filename:${step.path}`, step.path);
  const cred = copyCred(memory, op.task.credAddress, `cred:exec:${op.task.pid}`);
  op.temporary.push(cred);
  const bprm = allocStruct(memory, 'linux_binprm', `linux_binprm:${op.task.pid}`);
  op.temporary.push(bprm);
  writeFields(memory, bprm.start, 'linux_binprm', {
    file: first.region.start,
    cred: cred.start,
    argc: step.argv.length,
    envc: step.env.length,
    filename: filename.start,
    interp: filename.start,
  });
  let current: { readonly region: Region; readonly node: FsNode; readonly path: string } = { ...first, path: step.path };
  for (let depth = 0; ; depth++) {
    if (depth > MAX_BINFMT_DEPTH) return kernelDenies(ERRNO.ELOOP, `${step.path}: more than ${MAX_BINFMT_DEPTH} levels of interpreters`);
    // prepare_binprm: the kernel reads the file's first bytes (kernel_read → rw_verify_area)
    const buf = new Uint8Array(BINPRM_BUF_SIZE);
    buf.set(current.node.content.subarray(0, BINPRM_BUF_SIZE));
    writeFieldBytes(memory, bprm.start, 'linux_binprm', 'buf', buf);
    writeFields(memory, bprm.start, 'linux_binprm', { file: current.region.start });
    const read = op.call('file_permission', [BigInt(current.region.start), BigInt(MAY.READ)]);
    if (read !== undefined) return programDenies(read);
    const check = op.call('bprm_check_security', [BigInt(bprm.start)]);
    if (check !== undefined) return programDenies(check);
    const content = current.node.content;
    if (content[0] === 0x7f && content[1] === 0x45 && content[2] === 0x4c && content[3] === 0x46) break;
    if (content[0] !== 0x23 || content[1] !== 0x21) {
      return kernelDenies(ERRNO.ENOEXEC, `${current.path}: not an ELF program and no #! line: exec format error`);
    }
    const line = new TextDecoder().decode(content.subarray(2, BINPRM_BUF_SIZE)).split('\n')[0]!.trim();
    const interpreter = line.split(/[ \t]/)[0] ?? '';
    if (interpreter === '') return kernelDenies(ERRNO.ENOEXEC, `${current.path}: the #! line names no interpreter`);
    const interp = op.string(`bprm.interp:${interpreter}`, interpreter);
    writeFields(memory, bprm.start, 'linux_binprm', { interp: interp.start });
    const next = openPath(op, interpreter, 'exec');
    if (!next.ok) return next.outcome;
    op.temporary.push(next.region);
    current = { ...next, path: interpreter };
  }
  // begin_new_exec: the process takes the name of the file it executed
  op.task.setComm(step.path.slice(step.path.lastIndexOf('/') + 1));
  return OK;
}

function doMmap(op: Operation, step: Extract<FileOpStep, { op: 'mmap' }>): Outcome {
  const prot = step.prot.reduce((bits, p) => bits | (p === 'read' ? PROT.READ : p === 'write' ? PROT.WRITE : PROT.EXEC), 0);
  const held = op.state.openFile(op.task.tgid, step.path);
  let file: { readonly region: Region; readonly node: FsNode };
  if (held !== undefined) {
    file = held;
  } else {
    const r = openPath(op, step.path, step.shared && step.prot.includes('write') ? 'readwrite' : 'read');
    if (!r.ok) return r.outcome;
    op.temporary.push(r.region);
    file = r;
  }
  const flags = step.shared ? MAP.SHARED : MAP.PRIVATE;
  const denied = op.call('mmap_file', [BigInt(file.region.start), BigInt(prot), BigInt(prot), BigInt(flags)]);
  if (denied !== undefined) return programDenies(denied);
  const fmode = fileMode(op, file.region);
  if (step.shared && (prot & PROT.WRITE) !== 0 && (fmode & FMODE.WRITE) === 0) {
    return kernelDenies(ERRNO.EACCES, `${step.path}: a shared writable mapping needs a file opened for writing`);
  }
  if ((fmode & FMODE.READ) === 0) return kernelDenies(ERRNO.EACCES, `${step.path}: a mapping needs a file opened for reading`);
  if (file.node.type === 'dir') return kernelDenies(ERRNO.ENODEV, `${step.path}: a directory cannot be mapped`);
  return OK;
}

function doUnlink(op: Operation, step: Extract<FileOpStep, { op: 'unlink' }>): Outcome {
  const fs = op.state.fs;
  const parent = fs.lookupParent(step.path, op.cred);
  if (!parent.ok) return kernelDenies(parent.errno, parent.reason);
  const victim = fs.mayDelete(parent.dir, parent.name, op.cred);
  if (!victim.ok) return kernelDenies(victim.errno, victim.reason);
  const denied = op.call('inode_unlink', [BigInt(parent.dir.inodeRegion.start), BigInt(victim.node.dentryRegion.start)]);
  if (denied !== undefined) return programDenies(denied);
  fs.remove(victim.node);
  return OK;
}

function doKill(op: Operation, step: Extract<FileOpStep, { op: 'kill' }>): Outcome {
  const target = op.hook.kernel.tasks.get(step.target);
  if (target === undefined) return kernelDenies(ERRNO.ESRCH, `no process with pid ${step.target}`);
  const me = op.task;
  const sameProcess = me.tgid === target.tgid;
  const credOk = me.euid === 0 || me.euid === target.uid || me.uid === target.uid;
  if (!sameProcess && !credOk) {
    return kernelDenies(ERRNO.EPERM, `uid ${me.uid} may not signal process ${target.pid} (${target.comm}) of uid ${target.uid}`);
  }
  const info = allocSiginfo(op.hook.kernel.memory, step.signal, me.tgid, me.uid);
  op.temporary.push(info);
  // kill(2) passes no credentials: cred is NULL
  const denied = op.call('task_kill', [BigInt(target.address), BigInt(info.start), BigInt(step.signal), 0n]);
  if (denied !== undefined) return programDenies(denied);
  return OK;
}

function perform(op: Operation, step: FileOpStep): Outcome {
  switch (step.op) {
    case 'open':
      return doOpen(op, step);
    case 'read':
    case 'write':
      return doReadWrite(op, step);
    case 'close':
      return doClose(op, step);
    case 'exec':
      return doExec(op, step);
    case 'mmap':
      return doMmap(op, step);
    case 'unlink':
      return doUnlink(op, step);
    case 'kill':
      return doKill(op, step);
  }
}

/**
 * Performs one file operation in the plugin's world: as `task` on `cpu`,
 * calling the LSM hooks the kernel calls for it.
 */
export function runFileOp(hook: HookContext<LsmState>, step: FileOpStep, task: Task, cpu: number): FileOpObservation {
  const op = new Operation(hook, task, cpu);
  let outcome: Outcome;
  try {
    outcome = perform(op, step);
  } finally {
    op.finish();
  }
  const denial = outcome.deniedBy;
  hook.state.count(step.op, outcome.result !== 0, denial?.kind === 'program' ? denial.program : undefined);
  const errno = outcome.result < 0 ? errnoName(-outcome.result) : undefined;
  return {
    op: step.op,
    ...('path' in step ? { path: step.path } : {}),
    ...(step.op === 'kill' ? { target: step.target, signal: step.signal } : {}),
    pid: task.pid,
    comm: task.comm,
    uid: task.uid,
    result: outcome.result,
    ...(errno === undefined ? {} : { errno }),
    ...(outcome.result === 0 || denial === undefined ? {} : { deniedBy: denial }),
    ...(outcome.fd === undefined ? {} : { fd: outcome.fd }),
    hooks: op.hooks,
  };
}

/** What a setup step put in place (JSON-safe). */
export function fileInfoObservation(info: FileInfo): Readonly<Record<string, unknown>> {
  return {
    path: info.path,
    type: info.type,
    mode: `0${info.mode.toString(8).padStart(3, '0')}`,
    uid: info.uid,
    gid: info.gid,
    ino: info.ino,
    size: info.size,
    inode: `0x${info.inode.toString(16)}`,
    dentry: `0x${info.dentry.toString(16)}`,
  };
}

/** A permission mode as `ls -l` and `stat` print it in octal (`0644`). */
export function modeText(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** A hook call in words, for terminals. */
export function formatHookCall(c: LsmHookCall): string {
  const runs = c.runs.map((r: ProgramRun) => `${r.program}=${r.retval}`).join(', ');
  return `${c.hook}: ${runs === '' ? 'no program attached' : runs}${c.decidedBy === undefined ? '' : ` → ${c.result}`}`;
}
