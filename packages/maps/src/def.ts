/**
 * Map definitions and their validation, as the kernel's `BPF_MAP_CREATE`
 * does it (`map_create` and each map type's `map_alloc_check`/`map_alloc`).
 */
import { ERRNO, flagNames, MAP_FLAG, MAP_FLAGS, MAP_TYPE, mapTypeName, mapTypeShortName } from '@bpflab/uapi';
import { MapError } from './errors';
import { fail, ok } from './internal/results';
import type { MapResult } from './result';

/** The map types bpflab models, by lowercase `BPF_MAP_TYPE_*` short name. */
export type MapKind =
  | 'hash'
  | 'array'
  | 'prog_array'
  | 'perf_event_array'
  | 'percpu_hash'
  | 'percpu_array'
  | 'lru_hash'
  | 'lru_percpu_hash'
  | 'lpm_trie'
  | 'array_of_maps'
  | 'hash_of_maps'
  | 'queue'
  | 'stack'
  | 'ringbuf'
  | 'devmap'
  | 'devmap_hash';

/** `BPF_MAP_TYPE_*` value of each modelled kind. */
export const MAP_KINDS: { readonly [K in MapKind]: number } = Object.freeze({
  hash: MAP_TYPE.HASH,
  array: MAP_TYPE.ARRAY,
  prog_array: MAP_TYPE.PROG_ARRAY,
  perf_event_array: MAP_TYPE.PERF_EVENT_ARRAY,
  percpu_hash: MAP_TYPE.PERCPU_HASH,
  percpu_array: MAP_TYPE.PERCPU_ARRAY,
  lru_hash: MAP_TYPE.LRU_HASH,
  lru_percpu_hash: MAP_TYPE.LRU_PERCPU_HASH,
  lpm_trie: MAP_TYPE.LPM_TRIE,
  array_of_maps: MAP_TYPE.ARRAY_OF_MAPS,
  hash_of_maps: MAP_TYPE.HASH_OF_MAPS,
  queue: MAP_TYPE.QUEUE,
  stack: MAP_TYPE.STACK,
  ringbuf: MAP_TYPE.RINGBUF,
  devmap: MAP_TYPE.DEVMAP,
  devmap_hash: MAP_TYPE.DEVMAP_HASH,
});

/** The kind of a `BPF_MAP_TYPE_*` value, if bpflab models it. */
export function mapKindOf(type: number): MapKind | undefined {
  for (const [kind, value] of Object.entries(MAP_KINDS) as [MapKind, number][]) if (value === type) return kind;
  return undefined;
}

/** What a live map is, as `bpf_map_info` reports it. */
export interface MapInfo {
  readonly id: number;
  readonly kind: MapKind;
  /** `BPF_MAP_TYPE_*` value */
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  /** effective max_entries (an LRU map with BPF_F_NO_COMMON_LRU rounds it to a multiple of the CPU count) */
  readonly maxEntries: number;
  /** `map_flags` */
  readonly flags: number;
}

/** A map to create: the attributes of `BPF_MAP_CREATE`. */
export interface MapDef {
  /** `BPF_MAP_TYPE_*` value, e.g. `MAP_TYPE.HASH` */
  readonly type: number;
  /** at most 15 characters of `[A-Za-z0-9_.]`, as the kernel requires; default empty */
  readonly name?: string;
  /** `key_size` in bytes */
  readonly keySize: number;
  /** `value_size` in bytes */
  readonly valueSize: number;
  /** `max_entries` */
  readonly maxEntries: number;
  /** `map_flags` (`MAP_FLAG.*`); default 0 */
  readonly flags?: number;
  /**
   * `inner_map_fd` of `array_of_maps` / `hash_of_maps`: a live map whose
   * type, sizes and flags every inserted map must share (libbpf creates it
   * from the `__array(values, ...)` declaration). Ignored by other types, as
   * the kernel ignores `inner_map_fd`.
   */
  readonly innerMap?: { readonly info: MapInfo };
}

