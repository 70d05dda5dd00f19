/**
 * The hooks at work in one kernel: what `HookRegistry.install(kernel)`
 * returns. It registers each claimed program type in
 * `kernel.programTypes` with one attach handler that hands
 * `BPF_LINK_CREATE` to the claiming plugin and records the attachment,
 * keeps each plugin's state, attaches objects' programs by their section
 * names as libbpf's auto-attach does, and runs scenario steps through the
 * plugins' drivers.
 *
 * ```ts
 * const host = registry.install(kernel);
 * const obj = kernel.openObject(bytes, { name: 'hello.bpf.o' });
 * obj.load();
 * host.attachObject(obj);                       // every program, by its SEC()
 * host.runStep({ syscall: 'execve', task: { pid: 4242, comm: 'bash' } });
 * ```
 */
import { ERRNO, type AttachTypeName, type ProgTypeName } from '@bpflab/uapi';
import type { Helper } from '@bpflab/vm';
import { KernelError } from '../errors';
import type { Kernel } from '../kernel';
import type { BpfObject, BpfObjectProgram } from '../object';
import type { LoadedProgram } from '../program';
import type { AttachRequest, LinkBody, ProgramTypeDef } from '../program-types';
import { fail, ok, type SysResult } from '../result';
import type { CoreStepState } from './core-steps';
import type { AnyHookPlugin, AttachedProgram, HookContext, HookProgramType, HookRunOptions, HookSummary, ProgramRun } from './define-hook';
import type { HookRegistry } from './registry';
import { resolveTaskRef } from './step-task';

/** What attaching one program by its section came to. */
export type AttachOutcome =
  | {
      readonly kind: 'attached';
      readonly program: string;
      readonly section: string;
      readonly hook: string;
      /** the hook point it runs at */
      readonly point: string;
      readonly linkFd: number;
    }
  /** libbpf would not auto-attach it: the section names no target (`SEC("tracepoint")`) */
  | { readonly kind: 'manual'; readonly program: string; readonly section: string; readonly hook: string; readonly reason: string }
  /** no plugin claims the section */
  | { readonly kind: 'no-hook'; readonly program: string; readonly section: string; readonly reason: string }
  /** not loaded (`SEC("?...")` or autoload turned off) */
  | { readonly kind: 'not-loaded'; readonly program: string; readonly section: string }
  /** the kernel refused (`BPF_LINK_CREATE` failed) */
  | { readonly kind: 'failed'; readonly program: string; readonly section: string; readonly hook: string; readonly errno: number; readonly message: string };

/** One step's result. */
export interface StepResult {
  readonly kind: string;
  /** the plugin that ran it; undefined for the user-space steps */
  readonly hook: string | undefined;
  /** the step's `name` */
  readonly name: string | undefined;
  /** what the driver observed (JSON-safe, per the driver's observation schema) */
  readonly observation: unknown;
  /** the observation in words */
  readonly text: readonly string[];
}

/** A plugin's end-of-scenario summary, with the plugin's name. */
export interface HookSummaryInfo extends HookSummary {
  readonly hook: string;
}

const installed = new WeakMap<Kernel, HookHost>();

/** The hooks of a registry, installed in one kernel. */
export class HookHost {
  private readonly table: AttachedProgram[] = [];
  private readonly contexts = new Map<string, HookContext<unknown>>();
  private readonly objectList: BpfObject[] = [];
  private readonly core: HookContext<CoreStepState>;
  private seq = 0;

  private constructor(
    readonly registry: HookRegistry,
    readonly kernel: Kernel,
  ) {
    for (const plugin of registry.plugins()) {
      this.contexts.set(plugin.name, this.context(plugin.name, plugin.setup?.(kernel)));
    }
    this.core = this.context('user space', { objects: () => this.objectList });
    this.installProgramTypes();
  }

