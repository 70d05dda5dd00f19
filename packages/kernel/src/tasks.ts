/**
 * Tasks: the processes and threads of the simulated machine. Each task has
 * a `struct task_struct` and a `struct cred` in the address space, laid
 * out as the kernel's own BTF describes them (`kernelStruct`), so that
 * `bpf_get_current_task` returns a real pointer a program can read with
 * `bpf_probe_read_kernel` or CO-RE; and user memory that
 * `bpf_probe_read_user` and `bpf_probe_write_user` reach.
 *
 * Fields kept up to date: `task_struct` `thread_info.cpu` (the CPU it last
 * ran on), `__state`, `flags`, `prio`/`static_prio`/`normal_prio`, `pid`,
 * `tgid`, `real_parent`, `parent`, `group_leader`, `start_time`,
 * `real_cred`, `cred`, `comm`, `exit_code`; `cred` `usage` and the uids and
 * gids. Everything else is zero (`mm` is NULL).
 */
import type { AddressSpace, Region } from '@bpflab/vm';
import { KernelError } from './errors';
import { kernelStruct, type KernelStructLayout } from './kernel-btf';

/** `PF_EXITING`: the task is exiting. */
export const PF_EXITING = 0x00000004;
/** `PF_KTHREAD`: the task is a kernel thread. */
export const PF_KTHREAD = 0x00200000;
/** `TASK_COMM_LEN`. */
export const TASK_COMM_LEN = 16;
/** The default priority of a task (`DEFAULT_PRIO`, nice 0). */
const DEFAULT_PRIO = 120;

interface Offsets {
  readonly task: KernelStructLayout;
  readonly credStruct: KernelStructLayout;
  readonly cpu: number;
  readonly flags: number;
  readonly prio: readonly number[];
  readonly pid: number;
  readonly tgid: number;
  readonly realParent: number;
  readonly parent: number;
  readonly groupLeader: number;
  readonly startTime: number;
  readonly realCred: number;
  readonly cred: number;
  readonly comm: number;
  readonly exitCode: number;
  readonly usage: number;
  readonly ids: readonly (readonly [string, 'uid' | 'gid' | 'euid' | 'egid'])[];
}

let offsets: Offsets | undefined;

/** The offsets tasks are laid out with (from the kernel's BTF, looked up once). */
function layout(): Offsets {
  if (offsets !== undefined) return offsets;
  const task = kernelStruct('task_struct');
  const cred = kernelStruct('cred');
  const o: Offsets = {
    task,
    credStruct: cred,
    cpu: task.offsetOf('thread_info.cpu'),
    flags: task.offsetOf('flags'),
    prio: ['prio', 'static_prio', 'normal_prio'].map((f) => task.offsetOf(f)),
    pid: task.offsetOf('pid'),
    tgid: task.offsetOf('tgid'),
    realParent: task.offsetOf('real_parent'),
    parent: task.offsetOf('parent'),
    groupLeader: task.offsetOf('group_leader'),
    startTime: task.offsetOf('start_time'),
    realCred: task.offsetOf('real_cred'),
    cred: task.offsetOf('cred'),
    comm: task.offsetOf('comm'),
    exitCode: task.offsetOf('exit_code'),
    usage: cred.offsetOf('usage'),
    ids: [
      ['uid', 'uid'],
      ['gid', 'gid'],
      ['suid', 'uid'],
      ['sgid', 'gid'],
      ['euid', 'euid'],
      ['egid', 'egid'],
      ['fsuid', 'euid'],
      ['fsgid', 'egid'],
    ],
  };
  offsets = o;
  return o;
}

/** Credentials of a task (all default to `uid` / `gid`). */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
  readonly euid?: number;
  readonly egid?: number;
}

/** A task to create. */
export interface TaskSpec {
  /** default: one more than the highest pid in use */
  readonly pid?: number;
  /** thread group (process) id; default `pid` (a process's main thread) */
  readonly tgid?: number;
  /** pid of the parent; default 1 (init), or 0 for pid 1 */
  readonly ppid?: number;
  /** default 0 (root) */
  readonly uid?: number;
  /** default 0 */
  readonly gid?: number;
  readonly euid?: number;
  readonly egid?: number;
  /** at most 15 bytes are kept, as in Linux; default `task-<pid>` */
  readonly comm?: string;
  /** a kernel thread (`PF_KTHREAD`): no user memory, signals and user writes refused */
  readonly kthread?: boolean;
  /** start time in ns since boot; default 0 */
  readonly startTimeNs?: bigint;
}

/** One user-memory mapping of a process. */
interface UserMapping {
  readonly region: Region;
  readonly tgid: number;
}

const MAX_PID = 4_194_304; // PID_MAX_LIMIT on 64-bit

