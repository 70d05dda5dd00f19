/**
 * The hook plugin API: a plugin is data plus functions, written with
 * {@link defineHook} and registered in a `HookRegistry`.
 *
 * ```ts
 * export const kprobe = defineHook({
 *   name: 'kprobe',
 *   doc: 'kprobes: a program runs when a kernel function is entered',
 *   programTypes: [{ progType: 'KPROBE', sections: ['kprobe+'], ctx: PT_REGS_CTX }],
 *   attach: (hook, program, request) => ...,        // resolve the target: a hook point or an errno
 *   autoAttach: (sec) => ...,                        // what libbpf's auto-attach asks for
 *   points: () => [...],                             // what `bpflab hooks` lists
 *   events: { kcall: { doc, schema, observation, run } },
 * });
 * ```
 *
 * A plugin never touches the registry's or the kernel's internals: it
 * attaches through the kernel's `BPF_LINK_CREATE` (the registry installs
 * one attach handler per program type in `kernel.programTypes` and hands
 * the request to the plugin that claims it), keeps its world in its own
 * state (`setup`), and runs programs through `HookContext.run`.
 */
import type { AttachTarget } from '@bpflab/object';
import { findSectionDef } from '@bpflab/object';
import { PROG_TYPE, type LinkTypeName, type ProgTypeName } from '@bpflab/uapi';
import type { Helper } from '@bpflab/vm';
import { KernelError } from '../errors';
import type { Kernel } from '../kernel';
import type { LoadedProgram } from '../program';
import type { AttachRequest } from '../program-types';
import type { SysResult } from '../result';
import type { Task } from '../tasks';
import type { TraceContext } from '../trace-pipe';
import { checkCtxLayout, type CtxLayout, type ReturnRange } from './ctx-layout';
import type { TaskRef } from './step-task';

/** A JSON Schema (draft-07) as a plain object. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * A program type as a plugin drives it: the `SEC()` definitions it claims
 * and what the verifier needs to know about the type.
 */
export interface HookProgramType<S = unknown> {
  /** `BPF_PROG_TYPE_*` short name */
  readonly progType: ProgTypeName;
  /**
   * libbpf's `SEC()` definitions claimed, spelt as libbpf's table spells
   * them: `xdp` (exactly `SEC("xdp")`), `tracepoint+` (`SEC("tracepoint")`
   * or `SEC("tracepoint/<extras>")`). Each must be a libbpf definition of
   * `progType`.
   */
  readonly sections: readonly string[];
  /** the context the verifier checks accesses against (the type's generic layout; hook points may narrow it) */
  readonly ctx: CtxLayout;
  /** helper ids the type may call; default the kernel's set for the type (Linux 6.18, as root) */
  readonly helpers?: readonly number[];
  /** helper implementations the type adds or replaces; their ids must be allowed */
  readonly extraHelpers?: (hook: HookContext<S>) => ReadonlyMap<number, Helper>;
  /** r0 at exit must lie in this range (`check_return_code`); any value when absent */
  readonly returns?: ReturnRange;
  /** direct packet access: reads through `pkt` pointers, and writes when true; default false */
  readonly packetWrite?: boolean;
  /** the execution context programs run in (the trace pipe's latency flags); default process context */
  readonly traceContext?: TraceContext;
}

/** What a plugin's `attach` gives back: where the program now runs. */
export interface HookAttachment {
  /** the hook point, in words (`syscalls/sys_enter_openat`, `eth0`, `file_open`); drivers look programs up by it */
  readonly point: string;
  /** `BPF_LINK_TYPE_*` of the link (`PERF_EVENT` for tracepoints, `XDP`, `TRACING`...) */
  readonly link: LinkTypeName;
  /** anything the plugin wants to keep with the attachment (an XDP mode, a flag) */
  readonly data?: unknown;
  /** extra work when the link detaches; the registry already forgets the attachment */
  readonly onDetach?: () => void;
}

/** A program attached through a plugin. */
export interface AttachedProgram {
  /** the plugin's name */
  readonly hook: string;
  readonly point: string;
  readonly program: LoadedProgram;
  /**
   * the program's name: its function name when it was attached from an
   * object, else the kernel's (`BPF_OBJ_NAME_LEN`: at most 15 characters)
   */
  readonly name: string;
  /** the BPF cookie of the request */
  readonly cookie: bigint | undefined;
  readonly data: unknown;
  /** attach order over the whole kernel (probes run in the order they were attached) */
  readonly seq: number;
}

/** A section name as libbpf reads it, for `autoAttach`. */
export interface SectionInfo {
  /** the full `SEC()` name (`tracepoint/syscalls/sys_enter_execve`) */
  readonly section: string;
  /** the libbpf definition that matched (`tracepoint+`) */
  readonly secDef: string;
  /** the attach target its extras name */
  readonly target: AttachTarget;
}

