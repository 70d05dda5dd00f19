/**
 * Scenario files as `bpflab sim` reads them: YAML (or JSON, which is YAML)
 * checked against the hook registry's combined JSON Schema with ajv, every
 * problem reported as `file:line:column: where: what`.
 *
 * ```yaml
 * cpus: 2                                   # CPUs of the simulated machine (default 2)
 * attach:                                   # targets of programs whose SEC() names none
 *   handle_tracepoint: raw_syscalls/sys_enter
 * steps:
 *   - syscall: execve
 *     task: { pid: 4242, comm: bash }
 *   - map_update: { map: compromised_users, key: 1001, value: true }
 * ```
 */
import { extname } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { AttachRequest, HookRegistry } from '@bpflab/kernel';
import { KernelError } from '@bpflab/kernel';
import { CliError } from './errors';
import { readInput } from './input';

/** A place in a source file, 1-based. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

/** A scenario file, read and checked. */
export interface ScenarioFile {
  /** the file as the user named it */
  readonly file: string;
  /** `cpus`, when the file sets it */
  readonly cpus: number | undefined;
  /** attach requests by program name */
  readonly attach: Readonly<Record<string, AttachRequest>>;
  readonly steps: readonly Readonly<Record<string, unknown>>[];
  /** where each step starts */
  readonly stepPositions: readonly SourcePos[];
  /** each step's kind */
  readonly stepKinds: readonly string[];
}

/** The most problems one error report lists. */
const MAX_PROBLEMS = 8;

/** `file:line:column` of a position. */
export function formatPos(file: string, pos: SourcePos | undefined): string {
  return pos === undefined ? file : `${file}:${pos.line}:${pos.column}`;
}

/** A JSON Pointer (`/steps/0/args`) as a path of keys and indices. */
function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** A path in words: `steps[0].args[1]`. */
function pathWords(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? 'the file' : out;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const dd = distance(word, o);
    if (dd < bestD) {
      bestD = dd;
      best = o;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function listOf(options: readonly unknown[]): string {
  const shown = options.slice(0, 8).map((o) => (typeof o === 'string' ? o : JSON.stringify(o)));
  return options.length > 8 ? `${shown.join(', ')}, ... (${options.length - 8} more)` : shown.join(', ');
}

function showValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Positions and values of a parsed document, by path. */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly data: unknown,
  ) {}

  /** The value at `path`, as read. */
  valueAt(path: readonly (string | number)[]): unknown {
    let v: unknown = this.data;
    for (const p of path) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[p];
    return v;
  }

  private pos(node: YamlNode | null | undefined): SourcePos | undefined {
    const at = node?.range?.[0];
    if (at === undefined) return undefined;
    const p = this.lines.linePos(at);
    return { line: p.line, column: p.col };
  }

  /** Where the value at `path` is (or its nearest existing parent). */
  value(path: readonly (string | number)[]): SourcePos | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
      const p = this.pos(node ?? (n === 0 ? (this.doc.contents as YamlNode | null) : undefined));
      if (p !== undefined) return p;
    }
    return { line: 1, column: 1 };
  }

  /** Where the key `key` of the mapping at `path` is. */
  key(path: readonly (string | number)[], key: string): SourcePos | undefined {
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (isMap(map)) {
      for (const item of map.items) {
        if (isPair(item) && isScalar(item.key) && String(item.key.value) === key) return this.pos(item.key as YamlNode);
      }
    }
    return this.value(path);
  }
}

interface Problem {
  readonly pos: SourcePos | undefined;
  readonly message: string;
}

