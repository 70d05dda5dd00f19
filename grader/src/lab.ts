/**
 * Lab files: `lab.yaml` read, checked against the lab schema (the grader's
 * keys plus the hook plugins' step schemas) with ajv, and turned into a
 * {@link Lab}. Every problem is reported at its file:line:column.
 *
 * ```ts
 * const lab = loadLab('labs/xdp-firewall');          // the folder or its lab.yaml
 * lab.scenarios.map((s) => s.name);
 * ```
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { KernelError, type HookRegistry, type JsonSchema } from '@bpflab/kernel';
import { shippedHookRegistry } from './shipped-hooks';
import { DEFAULT_LIMITS, type Expectation, type Lab, type LabStep, type Scenario, type SourcePos, type Visibility } from './types';
import { editDistance, parseYamlSource, schemaProblems, sortProblems, YamlError, type Problem, type YamlSource } from './yaml-source';

/** A lab that cannot be read: its file and every problem, located (`message` lists them). */
export class LabError extends Error {
  override readonly name = 'LabError';
  constructor(
    readonly file: string,
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
  }
}

const VISIBILITY = ['visible', 'hidden', 'after_due_date', 'after_published'];
const HINT = { type: 'string', minLength: 1, description: 'shown to the student when this check fails' };

/** The keys each kind of end check takes (its kind key first). */
const CHECK_KEYS: Readonly<Record<string, readonly string[]>> = {
  verifier: ['verifier', 'program', 'message', 'hint'],
  trace: ['trace', 'hint'],
  trace_match: ['trace_match', 'hint'],
  trace_contains: ['trace_contains', 'count', 'hint'],
  map: ['map', 'key', 'value', 'total', 'absent', 'entries', 'hint'],
  summary: ['summary', 'data', 'hint'],
  budget: ['budget', 'hint'],
};
const CHECK_KINDS = Object.keys(CHECK_KEYS);

const EXPECTATION: JsonSchema = {
  type: 'object',
  description: 'one end-of-scenario check: verifier, trace, trace_match, trace_contains, map, summary or budget',
  anyOf: CHECK_KINDS.map((k) => ({ required: [k] })),
  properties: {
    verifier: { enum: ['accept', 'reject'] },
    program: { type: 'string', minLength: 1 },
    message: { type: 'string', minLength: 1, description: 'with verifier: reject, a regular expression the error must match' },
    trace: { type: 'array', items: { type: 'string' } },
    trace_match: { type: 'array', items: { type: 'string' } },
    trace_contains: { type: 'string', minLength: 1 },
    count: { type: 'integer', minimum: 0 },
    map: { type: 'string', minLength: 1 },
    key: {},
    value: {},
    total: {},
    absent: { const: true },
    entries: {
      type: 'array',
      items: { type: 'object', properties: { key: {}, value: {}, total: {} }, required: ['key'], additionalProperties: false },
    },
    summary: { type: 'string', minLength: 1 },
    data: {},
    budget: {
      type: 'object',
      properties: { insns_per_event: { type: 'integer', minimum: 1 }, program_insns: { type: 'integer', minimum: 1 } },
      minProperties: 1,
      additionalProperties: false,
    },
    hint: HINT,
  },
  additionalProperties: false,
};

const ATTACH: JsonSchema = {
  type: 'object',
  description: 'attach targets by program name or by section (`xdp: eth0` attaches every SEC("xdp") program to eth0), for programs whose SEC() names none',
  additionalProperties: { type: 'string', minLength: 1 },
};

