/**
 * YAML files checked against a JSON Schema, with every problem located:
 * `file:line:column: where: what`. Scenario files (`bpflab sim`) and lab
 * files (`lab.yaml`) are read through here.
 *
 * ```ts
 * const src = parseYamlSource('lab.yaml', text);       // YamlError on a syntax error
 * const problems = schemaProblems(src, schema);         // ajv, in words
 * if (problems.length > 0) throw new YamlError(src.file, problems);
 * ```
 */
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { SourcePos } from './types';

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

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
    }
  }
  return rows[a.length]![b.length]!;
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const dd = editDistance(word, o);
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
export class Locator {
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

export interface Problem {
  readonly pos: SourcePos | undefined;
  readonly message: string;
}

/** The ajv errors worth showing: the most specific ones, one per place, in words. */
export function describeErrors(errors: readonly ErrorObject[], at: Locator, skip: ReadonlySet<string>): Problem[] {
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
      case 'type': {
        const t = (e.params as { type: string | string[] }).type;
        what = `${showValue(at.valueAt(path))} is not ${(Array.isArray(t) ? t : String(t).split(',')).map(typeWords).join(' or ')}`;
        break;
      }
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


/** A JSON Schema type as a YAML author says it. */
function typeWords(t: string): string {
  const words: Record<string, string> = {
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    null: 'null',
  };
  return words[t] ?? t;
}

/** The most problems one error report lists. */
const MAX_PROBLEMS = 8;

/** A YAML file that is not what it should be: every problem, located. */
export class YamlError extends Error {
  override readonly name = 'YamlError';
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    const lines = problems.slice(0, MAX_PROBLEMS).map((p) => `${formatPos(file, p.pos)}: ${p.message}`);
    if (problems.length > MAX_PROBLEMS) lines.push(`... and ${problems.length - MAX_PROBLEMS} more`);
    super(lines.join('\n'));
  }
}

/** A parsed YAML file: its data and where each part of it is. */
export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  readonly at: Locator;
}

/**
 * Parses YAML (JSON is YAML).
 *
 * @throws {@link YamlError} on a syntax error, located
 */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new YamlError(
      file,
      doc.errors.map((e) => {
        const p = e.linePos?.[0];
        return { pos: p === undefined ? undefined : { line: p.line, column: p.col }, message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') };
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  return { file, data, at: new Locator(doc, lines, data) };
}

const compiled = new WeakMap<object, ReturnType<Ajv['compile']>>();

/** The problems of `src` against `schema` (draft-07), in words, sorted by position; `skip`: JSON Pointers already reported. */
export function schemaProblems(src: YamlSource, schema: object, skip: ReadonlySet<string> = new Set()): Problem[] {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
    compiled.set(schema, validate);
  }
  return validate(src.data) ? [] : sortProblems(describeErrors(validate.errors ?? [], src.at, skip));
}

/** Problems in file order. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.column ?? 0) - (b.pos?.column ?? 0));
}
