/**
 * The simulated kernel: one machine with its address space, maps, CPUs,
 * clock, tasks, trace pipe, kernel log, symbols, bpf filesystem, program
 * types and the `bpf()` surface, and the runner that executes loaded
 * programs on a named CPU in the context of a task.
 *
 * ```ts
 * const kernel = new Kernel({ cpus: 2 });
 * const obj = kernel.openObject(bytes, { name: 'hello.bpf.o' });
 * obj.load();
 * const task = kernel.tasks.spawn({ pid: 4242, comm: 'bash' });
 * obj.program('hello').run(new Uint8Array(64), { cpu: 1, task });
 * kernel.tracePipe().readLines();
 * ```
 */
import type { Btf } from '@bpflab/btf';
import type { Insn } from '@bpflab/isa';
import { MapStore } from '@bpflab/maps';
import type { ObjectSpec, ProgramSpec } from '@bpflab/object';
import { AddressSpace, VmError, type AddressSpaceOptions, type Helper } from '@bpflab/vm';
import { Clock, type ClockOptions } from './clock';
import { defaultCoreRelocator, type CoreRelocatedProgram } from './core-relocator';
import { KernelError } from './errors';
import { FdTableImpl } from './fds';
import { kernelBtf } from './kernel-btf';
import { baseHelpers } from './helpers';
import type { HelperEnv } from './helpers/env';
import { Kallsyms } from './kallsyms';
import { defaultKconfig, versionCodeOf, type Kconfig } from './kconfig';
import { BpfFs } from './bpffs';
import type { Link } from './links';
import { BpfObject, type OpenObjectOptions } from './object';
import type { KernelMap } from './objects';
import type { LoadedProgram } from './program';
import { ProgramTypeRegistry } from './program-types';
import type { ProgLoadEnv } from './prog-load';
import type { SysResult } from './result';
import { RunFrame, type ProgramRunResult, type RunOptions } from './run';
import { BpfSyscall } from './syscall';
import { Task, TaskTable, type TaskSpec } from './tasks';
import { formatLatencyFlags, KernelLog, PROCESS_TRACE_CONTEXT, TracePipe, type TracePipeOptions } from './trace-pipe';
import { passThroughVerifier, type Verifier } from './verifier';

/** The kernel's own type information (its "vmlinux" BTF), when it has one. */
export interface KernelBtf {
  readonly btf: Btf;
}

/** What a CO-RE relocator gets: a program with CO-RE records, the object's BTF and the kernel's. */
export interface CoreRelocationRequest {
  readonly program: ProgramSpec;
  readonly objectBtf: Btf;
  readonly kernelBtf: KernelBtf;
}

/**
 * Resolves a program's CO-RE relocations against the kernel's BTF and
 * returns its instructions with the relocated values, and, when it
 * poisoned some, which (or libbpf's errno and message). The default is
 * `defaultCoreRelocator`.
 */
export type CoreRelocator = (request: CoreRelocationRequest) => SysResult<readonly Insn[] | CoreRelocatedProgram>;

/** How a simulated kernel is set up. */
export interface KernelOptions {
  /** number of CPUs; default 2 */
  readonly cpus?: number;
  /** the clock's start and `CONFIG_HZ` */
  readonly clock?: ClockOptions;
  /** `uname -r`; `LINUX_KERNEL_VERSION` derives from it; default `6.18.0-bpflab` */
  readonly release?: string;
  /** kconfig options added to or replacing the defaults (`{ CONFIG_FOO: 'y' }`) */
  readonly kconfig?: Kconfig;
  /** the verification step of program loads; default the pass-through stand-in (programs are "not verified") */
  readonly verifier?: Verifier;
  /**
   * the kernel's BTF, which CO-RE relocations resolve against; default the
   * simulated kernel's own (`kernelBtf()`, what the kit's `vmlinux.h` is
   * printed from); `null`: a kernel without BTF, where programs with CO-RE
   * relocations fail to load
   */
  readonly btf?: KernelBtf | null;
  /** resolves CO-RE relocations against `btf`; default `defaultCoreRelocator` (libbpf's rules) */
  readonly coreRelocator?: CoreRelocator;
  /** seed of `bpf_get_prandom_u32` and of `%p` pointer hashing; default 0x5eed */
  readonly seed?: number;
  /** tracefs options of the trace pipe */
  readonly trace?: TracePipeOptions;
  /** instructions one program run may execute (tail calls and callbacks included); default 100,000,000 */
  readonly budget?: number;
  /** sizing of the address space */
  readonly addressSpace?: AddressSpaceOptions;
  /** the user-space process that issues `bpf()` calls and is the default current task; default pid 1000 `bpflab` as root */
  readonly process?: TaskSpec;
  /** told of every finished program run (the grader's per-event instruction budgets); default none */
  readonly onRun?: (run: RunObservation) => void;
}

