/**
 * `BPF_MAP_TYPE_ARRAY_OF_MAPS` and `BPF_MAP_TYPE_HASH_OF_MAPS`: maps whose
 * values are other maps. The definition names an inner map template; user
 * space stores map fds (u32), and only maps that match the template are
 * accepted (EINVAL otherwise): same type, key and value sizes and flags, and
 * for array inner maps the same max_entries unless the template has
 * BPF_F_INNER_MAP. A program's `bpf_map_lookup_elem` on the outer map
 * returns the inner map itself (its `address`), which the program then
 * passes to the map helpers; user space reads back the inner map's id.
 */
import type { Region } from '@bpflab/vm';
import { ERRNO, MAP_FLAG, UPDATE_FLAG } from '@bpflab/uapi';
import { roundUpPow2, type CheckedMapDef, type MapInfo } from './def';
import { fail, ok, OK } from './internal/results';
import { flagWord, hexBytes, keyString, readU32, u32Bytes } from './internal/bytes';
import { FdArray } from './internal/fd-array';
import { LOCK_REFUSAL, MapBase, updateFlagsOk, type BatchSupport, type MapEnv } from './internal/base';
import { HashTable, type TableEntry } from './internal/hash-table';
import type { BatchLookupResult, MapResult } from './result';
import type { BpfMap } from './store';

/**
 * Whether `map` may be stored in a map of maps whose template is
 * `template` (the kernel's `map_meta_equal`).
 */
export function innerMapCompatible(template: MapInfo, map: MapInfo): boolean {
  if (template.type !== map.type || template.keySize !== map.keySize || template.valueSize !== map.valueSize) return false;
  if (template.flags !== map.flags) return false;
  if (template.kind === 'array' || template.kind === 'percpu_array') {
    return (template.flags & MAP_FLAG.INNER_MAP) !== 0 || template.maxEntries === map.maxEntries;
  }
  return true;
}

function describe(info: MapInfo): string {
  return `${info.kind} key ${info.keySize} value ${info.valueSize} max_entries ${info.maxEntries} flags 0x${info.flags.toString(16)}`;
}

/** The inner map an fd names, or the kernel's errno: EBADF (no such fd), EINVAL (not a map, or incompatible). */
function resolveInner(env: MapEnv, template: MapInfo, fd: number, label: string): MapResult<BpfMap> {
  const o = env.fds.resolve(fd);
  if (o === undefined || (o.kind === 'map' && o.map.destroyed)) return fail(ERRNO.EBADF, `${label}: update: fd ${fd}: not an open fd`);
  if (o.kind !== 'map') return fail(ERRNO.EINVAL, `${label}: update: fd ${fd}: not a map`);
  if (!innerMapCompatible(template, o.map.info)) {
    return fail(
      ERRNO.EINVAL,
      `${label}: update: fd ${fd}: map ${o.map.info.name} (${describe(o.map.info)}) does not match the inner map template (${describe(template)})`,
    );
  }
  return ok(o.map);
}

/** An array of maps. */
export class ArrayOfMaps extends FdArray<'array_of_maps', BpfMap> {
  protected readonly batchSupport: BatchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: false };
  protected readonly readable = true;
  /** what every inner map must look like */
  readonly innerTemplate: MapInfo;

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
    this.innerTemplate = def.inner!;
  }

  /** The inner map at `index`, if any. */
  innerAt(index: number): BpfMap | undefined {
    this.alive();
    return this.slots.get(index);
  }

  override lookupElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const inner = this.slots.get(this.memory.readU32(key));
    return inner === undefined ? 0 : inner.address;
  }

  protected resolveFd(fd: number): MapResult<BpfMap> {
    return resolveInner(this.env, this.innerTemplate, fd, this.label);
  }

  protected idOf(map: BpfMap): number {
    return map.id;
  }
}

interface InnerEntry extends TableEntry {
  readonly inner: BpfMap;
}

