/**
 * What every map type shares (internal): identity, user-space permission
 * checks (BPF_F_RDONLY / BPF_F_WRONLY / frozen), key and value argument
 * handling of the `bpf()` commands, the generic batch operations, and the
 * program-side operations the verifier never allows on a type.
 */
import type { AddressSpace, Region } from '@bpflab/vm';
import { ERRNO, MAP_FLAG, UPDATE_FLAG } from '@bpflab/uapi';
import { userValueSize, type CheckedMapDef, type MapInfo, type MapKind } from '../def';
import { MapError } from '../errors';
import type { FdTable } from '../fd';
import type { BatchLookupResult, BatchOptions, BatchWriteResult, MapResult } from '../result';
import { fail, OK } from './results';

/** What a map lives in. */
export interface MapEnv {
  readonly memory: AddressSpace;
  readonly cpus: number;
  readonly fds: FdTable;
}

/** Which batch commands a map type has (the kernel answers ENOTSUPP for the others). */
export interface BatchSupport {
  readonly lookup: boolean;
  readonly lookupAndDelete: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/** Why BPF_F_LOCK is refused everywhere. */
export const LOCK_REFUSAL =
  'BPF_F_LOCK needs a struct bpf_spin_lock in the value, and bpflab map values have none';

/**
 * The shared part of every map. `K` is the map's kind, so that a union of
 * map classes narrows on `kind`.
 */
export abstract class MapBase<K extends MapKind> {
  readonly kind: K;
  /** what `bpf_map_info` reports */
  readonly info: MapInfo;
  readonly id: number;
  readonly name: string;
  /** `BPF_MAP_TYPE_*` value */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  /** effective max_entries */
  readonly maxEntries: number;
  /** `map_flags` */
  readonly flags: number;
  /** simulated CPUs (per-CPU maps hold one value for each) */
  readonly cpus: number;
  /**
   * the map's address in the address space (its `struct bpf_map *`): what
   * `lddw rX, map` loads and what a map-in-map lookup returns
   */
  readonly address: number;
  /** bytes user space exchanges per value (see `userValueSize`) */
  readonly userValueSize: number;
  protected readonly memory: AddressSpace;
  protected readonly env: MapEnv;
  /** `map counts`, for messages */
  protected readonly label: string;
  /** `map:counts`, the name of the regions holding the map's values */
  protected readonly regionName: string;
  /** whether programs may write values (not BPF_F_RDONLY_PROG) */
  protected readonly progWritable: boolean;
  protected abstract readonly batchSupport: BatchSupport;
  private isFrozen = false;
  private isDestroyed = false;

  constructor(
    env: MapEnv,
    def: CheckedMapDef,
    id: number,
    private readonly handle: Region,
  ) {
    this.kind = def.kind as K;
    this.id = id;
    this.name = def.name;
    this.type = def.type;
    this.keySize = def.keySize;
    this.valueSize = def.valueSize;
    this.maxEntries = def.maxEntries;
    this.flags = def.flags;
    this.cpus = env.cpus;
    this.address = handle.start;
    this.userValueSize = userValueSize(def.kind, def.valueSize, env.cpus);
    this.memory = env.memory;
    this.env = env;
    this.label = def.name === '' ? `map #${id}` : `map ${def.name}`;
    this.regionName = def.name === '' ? `map:#${id}` : `map:${def.name}`;
    this.progWritable = (def.flags & MAP_FLAG.RDONLY_PROG) === 0;
    this.info = Object.freeze({
      id,
      kind: def.kind,
      type: def.type,
      name: def.name,
      keySize: def.keySize,
      valueSize: def.valueSize,
      maxEntries: def.maxEntries,
      flags: def.flags,
    });
  }

  /** Whether `freeze()` has made the map read-only for user space. */
  get frozen(): boolean {
    return this.isFrozen;
  }

