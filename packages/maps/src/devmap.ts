/**
 * `BPF_MAP_TYPE_DEVMAP` and `BPF_MAP_TYPE_DEVMAP_HASH`
 * (`kernel/bpf/devmap.c`): the network devices `bpf_redirect_map` sends
 * XDP frames to. A value is a u32 ifindex (value_size 4) or a
 * `struct bpf_devmap_val` (value_size 8: the ifindex, then the fd of an
 * XDP program to run on the device, read back as its id).
 *
 * A devmap is indexed like an array (u32 index below max_entries) but its
 * slots start empty: a lookup of an empty slot is ENOENT, storing ifindex 0
 * empties a slot, and deleting an empty slot succeeds. A devmap_hash has
 * any u32 key, at most max_entries of them (E2BIG past that), with
 * BPF_NOEXIST refused for a present key, ifindex 0 refused (EINVAL) and
 * ENOENT on deleting a missing key.
 *
 * Programs only look entries up (a read-only pointer to the value, or
 * NULL) and redirect through them; the kernel makes the map
 * BPF_F_RDONLY_PROG. Differences from Linux: an ifindex is stored without
 * checking that a device has it (Linux says EINVAL), so a redirect to it
 * fails when the frame is sent; a non-zero program fd in a
 * `struct bpf_devmap_val` is not modelled and throws `MapError`
 * `unsupported`.
 */
import type { Region } from '@bpflab/vm';
import { ERRNO, UPDATE_FLAG } from '@bpflab/uapi';
import { roundUp8, type CheckedMapDef } from './def';
import { MapError } from './errors';
import { readU32, u32Bytes } from './internal/bytes';
import { MapBase, type BatchSupport, type MapEnv } from './internal/base';
import { ok, OK } from './internal/results';
import type { MapResult } from './result';

const U32_MAX = 0xffffffff;

