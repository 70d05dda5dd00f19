/**
 * The hook registry: every hook plugin a kit knows, looked up by `SEC()`
 * name and by scenario step kind, and the combined JSON Schema of their
 * steps and observations. A registry is data; `install(kernel)` puts it to
 * work in one simulated kernel (see `HookHost`).
 *
 * ```ts
 * const registry = new HookRegistry().register(tracepoint).register(xdp);
 * registry.forSection('tp/syscalls/sys_enter_openat');  // { plugin: tracepoint, ... }
 * registry.forStepKind('packet');                       // { hook: 'xdp', driver }
 * const host = registry.install(new Kernel());
 * ```
 *
 * The registry refuses a plugin that claims what another already claims:
 * the same `SEC()` definition, the same step kind, or the same program
 * type and expected attach type (the kernel hands a `BPF_LINK_CREATE` to
 * exactly one plugin).
 */
import { programSectionInfo } from '@bpflab/object';
import type { AttachTypeName, ProgTypeName } from '@bpflab/uapi';
import { KernelError } from '../errors';
import type { Kernel } from '../kernel';
import { CORE_STEPS } from './core-steps';
import type { AnyHookPlugin, EventDriver, HookPoint, HookProgramType, JsonSchema, SectionInfo } from './define-hook';
import { HookHost } from './host';

/** A section name matched to the plugin that claims it. */
export interface SectionMatch {
  readonly plugin: AnyHookPlugin;
  readonly programType: HookProgramType;
  readonly info: SectionInfo;
}

/** A step kind and its driver; `hook` is undefined for the registry's own user-space steps (`map_update`). */
export interface StepKindMatch {
  readonly hook: string | undefined;
  readonly driver: EventDriver;
}

/** A hook point with the plugin that knows it. */
export interface HookPointInfo extends HookPoint {
  readonly hook: string;
}

function dispatchKey(progType: ProgTypeName, attachType: AttachTypeName | undefined): string {
  return `${progType}/${attachType ?? '-'}`;
}

function describeKey(progType: ProgTypeName, attachType: AttachTypeName | undefined): string {
  return `${progType} programs${attachType === undefined ? '' : ` with expected attach type ${attachType}`}`;
}

/** The hook plugins of a kit. */
export class HookRegistry {
  private readonly list: AnyHookPlugin[] = [];
  private readonly bySection = new Map<string, { readonly plugin: AnyHookPlugin; readonly programType: HookProgramType }>();
  private readonly byKind = new Map<string, StepKindMatch>();
  private readonly byDispatch = new Map<string, { readonly plugin: AnyHookPlugin; readonly programType: HookProgramType }>();

  constructor() {
    for (const [kind, driver] of Object.entries(CORE_STEPS)) this.byKind.set(kind, { hook: undefined, driver: driver as EventDriver });
  }

