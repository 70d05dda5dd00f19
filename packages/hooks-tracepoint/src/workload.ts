/**
 * The syscall workload: a task on a CPU makes a system call, and every
 * program attached to a tracepoint it passes runs — `sys_enter` on the way
 * in (`raw_syscalls/sys_enter`, the raw tracepoint `sys_enter`,
 * `syscalls/sys_enter_<name>`), `sys_exit` on the way out — in the order
 * they were attached, as the kernel calls a tracepoint's probes in the
 * order they were registered.
 *
 * ```yaml
 * - syscall: openat
 *   task: { pid: 4242, comm: cat, uid: 1000 }
 *   cpu: 1
 *   args: [-100, /etc/passwd, 0, 0]      # strings are put in the task's memory; the argument points at them
 *   ret: 3                               # what sys_exit sees; default below
 *   repeat: 2
 * - mix: { openat: 3, read: 10 }         # 13 syscalls in a shuffled but fixed order
 *   tasks: [{ pid: 100, comm: a }, 200]  # taken in turn
 *   cpus: [0, 1]                         # taken in turn
 *   seed: 7
 * ```
 *
 * Each syscall takes 1 µs of simulated time (`sys_exit` fires 500 ns after
 * `sys_enter`). `exit` and `exit_group` do not return: only `sys_enter`
 * fires for them. Without `ret`, a syscall returns what it would for the
 * task (`getpid` its tgid, `getuid` its uid...), `read`/`write`/`pread64`/
 * `pwrite64` their count argument, and 0 otherwise.
 */
import { KernelError, type HookContext, type ProgramRun, type Task, type TaskRef } from '@bpflab/kernel';
import { ERRNO } from '@bpflab/uapi';
import { MAX_SYSCALL_NR, syscallByName, syscallByNr, type Syscall } from './syscalls';
import { RAW_TRACEPOINTS, TRACEPOINTS, type SyscallPhase, type TracepointDef } from './tracepoints';

/** The tracepoint plugin's state in one kernel. */
export interface TracepointState {
  /** syscalls made over the whole scenario, by number */
  readonly counts: Map<number, number>;
  /** a context region per size, reused from event to event */
  readonly records: Map<number, number>;
  /** each task's `pt_regs` (by pid) */
  readonly regs: Map<number, number>;
  /** strings put in user memory, by `tgid` and text */
  readonly strings: Map<string, number>;
}

/** A new, empty state. */
export function newTracepointState(): TracepointState {
  return { counts: new Map(), records: new Map(), regs: new Map(), strings: new Map() };
}

/** An argument as a step gives it: an integer, or text put in the task's memory. */
export type SyscallArg = number | string;

/** A `syscall` step. */
export interface SyscallStep {
  readonly syscall: string | number;
  readonly args?: readonly SyscallArg[];
  readonly ret?: number;
  readonly task?: TaskRef;
  readonly cpu?: number;
  readonly repeat?: number;
}

/** A `mix` step. */
export interface MixStep {
  readonly mix: Readonly<Record<string, number>>;
  readonly tasks?: readonly TaskRef[];
  readonly cpus?: readonly number[];
  readonly seed?: number;
}

/** One syscall as observed. */
export interface SyscallEvent {
  /** the syscall's name, or `#<nr>` for a number the table does not know */
  readonly syscall: string;
  readonly nr: number;
  readonly pid: number;
  readonly comm: string;
  readonly cpu: number;
  readonly args: readonly SyscallArg[];
  /** the return value sys_exit saw (undefined for exit and exit_group) */
  readonly ret: number | null;
  /** the program runs, sys_enter ones first */
  readonly runs: readonly ProgramRun[];
}

/** What a `syscall` or `mix` step observed. */
export interface SyscallObservation {
  /** syscalls made */
  readonly syscalls: number;
  /** syscalls made, by name */
  readonly counts: Readonly<Record<string, number>>;
  /** program runs in all */
  readonly runs: number;
  /** per program: its runs and how often it returned each value */
  readonly programs: Readonly<Record<string, { readonly runs: number; readonly retvals: Readonly<Record<string, number>> }>>;
  /** every syscall, in order */
  readonly events: readonly SyscallEvent[];
}