/** JSON Schema (draft-07) of `lab.yaml` with the steps of `registry`'s plugins. */
export function labSchema(registry: HookRegistry = shippedHookRegistry()): JsonSchema {
  const { definitions } = registry.stepSchema() as { definitions: Record<string, JsonSchema> };
  definitions.expectation = EXPECTATION;
  definitions.scenario = {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      points: { type: 'number', minimum: 0 },
      hidden: { type: 'boolean' },
      visibility: { enum: VISIBILITY },
      depends_on: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }] },
      cpus: { type: 'integer', minimum: 1, maximum: 64 },
      attach: ATTACH,
      hint: HINT,
      setup: { type: 'array', items: { $ref: '#/definitions/step' } },
      steps: { type: 'array', items: { $ref: '#/definitions/step' } },
      expect: { type: 'array', items: { $ref: '#/definitions/expectation' } },
    },
    required: ['name', 'points'],
    additionalProperties: false,
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'bpflab lab',
    type: 'object',
    definitions,
    properties: {
      id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
      title: { type: 'string', minLength: 1 },
      hook: { enum: registry.plugins().map((p) => p.name) },
      submission: { type: 'string', pattern: '^[^/\\\\]+\\.(c|o)$', description: 'the file name students hand in: C source (.c) or an object (.o)' },
      starter: { type: 'string', minLength: 1 },
      starter_score: { type: 'number', minimum: 0 },
      solution: { type: 'string', minLength: 1 },
      variants: {
        type: 'array',
        items: {
          type: 'object',
          properties: { file: { type: 'string', minLength: 1 }, score: { type: 'number', minimum: 0 }, why: { type: 'string', minLength: 1 } },
          required: ['file', 'score', 'why'],
          additionalProperties: false,
        },
      },
      privileged: { type: 'boolean' },
      cpus: { type: 'integer', minimum: 1, maximum: 64 },
      limits: {
        type: 'object',
        properties: {
          insns_per_event: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
          timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600 },
          memory_mb: { type: 'integer', minimum: 32, maximum: 65536 },
        },
        additionalProperties: false,
      },
      attach: ATTACH,
      visibility: { enum: VISIBILITY },
      scenarios: { type: 'array', minItems: 1, items: { $ref: '#/definitions/scenario' } },
    },
    required: ['id', 'title', 'hook', 'submission', 'starter', 'solution', 'scenarios'],
    additionalProperties: false,
  };
}

interface RawStep extends Record<string, unknown> {
  expect?: unknown;
  hint?: string;
}
interface RawScenario {
  name: string;
  points: number;
  hidden?: boolean;
  visibility?: Visibility;
  depends_on?: string | string[];
  cpus?: number;
  attach?: Record<string, string>;
  hint?: string;
  setup?: RawStep[];
  steps?: RawStep[];
  expect?: Record<string, unknown>[];
}
interface RawLab {
  id: string;
  title: string;
  hook: string;
  submission: string;
  starter: string;
  starter_score?: number;
  solution: string;
  variants?: { file: string; score: number; why: string }[];
  privileged?: boolean;
  cpus?: number;
  limits?: { insns_per_event?: number; timeout_seconds?: number; memory_mb?: number };
  attach?: Record<string, string>;
  visibility?: Visibility;
  scenarios: RawScenario[];
}

/** The step kinds of every step list (a step naming no kind, or two, is a problem here, not a wall of schema errors). */
function stepKindProblems(src: YamlSource, registry: HookRegistry, skip: Set<string>): { problems: Problem[]; kinds: Map<string, string> } {
  const problems: Problem[] = [];
  const kinds = new Map<string, string>();
  const scenarios = (src.data as { scenarios?: unknown }).scenarios;
  if (!Array.isArray(scenarios)) return { problems, kinds };
  const { definitions } = registry.stepSchema() as { definitions: Record<string, JsonSchema> };
  scenarios.forEach((sc, i) => {
    if (sc === null || typeof sc !== 'object') return;
    for (const list of ['setup', 'steps'] as const) {
      const steps = (sc as Record<string, unknown>)[list];
      if (!Array.isArray(steps)) continue;
      steps.forEach((s, j) => {
        if (s === null || typeof s !== 'object' || Array.isArray(s)) return;
        const { expect: _e, hint: _h, ...step } = s as RawStep;
        try {
          const kind = registry.stepKindOf(step);
          kinds.set(`${i}/${list}/${j}`, kind);
          // a misspelt `expect` or `hint` would otherwise be an unknown key of the plugin's step, with no word of the lab's keys
          const known = Object.keys((definitions[`step_${kind}`]?.properties as object | undefined) ?? {});
          for (const key of Object.keys(step)) {
            if (known.includes(key)) continue;
            const guess = ['expect', 'hint'].find((k) => editDistance(key, k) <= 2);
            if (guess === undefined) continue;
            problems.push({ pos: src.at.key(['scenarios', i, list, j], key), message: `scenarios[${i}].${list}[${j}]: unknown key '${key}' (did you mean '${guess}'?); a ${kind} step takes ${[...known, 'expect', 'hint'].join(', ')}` });
            skip.add(`/scenarios/${i}/${list}/${j}`);
          }
        } catch (e) {
          if (!(e instanceof KernelError)) throw e;
          problems.push({ pos: src.at.value(['scenarios', i, list, j]), message: `scenarios[${i}].${list}[${j}]: ${e.message}` });
          skip.add(`/scenarios/${i}/${list}/${j}`);
        }
      });
    }
  });
  return { problems, kinds };
}