/** A hash of maps. */
export class HashOfMaps extends MapBase<'hash_of_maps'> {
  protected readonly batchSupport: BatchSupport = { lookup: true, lookupAndDelete: true, update: true, delete: true };
  /** what every inner map must look like */
  readonly innerTemplate: MapInfo;
  private readonly table: HashTable<InnerEntry>;

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
    this.innerTemplate = def.inner!;
    this.table = new HashTable<InnerEntry>(roundUpPow2(def.maxEntries));
  }

  /** Elements in the map. */
  get size(): number {
    return this.table.size;
  }

  /** The inner map stored under `key`, if any. */
  innerOf(key: Uint8Array): BpfMap | undefined {
    this.alive();
    return this.table.get(keyString(key))?.inner;
  }

  override lookupElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const e = this.table.get(keyString(this.readProgram(key, this.keySize)));
    return e === undefined ? 0 : e.inner.address;
  }

  protected userLookup(key: Uint8Array | null): MapResult<Uint8Array> {
    const e = this.table.get(keyString(key!));
    if (e === undefined) return this.fail('lookup', ERRNO.ENOENT, `no element with key ${hexBytes(key!)}`);
    return ok(u32Bytes(e.inner.id));
  }

  protected userUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): MapResult {
    const inner = resolveInner(this.env, this.innerTemplate, readU32(value), this.label);
    if (!inner.ok) return inner;
    const f = flagWord(flags);
    if (!updateFlagsOk(f, true)) return this.fail('update', ERRNO.EINVAL, 'unknown flags (BPF_ANY, BPF_NOEXIST or BPF_EXIST)');
    if ((f & UPDATE_FLAG.F_LOCK) !== 0) return this.fail('update', ERRNO.EINVAL, LOCK_REFUSAL);
    const k = key!;
    const keyStr = keyString(k);
    const old = this.table.get(keyStr);
    if (old !== undefined && f === UPDATE_FLAG.NOEXIST) return this.fail('update', ERRNO.EEXIST, `BPF_NOEXIST: key ${hexBytes(k)} already exists`);
    if (old === undefined && f === UPDATE_FLAG.EXIST) return this.fail('update', ERRNO.ENOENT, `BPF_EXIST: key ${hexBytes(k)} does not exist`);
    if (old === undefined && this.table.size >= this.maxEntries) {
      return this.fail('update', ERRNO.E2BIG, `the map is full (max_entries ${this.maxEntries})`);
    }
    const entry: InnerEntry = { key: k.slice(), keyStr, bucket: this.table.bucketOf(k), inner: inner.value };
    if (old === undefined) this.table.insert(entry);
    else this.table.replace(old, entry);
    return OK;
  }

  protected userDelete(key: Uint8Array | null): MapResult {
    const e = this.table.get(keyString(key!));
    if (e === undefined) return this.fail('delete', ERRNO.ENOENT, `no element with key ${hexBytes(key!)}`);
    this.table.remove(e);
    return OK;
  }

  protected userNextKey(key: Uint8Array | null): MapResult<Uint8Array> {
    const e = key === null ? this.table.first() : this.table.next(keyString(key));
    if (e === undefined) return this.fail('get_next_key', ERRNO.ENOENT, this.table.size === 0 ? 'the map is empty' : 'no key after this one');
    return ok(e.key.slice());
  }

  protected override get batchTokenSize(): number {
    return 4;
  }

  protected override lookupBatchFrom(inBatch: Uint8Array | null, count: number, andDelete: boolean, op: string): BatchLookupResult {
    return this.table.batch(
      inBatch,
      count,
      (e) => u32Bytes(e.inner.id),
      andDelete ? (e) => this.table.remove(e) : undefined,
      `${this.label}: ${op}`,
    );
  }

  protected releaseStorage(): void {
    for (const e of [...this.table.entries()]) this.table.remove(e);
  }
}
