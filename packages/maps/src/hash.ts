/**
 * `BPF_MAP_TYPE_HASH`, `PERCPU_HASH`, `LRU_HASH` and `LRU_PERCPU_HASH`.
 *
 * Elements live in the kernel's bucket structure (see `HashTable`), so
 * `get_next_key` order and batch boundaries are Linux's with
 * BPF_F_ZERO_SEED. Each element's value is its own region of the address
 * space, allocated on insert and freed on delete: the address a lookup
 * returns stays valid while the element lives, and a program that keeps
 * using it after deleting the element faults (in Linux it would silently
 * read or write memory that is no longer in the map). An update of an
 * existing key copies the new value in place, so its address does not
 * change (Linux swaps in a new element for the non-per-CPU types).
 *
 * LRU maps evict the least recently used element when a new key arrives
 * and the map is full; program lookups and updates make an element the
 * most recently used, user-space lookups do not (as in Linux, whose
 * syscall lookup skips the reference bit). The kernel only approximates
 * LRU (an active and an inactive list with reference bits, per-CPU free
 * lists of up to 128 nodes), so in Linux an element can be evicted a little
 * early, before the map is full or while something older survives, and an
 * update of an existing key or a failed BPF_NOEXIST can evict too; bpflab
 * evicts exactly the least recently used element, exactly when a new key
 * does not fit. With BPF_F_NO_COMMON_LRU each CPU has its own list of
 * max_entries / cpus elements (max_entries rounded up to a multiple of the
 * CPU count), as in Linux; user-space updates use CPU 0's list.
 */
import { VmError, type Region } from '@bpflab/vm';
import { ERRNO, MAP_FLAG, UPDATE_FLAG } from '@bpflab/uapi';
import { roundUp8, roundUpPow2, type CheckedMapDef } from './def';
import { flagWord, hexBytes, keyString } from './internal/bytes';
import { LOCK_REFUSAL, MapBase, updateFlagsOk, type BatchSupport, type MapEnv } from './internal/base';
import { HashTable, type TableEntry } from './internal/hash-table';
import { fail, ok, OK } from './internal/results';
import type { BatchLookupResult, MapResult } from './result';

interface HashEntry extends TableEntry {
  readonly region: Region;
  /** index of the LRU list holding it */
  readonly list: number;
}

/** Where an update's value comes from. */
type ValueSource =
  /** a program on `cpu`: `bytes` is one value, for that CPU's slot */
  | { readonly kind: 'prog'; readonly bytes: Uint8Array; readonly cpu: number }
  /** user space: `bytes` is the user-space value (every CPU's for per-CPU maps) */
  | { readonly kind: 'user'; readonly bytes: Uint8Array };