  /**
   * Adds a plugin (made with `defineHook`).
   *
   * @throws {@link KernelError} `hook-conflict` when its name, a section, a
   *   step kind or a program type is already claimed, naming both plugins
   */
  register(plugin: AnyHookPlugin): this {
    if (plugin.__hook !== true) throw new KernelError('bad-call', `hook plugin ${JSON.stringify(plugin.name)}: make it with defineHook()`);
    const conflict = (what: string, other: string): never => {
      throw new KernelError('hook-conflict', `hook plugin ${plugin.name}: ${what} is already claimed by hook plugin ${other}`);
    };
    if (this.list.some((p) => p.name === plugin.name)) throw new KernelError('hook-conflict', `hook plugin ${plugin.name} is already registered`);
    const sections = new Map<string, HookProgramType>();
    const dispatch = new Map<string, HookProgramType>();
    for (const t of plugin.programTypes) {
      for (const sec of t.sections) {
        const other = this.bySection.get(sec);
        if (other !== undefined) conflict(`section ${JSON.stringify(sec)}`, other.plugin.name);
        if (sections.has(sec)) throw new KernelError('hook-conflict', `hook plugin ${plugin.name}: section ${JSON.stringify(sec)} is claimed twice`);
        sections.set(sec, t);
      }
    }
    for (const [sec, t] of sections) {
      const info = programSectionInfo(sec.endsWith('+') ? sec.slice(0, -1) : sec);
      const key = dispatchKey(t.progType, info.attachType);
      const owner = this.byDispatch.get(key);
      if (owner !== undefined) conflict(`attaching ${describeKey(t.progType, info.attachType)}`, owner.plugin.name);
      const mine = dispatch.get(key);
      if (mine !== undefined && mine !== t) {
        throw new KernelError('hook-conflict', `hook plugin ${plugin.name}: two of its program types attach ${describeKey(t.progType, info.attachType)}`);
      }
      dispatch.set(key, t);
    }
    for (const kind of Object.keys(plugin.events ?? {})) {
      const other = this.byKind.get(kind);
      if (other?.hook === undefined && other !== undefined) {
        throw new KernelError('hook-conflict', `hook plugin ${plugin.name}: step kind ${kind} is one of the registry's own user-space steps`);
      }
      if (other !== undefined) conflict(`step kind ${kind}`, other.hook!);
    }
    this.list.push(plugin);
    for (const [sec, t] of sections) this.bySection.set(sec, { plugin, programType: t });
    for (const [key, t] of dispatch) this.byDispatch.set(key, { plugin, programType: t });
    for (const [kind, driver] of Object.entries(plugin.events ?? {})) this.byKind.set(kind, { hook: plugin.name, driver });
    return this;
  }

  /** The plugins, in registration order. */
  plugins(): readonly AnyHookPlugin[] {
    return [...this.list];
  }

  /** The plugin called `name`. */
  get(name: string): AnyHookPlugin | undefined {
    return this.list.find((p) => p.name === name);
  }

  /**
   * The plugin that claims a program's section name
   * (`tracepoint/syscalls/sys_enter_execve` → the `tracepoint+` claim), with
   * the attach target libbpf reads from it; undefined when libbpf knows no
   * such section or no plugin claims it.
   */
  forSection(section: string): SectionMatch | undefined {
    const info = programSectionInfo(section);
    if (info.def === undefined) return undefined;
    const claim = this.bySection.get(info.def.sec);
    if (claim === undefined) return undefined;
    return { ...claim, info: { section, secDef: info.def.sec, target: info.target } };
  }

  /** The plugin (and its program type) that attaches programs of this type and expected attach type. */
  forProgramType(progType: ProgTypeName, attachType: AttachTypeName | undefined): { readonly plugin: AnyHookPlugin; readonly programType: HookProgramType } | undefined {
    const exact = this.byDispatch.get(dispatchKey(progType, attachType));
    if (exact !== undefined) return exact;
    // a program loaded without the expected attach type its section would give (bpf() directly): the one plugin of the type, if one
    const candidates = [...this.byDispatch.entries()].filter(([k]) => k.startsWith(`${progType}/`)).map(([, v]) => v);
    const owners = new Set(candidates.map((c) => c.plugin));
    return owners.size === 1 && attachType === undefined ? candidates[0] : undefined;
  }

  /** The driver of a step kind (the registry's own `map_update`, `map_delete`, `advance_ns`, or a plugin's). */
  forStepKind(kind: string): StepKindMatch | undefined {
    return this.byKind.get(kind);
  }

  /** Every step kind, sorted. */
  stepKinds(): readonly string[] {
    return [...this.byKind.keys()].sort();
  }

  /**
   * The kind of a step: the one key of it that is a step kind.
   *
   * @throws {@link KernelError} `bad-step` when it has none or several
   */
  stepKindOf(step: Readonly<Record<string, unknown>>): string {
    if (typeof step !== 'object' || step === null || Array.isArray(step)) {
      throw new KernelError('bad-step', `a step is a mapping with one of the keys ${this.stepKinds().join(', ')}`);
    }
    const kinds = Object.keys(step).filter((k) => this.byKind.has(k));
    if (kinds.length === 1) return kinds[0]!;
    if (kinds.length === 0) {
      throw new KernelError('bad-step', `the step has none of the step kinds (${this.stepKinds().join(', ')}); its keys: ${Object.keys(step).join(', ') || 'none'}`);
    }
    throw new KernelError('bad-step', `the step has several step kinds (${kinds.join(', ')}): one step does one thing`);
  }