/** `KMALLOC_MAX_SIZE` on x86-64 (4 MiB): the kernel's bound on one element. */
export const KMALLOC_MAX_SIZE = 4 * 1024 * 1024;
/** `PCPU_MIN_UNIT_SIZE`: the largest per-CPU value (rounded up to 8 bytes). */
export const PCPU_MIN_UNIT_SIZE = 32 * 1024;
/** The ring buffer's page size: `max_entries` must be a multiple of it. */
export const RINGBUF_PAGE_SIZE = 4096;
/** Smallest `key_size` of an LPM trie: `struct bpf_lpm_trie_key` (u32 prefixlen) plus one data byte. */
export const LPM_KEY_SIZE_MIN = 5;
/** Largest `key_size` of an LPM trie: prefixlen plus 256 data bytes. */
export const LPM_KEY_SIZE_MAX = 4 + 256;
/** Approximate `sizeof(struct htab_elem)`, part of the hash maps' element size bound. */
const HTAB_ELEM_SIZE = 48;
/** Approximate `sizeof(struct lpm_trie_node)`, part of the LPM trie's value size bound. */
const LPM_NODE_SIZE = 40;
/** `sizeof(struct bucket)`: the hash table's bucket array must stay below 4 GiB. */
const HTAB_BUCKET_SIZE = 16;
const U32_MAX = 0xffffffff;
const INT_MAX = 0x7fffffff;

const ACCESS_MASK = MAP_FLAG.RDONLY | MAP_FLAG.WRONLY | MAP_FLAG.RDONLY_PROG | MAP_FLAG.WRONLY_PROG;
const ARRAY_FLAG_MASK = MAP_FLAG.NUMA_NODE | MAP_FLAG.MMAPABLE | ACCESS_MASK | MAP_FLAG.PRESERVE_ELEMS | MAP_FLAG.INNER_MAP;
const HTAB_FLAG_MASK = MAP_FLAG.NO_PREALLOC | MAP_FLAG.NO_COMMON_LRU | MAP_FLAG.NUMA_NODE | ACCESS_MASK | MAP_FLAG.ZERO_SEED;
const LPM_FLAG_MASK = MAP_FLAG.NO_PREALLOC | MAP_FLAG.NUMA_NODE | ACCESS_MASK;
const QUEUE_FLAG_MASK = MAP_FLAG.NUMA_NODE | ACCESS_MASK;
const RINGBUF_FLAG_MASK = MAP_FLAG.NUMA_NODE;
/** `DEV_CREATE_FLAG_MASK` */
const DEV_FLAG_MASK = MAP_FLAG.NUMA_NODE | MAP_FLAG.RDONLY | MAP_FLAG.WRONLY;

/** `round_up(n, 8)`: the per-CPU value stride and array element size. */
export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** The smallest power of two at or above `n` (n >= 1). */
export function roundUpPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Whether a map's values are per-CPU. */
export function isPercpuKind(kind: MapKind): boolean {
  return kind === 'percpu_array' || kind === 'percpu_hash' || kind === 'lru_percpu_hash';
}

/** Whether user space exchanges u32 fds (on update) and ids (on lookup) instead of values. */
export function isFdKind(kind: MapKind): boolean {
  return kind === 'prog_array' || kind === 'perf_event_array' || kind === 'array_of_maps' || kind === 'hash_of_maps';
}

/**
 * The bytes user space exchanges per value (`bpf_map_value_size`): all
 * CPUs' values, each rounded up to 8 bytes, for per-CPU maps; a u32 fd or
 * id for fd maps; `valueSize` otherwise.
 */
export function userValueSize(kind: MapKind, valueSize: number, cpus: number): number {
  if (isPercpuKind(kind)) return roundUp8(valueSize) * cpus;
  if (isFdKind(kind)) return 4;
  return valueSize;
}

/** A definition the kernel accepts, with the effective values `BPF_MAP_CREATE` settles on. */
export interface CheckedMapDef {
  readonly kind: MapKind;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** the inner map template of a map-in-map */
  readonly inner: MapInfo | undefined;
}

function checkU32(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > U32_MAX) {
    throw new MapError('bad-call', `${what} must be an integer in [0, 4294967295] (a u32 of the bpf() attributes), is ${v}`);
  }
}

const NAME_RE = /^[A-Za-z0-9_.]*$/;