/** What libbpf's auto-attach does for a section: attach with a request, or leave it to the user. */
export type AutoAttach =
  | { readonly kind: 'attach'; readonly request: AttachRequest }
  /** libbpf does not auto-attach it (`SEC("tracepoint")` alone): the user names the target */
  | { readonly kind: 'manual'; readonly reason: string };

/** A place programs can attach to, for discovery (`bpflab hooks`). */
export interface HookPoint {
  /** the hook point as `attach` resolves it (`syscalls/sys_enter_openat`) */
  readonly name: string;
  /** the `SEC()` name that attaches there (`tracepoint/syscalls/sys_enter_openat`) */
  readonly section: string;
  readonly progType: ProgTypeName;
  /** the context programs get there, when it is more precise than the type's */
  readonly ctx?: CtxLayout;
  /** a tracepoint's id, an interface index... */
  readonly id?: number;
  /** one line */
  readonly doc?: string;
}

/** One run of an attached program, as observations report it (JSON-safe). */
export interface ProgramRun {
  /** the program's name */
  readonly program: string;
  readonly point: string;
  readonly cpu: number;
  /** the current task's pid; 0 when none */
  readonly pid: number;
  /** r0's low 32 bits, signed: the `int` the program returned */
  readonly retval: number;
  /** r0, 64-bit, as `0x` hex */
  readonly r0: string;
  /** the trace pipe lines the run wrote, without their final newline */
  readonly trace: readonly string[];
}

/** How a plugin runs a program (a subset of the kernel's `RunOptions`). */
export interface HookRunOptions {
  readonly cpu: number;
  /** the current task; default the kernel's user-space process */
  readonly task?: Task | null;
  readonly traceContext?: TraceContext;
}

/** What a plugin's functions get: the kernel, its own state, its attachments, and ways to run programs. */
export interface HookContext<S = unknown> {
  readonly kernel: Kernel;
  /** the plugin's state in this kernel (what `setup` returned) */
  readonly state: S;
  /** the plugin's name */
  readonly hook: string;
  /** programs of this plugin attached at `point`, in attach order */
  attached(point: string): readonly AttachedProgram[];
  /** programs of this plugin attached at any of `points`, in attach order */
  attachedAny(points: readonly string[]): readonly AttachedProgram[];
  /** every program attached through this plugin, in attach order */
  attachments(): readonly AttachedProgram[];
  /** the task a step names (spawned on first mention); the kernel's user-space process when `ref` is undefined */
  task(ref: TaskRef | undefined): Task;
  /** checks a step's CPU against the machine; default 0 */
  cpu(cpu: number | undefined): number;
  /** runs an attached program with r1 = `ctx` */
  run(attached: AttachedProgram, ctx: number | bigint, options: HookRunOptions): ProgramRun;
}

/**
 * An event driver: one kind of scenario step (`syscall`, `packet`,
 * `file_open`), recognised by its key in the step.
 */
export interface EventDriver<S = unknown, Step = any, Obs = any> {
  /** one paragraph for the docs and `bpflab hooks --steps` */
  readonly doc: string;
  /**
   * JSON Schema of the step: `{ type: 'object', properties: {...}, required: [...] }`
   * with the kind itself among the properties. The registry adds the
   * common `name` property and closes the object (`additionalProperties: false`).
   */
  readonly schema: JsonSchema;
  /** JSON Schema of what `run` returns */
  readonly observation: JsonSchema;
  /** runs the step (already validated against `schema`) and observes what happened */
  readonly run: (hook: HookContext<S>, step: Step) => Obs;
  /** the observation in words, one line each (for terminals); default JSON */
  readonly format?: (obs: Obs) => readonly string[];
}

/** What a plugin reports at the end of a scenario (a syscall count table...). */
export interface HookSummary {
  readonly title: string;
  /** JSON-safe data */
  readonly data: unknown;
  /** the same in words, one line each */
  readonly text: readonly string[];
}

