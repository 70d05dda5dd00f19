/**
 * The registry's own step kinds: what user space does between events.
 *
 * ```yaml
 * - map_update: { map: compromised_users, key: 1001, value: true }
 * - map_delete: { map: compromised_users, key: 1001 }
 * - advance_ns: 1000000          # let a millisecond pass
 * ```
 *
 * Keys and values are typed by the map's BTF as the kernel's typed map API
 * takes them: numbers for integers, booleans, strings for `char[]`,
 * mappings for structs, and for per-CPU maps one value for every CPU or a
 * list with one value per CPU.
 */
import { KernelError } from '../errors';
import type { BpfObject, BpfObjectMap } from '../object';
import type { TypedValue } from '../values';
import type { EventDriver, HookContext, JsonSchema } from './define-hook';

/** What the user-space steps reach: the objects the scenario loaded. */
export interface CoreStepState {
  readonly objects: () => readonly BpfObject[];
}

/** `map_update` as written in a step. */
export interface MapUpdateStep {
  readonly map_update: {
    readonly map: string;
    readonly key: TypedValue | null;
    readonly value: TypedValue;
    /** `BPF_ANY` (default), `BPF_NOEXIST`, `BPF_EXIST` */
    readonly flags?: 'any' | 'noexist' | 'exist';
  };
}

/** `map_delete` as written in a step. */
export interface MapDeleteStep {
  readonly map_delete: { readonly map: string; readonly key: TypedValue | null };
}

/** `advance_ns` as written in a step. */
export interface AdvanceStep {
  readonly advance_ns: number;
}

/** What a map step observed. */
export interface MapStepObservation {
  readonly map: string;
  readonly op: 'update' | 'delete';
  /** for delete: whether the key was there */
  readonly existed?: boolean;
}

const VALUE: JsonSchema = { description: 'a key or value, typed by the map\'s BTF: number, boolean, string, list or mapping' };
const FLAGS = { any: 0, noexist: 1, exist: 2 } as const;

function findMap(objects: readonly BpfObject[], name: string): BpfObjectMap {
  const found: BpfObjectMap[] = [];
  for (const o of objects) {
    try {
      found.push(o.map(name));
    } catch (e) {
      if (!(e instanceof KernelError && e.code === 'not-found')) throw e;
    }
  }
  if (found.length === 1) return found[0]!;
  const all = objects.flatMap((o) => o.maps().map((m) => m.name));
  if (found.length === 0) throw new KernelError('bad-step', `no map '${name}' (maps: ${all.join(', ') || 'none'})`);
  throw new KernelError('bad-step', `${found.length} loaded objects have a map '${name}'`);
}

function mapCall<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KernelError && (e.code === 'errno' || e.code === 'bad-call')) throw new KernelError('bad-step', `${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

const mapUpdate: EventDriver<CoreStepState, MapUpdateStep, MapStepObservation> = {
  doc: 'user space updates a map element (bpf_map_update_elem), as a loader or a control tool does between events',
  schema: {
    type: 'object',
    properties: {
      map_update: {
        type: 'object',
        properties: { map: { type: 'string', minLength: 1 }, key: VALUE, value: VALUE, flags: { enum: ['any', 'noexist', 'exist'] } },
        required: ['map', 'key', 'value'],
        additionalProperties: false,
      },
    },
    required: ['map_update'],
  },
  observation: {
    type: 'object',
    properties: { map: { type: 'string' }, op: { const: 'update' } },
    required: ['map', 'op'],
    additionalProperties: false,
  },
  run(hook: HookContext<CoreStepState>, step) {
    const s = step.map_update;
    const map = findMap(hook.state.objects(), s.map);
    mapCall(`map_update ${s.map}`, () => map.update(s.key, s.value, FLAGS[s.flags ?? 'any']));
    return { map: map.name, op: 'update' };
  },
  format: (o) => [`map_update ${o.map}: ok`],
};

const mapDelete: EventDriver<CoreStepState, MapDeleteStep, MapStepObservation> = {
  doc: 'user space deletes a map element (bpf_map_delete_elem); deleting a missing key is observed, not an error',
  schema: {
    type: 'object',
    properties: {
      map_delete: {
        type: 'object',
        properties: { map: { type: 'string', minLength: 1 }, key: VALUE },
        required: ['map', 'key'],
        additionalProperties: false,
      },
    },
    required: ['map_delete'],
  },
  observation: {
    type: 'object',
    properties: { map: { type: 'string' }, op: { const: 'delete' }, existed: { type: 'boolean' } },
    required: ['map', 'op', 'existed'],
    additionalProperties: false,
  },
  run(hook: HookContext<CoreStepState>, step) {
    const s = step.map_delete;
    const map = findMap(hook.state.objects(), s.map);
    const existed = mapCall(`map_delete ${s.map}`, () => map.delete(s.key));
    return { map: map.name, op: 'delete', existed };
  },
  format: (o) => [`map_delete ${o.map}: ${o.existed === true ? 'deleted' : 'no such key (ENOENT)'}`],
};

const advance: EventDriver<CoreStepState, AdvanceStep, { readonly now_ns: string }> = {
  doc: 'simulated time passes (the clock bpf_ktime_get_ns reads moves forward)',
  schema: {
    type: 'object',
    properties: { advance_ns: { type: 'integer', minimum: 0, description: 'nanoseconds' } },
    required: ['advance_ns'],
  },
  observation: {
    type: 'object',
    properties: { now_ns: { type: 'string', pattern: '^[0-9]+$' } },
    required: ['now_ns'],
    additionalProperties: false,
  },
  run(hook: HookContext<CoreStepState>, step) {
    hook.kernel.clock.advance(step.advance_ns);
    return { now_ns: hook.kernel.clock.now().toString() };
  },
  format: (o) => [`clock at ${o.now_ns} ns`],
};

/** The registry's own step kinds. */
export const CORE_STEPS: Readonly<Record<string, EventDriver<CoreStepState>>> = Object.freeze({
  map_update: mapUpdate,
  map_delete: mapDelete,
  advance_ns: advance,
});
