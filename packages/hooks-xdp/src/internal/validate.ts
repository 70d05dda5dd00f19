/** Checking untyped input (YAML, JSON) field by field, with errors that name the field (internal). */
import { XdpError, type XdpErrorCode } from '../errors';

/** A field path and the error code its problems get. */
export interface Where {
  readonly path: string;
  readonly code: XdpErrorCode;
}

/** `where` one level down. */
export function at(where: Where, key: string | number): Where {
  const path = typeof key === 'number' ? `${where.path}[${key}]` : where.path === '' ? key : `${where.path}.${key}`;
  return { path, code: where.code };
}

/** Throws the error of a field. */
export function fail(where: Where, message: string): never {
  const label = where.path === '' ? '' : `${where.path}: `;
  throw new XdpError(where.code, `${label}${message}`, { field: where.path });
}

/** A short rendering of a value for messages. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A plain object whose keys are all in `allowed`. */
export function record(v: unknown, where: Where, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    fail(where, `expected an object with fields ${allowed.join(', ')}, got ${show(v)}`);
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(at(where, k), `unknown field (expected one of ${allowed.join(', ')})`);
  }
  return o;
}

/** An integer in [min, max]; numeric strings (`'0x0800'`, `'53'`) are accepted. */
export function integer(v: unknown, where: Where, min: number, max: number): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v.trim())) n = Number(v.trim());
  if (n === undefined || !Number.isInteger(n)) fail(where, `expected an integer, got ${show(v)}`);
  if (n < min || n > max) fail(where, `${n} is out of range (${min}-${max})`);
  return n;
}

/** A string. */
export function text(v: unknown, where: Where): string {
  if (typeof v !== 'string') fail(where, `expected a string, got ${show(v)}`);
  return v;
}

/** A boolean. */
export function bool(v: unknown, where: Where): boolean {
  if (typeof v !== 'boolean') fail(where, `expected true or false, got ${show(v)}`);
  return v;
}

/** A number given directly or by a name of `names`. */
export function named(v: unknown, where: Where, names: Readonly<Record<string, number>>, max: number): number {
  if (typeof v === 'string' && Object.hasOwn(names, v.trim().toLowerCase())) return names[v.trim().toLowerCase()]!;
  if (typeof v === 'string' && !/^(0x[0-9a-f]+|\d+)$/i.test(v.trim())) {
    fail(where, `unknown name ${show(v)} (known: ${Object.keys(names).join(', ')}; or a number)`);
  }
  return integer(v, where, 0, max);
}