const PT_REGS_SIZE = 168;
/** `struct pt_regs` word offsets (x86-64). */
const REG = { r10: 56, r9: 64, r8: 72, ax: 80, dx: 96, si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160 } as const;
/** The syscall argument registers, in order (the fourth is r10, not cx). */
const ARG_REGS = [REG.di, REG.si, REG.dx, REG.r10, REG.r8, REG.r9] as const;
const USER_IP = 0x7f00_0000_1000n;
const USER_SP = 0x7ffd_0000_0000n;
const NO_RETURN = new Set(['exit', 'exit_group']);

const RAW_ENTER = TRACEPOINTS.find((t) => t.category === 'raw_syscalls' && t.name === 'sys_enter')!;
const RAW_EXIT = TRACEPOINTS.find((t) => t.category === 'raw_syscalls' && t.name === 'sys_exit')!;
const PER_SYSCALL = new Map<string, TracepointDef>(TRACEPOINTS.filter((t) => t.syscall !== undefined).map((t) => [`${t.phase}/${t.syscall!.nr}`, t]));

/** The syscall a step names, by name or number. */
export function resolveSyscall(which: string | number): { readonly nr: number; readonly syscall: Syscall | undefined } {
  if (typeof which === 'number') {
    if (!Number.isInteger(which) || which < 0 || which > MAX_SYSCALL_NR) throw new KernelError('bad-step', `syscall number ${which} is not in [0, ${MAX_SYSCALL_NR}]`);
    return { nr: which, syscall: syscallByNr(which) };
  }
  const s = syscallByName(which);
  if (s === undefined) throw new KernelError('bad-step', `no system call '${which}' in the x86-64 table bpflab knows (see bpflab hooks syscalls)`);
  return { nr: s.nr, syscall: s };
}

function ctxRegion(hook: HookContext<TracepointState>, size: number): number {
  const have = hook.state.records.get(size);
  if (have !== undefined) return have;
  const r = hook.kernel.memory.allocate({ name: `tracepoint ctx (${size} bytes)`, kind: 'ctx', size, writable: false });
  hook.state.records.set(size, r.start);
  return r.start;
}

function regsOf(hook: HookContext<TracepointState>, task: Task): number {
  const have = hook.state.regs.get(task.pid);
  if (have !== undefined) return have;
  const r = hook.kernel.memory.allocate({ name: `pt_regs:${task.pid}`, kind: 'kernel', size: PT_REGS_SIZE, writable: false });
  hook.state.regs.set(task.pid, r.start);
  return r.start;
}

function stringArg(hook: HookContext<TracepointState>, task: Task, text: string): bigint {
  const key = `${task.tgid}\0${text}`;
  const have = hook.state.strings.get(key);
  if (have !== undefined) return BigInt(have);
  const bytes = new TextEncoder().encode(`${text}\0`);
  const at = hook.kernel.tasks.mapUserMemory(task, bytes, { name: 'string', writable: false });
  hook.state.strings.set(key, at);
  return BigInt(at);
}

function write(hook: HookContext<TracepointState>, at: number, bytes: Uint8Array): void {
  hook.kernel.memory.bytes().set(bytes, at);
}

/** One syscall to make. */
interface Call {
  readonly nr: number;
  readonly syscall: Syscall | undefined;
  readonly args: readonly SyscallArg[];
  readonly ret: number | undefined;
  readonly task: Task;
  readonly cpu: number;
}

function defaultRet(call: Call): number {
  const t = call.task;
  switch (call.syscall?.name) {
    case 'getpid':
      return t.tgid;
    case 'gettid':
      return t.pid;
    case 'getppid':
      return t.parent?.tgid ?? 0;
    case 'getuid':
      return t.uid;
    case 'geteuid':
      return t.euid;
    case 'getgid':
      return t.gid;
    case 'getegid':
      return t.egid;
    case 'read':
    case 'write':
    case 'pread64':
    case 'pwrite64': {
      const count = call.args[2];
      return typeof count === 'number' ? count : 0;
    }
    default:
      return 0;
  }
}

function checkArgs(nr: number, syscall: Syscall | undefined, args: readonly SyscallArg[]): void {
  const label = syscall?.name ?? `syscall #${nr}`;
  if (args.length > 6) throw new KernelError('bad-step', `${label}: a system call takes at most 6 arguments, ${args.length} given`);
  if (syscall !== undefined && args.length > syscall.params.length) {
    const names = syscall.params.map((p) => p.name).join(', ');
    throw new KernelError('bad-step', `${label} takes ${syscall.params.length} argument${syscall.params.length === 1 ? '' : 's'} (${names || 'none'}), ${args.length} given`);
  }
  args.forEach((a, i) => {
    if (typeof a === 'number' && !Number.isSafeInteger(a)) throw new KernelError('bad-step', `${label}: argument ${i + 1} (${a}) is not an integer`);
    const p = syscall?.params[i];
    if (typeof a === 'string' && p !== undefined && !p.type.includes('*')) {
      throw new KernelError('bad-step', `${label}: argument ${i + 1} (${p.type} ${p.name}) is a number, not text`);
    }
  });
}