  /** Whether `destroy()` has released the map. */
  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /* ------------------------------------------------------------ program side */

  /**
   * `bpf_map_lookup_elem` on CPU `cpu`: the address of the value for the
   * key at address `key`, or 0 (NULL); for per-CPU maps, that CPU's value.
   * Map-in-map types return the inner map's `address`. LRU maps count it as
   * a use. `bpf_map_lookup_percpu_elem(map, key, cpu)` is this call with the
   * requested CPU, once the helper has returned NULL for `cpu >= cpus`.
   *
   * Every program-side operation takes addresses in the address space and
   * reads its key and value there (a bad address throws the VM's fault,
   * which the verifier rules out); a CPU outside the machine throws.
   */
  lookupElem(_key: number, _cpu: number): number {
    throw this.refusedOp('bpf_map_lookup_elem');
  }

  /** `bpf_map_update_elem` on CPU `cpu`: 0 or a negative errno. */
  updateElem(_key: number, _value: number, _flags: number | bigint, _cpu: number): number {
    throw this.refusedOp('bpf_map_update_elem');
  }

  /** `bpf_map_delete_elem` on CPU `cpu`: 0 or a negative errno. */
  deleteElem(_key: number, _cpu: number): number {
    throw this.refusedOp('bpf_map_delete_elem');
  }

  /** `bpf_map_push_elem` (queue and stack): 0 or a negative errno. */
  pushElem(_value: number, _flags: number | bigint, _cpu: number): number {
    throw this.refusedOp('bpf_map_push_elem');
  }

  /** `bpf_map_pop_elem` (queue and stack): 0 or a negative errno. */
  popElem(_value: number, _cpu: number): number {
    throw this.refusedOp('bpf_map_pop_elem');
  }

  /** `bpf_map_peek_elem` (queue and stack): 0 or a negative errno. */
  peekElem(_value: number, _cpu: number): number {
    throw this.refusedOp('bpf_map_peek_elem');
  }

  private refusedOp(helper: string): MapError {
    return new MapError(
      'bad-call',
      `${this.label}: ${helper} on a ${this.kind} map: the verifier never allows this helper with this map type`,
    );
  }

  /* --------------------------------------------------------- user space side */

  /**
   * `BPF_MAP_LOOKUP_ELEM`: the value (all CPUs' values for per-CPU maps, the
   * inner map or program id for fd maps; `null` key for queue/stack peeks).
   */
  lookup(key: Uint8Array | null, flags = 0): MapResult<Uint8Array> {
    this.alive();
    if (!this.canRead()) return this.denied('lookup', 'read');
    const bad = this.lockFlags('lookup', flags);
    if (bad !== undefined) return bad;
    const k = this.userKey('lookup', key);
    if (!k.ok) return k;
    return this.userLookup(k.value);
  }

  /**
   * `BPF_MAP_UPDATE_ELEM` with `BPF_ANY` / `BPF_NOEXIST` / `BPF_EXIST`
   * (a push for queue/stack, whose key is `null`). Fd maps take a u32 fd.
   */
  update(key: Uint8Array | null, value: Uint8Array, flags = 0): MapResult {
    this.alive();
    if (!this.canWrite()) return this.denied('update', 'write');
    if (flagBits(flags, UPDATE_FLAG.F_LOCK)) return this.fail('update', ERRNO.EINVAL, LOCK_REFUSAL);
    const k = this.userKey('update', key);
    if (!k.ok) return k;
    this.checkValue('update', value);
    return this.userUpdate(k.value, value, flags);
  }

  /** `BPF_MAP_DELETE_ELEM`. */
  delete(key: Uint8Array | null): MapResult {
    this.alive();
    if (!this.canWrite()) return this.denied('delete', 'write');
    const k = this.userKey('delete', key);
    if (!k.ok) return k;
    return this.userDelete(k.value);
  }

