/**
 * What a scenario leaves behind, as user space reads it: map contents
 * (per-CPU maps per CPU and summed, as the seed's user space sums them),
 * in JSON-safe form. `bpflab sim` prints these; the grader checks them.
 */
import type { BpfObjectMap, TypedValue } from '@bpflab/kernel';

/** A JSON value (bigints already turned into numbers or decimal strings). */
export type SimJson = null | boolean | number | string | readonly SimJson[] | { readonly [key: string]: SimJson };

/** One map element at the end of a run. */
export interface SimMapEntry {
  readonly key: SimJson;
  /** the value (not per-CPU maps) */
  readonly value?: SimJson;
  /** per-CPU maps: one value per CPU */
  readonly values?: readonly SimJson[];
  /** per-CPU maps of integers: the values summed over CPUs, as the seed's syscount does in user space */
  readonly total?: SimJson;
}

/** One map at the end of a run. */
export interface SimMapDump {
  readonly name: string;
  /** `BPF_MAP_TYPE_*` short name */
  readonly type: string;
  readonly percpu: boolean;
  readonly entries: readonly SimMapEntry[];
  /** why the entries are not listed (a ring buffer...) */
  readonly note?: string;
}

/** Map kinds whose elements user space lists by key. */
const LISTABLE = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'devmap', 'devmap_hash']);
const PERCPU = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash']);

/** A typed value as JSON: bigints that fit become numbers, others decimal strings; bytes become hex. */
export function toJson(v: TypedValue | undefined): SimJson {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (Array.isArray(v)) return (v as readonly TypedValue[]).map((x) => toJson(x));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x as TypedValue)]));
  return v as SimJson;
}

export function showJson(v: SimJson): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

function isZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** One element as user space reads it: per-CPU values listed and summed. */
function entryOf(m: BpfObjectMap, keyBytes: Uint8Array, value: Uint8Array, cpus: number): SimMapEntry {
  const key = toJson(m.keyCodec().decode(keyBytes));
  const valueCodec = m.valueCodec();
  if (!PERCPU.has(m.info.kind)) return { key, value: toJson(valueCodec.decode(value)) };
  const stride = m.perCpuStride;
  const size = m.info.valueSize;
  const values = Array.from({ length: cpus }, (_, c) => valueCodec.decode(value.slice(c * stride, c * stride + size)));
  const ints = values.every((x) => typeof x === 'number' || typeof x === 'bigint');
  return {
    key,
    values: values.map((x) => toJson(x)),
    ...(ints ? { total: toJson(values.reduce<bigint>((a, x) => a + BigInt(x as number | bigint), 0n)) } : {}),
  };
}

/** The elements of a map as user space reads them (arrays: only non-zero elements). */
export function dumpMap(m: BpfObjectMap, cpus: number): SimMapDump {
  const kind = m.info.kind;
  const base = { name: m.name, type: m.type, percpu: PERCPU.has(kind) };
  if (!LISTABLE.has(kind)) return { ...base, entries: [], note: `a ${kind} map: its elements are not listed by key` };
  const entries: SimMapEntry[] = [];
  const isArray = kind === 'array' || kind === 'percpu_array';
  let k = m.getNextKey(null);
  while (k.ok) {
    const raw = m.lookupElem(k.value);
    if (raw.ok && !(isArray && isZero(raw.value))) entries.push(entryOf(m, k.value, raw.value, cpus));
    k = m.getNextKey(k.value);
  }
  return { ...base, entries };
}

/**
 * One element looked up by key (as `bpf_map_lookup_elem` from user space):
 * an array's all-zero elements too, which {@link dumpMap} leaves out.
 * Undefined when there is no such element or the key does not fit the map's key type.
 */
export function lookupMapEntry(m: BpfObjectMap, key: unknown, cpus: number): SimMapEntry | undefined {
  let keyBytes: Uint8Array;
  try {
    keyBytes = m.keyCodec().encode(key as TypedValue);
  } catch {
    return undefined;
  }
  const raw = m.lookupElem(keyBytes);
  return raw.ok ? entryOf(m, keyBytes, raw.value, cpus) : undefined;
}
