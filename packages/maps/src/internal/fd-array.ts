/**
 * The array maps whose user-space values are fds (`kernel/bpf/arraymap.c`
 * "fd_array"): prog_array, perf_event_array, array_of_maps (internal).
 * User space stores a u32 fd with flags 0 (anything else is EINVAL) at a
 * u32 index (E2BIG past max_entries); the kernel keeps the object it names.
 */
import type { Region } from '@bpflab/vm';
import { ERRNO } from '@bpflab/uapi';
import type { CheckedMapDef } from '../def';
import { readU32, u32Bytes } from './bytes';
import { MapBase, type MapEnv } from './base';
import { ok, OK } from './results';
import type { MapResult } from '../result';

const U32_MAX = 0xffffffff;

/** An fd array holding objects of type `T`. */
export abstract class FdArray<K extends 'prog_array' | 'perf_event_array' | 'array_of_maps', T> extends MapBase<K> {
  /** occupied slots by index */
  protected readonly slots = new Map<number, T>();

  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
  }

  /** The object an fd names, or the errno the kernel gives for it. */
  protected abstract resolveFd(fd: number): MapResult<T>;

  /** Whether user space can look slots up (the kernel's `map_fd_sys_lookup_elem`); ENOTSUPP otherwise. */
  protected abstract readonly readable: boolean;

  /** The id user space reads back for a slot's object. */
  protected abstract idOf(value: T): number;

  /** Occupied slots. */
  get size(): number {
    return this.slots.size;
  }

  protected userLookup(key: Uint8Array | null): MapResult<Uint8Array> {
    if (!this.readable) return this.fail('lookup', ERRNO.ENOTSUPP, `a ${this.kind} cannot be read from user space`);
    const index = readU32(key!);
    const v = this.slots.get(index);
    if (v === undefined) {
      const why = index >= this.maxEntries ? `index ${index} is out of range (max_entries ${this.maxEntries})` : `slot ${index} is empty`;
      return this.fail('lookup', ERRNO.ENOENT, why);
    }
    return ok(u32Bytes(this.idOf(v)));
  }

  protected userUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): MapResult {
    if (flags !== 0) return this.fail('update', ERRNO.EINVAL, `a ${this.kind} takes only BPF_ANY (flags 0)`);
    const index = readU32(key!);
    if (index >= this.maxEntries) return this.fail('update', ERRNO.E2BIG, `index ${index} is out of range (max_entries ${this.maxEntries})`);
    const r = this.resolveFd(readU32(value));
    if (!r.ok) return r;
    this.slots.set(index, r.value);
    return OK;
  }

  protected userDelete(key: Uint8Array | null): MapResult {
    const index = readU32(key!);
    if (index >= this.maxEntries) return this.fail('delete', ERRNO.E2BIG, `index ${index} is out of range (max_entries ${this.maxEntries})`);
    if (!this.slots.delete(index)) return this.fail('delete', ERRNO.ENOENT, `slot ${index} is empty`);
    return OK;
  }

  protected userNextKey(key: Uint8Array | null): MapResult<Uint8Array> {
    const index = key === null ? U32_MAX : readU32(key);
    if (index >= this.maxEntries) return ok(u32Bytes(0));
    if (index === this.maxEntries - 1) return this.fail('get_next_key', ERRNO.ENOENT, `index ${index} is the last one`);
    return ok(u32Bytes(index + 1));
  }

  protected releaseStorage(): void {
    this.slots.clear();
  }

  /** The fd in a failed resolution's message. */
  protected badFd(fd: number, errno: number, why: string): MapResult<T> {
    return this.fail('update', errno, `fd ${fd}: ${why}`);
  }
}