function checkId(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new KernelError('bad-call', `${what} must be an integer in [0, 4294967295], is ${v}`);
}

/**
 * A task: its identity and credentials, mirrored into its `task_struct`
 * and `cred` in the address space whenever they change.
 */
export class Task {
  /** address of its `struct task_struct` */
  readonly address: number;
  /** address of its `struct cred` */
  readonly credAddress: number;
  /** signals sent to it (by `bpf_send_signal`), oldest first */
  readonly signals: number[] = [];
  private commNow: string;
  private credsNow: Required<Credentials>;
  private flagsNow: number;

  constructor(
    private readonly memory: AddressSpace,
    readonly pid: number,
    readonly tgid: number,
    readonly parent: Task | undefined,
    readonly taskRegion: Region,
    readonly credRegion: Region,
    spec: TaskSpec,
  ) {
    this.address = taskRegion.start;
    this.credAddress = credRegion.start;
    this.commNow = '';
    this.credsNow = { uid: 0, gid: 0, euid: 0, egid: 0 };
    this.flagsNow = spec.kthread === true ? PF_KTHREAD : 0;
    const o = layout();
    const v = memory.view();
    v.setUint32(this.address + o.flags, this.flagsNow, true);
    for (const at of o.prio) v.setInt32(this.address + at, DEFAULT_PRIO, true);
    v.setInt32(this.address + o.pid, pid, true);
    v.setInt32(this.address + o.tgid, tgid, true);
    const parentAddress = BigInt(parent?.address ?? this.address);
    v.setBigUint64(this.address + o.realParent, parentAddress, true);
    v.setBigUint64(this.address + o.parent, parentAddress, true);
    v.setBigUint64(this.address + o.realCred, BigInt(this.credAddress), true);
    v.setBigUint64(this.address + o.cred, BigInt(this.credAddress), true);
    v.setBigUint64(this.address + o.startTime, spec.startTimeNs ?? 0n, true);
    v.setBigInt64(this.credAddress + o.usage, 1n, true);
    this.setComm(spec.comm ?? `task-${pid}`);
    const uid = spec.uid ?? 0;
    const gid = spec.gid ?? 0;
    this.setCredentials({ uid, gid, euid: spec.euid ?? uid, egid: spec.egid ?? gid });
  }

  /** The command name (at most 15 bytes). */
  get comm(): string {
    return this.commNow;
  }

  /** Real user id. */
  get uid(): number {
    return this.credsNow.uid;
  }

  /** Real group id. */
  get gid(): number {
    return this.credsNow.gid;
  }

  /** Effective user id. */
  get euid(): number {
    return this.credsNow.euid;
  }

  /** Effective group id. */
  get egid(): number {
    return this.credsNow.egid;
  }

  /** `task->flags` (`PF_KTHREAD`, `PF_EXITING`). */
  get flags(): number {
    return this.flagsNow;
  }

  /** A kernel thread. */
  get kthread(): boolean {
    return (this.flagsNow & PF_KTHREAD) !== 0;
  }

  /** The 16 bytes of `task->comm`: the name, NUL-terminated and NUL-padded. */
  commBytes(): Uint8Array {
    const at = this.address + layout().comm;
    return this.memory.bytes().slice(at, at + TASK_COMM_LEN);
  }

  /** Renames the task (`prctl(PR_SET_NAME)`): the name is cut to 15 bytes of UTF-8. */
  setComm(comm: string): void {
    const bytes = new TextEncoder().encode(comm).subarray(0, TASK_COMM_LEN - 1);
    const field = new Uint8Array(TASK_COMM_LEN);
    field.set(bytes);
    this.memory.bytes().set(field, this.address + layout().comm);
    this.commNow = new TextDecoder().decode(bytes);
  }

  /** Changes the credentials (`setresuid`/`setresgid`); effective ids default to the real ones. */
  setCredentials(creds: Credentials): void {
    const c: Required<Credentials> = { uid: creds.uid, gid: creds.gid, euid: creds.euid ?? creds.uid, egid: creds.egid ?? creds.gid };
    for (const [k, v] of Object.entries(c)) checkId(k, v);
    this.credsNow = c;
    const v = this.memory.view();
    const o = layout();
    for (const [field, from] of o.ids) v.setUint32(this.credAddress + o.credStruct.offsetOf(field), c[from], true);
  }

  /** Marks the task exiting (`PF_EXITING`) with an exit code. */
  markExiting(code: number): void {
    this.flagsNow |= PF_EXITING;
    const v = this.memory.view();
    v.setUint32(this.address + layout().flags, this.flagsNow, true);
    v.setInt32(this.address + layout().exitCode, code, true);
  }