  /**
   * `BPF_MAP_GET_NEXT_KEY`: the first key for `null`, the key after `key`,
   * ENOENT after the last one.
   */
  getNextKey(key: Uint8Array | null): MapResult<Uint8Array> {
    this.alive();
    if (!this.canRead()) return this.denied('get_next_key', 'read');
    if (key === null) return this.userNextKey(null);
    const k = this.userKey('get_next_key', key);
    if (!k.ok) return k;
    return this.userNextKey(k.value);
  }

  /**
   * `BPF_MAP_LOOKUP_AND_DELETE_ELEM`: a pop for queue/stack (`null` key),
   * lookup-then-delete for hash maps, ENOTSUPP for the other types.
   */
  lookupAndDelete(key: Uint8Array | null, flags = 0): MapResult<Uint8Array> {
    this.alive();
    if (!flagsWithin(flags, UPDATE_FLAG.F_LOCK)) {
      return this.fail('lookup_and_delete', ERRNO.EINVAL, `unknown flags 0x${flags.toString(16)} (only BPF_F_LOCK exists)`);
    }
    if (!this.canRead() || !this.canWrite()) return this.denied('lookup_and_delete', this.canRead() ? 'write' : 'read');
    if (flags !== 0 && (this.kind === 'queue' || this.kind === 'stack')) {
      return this.fail('lookup_and_delete', ERRNO.EINVAL, `a ${this.kind} pop takes no flags`);
    }
    if (flags !== 0) return this.fail('lookup_and_delete', ERRNO.EINVAL, LOCK_REFUSAL);
    const k = this.userKey('lookup_and_delete', key);
    if (!k.ok) return k;
    return this.userLookupAndDelete(k.value);
  }

  /**
   * `BPF_MAP_FREEZE`: user space may no longer write the map (EPERM from
   * then on, including for a second freeze); programs still may, unless the
   * map has BPF_F_RDONLY_PROG. This is how libbpf seals `.rodata`.
   */
  freeze(): MapResult {
    this.alive();
    if (!this.canWrite()) return this.denied('freeze', 'write');
    this.isFrozen = true;
    return OK;
  }

  /** `BPF_MAP_LOOKUP_BATCH`. */
  lookupBatch(options: BatchOptions): BatchLookupResult {
    this.alive();
    if (!this.canRead()) return this.batchDenied('lookup_batch', 'read');
    return this.startBatch('lookup_batch', options, this.batchSupport.lookup, false);
  }

  /** `BPF_MAP_LOOKUP_AND_DELETE_BATCH` (hash maps only). */
  lookupAndDeleteBatch(options: BatchOptions): BatchLookupResult {
    this.alive();
    if (!this.canRead()) return this.batchDenied('lookup_and_delete_batch', 'read');
    if (!this.canWrite()) return this.batchDenied('lookup_and_delete_batch', 'write');
    return this.startBatch('lookup_and_delete_batch', options, this.batchSupport.lookupAndDelete, true);
  }

  /**
   * `BPF_MAP_UPDATE_BATCH`: each key/value pair as an update with flags 0
   * (BPF_ANY; `elem_flags` can only add BPF_F_LOCK); stops at the first
   * failure, whose errno it returns with the count done before it.
   */
  updateBatch(keys: readonly Uint8Array[], values: readonly Uint8Array[], options: { readonly elemFlags?: number } = {}): BatchWriteResult {
    this.alive();
    if (keys.length !== values.length) {
      throw new MapError('bad-call', `${this.label}: update_batch: ${keys.length} keys but ${values.length} values`);
    }
    if (!this.canWrite()) return this.writeBatchDenied('update_batch');
    const head = this.writeBatchHead('update_batch', this.batchSupport.update, options.elemFlags ?? 0);
    if (head !== undefined) return head;
    let count = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = this.batchKey('update_batch', keys[i]!);
      this.checkValue('update_batch', values[i]!);
      const r = this.userUpdate(key, values[i]!, 0);
      if (!r.ok) return { errno: r.errno, message: r.message, count };
      count++;
    }
    return { errno: 0, message: '', count };
  }