/** The lab's data with `expect` and `hint` taken out of every step. */
function withoutStepKeys(data: unknown): unknown {
  const scenarios = (data as { scenarios?: unknown }).scenarios;
  if (!Array.isArray(scenarios)) return data;
  return {
    ...(data as object),
    scenarios: scenarios.map((sc: unknown) => {
      if (sc === null || typeof sc !== 'object' || Array.isArray(sc)) return sc;
      const out: Record<string, unknown> = { ...(sc as Record<string, unknown>) };
      for (const list of ['setup', 'steps']) {
        const steps = out[list];
        if (!Array.isArray(steps)) continue;
        out[list] = steps.map((st: unknown) => {
          if (st === null || typeof st !== 'object' || Array.isArray(st)) return st;
          const { expect: _e, hint: _h, ...rest } = st as Record<string, unknown>;
          return rest;
        });
      }
      return out;
    }),
  };
}

/** Step hints must be text; `expect` belongs to checked steps only. */
function stepHintProblems(src: YamlSource): Problem[] {
  const out: Problem[] = [];
  const scenarios = (src.data as { scenarios?: unknown }).scenarios;
  if (!Array.isArray(scenarios)) return out;
  scenarios.forEach((sc: unknown, i) => {
    if (sc === null || typeof sc !== 'object') return;
    for (const list of ['setup', 'steps']) {
      const steps = (sc as Record<string, unknown>)[list];
      if (!Array.isArray(steps)) continue;
      steps.forEach((st: unknown, j) => {
        if (st === null || typeof st !== 'object') return;
        const step = st as Record<string, unknown>;
        if ('hint' in step && (typeof step.hint !== 'string' || step.hint === '')) {
          out.push({ pos: src.at.value(['scenarios', i, list, j, 'hint']), message: `scenarios[${i}].${list}[${j}].hint: a hint is text shown to the student` });
        }
        if (list === 'setup' && 'expect' in step) {
          out.push({ pos: src.at.key(['scenarios', i, list, j], 'expect'), message: `scenarios[${i}].setup[${j}]: setup steps are not checked; move the step to steps: to check what it observes` });
        }
      });
    }
  });
  return out;
}

/** The lab file of a path: the folder's `lab.yaml`, or the file itself. */
export function labFilePath(path: string, cwd = process.cwd()): string {
  const full = resolve(cwd, path);
  let isDir = false;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    throw new LabError(path, `${path}: no such lab (expected a lab folder holding lab.yaml, or a lab.yaml file)`);
  }
  if (!isDir) return full;
  const file = join(full, 'lab.yaml');
  if (!existsSync(file)) throw new LabError(path, `${path}: not a lab folder: it has no lab.yaml`);
  return file;
}

/**
 * Reads and checks a lab.
 *
 * @param path the lab folder or its lab.yaml
 * @throws {@link LabError} listing every problem at its file:line:column
 */
export function loadLab(path: string, options: { readonly cwd?: string; readonly registry?: HookRegistry } = {}): Lab {
  const file = labFilePath(path, options.cwd);
  const shown = path.endsWith('.yaml') || path.endsWith('.yml') || path.endsWith('.json') ? path : join(path, basename(file));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LabError(shown, `${shown}: cannot read: ${(e as Error).message}`);
  }
  const registry = options.registry ?? shippedHookRegistry();
  let src: YamlSource;
  try {
    src = parseYamlSource(shown, text);
  } catch (e) {
    if (e instanceof YamlError) throw new LabError(shown, e.message, e.problems);
    throw e;
  }
  const fail = (problems: Problem[]): never => {
    const err = new YamlError(shown, sortProblems(problems));
    throw new LabError(shown, err.message, err.problems);
  };
  if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data)) {
    fail([{ pos: src.at.value([]), message: 'a lab file is a mapping with id, title, hook, submission, starter, solution and scenarios' }]);
  }
  const skip = new Set<string>();
  const { problems, kinds } = stepKindProblems(src, registry, skip);
  // a step's own keys (`expect`, `hint`) are the lab's: the plugins' step schemas check the rest
  problems.push(...schemaProblems({ ...src, data: withoutStepKeys(src.data) }, labSchema(registry), skip));
  problems.push(...stepHintProblems(src));
  if (problems.length > 0) fail(problems);
  const raw = src.data as RawLab;
  const dir = dirname(file);
  problems.push(...semanticProblems(raw, src, dir));
  if (problems.length > 0) fail(problems);
  return toLab(raw, src, dir, file, kinds);
}