  /** Sets `group_leader` (done by the table once the leader exists). */
  setGroupLeader(leader: Task): void {
    this.memory.view().setBigUint64(this.address + layout().groupLeader, BigInt(leader.address), true);
  }

  /** Records the CPU the task runs on (`thread_info.cpu`). */
  setCpu(cpu: number): void {
    this.memory.view().setUint32(this.address + layout().cpu, cpu, true);
  }
}

/**
 * The tasks of the machine. Pid 0 is the idle task (`swapper/0`), pid 1
 * init (`systemd`); both exist from the start.
 */
export class TaskTable {
  private readonly byPid = new Map<number, Task>();
  private readonly userByRegion = new Map<number, UserMapping>();
  private readonly userByTgid = new Map<number, Region[]>();

  constructor(private readonly memory: AddressSpace) {
    this.spawn({ pid: 0, comm: 'swapper/0', kthread: true });
    this.spawn({ pid: 1, comm: 'systemd' });
  }

  /**
   * Creates a task. Throws `bad-call` for a pid in use, a thread whose
   * group leader does not exist, or an unknown parent.
   */
  spawn(spec: TaskSpec = {}): Task {
    const pid = spec.pid ?? Math.max(...this.byPid.keys(), 0) + 1;
    if (!Number.isInteger(pid) || pid < 0 || pid >= MAX_PID) throw new KernelError('bad-call', `pid must be an integer in [0, ${MAX_PID}), is ${pid}`);
    if (this.byPid.has(pid)) throw new KernelError('bad-call', `pid ${pid} is already in use (by ${this.byPid.get(pid)!.comm})`);
    const tgid = spec.tgid ?? pid;
    const leader = tgid === pid ? undefined : this.byPid.get(tgid);
    if (tgid !== pid && leader === undefined) throw new KernelError('bad-call', `thread ${pid}: its thread group leader ${tgid} does not exist`);
    const ppid = spec.ppid ?? (pid <= 1 ? 0 : 1);
    const parent = pid === 0 ? undefined : this.byPid.get(ppid);
    if (pid !== 0 && parent === undefined) throw new KernelError('bad-call', `task ${pid}: its parent ${ppid} does not exist`);
    const name = `task_struct:${pid}`;
    const o = layout();
    const taskRegion = this.memory.allocate({ name, kind: 'kernel', size: o.task.size, writable: false, align: o.task.align });
    const credRegion = this.memory.allocate({ name: `cred:${pid}`, kind: 'kernel', size: o.credStruct.size, writable: false, align: o.credStruct.align });
    const task = new Task(this.memory, pid, tgid, parent, taskRegion, credRegion, spec);
    task.setGroupLeader(leader ?? task);
    this.byPid.set(pid, task);
    return task;
  }

  /** The task with this pid. */
  get(pid: number): Task | undefined {
    return this.byPid.get(pid);
  }

  /** The task with this pid; throws `bad-call` when there is none. */
  require(pid: number): Task {
    const t = this.byPid.get(pid);
    if (t === undefined) throw new KernelError('bad-call', `no task with pid ${pid}`);
    return t;
  }

  /** Every task, by pid. */
  list(): readonly Task[] {
    return [...this.byPid.values()].sort((a, b) => a.pid - b.pid);
  }

  /**
   * Maps user memory into the process of `task` (shared by its threads),
   * as `mmap` would: `bytes` (copied) or `size` zeroed bytes. Returns the
   * address. Kernel threads have no user memory.
   */
  mapUserMemory(task: Task, data: Uint8Array | number, options: { readonly name?: string; readonly writable?: boolean } = {}): number {
    if (task.kthread) throw new KernelError('bad-call', `task ${task.pid} (${task.comm}) is a kernel thread: it has no user memory`);
    const size = typeof data === 'number' ? data : data.length;
    const list = this.userByTgid.get(task.tgid) ?? [];
    const region = this.memory.allocate({
      name: `user:${task.tgid}:${options.name ?? `mem${list.length}`}`,
      kind: 'mem',
      size,
      writable: options.writable ?? true,
      ...(typeof data === 'number' ? {} : { init: data }),
    });
    list.push(region);
    this.userByTgid.set(task.tgid, list);
    this.userByRegion.set(region.id, { region, tgid: task.tgid });
    return region.start;
  }

  /** Whether `[address, address + size)` lies in one user mapping of `task`'s process. */
  isUserMemoryOf(task: Task, address: number, size: number): boolean {
    const r = this.memory.accessible(address, Math.max(size, 1), 'read');
    return r !== undefined && this.userByRegion.get(r.id)?.tgid === task.tgid;
  }

  /** Whether the address lies in some process's user memory (not kernel memory). */
  isUserAddress(address: number): boolean {
    const r = this.memory.regionAt(address);
    return r !== undefined && this.userByRegion.has(r.id);
  }
}