  /** Installs `registry` in `kernel` (see `HookRegistry.install`). */
  static create(registry: HookRegistry, kernel: Kernel): HookHost {
    if (installed.has(kernel)) throw new KernelError('hook-conflict', 'hooks are already installed in this kernel: install a registry once, before loading objects');
    const host = new HookHost(registry, kernel);
    installed.set(kernel, host);
    return host;
  }

  private context<S>(hook: string, state: S): HookContext<S> {
    const kernel = this.kernel;
    const table = this.table;
    return {
      kernel,
      state,
      hook,
      attached: (point) => table.filter((a) => a.hook === hook && a.point === point),
      attachedAny: (points) => table.filter((a) => a.hook === hook && points.includes(a.point)),
      attachments: () => table.filter((a) => a.hook === hook),
      task: (ref) => resolveTaskRef(kernel, ref),
      cpu: (cpu) => {
        const c = cpu ?? 0;
        if (!Number.isInteger(c) || c < 0 || c >= kernel.cpus) {
          throw new KernelError('bad-step', `cpu ${c} is not one of the machine's ${kernel.cpus} CPUs (0-${kernel.cpus - 1})`);
        }
        return c;
      },
      run: (att, ctx, options) => runAttached(kernel, att, ctx, options),
    };
  }

  /** Registers one kernel program type per claimed type, merging the plugins that share it. */
  private installProgramTypes(): void {
    const groups = new Map<ProgTypeName, { plugin: AnyHookPlugin; type: HookProgramType }[]>();
    for (const plugin of this.registry.plugins()) {
      for (const type of plugin.programTypes as readonly HookProgramType[]) {
        const g = groups.get(type.progType) ?? [];
        g.push({ plugin, type });
        groups.set(type.progType, g);
      }
    }
    for (const [progType, entries] of groups) {
      const base = this.kernel.programTypes.require(progType);
      const helpers = new Set<number>();
      for (const { type } of entries) for (const id of type.helpers ?? base.helpers) helpers.add(id);
      const extra = new Map<number, Helper>();
      const owner = new Map<number, string>();
      for (const { plugin, type } of entries) {
        const made = type.extraHelpers?.(this.contexts.get(plugin.name)!);
        for (const [id, h] of made ?? []) {
          if (!helpers.has(id)) throw new KernelError('bad-call', `hook plugin ${plugin.name}: extra helper ${h.name}#${id} is not allowed for ${progType} programs (add it to helpers)`);
          const other = owner.get(id);
          if (other !== undefined && other !== plugin.name) {
            throw new KernelError('hook-conflict', `hook plugin ${plugin.name}: helper ${h.name}#${id} of ${progType} programs is already supplied by hook plugin ${other}`);
          }
          owner.set(id, plugin.name);
          extra.set(id, h);
        }
      }
      const traceContext = entries.find((e) => e.type.traceContext !== undefined)?.type.traceContext ?? base.traceContext;
      const def: ProgramTypeDef = {
        name: base.name,
        type: base.type,
        helpers,
        ...(extra.size > 0 || base.extraHelpers !== undefined
          ? { extraHelpers: (env) => new Map([...(base.extraHelpers?.(env) ?? []), ...extra]) }
          : {}),
        ...(traceContext === undefined ? {} : { traceContext }),
        attach: (program, request) => this.attachHandler(program, request),
      };
      this.kernel.programTypes.register(def);
    }
  }

  /** The kernel's attach handler for every claimed type: the claiming plugin resolves the target. */
  private attachHandler(program: LoadedProgram, request: AttachRequest): SysResult<LinkBody> {
    const attachType: AttachTypeName | undefined = request.attachType ?? program.expectedAttachType;
    const claim = this.registry.forProgramType(program.typeDef.name, attachType);
    if (claim === undefined) {
      return fail(ERRNO.EINVAL, `${program.describe()}: no hook plugin attaches ${program.typeDef.name} programs${attachType === undefined ? '' : ` with attach type ${attachType}`}`);
    }
    const plugin = claim.plugin;
    const r = plugin.attach(this.contexts.get(plugin.name)!, program, request);
    if (!r.ok) return r;
    const a = r.value;
    const att: AttachedProgram = Object.freeze({ hook: plugin.name, point: a.point, program, name: program.name, cookie: request.cookie, data: a.data, seq: this.seq++ });
    this.table.push(att);
    return ok({
      type: a.link,
      attachType,
      target: a.point,
      detach: () => {
        const i = this.table.findIndex((x) => x.seq === att.seq);
        if (i >= 0) this.table.splice(i, 1);
        a.onDetach?.();
      },
    });
  }