  /** `BPF_MAP_DELETE_BATCH`: deletes each key; stops at the first failure (ENOENT for a missing key). */
  deleteBatch(keys: readonly Uint8Array[], options: { readonly elemFlags?: number } = {}): BatchWriteResult {
    this.alive();
    if (!this.canWrite()) return this.writeBatchDenied('delete_batch');
    const head = this.writeBatchHead('delete_batch', this.batchSupport.delete, options.elemFlags ?? 0);
    if (head !== undefined) return head;
    let count = 0;
    for (const k of keys) {
      const r = this.userDelete(this.batchKey('delete_batch', k));
      if (!r.ok) return { errno: r.errno, message: r.message, count };
      count++;
    }
    return { errno: 0, message: '', count };
  }

  /**
   * Releases the map's storage: every region it mapped is freed (stale
   * pointers into it fault from now on) and every later call throws. The
   * simulated kernel calls this (through `MapStore.destroy`, which also
   * forgets the map) when the last reference goes; a map stored in a map
   * of maps is still referenced by it.
   */
  destroy(): void {
    this.alive();
    this.releaseStorage();
    this.memory.free(this.handle);
    this.isDestroyed = true;
  }

  /* ----------------------------------------------------- hooks for the types */

  /** Value of a validated key (null only for key_size 0). */
  protected abstract userLookup(key: Uint8Array | null): MapResult<Uint8Array>;
  /** Update with a validated key and value. */
  protected abstract userUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): MapResult;
  protected abstract userDelete(key: Uint8Array | null): MapResult;
  /** Next key after `key` (null: the first). */
  protected abstract userNextKey(key: Uint8Array | null): MapResult<Uint8Array>;
  /** Frees the regions the type mapped. */
  protected abstract releaseStorage(): void;

  /** `BPF_MAP_LOOKUP_AND_DELETE_ELEM` once the flags are checked; ENOTSUPP unless a type has it. */
  protected userLookupAndDelete(_key: Uint8Array | null): MapResult<Uint8Array> {
    return this.fail('lookup_and_delete', ERRNO.ENOTSUPP, `a ${this.kind} map has no lookup_and_delete`);
  }

  /** Bytes of the `inBatch`/`outBatch` token: a key for the generic batch, 4 for hash maps. */
  protected get batchTokenSize(): number {
    return this.keySize;
  }

  /**
   * `generic_map_lookup_batch`: walks keys with get_next_key from `inBatch`,
   * skipping keys whose lookup says ENOENT; `outBatch` is the last key
   * visited, written only when something was delivered.
   */
  protected lookupBatchFrom(inBatch: Uint8Array | null, count: number, andDelete: boolean, op: string): BatchLookupResult {
    if (andDelete) throw new MapError('bad-call', `${this.label}: ${op}: no generic lookup_and_delete batch exists`);
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    let prev = inBatch;
    let errno = 0;
    let message = '';
    while (keys.length < count) {
      const next = this.userNextKey(prev);
      if (!next.ok) {
        errno = next.errno;
        message = next.message;
        break;
      }
      const v = this.userLookup(next.value);
      if (v.ok) {
        keys.push(next.value);
        values.push(v.value);
      } else if (v.errno !== ERRNO.ENOENT) {
        return { errno: v.errno, message: v.message, count: 0, keys: [], values: [], outBatch: undefined };
      }
      prev = next.value;
    }
    return { errno, message, count: keys.length, keys, values, outBatch: keys.length > 0 && prev !== null ? prev.slice() : undefined };
  }

  /* ------------------------------------------------------------- utilities */

  /** Throws unless the map is live. */
  protected alive(): void {
    if (this.isDestroyed) throw new MapError('bad-call', `${this.label}: the map was destroyed`);
  }

  /** Throws unless `cpu` is one of the simulated CPUs. */
  protected checkCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.cpus) {
      throw new MapError('bad-call', `${this.label}: cpu ${cpu} is not one of the ${this.cpus} simulated CPUs`);
    }
  }

  /** A copy of `size` bytes a program passed at `address` (faults like the VM when out of bounds). */
  protected readProgram(address: number, size: number): Uint8Array {
    return this.memory.readBytes(address, size);
  }

  /**
   * Maps `count` value regions (freeing them all again if one does not
   * fit); refuses up front a size the address space can never hold.
   */
  protected allocateRegions(count: number, size: number, name: (i: number) => string, writable = this.progWritable): Region[] {
    if (size * count > this.memory.options.maxBytes) {
      throw new MapError(
        'no-memory',
        `${this.label}: ${size * count} bytes of values do not fit in the address space (at most ${this.memory.options.maxBytes} bytes)`,
        ERRNO.ENOMEM,
      );
    }
    const out: Region[] = [];
    try {
      for (let i = 0; i < count; i++) out.push(this.memory.allocate({ name: name(i), kind: 'map_value', size, writable }));
    } catch (e) {
      for (const r of out) this.memory.free(r);
      throw e;
    }
    return out;
  }

  /** Copies `bytes` to `address` in map storage, even where programs may not write. */
  protected store(address: number, bytes: Uint8Array): void {
    this.memory.bytes().set(bytes, address);
  }

  /** Copies `size` bytes of map storage at `address`. */
  protected load(address: number, size: number): Uint8Array {
    return this.memory.bytes().slice(address, address + size);
  }

  /** A failed result with this map's context. */
  protected fail<T = undefined>(op: string, errno: number, why: string): MapResult<T> {
    return fail<T>(errno, `${this.label}: ${op}: ${why}`);
  }

  private canRead(): boolean {
    return (this.flags & MAP_FLAG.WRONLY) === 0;
  }

  private canWrite(): boolean {
    return !this.isFrozen && (this.flags & MAP_FLAG.RDONLY) === 0;
  }

  private whyDenied(access: 'read' | 'write'): string {
    if (access === 'read') return 'user space may not read this map (BPF_F_WRONLY)';
    return this.isFrozen ? 'the map is frozen: user space may no longer write it' : 'user space may not write this map (BPF_F_RDONLY)';
  }

  private denied<T>(op: string, access: 'read' | 'write'): MapResult<T> {
    return this.fail<T>(op, ERRNO.EPERM, this.whyDenied(access));
  }

  private lockFlags(op: string, flags: number): MapResult<Uint8Array> | undefined {
    if (!flagsWithin(flags, UPDATE_FLAG.F_LOCK)) {
      return this.fail(op, ERRNO.EINVAL, `unknown flags 0x${flags.toString(16)} (only BPF_F_LOCK exists)`);
    }
    if (flags !== 0) return this.fail(op, ERRNO.EINVAL, LOCK_REFUSAL);
    return undefined;
  }

  private userKey(op: string, key: Uint8Array | null): MapResult<Uint8Array | null> {
    if (this.keySize === 0) {
      if (key !== null) return this.fail(op, ERRNO.EINVAL, `a ${this.kind} map has no keys: pass null`);
      return { ok: true, value: null };
    }
    if (key === null) return this.fail(op, ERRNO.EFAULT, `the key is NULL (key_size is ${this.keySize})`);
    if (key.length !== this.keySize) {
      throw new MapError('bad-call', `${this.label}: ${op}: key is ${key.length} bytes, key_size is ${this.keySize}`);
    }
    return { ok: true, value: key };
  }

  private batchKey(op: string, key: Uint8Array): Uint8Array {
    if (key.length !== this.keySize) {
      throw new MapError('bad-call', `${this.label}: ${op}: key is ${key.length} bytes, key_size is ${this.keySize}`);
    }
    return key;
  }

  private checkValue(op: string, value: Uint8Array): void {
    if (value.length !== this.userValueSize) {
      const what = this.userValueSize === this.valueSize ? 'value_size' : 'the user-space value size';
      throw new MapError('bad-call', `${this.label}: ${op}: value is ${value.length} bytes, ${what} is ${this.userValueSize}`);
    }
  }

  private batchFail(op: string, errno: number, why: string): BatchLookupResult {
    return { errno, message: `${this.label}: ${op}: ${why}`, count: 0, keys: [], values: [], outBatch: undefined };
  }

  private batchDenied(op: string, access: 'read' | 'write'): BatchLookupResult {
    return this.batchFail(op, ERRNO.EPERM, this.whyDenied(access));
  }

  private writeBatchDenied(op: string): BatchWriteResult {
    return { errno: ERRNO.EPERM, message: `${this.label}: ${op}: ${this.whyDenied('write')}`, count: 0 };
  }

  private elemFlagsRefusal(flags: number): string | undefined {
    if (!flagsWithin(flags, UPDATE_FLAG.F_LOCK)) return `unknown elem_flags 0x${flags.toString(16)} (only BPF_F_LOCK exists)`;
    if (flags !== 0) return LOCK_REFUSAL;
    return undefined;
  }

  private startBatch(op: string, options: BatchOptions, supported: boolean, andDelete: boolean): BatchLookupResult {
    if (!supported) return this.batchFail(op, ERRNO.ENOTSUPP, `a ${this.kind} map has no ${op}`);
    const refusal = this.elemFlagsRefusal(options.elemFlags ?? 0);
    if (refusal !== undefined) return this.batchFail(op, ERRNO.EINVAL, refusal);
    const { count } = options;
    if (!Number.isInteger(count) || count < 0 || count > 0xffffffff) {
      throw new MapError('bad-call', `${this.label}: ${op}: count must be a u32, is ${count}`);
    }
    if (count === 0) return { errno: 0, message: '', count: 0, keys: [], values: [], outBatch: undefined };
    const inBatch = options.inBatch ?? null;
    if (inBatch !== null && inBatch.length !== this.batchTokenSize) {
      throw new MapError('bad-call', `${this.label}: ${op}: in_batch is ${inBatch.length} bytes, expected ${this.batchTokenSize}`);
    }
    return this.lookupBatchFrom(inBatch, count, andDelete, op);
  }

  private writeBatchHead(op: string, supported: boolean, elemFlags: number): BatchWriteResult | undefined {
    if (!supported) return { errno: ERRNO.ENOTSUPP, message: `${this.label}: ${op}: a ${this.kind} map has no ${op}`, count: 0 };
    const refusal = this.elemFlagsRefusal(elemFlags);
    if (refusal !== undefined) return { errno: ERRNO.EINVAL, message: `${this.label}: ${op}: ${refusal}`, count: 0 };
    return undefined;
  }
}

/** Whether a flags word has only bits of `mask` (and fits in 32 bits). */
export function flagsWithin(flags: number, mask: number): boolean {
  return Number.isInteger(flags) && flags >= 0 && flags <= 0xffffffff && (flags & ~mask) === 0;
}

/** Whether a flags word has any bit of `mask`. */
export function flagBits(flags: number, mask: number): boolean {
  return (flags & mask) !== 0;
}

/**
 * The kernel's check of update flags: anything but BPF_ANY, BPF_NOEXIST,
 * BPF_EXIST and (where `lock` says so) BPF_F_LOCK is EINVAL. `flags` comes
 * from `flagWord` (-1 for words wider than 32 bits).
 */
export function updateFlagsOk(flags: number, lock: boolean): boolean {
  if (flags < 0) return false;
  const rest = lock ? flags - (flags & UPDATE_FLAG.F_LOCK) : flags;
  return rest <= UPDATE_FLAG.EXIST;
}