/** A hash map of one of the four kinds. */
export class HashMap extends MapBase<'hash' | 'percpu_hash' | 'lru_hash' | 'lru_percpu_hash'> {
  protected readonly batchSupport: BatchSupport = { lookup: true, lookupAndDelete: true, update: true, delete: true };
  /** per-CPU slot size: `round_up(value_size, 8)` */
  readonly stride: number;
  private readonly table: HashTable<HashEntry>;
  private readonly percpu: boolean;
  private readonly lru: boolean;
  /** LRU lists, least recently used first: one, or one per CPU with BPF_F_NO_COMMON_LRU */
  private readonly lists: Map<string, HashEntry>[];
  private readonly listCapacity: number;

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
    this.stride = roundUp8(def.valueSize);
    this.percpu = def.kind === 'percpu_hash' || def.kind === 'lru_percpu_hash';
    this.lru = def.kind === 'lru_hash' || def.kind === 'lru_percpu_hash';
    this.table = new HashTable<HashEntry>(roundUpPow2(def.maxEntries));
    const perCpuLists = (def.flags & MAP_FLAG.NO_COMMON_LRU) !== 0;
    const listCount = this.lru ? (perCpuLists ? env.cpus : 1) : 0;
    this.lists = Array.from({ length: listCount }, () => new Map<string, HashEntry>());
    this.listCapacity = perCpuLists ? def.maxEntries / env.cpus : def.maxEntries;
  }

  /** Elements in the map. */
  get size(): number {
    return this.table.size;
  }

  /** Hash buckets: `roundup_pow_of_two(max_entries)`. */
  get buckets(): number {
    return this.table.nBuckets;
  }

  /** The address of the value of `key` on `cpu`, or 0, as the kernel's own code finds it (no LRU effect). */
  valueAddress(key: Uint8Array, cpu = 0): number {
    this.alive();
    this.checkCpu(cpu);
    const e = this.table.get(keyString(key));
    return e === undefined ? 0 : e.region.start + (this.percpu ? cpu * this.stride : 0);
  }

  override lookupElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const e = this.table.get(keyString(this.readProgram(key, this.keySize)));
    if (e === undefined) return 0;
    if (this.lru) this.touch(e);
    return e.region.start + (this.percpu ? cpu * this.stride : 0);
  }

  override updateElem(key: number, value: number, flags: number | bigint, cpu: number): number {
    this.checkCpu(cpu);
    const k = this.readProgram(key, this.keySize);
    const bytes = this.readProgram(value, this.valueSize);
    const r = this.put(k, { kind: 'prog', bytes, cpu }, flagWord(flags));
    return r === undefined ? 0 : -r.errno;
  }

  override deleteElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const e = this.table.get(keyString(this.readProgram(key, this.keySize)));
    if (e === undefined) return -ERRNO.ENOENT;
    this.remove(e);
    return 0;
  }

  protected userLookup(key: Uint8Array | null): MapResult<Uint8Array> {
    const e = this.table.get(keyString(key!));
    if (e === undefined) return this.missing('lookup', key!);
    return ok(this.valueBytes(e));
  }

  protected userUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): MapResult {
    const r = this.put(key!, { kind: 'user', bytes: value }, flagWord(flags));
    return r === undefined ? OK : fail(r.errno, `${this.label}: update: ${r.why}`);
  }

  protected userDelete(key: Uint8Array | null): MapResult {
    const e = this.table.get(keyString(key!));
    if (e === undefined) return this.missing('delete', key!);
    this.remove(e);
    return OK;
  }

  protected userNextKey(key: Uint8Array | null): MapResult<Uint8Array> {
    const e = key === null ? this.table.first() : this.table.next(keyString(key));
    if (e === undefined) {
      return this.fail('get_next_key', ERRNO.ENOENT, key === null || this.table.size === 0 ? 'the map is empty' : 'no key after this one');
    }
    return ok(e.key.slice());
  }

  protected override userLookupAndDelete(key: Uint8Array | null): MapResult<Uint8Array> {
    const e = this.table.get(keyString(key!));
    if (e === undefined) return this.missing('lookup_and_delete', key!);
    const value = this.valueBytes(e);
    this.remove(e);
    return ok(value);
  }

  protected override get batchTokenSize(): number {
    return 4;
  }

  protected override lookupBatchFrom(inBatch: Uint8Array | null, count: number, andDelete: boolean, op: string): BatchLookupResult {
    return this.table.batch(
      inBatch,
      count,
      (e) => this.valueBytes(e),
      andDelete ? (e) => this.remove(e) : undefined,
      `${this.label}: ${op}`,
    );
  }

  protected releaseStorage(): void {
    for (const e of this.table.entries()) this.memory.free(e.region);
  }

  /** `htab_map_update_elem` and its per-CPU and LRU forms; undefined on success. */
  private put(key: Uint8Array, src: ValueSource, f: number): { readonly errno: number; readonly why: string } | undefined {
    if (!updateFlagsOk(f, true)) return { errno: ERRNO.EINVAL, why: 'unknown flags (BPF_ANY, BPF_NOEXIST or BPF_EXIST)' };
    if ((f & UPDATE_FLAG.F_LOCK) !== 0) return { errno: ERRNO.EINVAL, why: LOCK_REFUSAL };
    const keyStr = keyString(key);
    const old = this.table.get(keyStr);
    if (old !== undefined && f === UPDATE_FLAG.NOEXIST) {
      return { errno: ERRNO.EEXIST, why: `BPF_NOEXIST: key ${hexBytes(key)} already exists` };
    }
    if (old === undefined && f === UPDATE_FLAG.EXIST) {
      return { errno: ERRNO.ENOENT, why: `BPF_EXIST: key ${hexBytes(key)} does not exist` };
    }
    if (old !== undefined) {
      this.write(old.region, src);
      if (!this.percpu) this.table.replace(old, old);
      if (this.lru) this.touch(old);
      return undefined;
    }
    const list = this.lru ? (src.kind === 'prog' && this.lists.length > 1 ? src.cpu : 0) : 0;
    if (this.lru) {
      const victim = this.lists[list]!.values().next();
      if (this.lists[list]!.size >= this.listCapacity && !victim.done) this.remove(victim.value);
    } else if (this.table.size >= this.maxEntries) {
      return { errno: ERRNO.E2BIG, why: `the map is full (max_entries ${this.maxEntries})` };
    }
    let region: Region;
    try {
      region = this.memory.allocate({
        name: this.regionName,
        kind: 'map_value',
        size: this.percpu ? this.stride * this.cpus : this.valueSize,
        writable: this.progWritable,
      });
    } catch (e) {
      if (e instanceof VmError && e.code === 'out-of-memory') return { errno: ERRNO.ENOMEM, why: e.message };
      throw e;
    }
    this.write(region, src);
    const entry: HashEntry = { key: key.slice(), keyStr, bucket: this.table.bucketOf(key), region, list };
    this.table.insert(entry);
    if (this.lru) this.lists[list]!.set(keyStr, entry);
    return undefined;
  }

  private write(region: Region, src: ValueSource): void {
    if (!this.percpu) this.store(region.start, src.bytes);
    else if (src.kind === 'prog') this.store(region.start + src.cpu * this.stride, src.bytes);
    else this.store(region.start, src.bytes);
  }

  private valueBytes(e: HashEntry): Uint8Array {
    return this.load(e.region.start, this.percpu ? this.stride * this.cpus : this.valueSize);
  }

  private touch(e: HashEntry): void {
    const list = this.lists[e.list]!;
    list.delete(e.keyStr);
    list.set(e.keyStr, e);
  }

  private remove(e: HashEntry): void {
    this.table.remove(e);
    if (this.lru) this.lists[e.list]!.delete(e.keyStr);
    this.memory.free(e.region);
  }

  private missing<T>(op: string, key: Uint8Array): MapResult<T> {
    return this.fail<T>(op, ERRNO.ENOENT, `no element with key ${hexBytes(key)}`);
  }
}