/** Makes one syscall: fires its tracepoints and returns what ran. */
function makeCall(hook: HookContext<TracepointState>, call: Call): SyscallEvent {
  const { task, cpu, nr, syscall } = call;
  const argv = call.args.map((a) => (typeof a === 'string' ? stringArg(hook, task, a) : BigInt.asUintN(64, BigInt(a))));
  while (argv.length < 6) argv.push(0n);
  const noReturn = syscall !== undefined && NO_RETURN.has(syscall.name);
  const ret = noReturn ? null : (call.ret ?? defaultRet(call));
  const runs: ProgramRun[] = [];

  // the task's registers as the entry code saved them
  const regsAt = regsOf(hook, task);
  const regs = new DataView(new ArrayBuffer(PT_REGS_SIZE));
  argv.forEach((v, i) => regs.setBigUint64(ARG_REGS[i]!, v, true));
  regs.setBigUint64(REG.orig_ax, BigInt(nr), true);
  regs.setBigInt64(REG.ax, BigInt(-ERRNO.ENOSYS), true);
  regs.setBigUint64(REG.ip, USER_IP, true);
  regs.setBigUint64(REG.cs, 0x33n, true);
  regs.setBigUint64(REG.flags, 0x246n, true);
  regs.setBigUint64(REG.sp, USER_SP, true);
  regs.setBigUint64(REG.ss, 0x2bn, true);
  write(hook, regsAt, new Uint8Array(regs.buffer));

  const fire = (phase: SyscallPhase): void => {
    const own = syscall === undefined ? undefined : PER_SYSCALL.get(`${phase}/${syscall.nr}`);
    const raw = phase === 'enter' ? RAW_ENTER : RAW_EXIT;
    const rawTp = RAW_TRACEPOINTS.find((t) => t.phase === phase)!;
    const points = [`${raw.category}/${raw.name}`, rawTp.name, ...(own === undefined ? [] : [`${own.category}/${own.name}`])];
    for (const att of hook.attachedAny(points)) {
      let bytes: Uint8Array;
      if (att.point === rawTp.name) {
        // the raw tracepoint's arguments: (struct pt_regs *regs, long id | long ret)
        const v = new DataView(new ArrayBuffer(16));
        v.setBigUint64(0, BigInt(regsAt), true);
        v.setBigInt64(8, phase === 'enter' ? BigInt(nr) : BigInt(ret ?? 0), true);
        bytes = new Uint8Array(v.buffer);
      } else {
        const tp = att.point === `${raw.category}/${raw.name}` ? raw : own!;
        const v = new DataView(new ArrayBuffer(tp.layout.size));
        v.setUint16(0, tp.id, true);
        v.setInt32(4, task.pid, true);
        if (tp === raw) {
          v.setBigInt64(8, BigInt(nr), true);
          if (phase === 'enter') argv.forEach((a, i) => v.setBigUint64(16 + i * 8, a, true));
          else v.setBigInt64(16, BigInt(ret ?? 0), true);
        } else {
          v.setInt32(8, nr, true);
          if (phase === 'enter') syscall!.params.forEach((_p, i) => v.setBigUint64(16 + i * 8, argv[i]!, true));
          else v.setBigInt64(16, BigInt(ret ?? 0), true);
        }
        bytes = new Uint8Array(v.buffer);
      }
      const at = ctxRegion(hook, bytes.length);
      write(hook, at, bytes);
      runs.push(hook.run(att, at, { cpu, task }));
    }
  };

  fire('enter');
  hook.kernel.clock.advance(500);
  if (ret !== null) {
    hook.kernel.memory.view().setBigInt64(regsAt + REG.ax, BigInt(ret), true);
    fire('exit');
  }
  hook.kernel.clock.advance(500);
  hook.state.counts.set(nr, (hook.state.counts.get(nr) ?? 0) + 1);
  return { syscall: syscall?.name ?? `#${nr}`, nr, pid: task.pid, comm: task.comm, cpu, args: call.args, ret, runs };
}