/** A devmap or devmap_hash. */
export class DevMap extends MapBase<'devmap' | 'devmap_hash'> {
  protected readonly batchSupport: BatchSupport = { lookup: false, lookupAndDelete: false, update: false, delete: false };
  /** bytes between consecutive value slots: `round_up(value_size, 8)` */
  private readonly stride: number;
  private readonly region: Region;
  /** occupied entries: key to value slot (the key itself for a devmap), in insertion order */
  private readonly entries = new Map<number, number>();
  /** value slots a devmap_hash can still hand out */
  private readonly freeSlots: number[] = [];

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
    this.stride = roundUp8(def.valueSize);
    [this.region] = this.allocateRegions(1, this.stride * def.maxEntries, () => this.regionName, false) as [Region];
    if (def.kind === 'devmap_hash') for (let i = def.maxEntries - 1; i >= 0; i--) this.freeSlots.push(i);
  }

  /** Occupied entries. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The ifindex `bpf_redirect_map` sends to for `key` (truncated to a u32,
   * as the kernel's `__dev_map_lookup_elem` takes it), or undefined for an
   * empty slot or a missing key.
   */
  redirectTarget(key: number | bigint): number | undefined {
    this.alive();
    const slot = this.entries.get(Number(BigInt.asUintN(32, BigInt(key))));
    return slot === undefined ? undefined : this.memory.readU32(this.slotAddress(slot));
  }

  /** `bpf_map_lookup_elem`: the (read-only) `struct bpf_devmap_val` of the key, or 0 (NULL). */
  override lookupElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const slot = this.entries.get(this.memory.readU32(key));
    return slot === undefined ? 0 : this.slotAddress(slot);
  }

  /** Programs cannot change a devmap: -EOPNOTSUPP (the verifier refuses the call first). */
  override updateElem(key: number, _value: number, _flags: number | bigint, cpu: number): number {
    this.checkCpu(cpu);
    this.memory.check(key, 4, 'read');
    return -ERRNO.EOPNOTSUPP;
  }

  /** Programs cannot change a devmap: -EOPNOTSUPP (the verifier refuses the call first). */
  override deleteElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    this.memory.check(key, 4, 'read');
    return -ERRNO.EOPNOTSUPP;
  }

  protected userLookup(key: Uint8Array | null): MapResult<Uint8Array> {
    const k = readU32(key!);
    const slot = this.entries.get(k);
    if (slot === undefined) return this.fail('lookup', ERRNO.ENOENT, this.missing(k));
    return ok(this.load(this.slotAddress(slot), this.valueSize));
  }

  protected userUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): MapResult {
    if (!Number.isInteger(flags) || flags < 0 || flags > UPDATE_FLAG.EXIST) {
      return this.fail('update', ERRNO.EINVAL, `unknown flags 0x${flags.toString(16)} (BPF_ANY, BPF_NOEXIST or BPF_EXIST)`);
    }
    const k = readU32(key!);
    const ifindex = readU32(value);
    const progFd = this.valueSize === 8 ? readU32(value.subarray(4)) : 0;
    const hash = this.kind === 'devmap_hash';
    if (!hash) {
      if (k >= this.maxEntries) return this.fail('update', ERRNO.E2BIG, this.outOfRange(k));
      if (flags === UPDATE_FLAG.NOEXIST) return this.fail('update', ERRNO.EEXIST, 'BPF_NOEXIST: a devmap slot always exists (store ifindex 0 to empty it)');
      if (ifindex === 0) {
        if ((progFd | 0) > 0) return this.fail('update', ERRNO.EINVAL, `ifindex 0 empties the slot and takes no program (fd ${progFd})`);
        this.entries.delete(k);
        return OK;
      }
    } else {
      // NB: Linux checks BPF_NOEXIST here but not BPF_EXIST (a missing key is added)
      if (ifindex === 0) return this.fail('update', ERRNO.EINVAL, 'ifindex 0 names no device');
      if (this.entries.has(k) && flags === UPDATE_FLAG.NOEXIST) return this.fail('update', ERRNO.EEXIST, `BPF_NOEXIST: key ${k} exists`);
    }
    if ((progFd | 0) > 0) {
      throw new MapError(
        'unsupported',
        `${this.label}: update: an XDP program in a devmap entry (struct bpf_devmap_val.bpf_prog.fd ${progFd}) is not modelled by bpflab: store 0 there`,
        ERRNO.EOPNOTSUPP,
      );
    }
    let slot = this.entries.get(k);
    if (slot === undefined) {
      if (hash) {
        slot = this.freeSlots.pop();
        if (slot === undefined) return this.fail('update', ERRNO.E2BIG, `the map is full (max_entries ${this.maxEntries})`);
      } else {
        slot = k;
      }
      this.entries.set(k, slot);
    }
    const stored = new Uint8Array(this.valueSize);
    stored.set(u32Bytes(ifindex));
    this.store(this.slotAddress(slot), stored);
    return OK;
  }

  protected userDelete(key: Uint8Array | null): MapResult {
    const k = readU32(key!);
    if (this.kind === 'devmap') {
      if (k >= this.maxEntries) return this.fail('delete', ERRNO.EINVAL, this.outOfRange(k));
      this.entries.delete(k);
      return OK;
    }
    const slot = this.entries.get(k);
    if (slot === undefined) return this.fail('delete', ERRNO.ENOENT, this.missing(k));
    this.entries.delete(k);
    this.freeSlots.push(slot);
    return OK;
  }

  protected userNextKey(key: Uint8Array | null): MapResult<Uint8Array> {
    if (this.kind === 'devmap') {
      const index = key === null ? U32_MAX : readU32(key);
      if (index >= this.maxEntries) return ok(u32Bytes(0));
      if (index === this.maxEntries - 1) return this.fail('get_next_key', ERRNO.ENOENT, `index ${index} is the last one`);
      return ok(u32Bytes(index + 1));
    }
    const keys = [...this.entries.keys()];
    const at = key === null ? -1 : keys.indexOf(readU32(key));
    const next = keys[at + 1];
    if (next === undefined) return this.fail('get_next_key', ERRNO.ENOENT, keys.length === 0 ? 'the map is empty' : 'no key after the last one');
    return ok(u32Bytes(next));
  }

  protected releaseStorage(): void {
    this.entries.clear();
    this.memory.free(this.region);
  }

  private slotAddress(slot: number): number {
    return this.region.start + slot * this.stride;
  }

  private missing(k: number): string {
    if (this.kind === 'devmap_hash') return `no entry for key ${k}`;
    return k >= this.maxEntries ? this.outOfRange(k) : `slot ${k} is empty`;
  }

  private outOfRange(index: number): string {
    return `index ${index} is out of range (max_entries ${this.maxEntries})`;
  }
}
