/**
 * `BPF_MAP_TYPE_QUEUE` (FIFO) and `BPF_MAP_TYPE_STACK` (LIFO): keyless maps
 * of up to `max_entries` values, used through `bpf_map_push_elem`,
 * `bpf_map_pop_elem` and `bpf_map_peek_elem` (user space: update = push,
 * lookup = peek, lookup_and_delete = pop, all with a NULL key).
 *
 * A push on a full map fails with E2BIG, unless its flags are BPF_EXIST:
 * then the oldest value (the queue's head, the stack's bottom) is dropped to
 * make room. BPF_NOEXIST is EINVAL. A pop or peek on an empty map fails with
 * ENOENT and, for a program, zeroes its buffer. Values are copied in and
 * out, so none of them lives in the address space.
 */
import type { Region } from '@bpflab/vm';
import { ERRNO, UPDATE_FLAG } from '@bpflab/uapi';
import type { CheckedMapDef } from './def';
import { flagWord } from './internal/bytes';
import { MapBase, type BatchSupport, type MapEnv } from './internal/base';
import { ok, OK } from './internal/results';
import type { MapResult } from './result';

/** A queue or stack map. */
export class QueueStackMap extends MapBase<'queue' | 'stack'> {
  protected readonly batchSupport: BatchSupport = { lookup: false, lookupAndDelete: false, update: false, delete: false };
  /** oldest first */
  private readonly values: Uint8Array[] = [];

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
  }

  /** Values held. */
  get size(): number {
    return this.values.length;
  }

  override pushElem(value: number, flags: number | bigint, cpu: number): number {
    this.checkCpu(cpu);
    const r = this.push(this.readProgram(value, this.valueSize), flagWord(flags));
    return r === undefined ? 0 : -r.errno;
  }

  override popElem(value: number, cpu: number): number {
    this.checkCpu(cpu);
    return this.take(value, true);
  }

  override peekElem(value: number, cpu: number): number {
    this.checkCpu(cpu);
    return this.take(value, false);
  }

  protected userLookup(): MapResult<Uint8Array> {
    const v = this.next();
    return v === undefined ? this.empty('peek') : ok(v.slice());
  }

  protected userUpdate(_key: Uint8Array | null, value: Uint8Array, flags: number): MapResult {
    const r = this.push(value.slice(), flagWord(flags));
    return r === undefined ? OK : this.fail('push', r.errno, r.why);
  }

  protected userDelete(): MapResult {
    return this.fail('delete', ERRNO.EINVAL, `a ${this.kind} has no keys to delete: pop with lookup_and_delete`);
  }

  protected userNextKey(): MapResult<Uint8Array> {
    return this.fail('get_next_key', ERRNO.EINVAL, `a ${this.kind} has no keys`);
  }

  protected override userLookupAndDelete(): MapResult<Uint8Array> {
    const v = this.next();
    if (v === undefined) return this.empty('pop');
    this.drop();
    return ok(v);
  }

  protected releaseStorage(): void {
    this.values.length = 0;
  }

  private push(bytes: Uint8Array, f: number): { readonly errno: number; readonly why: string } | undefined {
    if (f < 0 || (f & UPDATE_FLAG.NOEXIST) !== 0 || f > UPDATE_FLAG.EXIST) {
      return { errno: ERRNO.EINVAL, why: `flags must be BPF_ANY or BPF_EXIST (overwrite the oldest when full)` };
    }
    if (this.values.length >= this.maxEntries) {
      if (f !== UPDATE_FLAG.EXIST) {
        return { errno: ERRNO.E2BIG, why: `the ${this.kind} is full (max_entries ${this.maxEntries}); BPF_EXIST overwrites the oldest value` };
      }
      this.values.shift();
    }
    this.values.push(bytes);
    return undefined;
  }

  /** The value a pop or peek returns. */
  private next(): Uint8Array | undefined {
    return this.kind === 'queue' ? this.values[0] : this.values[this.values.length - 1];
  }

  private drop(): void {
    if (this.kind === 'queue') this.values.shift();
    else this.values.pop();
  }

  private take(address: number, remove: boolean): number {
    const v = this.next();
    if (v === undefined) {
      this.memory.writeBytes(address, new Uint8Array(this.valueSize));
      return -ERRNO.ENOENT;
    }
    this.memory.writeBytes(address, v);
    if (remove) this.drop();
    return 0;
  }

  private empty<T>(op: string): MapResult<T> {
    return this.fail<T>(op, ERRNO.ENOENT, `the ${this.kind} is empty`);
  }
}