function observe(events: readonly SyscallEvent[]): SyscallObservation {
  const counts: Record<string, number> = {};
  const programs: Record<string, { runs: number; retvals: Record<string, number> }> = {};
  let runs = 0;
  for (const e of events) {
    counts[e.syscall] = (counts[e.syscall] ?? 0) + 1;
    for (const r of e.runs) {
      runs++;
      const p = (programs[r.program] ??= { runs: 0, retvals: {} });
      p.runs++;
      p.retvals[String(r.retval)] = (p.retvals[String(r.retval)] ?? 0) + 1;
    }
  }
  return { syscalls: events.length, counts, runs, programs, events };
}

/** Runs a `syscall` step. */
export function runSyscallStep(hook: HookContext<TracepointState>, step: SyscallStep): SyscallObservation {
  const { nr, syscall } = resolveSyscall(step.syscall);
  const args = step.args ?? [];
  checkArgs(nr, syscall, args);
  const task = hook.task(step.task);
  const cpu = hook.cpu(step.cpu);
  const repeat = step.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new KernelError('bad-step', `repeat must be a positive integer, is ${repeat}`);
  const events: SyscallEvent[] = [];
  for (let i = 0; i < repeat; i++) events.push(makeCall(hook, { nr, syscall, args, ret: step.ret, task, cpu }));
  return observe(events);
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs a `mix` step: each named syscall as many times as given, in an
 * order shuffled by `seed` (default 1; the same seed gives the same
 * order), tasks and CPUs taken in turn.
 */
export function runMixStep(hook: HookContext<TracepointState>, step: MixStep): SyscallObservation {
  const calls: { nr: number; syscall: Syscall | undefined }[] = [];
  for (const [name, count] of Object.entries(step.mix)) {
    if (!Number.isInteger(count) || count < 0) throw new KernelError('bad-step', `mix: ${name}: the count must be a non-negative integer, is ${count}`);
    const s = resolveSyscall(/^[0-9]+$/.test(name) ? Number(name) : name);
    for (let i = 0; i < count; i++) calls.push(s);
  }
  const next = random(step.seed ?? 1);
  for (let i = calls.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [calls[i], calls[j]] = [calls[j]!, calls[i]!];
  }
  const tasks = (step.tasks ?? [undefined]).map((t) => hook.task(t));
  if (tasks.length === 0) throw new KernelError('bad-step', 'mix: tasks is empty');
  const cpus = (step.cpus ?? [0]).map((c) => hook.cpu(c));
  if (cpus.length === 0) throw new KernelError('bad-step', 'mix: cpus is empty');
  const events = calls.map((c, i) => makeCall(hook, { ...c, args: [], ret: undefined, task: tasks[i % tasks.length]!, cpu: cpus[i % cpus.length]! }));
  return observe(events);
}

function showArg(a: SyscallArg): string {
  return typeof a === 'string' ? JSON.stringify(a) : String(a);
}

function showRuns(runs: readonly ProgramRun[]): string {
  return runs.length === 0 ? 'no program ran' : runs.map((r) => `${r.program} r0=${r.retval}`).join(', ');
}

/** A syscall observation in words: a line per syscall for a few, a summary for many. */
export function formatSyscallObservation(o: SyscallObservation): readonly string[] {
  if (o.events.length <= 8) {
    return o.events.map((e) => `${e.comm}-${e.pid} [${String(e.cpu).padStart(3, '0')}] ${e.syscall}(${e.args.map(showArg).join(', ')})${e.ret === null ? '' : ` = ${e.ret}`}: ${showRuns(e.runs)}`);
  }
  const counts = Object.entries(o.counts)
    .map(([n, c]) => `${n} ${c}`)
    .join(', ');
  const progs = Object.entries(o.programs).map(
    ([name, p]) =>
      `${name}: ${p.runs} runs (${Object.entries(p.retvals)
        .map(([v, c]) => `r0=${v} ×${c}`)
        .join(', ')})`,
  );
  const cpus = [...new Set(o.events.map((e) => e.cpu))].sort((a, b) => a - b);
  const pids = [...new Set(o.events.map((e) => e.pid))];
  return [`${o.syscalls} syscalls (${counts}) by ${pids.length} task${pids.length === 1 ? '' : 's'} on cpu ${cpus.join(',')}: ${o.runs} program runs`, ...progs.map((p) => `  ${p}`)];
}