/** A hook plugin, as written. `S` is its per-kernel state. */
export interface HookDef<S = undefined> {
  /** short lowercase name (`tracepoint`, `xdp`) */
  readonly name: string;
  /** what the plugin models, for instructors and students (markdown) */
  readonly doc: string;
  readonly programTypes: readonly HookProgramType<S>[];
  /** creates the plugin's world in a kernel (interfaces, files); default none */
  readonly setup?: (kernel: Kernel) => S;
  /** attaches a program: the hook point it runs at, or the errno Linux answers (ENOENT for an unknown tracepoint) */
  readonly attach: (hook: HookContext<S>, program: LoadedProgram, request: AttachRequest) => SysResult<HookAttachment>;
  /** what libbpf's auto-attach asks for a section; default attach with an empty request */
  readonly autoAttach?: (section: SectionInfo) => AutoAttach;
  /** the hook points it knows, for discovery */
  readonly points?: () => readonly HookPoint[];
  /** step kinds it drives, by their key */
  readonly events?: Readonly<Record<string, EventDriver<S>>>;
  /** what it reports at the end of a scenario */
  readonly summary?: (hook: HookContext<S>) => HookSummary | undefined;
  /**
   * files it can write at the end of a scenario, by kind (`pcap`: the
   * packets an XDP plugin saw and sent); `bpflab sim --pcap-out F` writes
   * the `pcap` one
   */
  readonly artifacts?: Readonly<Record<string, HookArtifact<S>>>;
}

/** A file a plugin can write at the end of a scenario. */
export interface HookArtifact<S = unknown> {
  /** what the file holds, one line */
  readonly doc: string;
  /** its bytes, or undefined when there is nothing to write */
  readonly write: (hook: HookContext<S>) => Uint8Array | undefined;
}

/** A checked plugin, ready to register. */
export type HookPlugin<S = undefined> = HookDef<S> & { readonly __hook: true };

/** Any plugin, whatever its state. */
export type AnyHookPlugin = HookPlugin<any>;

const NAME_RE = /^[a-z][a-z0-9_-]*$/;
const KIND_RE = /^[a-z][a-z0-9_]*$/;
/** Step keys the registry keeps for itself. */
export const RESERVED_STEP_KEYS: readonly string[] = ['name'];

/**
 * Checks a plugin and freezes it: a name, a doc, at least one program type
 * whose sections are libbpf definitions of that type, valid context
 * layouts, well-formed step kinds with object schemas.
 *
 * @throws {@link KernelError} `bad-call` saying what is wrong, prefixed with the plugin's name
 */
export function defineHook<S = undefined>(def: HookDef<S>): HookPlugin<S> {
  const who = `hook plugin ${JSON.stringify(def.name)}`;
  const fail = (why: string): never => {
    throw new KernelError('bad-call', `${who}: ${why}`);
  };
  if (typeof def.name !== 'string' || !NAME_RE.test(def.name)) fail('the name must be lowercase letters, digits, - and _');
  if (typeof def.doc !== 'string' || def.doc.trim() === '') fail('doc is empty: say what the plugin models');
  if (typeof def.attach !== 'function') fail('attach is not a function');
  if (def.programTypes.length === 0) fail('it claims no program type');
  const programTypes = def.programTypes.map((t) => {
    if (PROG_TYPE[t.progType] === undefined || t.progType === 'UNSPEC') fail(`${String(t.progType)} is not a program type`);
    if (t.sections.length === 0) fail(`program type ${t.progType} claims no section`);
    for (const sec of t.sections) {
      const d = findSectionDef(sec.endsWith('+') ? sec.slice(0, -1) : sec);
      if (d === undefined || d.sec !== sec) {
        fail(`section ${JSON.stringify(sec)} is not one of libbpf's SEC() definitions (write them as libbpf does: "xdp", "tracepoint+")`);
      }
      if (d!.progType !== t.progType) fail(`section ${JSON.stringify(sec)} is a ${d!.progType} section, not ${t.progType}`);
    }
    if (t.returns !== undefined && t.returns.min > t.returns.max) fail(`program type ${t.progType}: return range min ${t.returns.min} > max ${t.returns.max}`);
    return Object.freeze({ ...t, sections: Object.freeze([...t.sections]), ctx: checkCtxLayout(t.ctx, `${who}: program type ${t.progType}`) });
  });
  const events = def.events ?? {};
  for (const [kind, driver] of Object.entries(events)) {
    if (!KIND_RE.test(kind)) fail(`step kind ${JSON.stringify(kind)}: use lowercase letters, digits and _`);
    if (RESERVED_STEP_KEYS.includes(kind)) fail(`step kind ${JSON.stringify(kind)} is reserved`);
    if (typeof driver.run !== 'function') fail(`step kind ${kind}: run is not a function`);
    if (typeof driver.doc !== 'string' || driver.doc.trim() === '') fail(`step kind ${kind}: doc is empty`);
    const s = driver.schema;
    if (s.type !== 'object' || typeof s.properties !== 'object' || s.properties === null) {
      fail(`step kind ${kind}: the schema must be { type: 'object', properties: {...} }`);
    }
    if (!Object.prototype.hasOwnProperty.call(s.properties, kind)) fail(`step kind ${kind}: the schema has no property ${kind}`);
  }
  return Object.freeze({ ...def, programTypes: Object.freeze(programTypes), events: Object.freeze({ ...events }), __hook: true as const });
}