  /** The state of a plugin in this kernel (what its `setup` returned). */
  state<S>(plugin: { readonly name: string; readonly setup?: (kernel: Kernel) => S }): S {
    const c = this.contexts.get(plugin.name);
    if (c === undefined) throw new KernelError('not-found', `hook plugin ${plugin.name} is not registered`);
    return c.state as S;
  }

  /** What a plugin's functions see in this kernel (for tests and tools that drive a plugin directly). */
  contextOf(name: string): HookContext<unknown> {
    const c = this.contexts.get(name);
    if (c === undefined) throw new KernelError('not-found', `hook plugin ${name} is not registered (plugins: ${this.registry.plugins().map((p) => p.name).join(', ') || 'none'})`);
    return c;
  }

  /** Every attached program, in attach order. */
  attachments(): readonly AttachedProgram[] {
    return [...this.table];
  }

  /** The objects given to `attachObject` / `addObject` (whose maps user-space steps reach). */
  objects(): readonly BpfObject[] {
    return [...this.objectList];
  }

  /** Makes an object's maps reachable to user-space steps without attaching anything. */
  addObject(obj: BpfObject): void {
    if (!this.objectList.includes(obj)) this.objectList.push(obj);
  }

  /**
   * Attaches one program: with `request`, or with what libbpf's auto-attach
   * reads from its section name (`tracepoint/syscalls/sys_enter_execve`
   * attaches to that tracepoint).
   */
  attach(program: BpfObjectProgram, request?: AttachRequest): AttachOutcome {
    const base = { program: program.name, section: program.section };
    if (!program.autoload) return { kind: 'not-loaded', ...base };
    const match = this.registry.forSection(program.section);
    if (match === undefined) {
      const known = this.registry.plugins().map((p) => p.name).join(', ') || 'none';
      return { kind: 'no-hook', ...base, reason: `no hook plugin claims SEC("${program.section}") (a ${program.type} program; plugins: ${known})` };
    }
    let req = request;
    if (req === undefined) {
      const auto = match.plugin.autoAttach?.(match.info) ?? { kind: 'attach', request: {} };
      if (auto.kind === 'manual') return { kind: 'manual', ...base, hook: match.plugin.name, reason: auto.reason };
      req = auto.request;
    }
    const before = this.seq;
    const r = program.attach(req);
    if (!r.ok) return { kind: 'failed', ...base, hook: match.plugin.name, errno: r.errno, message: r.message };
    const i = this.table.findIndex((a) => a.seq >= before && a.program === program.loaded);
    const att = this.table[i];
    if (att === undefined) throw new Error(`bpflab kernel internal error: ${program.name} attached without a record`);
    this.table[i] = Object.freeze({ ...att, name: program.name });
    return { kind: 'attached', ...base, hook: att.hook, point: att.point, linkFd: r.value };
  }

  /**
   * Attaches every loaded program of `obj` as libbpf's
   * `bpf_object__attach_skeleton` does, in the object's order; `requests`
   * gives the target of programs by name (needed where the section names
   * none). The object's maps become reachable to user-space steps.
   *
   * @throws {@link KernelError} `bad-step` when `requests` names a program the object does not have
   */
  attachObject(obj: BpfObject, requests: Readonly<Record<string, AttachRequest>> = {}): readonly AttachOutcome[] {
    const names = new Set(obj.programs().map((p) => p.name));
    for (const name of Object.keys(requests)) {
      if (!names.has(name)) throw new KernelError('bad-step', `attach: object ${obj.name} has no program '${name}' (programs: ${[...names].join(', ') || 'none'})`);
    }
    this.addObject(obj);
    return obj.programs().map((p) => this.attach(p, requests[p.name]));
  }

