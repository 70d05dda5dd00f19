/**
 * Comparing what a lab expects with what happened: subset matching of
 * JSON-like values, with every difference located and printable.
 *
 * ```ts
 * subsetDifferences({ action: 'XDP_DROP' }, observation, 'steps[1] (packet)');
 * // [{ where: 'steps[1] (packet) action', expected: '"XDP_DROP"', actual: '"XDP_PASS"' }]
 * ```
 */
import type { Difference } from './types';

/** A string with unprintable characters escaped (`\n`, `\t`, `\xNN`, `\u{NNNN}`), for one-line reports. */
export function escapeText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0xfffd || (c >= 0xd800 && c < 0xe000)) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out;
}

/** A value as printable text: JSON with unprintable characters escaped, long values cut. */
export function showValue(v: unknown, max = 200): string {
  let s: string;
  if (v === undefined) s = '(nothing)';
  else if (typeof v === 'string') s = `"${escapeText(v)}"`;
  else {
    const j = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    s = j === undefined ? String(v) : escapeText(j);
  }
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** Equal scalars: numbers compare with decimal strings of big integers (`18446744073709551615`), booleans with 0/1. */
function scalarEqual(e: unknown, a: unknown): boolean {
  if (e === a) return true;
  const asInt = (x: unknown): bigint | undefined => {
    if (typeof x === 'number' && Number.isInteger(x)) return BigInt(x);
    if (typeof x === 'string' && INTEGER.test(x)) return BigInt(x);
    if (typeof x === 'bigint') return x;
    if (typeof x === 'boolean') return x ? 1n : 0n;
    return undefined;
  };
  if (typeof e === 'string' && typeof a === 'string') return false;
  const ei = asInt(e);
  const ai = asInt(a);
  return ei !== undefined && ai !== undefined && ei === ai;
}

function join(where: string, key: string | number): string {
  if (typeof key === 'number') return `${where}[${key}]`;
  return where === '' ? key : `${where} ${key}`;
}

/**
 * Where `actual` differs from `expected`, read as a subset: every key of an
 * expected mapping must be present and match (recursively); arrays must have
 * the same length and match element by element; scalars must be equal
 * (integers also as decimal strings).
 */
export function subsetDifferences(expected: unknown, actual: unknown, where: string): Difference[] {
  if (isRecord(expected)) {
    if (!isRecord(actual)) return [{ where, expected: showValue(expected), actual: showValue(actual) }];
    const out: Difference[] = [];
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in actual)) out.push({ where: join(where, k), expected: showValue(v), actual: '(no such field)' });
      else out.push(...subsetDifferences(v, actual[k], join(where, k)));
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ where, expected: showValue(expected), actual: showValue(actual) }];
    if (expected.length !== actual.length) {
      return [{ where, expected: `${expected.length} item${expected.length === 1 ? '' : 's'}: ${showValue(expected)}`, actual: `${actual.length} item${actual.length === 1 ? '' : 's'}: ${showValue(actual)}` }];
    }
    return expected.flatMap((e, i) => subsetDifferences(e, actual[i], join(where, i)));
  }
  return scalarEqual(expected, actual) ? [] : [{ where, expected: showValue(expected), actual: showValue(actual) }];
}

/** True when `actual` contains `expected` (see {@link subsetDifferences}). */
export function matchesSubset(expected: unknown, actual: unknown): boolean {
  return subsetDifferences(expected, actual, '').length === 0;
}