  /** Every hook point of every plugin, by plugin then as the plugin lists them. */
  points(): readonly HookPointInfo[] {
    return this.list.flatMap((p) => (p.points?.() ?? []).map((pt) => ({ ...pt, hook: p.name })));
  }

  /**
   * JSON Schema (draft-07) of one step: exactly one step kind, whose
   * driver's schema (plus the common `name`) it must then match.
   */
  stepSchema(): JsonSchema {
    const kinds = this.stepKinds();
    const definitions: Record<string, JsonSchema> = {};
    for (const kind of kinds) {
      const s = this.byKind.get(kind)!.driver.schema;
      definitions[`step_${kind}`] = {
        ...s,
        properties: { name: { type: 'string', description: 'a label for the step, shown with its results' }, ...(s.properties as object) },
        required: [...new Set([kind, ...((s.required as readonly string[] | undefined) ?? [])])],
        additionalProperties: false,
      };
    }
    definitions.step = {
      type: 'object',
      description: `one scenario step: exactly one of ${kinds.join(', ')}`,
      anyOf: kinds.map((k) => ({ required: [k] })),
      allOf: kinds.map((k) => ({ if: { required: [k] }, then: { $ref: `#/definitions/step_${k}` } })),
    };
    return { $schema: 'http://json-schema.org/draft-07/schema#', definitions, $ref: '#/definitions/step' };
  }

  /**
   * JSON Schema (draft-07) of a scenario file as `bpflab sim` reads it:
   * `cpus`, the `attach` targets of programs whose section names none, and
   * the `steps`.
   */
  scenarioSchema(): JsonSchema {
    const { definitions } = this.stepSchema() as { definitions: Record<string, JsonSchema> };
    return {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'bpflab scenario',
      type: 'object',
      definitions,
      properties: {
        cpus: { type: 'integer', minimum: 1, maximum: 1024, description: 'CPUs of the simulated machine (default 2)' },
        attach: {
          type: 'object',
          description: 'attach targets by program name, for programs whose SEC() names none (SEC("tracepoint")) or to override it',
          additionalProperties: {
            anyOf: [
              { type: 'string', minLength: 1 },
              {
                type: 'object',
                properties: { target: { type: 'string', minLength: 1 }, cookie: { type: 'integer', minimum: 0 } },
                required: ['target'],
                additionalProperties: false,
              },
            ],
          },
        },
        steps: { type: 'array', items: { $ref: '#/definitions/step' } },
      },
      required: ['steps'],
      additionalProperties: false,
    };
  }

  /** JSON Schema (draft-07) of one step's result: its kind, plugin, name and the driver's observation. */
  stepResultSchema(): JsonSchema {
    const kinds = this.stepKinds();
    const definitions: Record<string, JsonSchema> = {};
    for (const kind of kinds) definitions[`observation_${kind}`] = this.byKind.get(kind)!.driver.observation;
    return {
      $schema: 'http://json-schema.org/draft-07/schema#',
      definitions,
      type: 'object',
      properties: {
        kind: { enum: kinds },
        hook: { type: 'string' },
        name: { type: 'string' },
        observation: {},
        text: { type: 'array', items: { type: 'string' } },
      },
      required: ['kind', 'observation', 'text'],
      additionalProperties: false,
      allOf: kinds.map((k) => ({
        if: { properties: { kind: { const: k } } },
        then: { properties: { observation: { $ref: `#/definitions/observation_${k}` } } },
      })),
    };
  }

  /**
   * Puts the plugins to work in `kernel`: registers their program types
   * (helpers, attach handlers) in `kernel.programTypes` and creates their
   * state. Do it before loading objects: a program takes its type's
   * helpers when it is loaded.
   *
   * @throws {@link KernelError} `hook-conflict` when hooks are already installed in this kernel
   */
  install(kernel: Kernel): HookHost {
    return HookHost.create(this, kernel);
  }
}