/** One finished program run, as `KernelOptions.onRun` hears of it. */
export interface RunObservation {
  /** the program the run started in */
  readonly program: string;
  readonly cpu: number;
  /** instructions executed, tail calls and callbacks included */
  readonly executed: number;
}

/** The defaults of `KernelOptions` (`btf` defaults to the kernel's own, `coreRelocator` to `defaultCoreRelocator`; no `onRun`). */
export const DEFAULT_KERNEL_OPTIONS: Required<Omit<KernelOptions, 'btf' | 'coreRelocator' | 'onRun'>> = Object.freeze({
  cpus: 2,
  clock: {},
  release: '6.18.0-bpflab',
  kconfig: {},
  verifier: passThroughVerifier,
  seed: 0x5eed,
  trace: {},
  budget: 100_000_000,
  addressSpace: {},
  process: { pid: 1000, comm: 'bpflab', uid: 0, gid: 0 },
});

/** The most CPUs a kernel simulates. */
export const MAX_KERNEL_CPUS = 1024;

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64's output function. */
function mix64(z0: bigint): bigint {
  let z = z0 & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** One simulated machine. */
export class Kernel implements HelperEnv, ProgLoadEnv {
  readonly memory: AddressSpace;
  readonly maps: MapStore;
  readonly clock: Clock;
  readonly tasks: TaskTable;
  readonly kallsyms = new Kallsyms();
  /** program types by name; hook plugins register theirs */
  readonly programTypes = new ProgramTypeRegistry();
  /** the bpf filesystems (`/sys/fs/bpf`) */
  readonly bpffs = new BpfFs();
  /** the kernel log (`dmesg`) */
  readonly log = new KernelLog();
  readonly cpus: number;
  /** `uname -r` */
  readonly release: string;
  /** `LINUX_VERSION_CODE` of `release` */
  readonly versionCode: number;
  /** the configuration `__kconfig` externs read */
  readonly kconfig: Kconfig;
  /** the kernel's BTF; `undefined` for a kernel made with `btf: null` */
  readonly btf: KernelBtf | undefined;
  readonly coreRelocator: CoreRelocator;
  readonly verifier: Verifier;
  readonly budget: number;
  private readonly onRun: ((run: RunObservation) => void) | undefined;
  /** the user-space process issuing `bpf()` calls */
  readonly process: Task;
  /** the process's fd table */
  readonly fds: FdTableImpl;
  /** the `bpf()` syscall */
  readonly bpf: BpfSyscall;
  readonly baseHelpers: ReadonlyMap<number, Helper>;
  private readonly trace: TracePipe;
  private readonly frames: RunFrame[] = [];
  private readonly programs = new Map<number, LoadedProgram>();
  private readonly kmaps = new Map<number, KernelMap>();
  private readonly linkTable = new Map<number, Link>();
  private readonly random: bigint[];
  private readonly pointerKey: bigint;
  private nextProg = 1;
  private nextLinkId = 1;

  constructor(options: KernelOptions = {}) {
    const o = { ...DEFAULT_KERNEL_OPTIONS, ...options };
    if (!Number.isInteger(o.cpus) || o.cpus < 1 || o.cpus > MAX_KERNEL_CPUS) {
      throw new KernelError('bad-call', `cpus must be an integer in [1, ${MAX_KERNEL_CPUS}], is ${o.cpus}`);
    }
    if (!Number.isSafeInteger(o.budget) || o.budget < 1) throw new KernelError('bad-call', `budget must be a positive integer, is ${o.budget}`);
    this.cpus = o.cpus;
    this.memory = new AddressSpace(o.addressSpace);
    this.fds = new FdTableImpl();
    this.maps = new MapStore(this.memory, { cpus: o.cpus, fds: this.fds });
    this.clock = new Clock(o.clock);
    this.tasks = new TaskTable(this.memory);
    this.trace = new TracePipe(o.trace);
    this.release = o.release;
    this.versionCode = versionCodeOf(o.release);
    this.kconfig = Object.freeze({ ...defaultKconfig(this.clock.hz, o.cpus), ...o.kconfig });
    this.btf = options.btf === null ? undefined : (options.btf ?? { btf: kernelBtf() });
    this.coreRelocator = options.coreRelocator ?? defaultCoreRelocator;
    this.verifier = o.verifier;
    this.budget = o.budget;
    this.onRun = options.onRun;
    const seed = BigInt.asUintN(64, BigInt(o.seed));
    this.random = Array.from({ length: o.cpus }, (_, cpu) => mix64(seed + BigInt(cpu) * 0x9e3779b97f4a7c15n));
    this.pointerKey = mix64(seed ^ 0x70747268617368n);
    this.process = this.tasks.spawn(o.process);
    const idle = this.tasks.require(0);
    this.kallsyms.add({ name: 'init_task', address: idle.address, size: idle.taskRegion.size, type: 'D' });
    this.addKernelObjects();
    this.baseHelpers = baseHelpers(this);
    this.bpf = new BpfSyscall(this);
  }

  /** A few of the kernel's own objects, so that `%pS` and typeless `__ksym` externs have something to name. */
  private addKernelObjects(): void {
    const objects: readonly (readonly [string, number])[] = [
      ['bpf_map_fops', 256],
      ['bpf_prog_fops', 256],
      ['bpf_link_fops', 256],
      ['bpf_prog_active', 4],
    ];
    for (const [name, size] of objects) {
      const r = this.memory.allocate({ name, kind: 'kernel', size, writable: false });
      this.kallsyms.add({ name, address: r.start, size, type: name.endsWith('fops') ? 'R' : 'D' });
    }
  }

  /** The trace pipe (`/sys/kernel/debug/tracing/trace_pipe`). */
  tracePipe(): TracePipe {
    return this.trace;
  }

  /**
   * Opens a BPF object (ELF bytes or an already read `ObjectSpec`) the way
   * libbpf's `bpf_object__open` does; `load()` then creates its maps and
   * programs in this kernel.
   */
  openObject(source: Uint8Array | ObjectSpec, options: OpenObjectOptions = {}): BpfObject {
    return new BpfObject(this, source, options);
  }

  /* ------------------------------------------------------------ registry */

  /** A loaded program by id. */
  programById(id: number): LoadedProgram | undefined {
    const p = this.programs.get(id);
    if (p?.freed === true) this.programs.delete(id);
    return p?.freed === false ? p : undefined;
  }

  /** Loaded programs, by id. */
  loadedPrograms(): readonly LoadedProgram[] {
    return [...this.programs.keys()].map((id) => this.programById(id)).filter((p): p is LoadedProgram => p !== undefined);
  }

  /** Records a program the loader created (internal to the package). */
  registerProgram(program: LoadedProgram): void {
    this.programs.set(program.id, program);
  }

  /** The kernel's record of a live map, by map id. */
  mapById(id: number): KernelMap | undefined {
    const m = this.kmaps.get(id);
    if (m?.freed === true) this.kmaps.delete(id);
    return m?.freed === false ? m : undefined;
  }

  /** Live maps, by id. */
  liveMaps(): readonly KernelMap[] {
    return [...this.kmaps.keys()].map((id) => this.mapById(id)).filter((m): m is KernelMap => m !== undefined);
  }

  /** Records a map created through `bpf()` (internal to the package). */
  registerMap(map: KernelMap): void {
    this.kmaps.set(map.map.id, map);
  }

  /** A live link by id. */
  linkById(id: number): Link | undefined {
    const l = this.linkTable.get(id);
    if (l?.freed === true) this.linkTable.delete(id);
    return l?.freed === false ? l : undefined;
  }

  /** Live links, by id. */
  liveLinks(): readonly Link[] {
    return [...this.linkTable.keys()].map((id) => this.linkById(id)).filter((l): l is Link => l !== undefined);
  }

  /** Records a link (internal to the package). */
  registerLink(link: Link): void {
    this.linkTable.set(link.id, link);
  }

  /** The next link id. */
  nextLinkIdValue(): number {
    return this.nextLinkId++;
  }

  /** The next program id (`ProgLoadEnv`). */
  nextProgramId(): number {
    return this.nextProg++;
  }

  /** The object behind an fd (`ProgLoadEnv`). */
  fdObject(fd: number) {
    return this.fds.get(fd);
  }

  /** This kernel, as the helpers of program types see it (`ProgLoadEnv`). */
  get helperEnv(): HelperEnv {
    return this;
  }

  /* ------------------------------------------------------- helper env */

  /** The run in progress. */
  frame(): RunFrame {
    const f = this.frames[this.frames.length - 1];
    if (f === undefined) throw new KernelError('bad-call', 'no program is running: helpers are only called from a run');
    return f;
  }

  /** Records a `bpf_trace_printk` event for the run in progress (`HelperEnv`). */
  traceEvent(message: string): void {
    const f = this.frame();
    const task = f.task;
    const entry = {
      pid: task?.pid ?? 0,
      tgid: task?.tgid ?? 0,
      comm: task?.comm ?? '<idle>',
      cpu: f.cpu,
      timestampNs: this.clock.now(),
      flags: formatLatencyFlags(f.traceContext),
      event: 'bpf_trace_printk',
      message,
    };
    this.trace.write(entry);
    f.traceLines.push(this.trace.format(entry));
  }

  /** Writes a line to the kernel log (`HelperEnv`). */
  printk(message: string): void {
    this.log.write(this.clock.now(), message);
  }

  /** The next pseudo-random u32 of a CPU (`HelperEnv`). */
  prandom(cpu: number): number {
    const s = (this.random[cpu]! + 0x9e3779b97f4a7c15n) & MASK64;
    this.random[cpu] = s;
    return Number(mix64(s) & 0xffffffffn);
  }

  /** `%p`'s pointer hash (`HelperEnv`). */
  hashPointer(address: bigint): number {
    return Number(mix64(BigInt.asUintN(64, address) ^ this.pointerKey) & 0xffffffffn);
  }

  /** The loaded program whose code contains `address`, and the slot it points at (`HelperEnv`). */
  codeAt(address: bigint): { readonly program: LoadedProgram; readonly pc: number } | undefined {
    if (address >= 1n << 32n) return undefined;
    const a = Number(address);
    for (const p of this.loadedPrograms()) {
      if (a >= p.code.start && a < p.code.start + p.code.size && (a - p.code.start) % 8 === 0) return { program: p, pc: (a - p.code.start) / 8 };
    }
    return undefined;
  }

  /** Calls a BPF function (a `bpf_loop` callback) within the run in progress (`HelperEnv`). */
  callFunction(program: LoadedProgram, pc: number, args: readonly bigint[]): bigint {
    const frame = this.frame();
    if (frame.budgetLeft < 1) throw this.budgetExhausted(frame);
    const engine = program.acquireCallbackEngine(pc);
    frame.engines.push(engine);
    try {
      const r = engine.run({ args, budget: frame.budgetLeft });
      frame.budgetLeft -= r.executed;
      frame.callbackExecuted += r.executed;
      return r.r0;
    } catch (e) {
      if (e instanceof VmError) {
        const inner = e.pc === undefined ? undefined : e.pc - 2;
        const text = e.message.replace(/^pc (\d+): /, (_m, n: string) => `pc ${Number(n) - 2}: `);
        throw new KernelError('run-fault', `callback at pc ${pc}: ${text}`, {
          program: program.name,
          ...(inner === undefined ? {} : { pc: inner }),
          cause: e,
        });
      }
      throw e;
    } finally {
      frame.engines.pop();
      program.releaseCallbackEngine(pc, engine);
    }
  }

  private budgetExhausted(frame: RunFrame): KernelError {
    return new KernelError('run-fault', `program ${frame.program.name}: the run's instruction budget is exhausted (an endless loop? KernelOptions.budget / RunOptions.budget)`, {
      program: frame.program.name,
    });
  }

  /* ---------------------------------------------------------------- runs */

  /** The task a run option names. */
  resolveTask(task: RunOptions['task']): Task | undefined {
    if (task === undefined) return this.process;
    if (task === null) return undefined;
    if (typeof task === 'number') return this.tasks.require(task);
    if (this.tasks.get(task.pid) !== task) throw new KernelError('bad-call', `task ${task.pid} (${task.comm}) does not belong to this kernel`);
    return task;
  }

  /**
   * Runs `program` once with r1 = `ctx` (an address in the address space),
   * following tail calls. Faults of a program nothing verified throw
   * `KernelError` `run-fault`.
   */
  run(program: LoadedProgram, ctx: bigint | number, options: RunOptions = {}): ProgramRunResult {
    if (program.freed || this.programById(program.id) !== program) {
      throw new KernelError('bad-call', `${program.describe()} is not loaded in this kernel`);
    }
    const cpu = options.cpu ?? 0;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) {
      throw new KernelError('bad-call', `cpu ${cpu} is not one of the ${this.cpus} CPUs (0-${this.cpus - 1})`);
    }
    const budget = options.budget ?? this.budget;
    if (!Number.isSafeInteger(budget) || budget < 1) throw new KernelError('bad-call', `budget must be a positive integer, is ${budget}`);
    const frame = new RunFrame(
      program,
      cpu,
      this.resolveTask(options.task),
      options.traceContext ?? program.typeDef.traceContext ?? PROCESS_TRACE_CONTEXT,
      budget,
    );
    frame.task?.setCpu(cpu);
    this.frames.push(frame);
    let jumps = 0;
    let current = program;
    let args: bigint[] = [BigInt.asUintN(64, BigInt(ctx))];
    try {
      for (;;) {
        if (current.running) {
          throw new KernelError('recursion', `${current.describe()} is already running: the kernel would skip this run and count a miss`, {
            program: current.name,
          });
        }
        if (frame.budgetLeft < 1) throw this.budgetExhausted(frame);
        frame.program = current;
        const engine = current.engine();
        current.running = true;
        frame.engines.push(engine);
        let r;
        try {
          r = engine.run({ args, budget: frame.budgetLeft, packet: options.packet });
        } catch (e) {
          throw runFault(e, current);
        } finally {
          frame.engines.pop();
          current.running = false;
        }
        current.runCount++;
        frame.budgetLeft -= r.executed;
        const tail = frame.pendingTail;
        if (r.stop === 'helper-stop' && tail !== undefined) {
          frame.pendingTail = undefined;
          jumps++;
          current = tail.program;
          args = [tail.ctx];
          continue;
        }
        this.onRun?.({ program: program.name, cpu, executed: budget - frame.budgetLeft });
        return {
          r0: r.r0,
          retval: Number(BigInt.asIntN(32, r.r0)),
          executed: budget - frame.budgetLeft,
          trace: frame.traceLines.slice(),
          tailCalls: jumps,
          finalProgram: current,
          overrideReturn: frame.overrideReturn,
        };
      }
    } finally {
      this.frames.pop();
    }
  }

  /** Whether a program is running. */
  get busy(): boolean {
    return this.frames.length > 0;
  }
}

/** A VM error of a run, as the kernel reports it. */
function runFault(e: unknown, program: LoadedProgram): unknown {
  if (!(e instanceof VmError)) return e;
  const cause = e.cause;
  if (e.code === 'helper' && cause instanceof KernelError) {
    const code = cause.code === 'unsupported' || cause.code === 'recursion' ? cause.code : 'run-fault';
    return new KernelError(code, `program ${program.name}: ${e.message}`, {
      program: program.name,
      ...(e.pc === undefined ? {} : { pc: e.pc }),
      ...(cause.feature === undefined ? {} : { feature: cause.feature }),
      cause,
    });
  }
  return new KernelError('run-fault', `program ${program.name}: ${e.message}`, {
    program: program.name,
    ...(e.pc === undefined ? {} : { pc: e.pc }),
    cause: e,
  });
}
