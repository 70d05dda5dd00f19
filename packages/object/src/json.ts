/**
 * The stable JSON form of an `ObjectSpec`, for goldens and tools: object
 * keys sorted, bigints as `0x` hex strings, byte arrays as hex strings,
 * and the BTF summarised by its type count (dump it with `@bpflab/btf`).
 * The same spec always gives the same text.
 */
import type { ObjectSpec } from './spec';

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = plain(v);
    }
    return out;
  }
  return value;
}

/** The spec as a plain JSON value (sorted keys, hex bigints and bytes, BTF as `{ types: n }`). */
export function objectSpecToJson(spec: ObjectSpec): unknown {
  const { btf, ...rest } = spec;
  return plain({ ...rest, btf: btf === undefined ? undefined : { types: btf.types.length - 1 } });
}

/** `objectSpecToJson` as text: two-space indented, with a final newline. */
export function formatObjectJson(spec: ObjectSpec): string {
  return `${JSON.stringify(objectSpecToJson(spec), null, 2)}\n`;
}
