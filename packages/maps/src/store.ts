/**
 * `MapStore`: creates maps in an address space and finds them again by id
 * or by address. The simulated kernel keeps one per machine.
 */
import { VmError, type AddressSpace, type Region } from '@bpflab/vm';
import { ERRNO } from '@bpflab/uapi';
import { ArrayMap } from './array';
import { DevMap } from './devmap';
import { checkMapDef, type CheckedMapDef, type MapDef } from './def';
import { MapError } from './errors';
import { NO_FDS, type FdTable } from './fd';
import { HashMap } from './hash';
import type { MapEnv } from './internal/base';
import { LpmTrieMap } from './lpm-trie';
import { ArrayOfMaps, HashOfMaps } from './map-in-map';
import { PerfEventArray } from './perf-event-array';
import { ProgArrayMap } from './prog-array';
import { QueueStackMap } from './queue-stack';
import { RingBufMap } from './ringbuf';

/** Any live map; narrow on `kind`. */
export type BpfMap =
  | ArrayMap
  | HashMap
  | QueueStackMap
  | RingBufMap
  | PerfEventArray
  | ProgArrayMap
  | LpmTrieMap
  | ArrayOfMaps
  | HashOfMaps
  | DevMap;

/** How a `MapStore` is set up. */
export interface MapStoreOptions {
  /** simulated CPUs: per-CPU maps hold one value for each; default 1 */
  readonly cpus?: number;
  /** resolves the fds user space stores in prog, perf event and map-of-maps arrays; default: none open */
  readonly fds?: FdTable;
}

/** The defaults of `MapStoreOptions`. */
export const DEFAULT_MAP_STORE_OPTIONS: Required<MapStoreOptions> = { cpus: 1, fds: NO_FDS };

/** The most CPUs a store simulates. */
export const MAX_CPUS = 1024;

/** Bytes of the region that gives each map its address (its `struct bpf_map`). */
const HANDLE_SIZE = 8;

/**
 * The maps of one simulated machine: their values live in `memory`, their
 * ids count up from 1 and are never reused.
 */
export class MapStore {
  readonly memory: AddressSpace;
  readonly cpus: number;
  private readonly env: MapEnv;
  private readonly byId = new Map<number, BpfMap>();
  private readonly byAddress = new Map<number, BpfMap>();
  private nextId = 1;

  constructor(memory: AddressSpace, options: MapStoreOptions = {}) {
    const o = { ...DEFAULT_MAP_STORE_OPTIONS, ...options };
    if (!Number.isInteger(o.cpus) || o.cpus < 1 || o.cpus > MAX_CPUS) {
      throw new MapError('bad-call', `cpus must be an integer in [1, ${MAX_CPUS}], is ${o.cpus}`);
    }
    this.memory = memory;
    this.cpus = o.cpus;
    this.env = { memory, cpus: o.cpus, fds: o.fds };
  }

  /**
   * `BPF_MAP_CREATE`. Throws `MapError`: `invalid-def` with the kernel's
   * errno for a definition Linux refuses, `unsupported` for a map type
   * bpflab does not model, `no-memory` (ENOMEM) when the address space
   * cannot hold the map.
   */
  create(def: MapDef): BpfMap {
    const checked = checkMapDef(def, this.cpus);
    if (!checked.ok) throw new MapError('invalid-def', checked.message, checked.errno);
    const spec = checked.value;
    const id = this.nextId;
    const label = spec.name === '' ? `#${id}` : spec.name;
    let handle: Region;
    try {
      handle = this.memory.allocate({ name: `bpf_map:${label}`, kind: 'kernel', size: HANDLE_SIZE, writable: false });
    } catch (e) {
      throw this.noMemory(e, label);
    }
    let map: BpfMap;
    try {
      map = this.construct(spec, id, handle);
    } catch (e) {
      this.memory.free(handle);
      throw this.noMemory(e, label);
    }
    this.nextId++;
    this.byId.set(id, map);
    this.byAddress.set(map.address, map);
    return map;
  }

  /** The live map with this id. */
  get(id: number): BpfMap | undefined {
    return this.live(this.byId.get(id));
  }

  /** The live map at this address (what a program holds in a register). */
  at(address: number | bigint): BpfMap | undefined {
    const a = typeof address === 'bigint' ? (address < 2n ** 32n ? Number(address) : -1) : address;
    return this.live(this.byAddress.get(a));
  }

  /**
   * The ring buffer a reserved sample belongs to: what `bpf_ringbuf_submit`
   * and `bpf_ringbuf_discard`, which get only the sample, need.
   */
  ringBufOf(sample: number | bigint): RingBufMap | undefined {
    for (const m of this.byId.values()) if (m.kind === 'ringbuf' && m.holds(sample)) return m;
    return undefined;
  }

  /** The live maps, by id. */
  list(): readonly BpfMap[] {
    return [...this.byId.values()].filter((m) => this.live(m) !== undefined);
  }

  /** Destroys a map (see `destroy` on the map) and forgets it. */
  destroy(map: BpfMap): void {
    if (this.live(this.byId.get(map.id)) !== map) throw new MapError('bad-call', `map #${map.id} is not a live map of this store`);
    map.destroy();
    this.forget(map);
  }

  /** `map` unless it was destroyed behind the store's back (then it is forgotten). */
  private live(map: BpfMap | undefined): BpfMap | undefined {
    if (map === undefined || !map.destroyed) return map;
    this.forget(map);
    return undefined;
  }

  private forget(map: BpfMap): void {
    this.byId.delete(map.id);
    this.byAddress.delete(map.address);
  }

  private construct(spec: CheckedMapDef, id: number, handle: Region): BpfMap {
    const env = this.env;
    switch (spec.kind) {
      case 'array':
      case 'percpu_array':
        return new ArrayMap(env, spec, id, handle);
      case 'hash':
      case 'percpu_hash':
      case 'lru_hash':
      case 'lru_percpu_hash':
        return new HashMap(env, spec, id, handle);
      case 'queue':
      case 'stack':
        return new QueueStackMap(env, spec, id, handle);
      case 'ringbuf':
        return new RingBufMap(env, spec, id, handle);
      case 'perf_event_array':
        return new PerfEventArray(env, spec, id, handle);
      case 'prog_array':
        return new ProgArrayMap(env, spec, id, handle);
      case 'lpm_trie':
        return new LpmTrieMap(env, spec, id, handle);
      case 'array_of_maps':
        return new ArrayOfMaps(env, spec, id, handle);
      case 'hash_of_maps':
        return new HashOfMaps(env, spec, id, handle);
      case 'devmap':
      case 'devmap_hash':
        return new DevMap(env, spec, id, handle);
    }
  }

  private noMemory(e: unknown, label: string): unknown {
    if (e instanceof VmError && e.code === 'out-of-memory') {
      return new MapError('no-memory', `map ${label}: ${e.message}`, ERRNO.ENOMEM);
    }
    return e;
  }
}
