/**
 * `BPF_MAP_TYPE_ARRAY` and `BPF_MAP_TYPE_PERCPU_ARRAY`: `max_entries`
 * preallocated, zeroed values indexed by a u32 key. Every element always
 * exists, so there is nothing to delete (EINVAL) and BPF_NOEXIST always
 * fails (EEXIST).
 *
 * Storage: one region of `max_entries * round_up(value_size, 8)` bytes
 * (one per CPU for the per-CPU type), so element `i` of CPU `c` is at
 * `region[c].start + i * round_up(value_size, 8)`, as in the kernel's
 * `struct bpf_array`. With BPF_F_RDONLY_PROG the regions are read-only:
 * a program's store into them faults.
 */
import type { Region } from '@bpflab/vm';
import { ERRNO, UPDATE_FLAG } from '@bpflab/uapi';
import { roundUp8, type CheckedMapDef } from './def';
import { readU32, flagWord, u32Bytes } from './internal/bytes';
import { MapBase, updateFlagsOk, type BatchSupport, type MapEnv } from './internal/base';
import { ok, OK } from './internal/results';
import type { MapResult } from './result';

const U32_MAX = 0xffffffff;

/** An array or per-CPU array map. */
export class ArrayMap extends MapBase<'array' | 'percpu_array'> {
  protected readonly batchSupport: BatchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: false };
  /** bytes between consecutive elements: `round_up(value_size, 8)` */
  readonly stride: number;
  private readonly regions: readonly Region[];
  private readonly percpu: boolean;

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
    this.stride = roundUp8(def.valueSize);
    this.percpu = def.kind === 'percpu_array';
    this.regions = this.allocateRegions(this.percpu ? env.cpus : 1, this.stride * def.maxEntries, (cpu) =>
      this.percpu ? `${this.regionName}@cpu${cpu}` : this.regionName,
    );
  }

  /** The address of element `index` on `cpu` (the only slot of a plain array), or 0 out of range. */
  elementAddress(index: number, cpu = 0): number {
    this.alive();
    this.checkCpu(cpu);
    if (!Number.isInteger(index) || index < 0 || index >= this.maxEntries) return 0;
    return this.regions[this.percpu ? cpu : 0]!.start + index * this.stride;
  }

  /** The value address for a 4-byte key, as the kernel's own code finds it (0 when out of range). */
  valueAddress(key: Uint8Array, cpu = 0): number {
    return this.elementAddress(readU32(key), cpu);
  }

  /**
   * `map_direct_value_addr` (`lddw` with BPF_PSEUDO_MAP_VALUE, how programs
   * reach global data): the address of byte `offset` of element 0. Only an
   * array with one element has it (ENOTSUPP otherwise); an offset past the
   * value is EINVAL; a per-CPU array has no direct access (EINVAL).
   */
  directValueAddress(offset: number): MapResult<number> {
    this.alive();
    if (this.kind !== 'array') return this.fail('direct value access', ERRNO.EINVAL, 'a per-CPU array has no direct value access');
    if (this.maxEntries !== 1) {
      return this.fail('direct value access', ERRNO.ENOTSUPP, `only an array with max_entries 1 has it, this one has ${this.maxEntries}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.valueSize) {
      return this.fail('direct value access', ERRNO.EINVAL, `offset ${offset} is outside the ${this.valueSize}-byte value`);
    }
    return ok(this.regions[0]!.start + offset);
  }

  override lookupElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const index = this.memory.readU32(key);
    if (index >= this.maxEntries) return 0;
    return this.regions[this.percpu ? cpu : 0]!.start + index * this.stride;
  }

  override updateElem(key: number, value: number, flags: number | bigint, cpu: number): number {
    this.checkCpu(cpu);
    const f = flagWord(flags);
    if (!updateFlagsOk(f, true)) return -ERRNO.EINVAL;
    const index = this.memory.readU32(key);
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    if ((f & UPDATE_FLAG.NOEXIST) !== 0) return -ERRNO.EEXIST;
    if ((f & UPDATE_FLAG.F_LOCK) !== 0) return -ERRNO.EINVAL;
    const bytes = this.readProgram(value, this.valueSize);
    this.store(this.regions[this.percpu ? cpu : 0]!.start + index * this.stride, bytes);
    return 0;
  }

  override deleteElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    this.memory.check(key, 4, 'read');
    return -ERRNO.EINVAL;
  }

  protected userLookup(key: Uint8Array | null): MapResult<Uint8Array> {
    const index = readU32(key!);
    if (index >= this.maxEntries) return this.fail('lookup', ERRNO.ENOENT, this.outOfRange(index));
    const off = index * this.stride;
    if (!this.percpu) return ok(this.load(this.regions[0]!.start + off, this.valueSize));
    const out = new Uint8Array(this.userValueSize);
    this.regions.forEach((r, cpu) => out.set(this.load(r.start + off, this.stride), cpu * this.stride));
    return ok(out);
  }

  protected userUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): MapResult {
    const f = flagWord(flags);
    if (this.percpu ? f < 0 || f > UPDATE_FLAG.EXIST : !updateFlagsOk(f, true)) {
      return this.fail('update', ERRNO.EINVAL, `unknown flags 0x${flags.toString(16)} (BPF_ANY, BPF_NOEXIST or BPF_EXIST)`);
    }
    const index = readU32(key!);
    if (index >= this.maxEntries) return this.fail('update', ERRNO.E2BIG, this.outOfRange(index));
    if ((f & UPDATE_FLAG.NOEXIST) !== 0) {
      return this.fail('update', ERRNO.EEXIST, 'BPF_NOEXIST: every array element always exists');
    }
    const off = index * this.stride;
    if (!this.percpu) this.store(this.regions[0]!.start + off, value);
    else this.regions.forEach((r, cpu) => this.store(r.start + off, value.subarray(cpu * this.stride, (cpu + 1) * this.stride)));
    return OK;
  }

  protected userDelete(): MapResult {
    return this.fail('delete', ERRNO.EINVAL, 'array elements always exist and cannot be deleted (write zeros instead)');
  }

  protected userNextKey(key: Uint8Array | null): MapResult<Uint8Array> {
    const index = key === null ? U32_MAX : readU32(key);
    if (index >= this.maxEntries) return ok(u32Bytes(0));
    if (index === this.maxEntries - 1) return this.fail('get_next_key', ERRNO.ENOENT, `index ${index} is the last one`);
    return ok(u32Bytes(index + 1));
  }

  protected releaseStorage(): void {
    for (const r of this.regions) this.memory.free(r);
  }

  private outOfRange(index: number): string {
    return `index ${index} is out of range (max_entries ${this.maxEntries})`;
  }
}