/**
 * Checks a map definition as the kernel's `BPF_MAP_CREATE` does, for a
 * machine with `cpus` CPUs. A definition the kernel refuses gives a failed
 * result with the kernel's errno (EINVAL for most, E2BIG for sizes past a
 * limit, ENOTSUPP for an LRU map with BPF_F_NO_PREALLOC or a prog_array as
 * an inner map, EBADF for a map-in-map without an inner map). Throws
 * `MapError` `unsupported` for a kernel map type bpflab does not model and
 * `bad-call` for sizes that are not u32 numbers.
 */
export function checkMapDef(def: MapDef, cpus: number): MapResult<CheckedMapDef> {
  const name = def.name ?? '';
  const flags = def.flags ?? 0;
  checkU32('key_size', def.keySize);
  checkU32('value_size', def.valueSize);
  checkU32('max_entries', def.maxEntries);
  checkU32('map_flags', flags);
  const known = mapTypeShortName(def.type);
  const kind = mapKindOf(def.type);
  const label = name === '' ? 'map' : `map ${name}`;
  const bad = (errno: number, why: string): MapResult<CheckedMapDef> => fail(errno, `${label}: ${why}`);
  if (kind === undefined) {
    if (known === undefined || known === 'UNSPEC') return bad(ERRNO.EINVAL, `unknown map type ${def.type}`);
    throw new MapError('unsupported', `${label}: ${mapTypeName(def.type)} is not modelled by bpflab`, ERRNO.EINVAL);
  }
  const typeName = mapTypeName(def.type)!;
  if (name.length > 15 || !NAME_RE.test(name)) {
    return bad(ERRNO.EINVAL, `name '${name}' must be at most 15 characters of [A-Za-z0-9_.]`);
  }
  if ((flags & MAP_FLAG.RDONLY) !== 0 && (flags & MAP_FLAG.WRONLY) !== 0) {
    return bad(ERRNO.EINVAL, 'BPF_F_RDONLY and BPF_F_WRONLY exclude each other');
  }
  const accessOk = !((flags & MAP_FLAG.RDONLY_PROG) !== 0 && (flags & MAP_FLAG.WRONLY_PROG) !== 0);
  const accessWhy = 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other';
  const unknownFlags = (mask: number): MapResult<CheckedMapDef> =>
    bad(ERRNO.EINVAL, `${typeName} does not take map_flags ${flagNames(MAP_FLAGS, (flags & ~mask) >>> 0).join(' | ')}`);
  const { keySize, valueSize } = def;
  let maxEntries = def.maxEntries;
  let inner: MapInfo | undefined;
  const percpu = isPercpuKind(kind);

  switch (kind) {
    case 'array':
    case 'percpu_array':
    case 'prog_array':
    case 'perf_event_array':
    case 'array_of_maps': {
      if (isFdKind(kind)) {
        if (valueSize !== 4) return bad(ERRNO.EINVAL, `value_size must be 4 (a u32 fd) for ${typeName}, is ${valueSize}`);
        if ((flags & (MAP_FLAG.RDONLY_PROG | MAP_FLAG.WRONLY_PROG)) !== 0) {
          return bad(ERRNO.EINVAL, `${typeName} does not take BPF_F_RDONLY_PROG or BPF_F_WRONLY_PROG`);
        }
      }
      if (maxEntries === 0) return bad(ERRNO.EINVAL, 'max_entries must not be 0');
      if (keySize !== 4) return bad(ERRNO.EINVAL, `key_size must be 4 (a u32 index) for ${typeName}, is ${keySize}`);
      if (valueSize === 0) return bad(ERRNO.EINVAL, 'value_size must not be 0');
      if ((flags & ~ARRAY_FLAG_MASK) !== 0) return unknownFlags(ARRAY_FLAG_MASK);
      if (!accessOk) return bad(ERRNO.EINVAL, accessWhy);
      if (percpu && (flags & MAP_FLAG.NUMA_NODE) !== 0) return bad(ERRNO.EINVAL, 'a per-CPU map cannot be bound to a NUMA node');
      if (kind !== 'array' && (flags & (MAP_FLAG.MMAPABLE | MAP_FLAG.INNER_MAP)) !== 0) {
        return bad(ERRNO.EINVAL, `BPF_F_MMAPABLE and BPF_F_INNER_MAP are for BPF_MAP_TYPE_ARRAY only, not ${typeName}`);
      }
      if (kind !== 'perf_event_array' && (flags & MAP_FLAG.PRESERVE_ELEMS) !== 0) {
        return bad(ERRNO.EINVAL, 'BPF_F_PRESERVE_ELEMS is for BPF_MAP_TYPE_PERF_EVENT_ARRAY only');
      }
      if (valueSize > INT_MAX) return bad(ERRNO.E2BIG, `value_size ${valueSize} is above INT_MAX`);
      if (percpu && roundUp8(valueSize) > PCPU_MIN_UNIT_SIZE) {
        return bad(ERRNO.E2BIG, `a per-CPU value is at most ${PCPU_MIN_UNIT_SIZE} bytes, value_size is ${valueSize}`);
      }
      break;
    }
    case 'hash':
    case 'percpu_hash':
    case 'lru_hash':
    case 'lru_percpu_hash':
    case 'hash_of_maps': {
      const lru = kind === 'lru_hash' || kind === 'lru_percpu_hash';
      const percpuLru = (flags & MAP_FLAG.NO_COMMON_LRU) !== 0;
      if (kind === 'hash_of_maps' && valueSize !== 4) {
        return bad(ERRNO.EINVAL, `value_size must be 4 (a u32 fd) for ${typeName}, is ${valueSize}`);
      }
      if ((flags & ~HTAB_FLAG_MASK) !== 0) return unknownFlags(HTAB_FLAG_MASK);
      if (!accessOk) return bad(ERRNO.EINVAL, accessWhy);
      if (!lru && percpuLru) return bad(ERRNO.EINVAL, 'BPF_F_NO_COMMON_LRU is for LRU maps only');
      if (lru && (flags & MAP_FLAG.NO_PREALLOC) !== 0) {
        return bad(ERRNO.ENOTSUPP, 'an LRU map is always preallocated: BPF_F_NO_PREALLOC is not supported');
      }
      if ((flags & MAP_FLAG.NUMA_NODE) !== 0 && (percpu || percpuLru)) {
        return bad(ERRNO.EINVAL, 'a per-CPU map or per-CPU LRU cannot be bound to a NUMA node');
      }
      if (maxEntries === 0) return bad(ERRNO.EINVAL, 'max_entries must not be 0');
      if (keySize === 0) return bad(ERRNO.EINVAL, 'key_size must not be 0');
      if (valueSize === 0) return bad(ERRNO.EINVAL, 'value_size must not be 0');
      if (keySize + valueSize >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) {
        return bad(ERRNO.E2BIG, `key_size + value_size must stay below ${KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE} bytes (one kmalloc)`);
      }
      if (percpu && roundUp8(valueSize) > PCPU_MIN_UNIT_SIZE) {
        return bad(ERRNO.E2BIG, `a per-CPU value is at most ${PCPU_MIN_UNIT_SIZE} bytes, value_size is ${valueSize}`);
      }
      if (percpuLru) {
        const up = Math.ceil(maxEntries / cpus) * cpus;
        maxEntries = up > U32_MAX ? Math.floor(maxEntries / cpus) * cpus : up;
      }
      if (maxEntries > 2 ** 31) return bad(ERRNO.E2BIG, `max_entries ${maxEntries} is above 2^31`);
      if (roundUpPow2(maxEntries) > Math.floor(U32_MAX / HTAB_BUCKET_SIZE)) {
        return bad(ERRNO.E2BIG, `max_entries ${maxEntries} needs more hash buckets than the kernel allows`);
      }
      break;
    }
    case 'lpm_trie': {
      if (maxEntries === 0) return bad(ERRNO.EINVAL, 'max_entries must not be 0');
      if ((flags & MAP_FLAG.NO_PREALLOC) === 0) return bad(ERRNO.EINVAL, 'an LPM trie needs BPF_F_NO_PREALLOC');
      if ((flags & ~LPM_FLAG_MASK) !== 0) return unknownFlags(LPM_FLAG_MASK);
      if (!accessOk) return bad(ERRNO.EINVAL, accessWhy);
      if (keySize < LPM_KEY_SIZE_MIN || keySize > LPM_KEY_SIZE_MAX) {
        return bad(
          ERRNO.EINVAL,
          `key_size must be ${LPM_KEY_SIZE_MIN}..${LPM_KEY_SIZE_MAX} (struct bpf_lpm_trie_key: u32 prefixlen, then 1-256 data bytes), is ${keySize}`,
        );
      }
      const maxValue = KMALLOC_MAX_SIZE - 256 - LPM_NODE_SIZE;
      if (valueSize < 1 || valueSize > maxValue) return bad(ERRNO.EINVAL, `value_size must be 1..${maxValue}, is ${valueSize}`);
      break;
    }
    case 'queue':
    case 'stack': {
      if (maxEntries === 0) return bad(ERRNO.EINVAL, 'max_entries must not be 0');
      if (keySize !== 0) return bad(ERRNO.EINVAL, `key_size must be 0 for ${typeName} (it has no keys), is ${keySize}`);
      if (valueSize === 0) return bad(ERRNO.EINVAL, 'value_size must not be 0');
      if ((flags & ~QUEUE_FLAG_MASK) !== 0) return unknownFlags(QUEUE_FLAG_MASK);
      if (!accessOk) return bad(ERRNO.EINVAL, accessWhy);
      if (valueSize > KMALLOC_MAX_SIZE) return bad(ERRNO.E2BIG, `value_size ${valueSize} is above ${KMALLOC_MAX_SIZE}`);
      break;
    }
    case 'ringbuf': {
      if ((flags & ~RINGBUF_FLAG_MASK) !== 0) return unknownFlags(RINGBUF_FLAG_MASK);
      if (keySize !== 0 || valueSize !== 0) {
        return bad(ERRNO.EINVAL, `key_size and value_size must be 0 for a ring buffer, are ${keySize} and ${valueSize}`);
      }
      if (!isPow2(maxEntries) || maxEntries % RINGBUF_PAGE_SIZE !== 0) {
        return bad(ERRNO.EINVAL, `max_entries (the ring size) must be a power of 2 and a multiple of ${RINGBUF_PAGE_SIZE}, is ${maxEntries}`);
      }
      break;
    }
    case 'devmap':
    case 'devmap_hash': {
      // dev_map_init_map
      if (maxEntries === 0) return bad(ERRNO.EINVAL, 'max_entries must not be 0');
      if (keySize !== 4) return bad(ERRNO.EINVAL, `key_size must be 4 (a u32) for ${typeName}, is ${keySize}`);
      if (valueSize !== 4 && valueSize !== 8) {
        return bad(
          ERRNO.EINVAL,
          `value_size must be 4 (a u32 ifindex) or 8 (struct bpf_devmap_val: ifindex, then a program fd) for ${typeName}, is ${valueSize}`,
        );
      }
      if ((flags & ~DEV_FLAG_MASK) !== 0) return unknownFlags(DEV_FLAG_MASK);
      if (kind === 'devmap_hash' && maxEntries > 2 ** 31) return bad(ERRNO.EINVAL, `max_entries ${maxEntries} is above 2^31`);
      // programs only read a devmap: the kernel adds BPF_F_RDONLY_PROG
      return ok({ kind, type: def.type, name, keySize, valueSize, maxEntries, flags: (flags | MAP_FLAG.RDONLY_PROG) >>> 0, inner });
    }
  }

  if (kind === 'array_of_maps' || kind === 'hash_of_maps') {
    const template = def.innerMap?.info;
    if (template === undefined) return bad(ERRNO.EBADF, `${typeName} needs an inner map template (inner_map_fd)`);
    if (template.kind === 'array_of_maps' || template.kind === 'hash_of_maps') {
      return bad(ERRNO.EINVAL, 'the inner map cannot be a map of maps itself (one level only)');
    }
    if (template.kind === 'prog_array') return bad(ERRNO.ENOTSUPP, 'a prog_array cannot be an inner map');
    inner = template;
  }
  return ok({ kind, type: def.type, name, keySize, valueSize, maxEntries, flags, inner });
}
