/**
 * The bucket structure of the kernel's hash maps (`kernel/bpf/hashtab.c`),
 * shared by the hash, per-CPU hash, LRU and hash-of-maps types (internal).
 *
 * `roundup_pow_of_two(max_entries)` buckets; a key goes to bucket
 * `htab_map_hash(key) & (n_buckets - 1)` with seed 0 (the kernel's
 * `BPF_F_ZERO_SEED`; otherwise it seeds randomly); a new element goes to the
 * head of its bucket's chain. `get_next_key` and the batch operations walk
 * buckets in index order and each chain from its head, so iteration order
 * and batch boundaries are the kernel's.
 */
import { ERRNO } from '@bpflab/uapi';
import type { BatchLookupResult } from '../result';
import { readU32, u32Bytes } from './bytes';
import { htabHash } from '../jhash';

/** What the table stores: an element with its key. */
export interface TableEntry {
  readonly key: Uint8Array;
  /** `keyString(key)` */
  readonly keyStr: string;
  readonly bucket: number;
}

/** Buckets of elements, indexed by key. */
export class HashTable<E extends TableEntry> {
  private readonly index = new Map<string, E>();
  private readonly chains = new Map<number, E[]>();
  /** indices of non-empty buckets, ascending */
  private readonly used: number[] = [];

  constructor(readonly nBuckets: number) {}

  /** Elements stored. */
  get size(): number {
    return this.index.size;
  }

  /** The bucket a key belongs to. */
  bucketOf(key: Uint8Array): number {
    return htabHash(key) & (this.nBuckets - 1);
  }

  get(keyStr: string): E | undefined {
    return this.index.get(keyStr);
  }

  /** Adds an element at the head of its bucket's chain (its key must be absent). */
  insert(e: E): void {
    this.index.set(e.keyStr, e);
    const chain = this.chains.get(e.bucket);
    if (chain !== undefined) {
      chain.unshift(e);
      return;
    }
    this.chains.set(e.bucket, [e]);
    this.used.splice(this.lowerBound(e.bucket), 0, e.bucket);
  }

  /** Removes an element. */
  remove(e: E): void {
    this.index.delete(e.keyStr);
    const chain = this.chains.get(e.bucket)!;
    chain.splice(chain.indexOf(e), 1);
    if (chain.length === 0) {
      this.chains.delete(e.bucket);
      this.used.splice(this.lowerBound(e.bucket), 1);
    }
  }

  /** Puts `next` where the kernel puts a replacing element: `old` leaves, `next` heads the chain. */
  replace(old: E, next: E): void {
    this.remove(old);
    this.insert(next);
  }

  /** The first element in iteration order. */
  first(): E | undefined {
    const b = this.used[0];
    return b === undefined ? undefined : this.chains.get(b)![0];
  }

  /**
   * `htab_map_get_next_key`: the element after the one with `keyStr`, the
   * first element when that key is absent, undefined at the end.
   */
  next(keyStr: string): E | undefined {
    const e = this.index.get(keyStr);
    if (e === undefined) return this.first();
    const chain = this.chains.get(e.bucket)!;
    const after = chain[chain.indexOf(e) + 1];
    if (after !== undefined) return after;
    const b = this.used[this.lowerBound(e.bucket + 1)];
    return b === undefined ? undefined : this.chains.get(b)![0];
  }

  /** Every element in iteration order. */
  *entries(): IterableIterator<E> {
    for (const b of this.used.slice()) yield* this.chains.get(b)!.slice();
  }

  private lowerBound(bucket: number): number {
    let lo = 0;
    let hi = this.used.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.used[mid]! < bucket) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * `__htab_map_lookup_and_delete_batch`: whole buckets from bucket
   * `inBatch` on while they fit in `count`; -ENOSPC when the first non-empty
   * bucket alone does not fit, -ENOENT once the last bucket is passed. The
   * 4-byte `outBatch` is the bucket to continue from.
   */
  batch(
    inBatch: Uint8Array | null,
    count: number,
    valueOf: (e: E) => Uint8Array,
    remove: ((e: E) => void) | undefined,
    label: string,
  ): BatchLookupResult {
    let batch = inBatch === null ? 0 : readU32(inBatch);
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    if (batch >= this.nBuckets) {
      return { errno: ERRNO.ENOENT, message: `${label}: batch ${batch} is past the last bucket`, count: 0, keys, values, outBatch: undefined };
    }
    let errno = 0;
    let message = '';
    for (;;) {
      const b = this.used[this.lowerBound(batch)];
      if (b === undefined) {
        batch = this.nBuckets;
        errno = ERRNO.ENOENT;
        message = `${label}: no more elements`;
        break;
      }
      batch = b;
      const chain = this.chains.get(b)!.slice();
      if (chain.length > count - keys.length) {
        if (keys.length === 0) {
          errno = ERRNO.ENOSPC;
          message = `${label}: bucket ${b} holds ${chain.length} elements, more than count ${count}`;
        }
        break;
      }
      for (const e of chain) {
        keys.push(e.key.slice());
        values.push(valueOf(e));
      }
      if (remove !== undefined) for (const e of chain) remove(e);
      batch = b + 1;
      if (batch >= this.nBuckets) {
        errno = ERRNO.ENOENT;
        message = `${label}: no more elements`;
        break;
      }
    }
    return { errno, message, count: keys.length, keys, values, outBatch: u32Bytes(batch) };
  }
}