/** What the schema cannot say: unique names, known dependencies without cycles, files that exist, scores in range. */
function semanticProblems(raw: RawLab, src: YamlSource, dir: string): Problem[] {
  const out: Problem[] = [];
  const folder = basename(dir);
  if (raw.id !== folder && basename(dirname(dir)) === 'labs') {
    out.push({ pos: src.at.value(['id']), message: `id: '${raw.id}' differs from the lab's folder name '${folder}'` });
  }
  const names = new Map<string, number>();
  raw.scenarios.forEach((s, i) => {
    if (names.has(s.name)) out.push({ pos: src.at.value(['scenarios', i, 'name']), message: `scenarios[${i}].name: '${s.name}' is already the name of scenarios[${names.get(s.name)}]` });
    else names.set(s.name, i);
  });
  raw.scenarios.forEach((s, i) => {
    for (const d of deps(s)) {
      if (!names.has(d)) out.push({ pos: src.at.value(['scenarios', i, 'depends_on']), message: `scenarios[${i}].depends_on: no scenario is named '${d}' (scenarios: ${[...names.keys()].join(', ')})` });
      else if (d === s.name) out.push({ pos: src.at.value(['scenarios', i, 'depends_on']), message: `scenarios[${i}].depends_on: a scenario cannot depend on itself` });
    }
    (s.expect ?? []).forEach((e, j) => {
      const kinds = CHECK_KINDS.filter((k) => k in e);
      const where = `scenarios[${i}].expect[${j}]`;
      const pos = src.at.value(['scenarios', i, 'expect', j]);
      if (kinds.length > 1) out.push({ pos, message: `${where}: one check per item; this one has ${kinds.join(' and ')}` });
      const k = kinds[0];
      if (k !== undefined && kinds.length === 1) {
        for (const key of Object.keys(e)) {
          if (!CHECK_KEYS[k]!.includes(key)) out.push({ pos: src.at.key(['scenarios', i, 'expect', j], key), message: `${where}: '${key}' does not go with a ${k} check (it takes ${CHECK_KEYS[k]!.join(', ')})` });
        }
      }
      if (k === 'verifier' && e.message !== undefined && e.verifier !== 'reject') out.push({ pos, message: `${where}: 'message' goes with 'verifier: reject'` });
      if (k === 'map') {
        const forms = ['value', 'total', 'absent', 'entries'].filter((f) => f in e);
        if (forms.length !== 1) out.push({ pos, message: `${where}: a map check has exactly one of value, total, absent or entries (it has ${forms.join(', ') || 'none'})` });
        else if (forms[0] === 'entries' ? 'key' in e : !('key' in e)) out.push({ pos, message: `${where}: ${forms[0] === 'entries' ? "'entries' lists whole elements: drop 'key'" : `'${forms[0]}' needs the element's 'key'`}` });
      }
      if (k === 'summary' && !('data' in e)) out.push({ pos, message: `${where}: a summary check needs 'data' (a subset of the plugin's summary data)` });
      for (const re of [...(k === 'trace_match' ? (e.trace_match as string[]) : []), ...(k === 'verifier' && typeof e.message === 'string' ? [e.message] : [])]) {
        try {
          new RegExp(re);
        } catch (err) {
          out.push({ pos, message: `${where}: bad regular expression ${JSON.stringify(re)}: ${(err as Error).message}` });
        }
      }
    });
  });
  const cycle = dependencyCycle(raw.scenarios);
  if (cycle !== undefined) out.push({ pos: src.at.value(['scenarios']), message: `scenarios depend on each other in a cycle: ${cycle.join(' -> ')}` });
  const files: [string, (string | number)[]][] = [
    [raw.starter, ['starter']],
    [raw.solution, ['solution']],
    ...(raw.variants ?? []).map((v, i): [string, (string | number)[]] => [v.file, ['variants', i, 'file']]),
  ];
  for (const [f, path] of files) {
    if (!existsSync(resolve(dir, f))) out.push({ pos: src.at.value(path), message: `${path.join('.').replace(/\.(\d+)\./, '[$1].')}: no such file ${f} in the lab folder` });
  }
  const max = raw.scenarios.reduce((a, s) => a + s.points, 0);
  if (raw.starter_score !== undefined && raw.starter_score > max) out.push({ pos: src.at.value(['starter_score']), message: `starter_score: ${raw.starter_score} is more than the lab's ${max} points` });
  (raw.variants ?? []).forEach((v, i) => {
    if (v.score > max) out.push({ pos: src.at.value(['variants', i, 'score']), message: `variants[${i}].score: ${v.score} is more than the lab's ${max} points` });
  });
  return out;
}

function deps(s: RawScenario): string[] {
  return s.depends_on === undefined ? [] : typeof s.depends_on === 'string' ? [s.depends_on] : s.depends_on;
}

function dependencyCycle(scenarios: readonly RawScenario[]): string[] | undefined {
  const by = new Map(scenarios.map((s) => [s.name, s]));
  const state = new Map<string, 'open' | 'done'>();
  const walk = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    for (const d of deps(by.get(name) ?? { name, points: 0 })) {
      if (!by.has(d) || d === name) continue;
      const c = walk(d, [...path, name]);
      if (c !== undefined) return c;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const s of scenarios) {
    const c = walk(s.name, []);
    if (c !== undefined) return c;
  }
  return undefined;
}

function toSteps(raw: readonly RawStep[] | undefined, src: YamlSource, i: number, list: 'setup' | 'steps', kinds: Map<string, string>): LabStep[] {
  return (raw ?? []).map((s, j) => {
    const { expect, hint, ...step } = s;
    return {
      step,
      kind: kinds.get(`${i}/${list}/${j}`) ?? '?',
      ...(expect === undefined ? {} : { expect }),
      ...(hint === undefined ? {} : { hint }),
      pos: src.at.value(['scenarios', i, list, j])!,
    };
  });
}

function toExpectation(e: Record<string, unknown>, pos: SourcePos): Expectation {
  const hint = typeof e.hint === 'string' ? { hint: e.hint } : {};
  if ('verifier' in e) {
    return {
      kind: 'verifier',
      verdict: e.verifier as 'accept' | 'reject',
      ...(typeof e.program === 'string' ? { program: e.program } : {}),
      ...(typeof e.message === 'string' ? { message: e.message } : {}),
      ...hint,
      pos,
    };
  }
  if ('trace' in e) return { kind: 'trace', lines: e.trace as string[], ...hint, pos };
  if ('trace_match' in e) return { kind: 'trace', match: e.trace_match as string[], ...hint, pos };
  if ('trace_contains' in e) return { kind: 'trace', contains: e.trace_contains as string, ...(typeof e.count === 'number' ? { count: e.count } : {}), ...hint, pos };
  if ('map' in e) {
    const { map, hint: _h, ...rest } = e;
    return { kind: 'map', map: map as string, ...rest, ...hint, pos } as Expectation;
  }
  if ('summary' in e) return { kind: 'summary', hook: e.summary as string, data: e.data, ...hint, pos };
  const b = e.budget as { insns_per_event?: number; program_insns?: number };
  return {
    kind: 'budget',
    ...(b.insns_per_event === undefined ? {} : { insnsPerEvent: b.insns_per_event }),
    ...(b.program_insns === undefined ? {} : { programInsns: b.program_insns }),
    ...hint,
    pos,
  };
}

function toLab(raw: RawLab, src: YamlSource, dir: string, file: string, kinds: Map<string, string>): Lab {
  const scenarios: Scenario[] = raw.scenarios.map((s, i) => {
    const setup = toSteps(s.setup, src, i, 'setup', kinds);
    const steps = toSteps(s.steps, src, i, 'steps', kinds);
    const expect = (s.expect ?? []).map((e, j) => toExpectation(e, src.at.value(['scenarios', i, 'expect', j])!));
    const hidden = s.hidden ?? false;
    return {
      name: s.name,
      points: s.points,
      hidden,
      visibility: s.visibility ?? (hidden ? (raw.visibility ?? 'after_published') : 'visible'),
      dependsOn: deps(s),
      cpus: s.cpus ?? raw.cpus ?? 2,
      attach: { ...(raw.attach ?? {}), ...(s.attach ?? {}) },
      setup,
      steps,
      expect,
      ...(s.hint === undefined ? {} : { hint: s.hint }),
      needsLoad: setup.length + steps.length > 0 || expect.some((e) => e.kind !== 'verifier'),
      pos: src.at.value(['scenarios', i])!,
    };
  });
  return {
    id: raw.id,
    title: raw.title,
    dir,
    file,
    hook: raw.hook,
    submission: raw.submission,
    starter: raw.starter,
    ...(raw.starter_score === undefined ? {} : { starterScore: raw.starter_score }),
    solution: raw.solution,
    variants: (raw.variants ?? []).map((v) => ({ file: v.file, score: v.score, why: v.why })),
    privileged: raw.privileged ?? true,
    limits: {
      insnsPerEvent: raw.limits?.insns_per_event ?? DEFAULT_LIMITS.insnsPerEvent,
      timeoutSeconds: raw.limits?.timeout_seconds ?? DEFAULT_LIMITS.timeoutSeconds,
      memoryMb: raw.limits?.memory_mb ?? DEFAULT_LIMITS.memoryMb,
    },
    scenarios,
    maxScore: scenarios.reduce((a, s) => a + s.points, 0),
  };
}