/** The ajv errors worth showing: the most specific ones, one per place, in words. */
function describeErrors(errors: readonly ErrorObject[], at: Locator, skip: ReadonlySet<string>): Problem[] {
  // errors that only say an inner one failed
  const wrappers = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', '$ref', 'not', 'propertyNames']);
  const nameOf = (e: ErrorObject): string | undefined => (e as ErrorObject & { propertyName?: string }).propertyName;
  const place = (e: ErrorObject): string => `${e.instancePath}\0${nameOf(e) ?? ''}`;
  let list = errors.filter((e) => !wrappers.has(e.keyword) && ![...skip].some((s) => e.instancePath === s || e.instancePath.startsWith(`${s}/`)));
  // an alternative of another JSON type (an integer where a mapping was given) is not what the author meant
  list = list.filter((e) => !(e.keyword === 'type' && list.some((o) => o !== e && o.keyword !== 'type' && (place(o) === place(e) || o.instancePath.startsWith(`${e.instancePath}/`)))));
  // where a value is not one of a list, the other alternatives (a pattern, a number range) say less
  list = list.filter((e) => e.keyword === 'enum' || !list.some((o) => o.keyword === 'enum' && place(o) === place(e)));
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of list) {
    const path = pointerPath(e.instancePath);
    let pos = at.value(path);
    let where = pathWords(path);
    let what: string;
    const prop = nameOf(e);
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
        const guess = closest(key, known);
        pos = at.key(path, key);
        what = `unknown key '${key}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}${known.length > 0 ? `; known keys: ${known.join(', ')}` : ''}`;
        break;
      }
      case 'required':
        what = `missing key '${(e.params as { missingProperty: string }).missingProperty}'`;
        break;
      case 'enum': {
        const allowed = (e.params as { allowedValues: readonly unknown[] }).allowedValues;
        const value = prop ?? at.valueAt(path);
        const guess = typeof value === 'string' ? closest(value, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
        what =
          guess === undefined
            ? `${showValue(value)} is not one of ${listOf(allowed)}`
            : `${showValue(value)} is not one of the ${allowed.length} known values; did you mean '${guess}'?`;
        break;
      }
      case 'type':
        what = `${showValue(at.valueAt(path))} is not ${String((e.params as { type: string | string[] }).type).replace(',', ' or ')}`;
        break;
      default:
        what = e.message ?? e.keyword;
    }
    if (prop !== undefined) {
      pos = at.key(path, prop);
      where = `${where} key '${prop}'`;
    }
    const line = `${where}: ${what}`;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push({ pos, message: line });
  }
  return out;
}

function fail(file: string, problems: readonly Problem[]): never {
  const lines = problems.slice(0, MAX_PROBLEMS).map((p) => `${formatPos(file, p.pos)}: ${p.message}`);
  if (problems.length > MAX_PROBLEMS) lines.push(`... and ${problems.length - MAX_PROBLEMS} more`);
  throw new CliError('bad-input', lines.join('\n'));
}

/**
 * Reads and checks a scenario file against `registry`'s scenario schema.
 *
 * @throws {@link CliError} `bad-input` listing every problem with its file:line:column
 */
export function readScenarioFile(file: string, cwd: string, registry: HookRegistry): ScenarioFile {
  const text = readInput(file, cwd).toString('utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    fail(
      file,
      doc.errors.map((e) => {
        const p = e.linePos?.[0];
        return { pos: p === undefined ? undefined : { line: p.line, column: p.col }, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') };
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  const at = new Locator(doc, lines, data);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const ext = extname(file).toLowerCase();
    fail(file, [{ pos: at.value([]), message: `a scenario is a mapping with steps (and optionally cpus, attach)${ext === '.json' ? ' (a JSON object)' : ''}` }]);
  }
  const problems: Problem[] = [];
  const skip = new Set<string>();
  const rawSteps = (data as { steps?: unknown }).steps;
  const kinds: string[] = [];
  if (Array.isArray(rawSteps)) {
    rawSteps.forEach((s, i) => {
      if (s === null || typeof s !== 'object' || Array.isArray(s)) return;
      try {
        kinds.push(registry.stepKindOf(s as Record<string, unknown>));
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        problems.push({ pos: at.value(['steps', i]), message: `steps[${i}]: ${e.message}` });
        skip.add(`/steps/${i}`);
      }
    });
  }
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const validate = ajv.compile(registry.scenarioSchema());
  if (!validate(data)) problems.push(...describeErrors(validate.errors ?? [], at, skip));
  if (problems.length > 0) {
    problems.sort((a, b) => (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.column ?? 0) - (b.pos?.column ?? 0));
    fail(file, problems);
  }
  const d = data as { cpus?: number; attach?: Record<string, string | { target: string; cookie?: number }>; steps: Record<string, unknown>[] };
  const attach: Record<string, AttachRequest> = {};
  for (const [prog, req] of Object.entries(d.attach ?? {})) {
    attach[prog] = typeof req === 'string' ? { target: req } : { target: req.target, ...(req.cookie === undefined ? {} : { cookie: BigInt(req.cookie) }) };
  }
  return {
    file,
    cpus: d.cpus,
    attach,
    steps: d.steps,
    stepPositions: d.steps.map((_s, i) => at.value(['steps', i])!),
    stepKinds: kinds,
  };
}