  /**
   * Runs one step through the driver of its kind and returns what it
   * observed.
   *
   * @throws {@link KernelError} `bad-step` for a step no driver runs or one
   *   a driver refuses; `run-fault` when a program faults
   */
  runStep(step: Readonly<Record<string, unknown>>): StepResult {
    const kind = this.registry.stepKindOf(step);
    const match = this.registry.forStepKind(kind)!;
    const ctx = match.hook === undefined ? this.core : this.contexts.get(match.hook)!;
    const observation: unknown = match.driver.run(ctx, step);
    const text = match.driver.format?.(observation) ?? [JSON.stringify(observation)];
    const name = typeof step.name === 'string' ? step.name : undefined;
    return { kind, hook: match.hook, name, observation, text };
  }

  /**
   * The file of kind `kind` (`pcap`) the plugins write, with the plugin
   * that wrote it; undefined when no plugin writes that kind or it has
   * nothing to write.
   *
   * @throws {@link KernelError} `hook-conflict` when several plugins write the kind
   */
  artifact(kind: string): { readonly hook: string; readonly bytes: Uint8Array } | undefined {
    const writers = this.registry.plugins().filter((p) => p.artifacts?.[kind] !== undefined);
    if (writers.length > 1) throw new KernelError('hook-conflict', `hook plugins ${writers.map((p) => p.name).join(' and ')} both write ${kind} files`);
    const w = writers[0];
    if (w === undefined) return undefined;
    const bytes = w.artifacts![kind]!.write(this.contexts.get(w.name)!);
    return bytes === undefined ? undefined : { hook: w.name, bytes };
  }

  /** The file kinds the plugins can write (`pcap`), sorted. */
  artifactKinds(): readonly string[] {
    return [...new Set(this.registry.plugins().flatMap((p) => Object.keys(p.artifacts ?? {})))].sort();
  }

  /** The plugins' end-of-scenario summaries, in registration order. */
  summaries(): readonly HookSummaryInfo[] {
    const out: HookSummaryInfo[] = [];
    for (const plugin of this.registry.plugins()) {
      const s = plugin.summary?.(this.contexts.get(plugin.name)!);
      if (s !== undefined) out.push({ ...s, hook: plugin.name });
    }
    return out;
  }
}

/** Runs an attached program and reports the run as observations do. */
function runAttached(kernel: Kernel, att: AttachedProgram, ctx: number | bigint, options: HookRunOptions): ProgramRun {
  const task = options.task === undefined ? kernel.process : options.task;
  const r = kernel.run(att.program, ctx, {
    cpu: options.cpu,
    task,
    ...(options.traceContext === undefined ? {} : { traceContext: options.traceContext }),
  });
  return {
    program: att.name,
    point: att.point,
    cpu: options.cpu,
    pid: task?.pid ?? 0,
    retval: r.retval,
    r0: `0x${r.r0.toString(16)}`,
    trace: r.trace.map((line) => (line.endsWith('\n') ? line.slice(0, -1) : line)),
  };
}

/** JSON Schema of a {@link ProgramRun}, for plugins' observation schemas. */
export const PROGRAM_RUN_SCHEMA = Object.freeze({
  type: 'object',
  properties: {
    program: { type: 'string' },
    point: { type: 'string' },
    cpu: { type: 'integer', minimum: 0 },
    pid: { type: 'integer', minimum: 0 },
    retval: { type: 'integer' },
    r0: { type: 'string', pattern: '^0x[0-9a-f]+$' },
    trace: { type: 'array', items: { type: 'string' } },
  },
  required: ['program', 'point', 'cpu', 'pid', 'retval', 'r0', 'trace'],
  additionalProperties: false,
});
