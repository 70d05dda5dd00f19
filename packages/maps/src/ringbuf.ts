/**
 * `BPF_MAP_TYPE_RINGBUF`: the multi-producer, single-consumer ring buffer
 * (`kernel/bpf/ringbuf.c`). `max_entries` is the size of the data area, a
 * power of 2 and a multiple of the 4096-byte page.
 *
 * Every record starts with the kernel's 8-byte header, written into the
 * data area at the producer position:
 *
 * ```
 *   0               4               8
 *   +---------------+---------------+------------------------+
 *   | len (u32)     | pg_off (u32)  | sample (len bytes) ... |
 *   +---------------+---------------+------------------------+
 *     bit 31 BUSY: reserved, not yet submitted or discarded
 *     bit 30 DISCARD: discarded, the consumer skips it
 *     pg_off: pages from the start of struct bpf_ringbuf to the header
 *             (the data area starts 3 pages in: 3 + offset / 4096)
 * ```
 *
 * A record takes `round_up(len + 8, 8)` bytes and may run past the end of
 * the data area into its start (Linux maps the data area twice in a row so
 * that such a record is contiguous). `bpf_ringbuf_reserve` gives a program
 * its own region of exactly `len` bytes in the address space; submit copies
 * it into the ring (wrapping where needed) and unmaps it, so a write past
 * the reservation or after submit faults. Reserve fails (NULL; -EAGAIN for
 * `bpf_ringbuf_output`) when the producer would get `size` or more bytes
 * ahead of the consumer or of the oldest record still BUSY.
 */
import type { Region } from '@bpflab/vm';
import { VmError } from '@bpflab/vm';
import { ERRNO, RINGBUF_FLAG, RINGBUF_QUERY } from '@bpflab/uapi';
import { roundUp8, RINGBUF_PAGE_SIZE, type CheckedMapDef } from './def';
import { MapError } from './errors';
import { flagWord } from './internal/bytes';
import { MapBase, type BatchSupport, type MapEnv } from './internal/base';
import type { MapResult } from './result';

/** `BPF_RINGBUF_BUSY_BIT`: the record is reserved and not yet committed. */
export const RINGBUF_BUSY_BIT = 2 ** 31;
/** `BPF_RINGBUF_DISCARD_BIT`: the record was discarded. */
export const RINGBUF_DISCARD_BIT = 2 ** 30;
/** `BPF_RINGBUF_HDR_SZ`: bytes of a record header. */
export const RINGBUF_HDR_SZ = 8;
/** `RINGBUF_MAX_RECORD_SZ`: the largest sample a reservation may ask for. */
export const RINGBUF_MAX_RECORD_SZ = Math.floor(0xffffffff / 4);
/** Pages of `struct bpf_ringbuf` before its data area (the kernel's header page, then the consumer and producer pages). */
const DATA_PAGE_OFFSET = 3;

/** One record as the consumer reads it. */
export interface RingBufRecord {
  /** producer position of the record's header */
  readonly position: number;
  /** the sample (a copy) */
  readonly data: Uint8Array;
}

/** A record header, decoded. */
export interface RingBufHeader {
  /** the sample length, without the flag bits */
  readonly length: number;
  readonly busy: boolean;
  readonly discarded: boolean;
  /** `pg_off` */
  readonly pageOffset: number;
}

interface Reservation {
  readonly region: Region;
  /** producer position of the header */
  readonly position: number;
}

/** A ring buffer map. */
export class RingBufMap extends MapBase<'ringbuf'> {
  protected readonly batchSupport: BatchSupport = { lookup: false, lookupAndDelete: false, update: false, delete: false };
  /** the data area (read-only to programs, which write through reservations) */
  readonly dataRegion: Region;
  private producer = 0;
  private consumer = 0;
  private pendingPos = 0;
  private wakeupCount = 0;
  private readonly reservations = new Map<number, Reservation>();

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
    this.dataRegion = this.allocateRegions(1, def.maxEntries, () => `${this.regionName}.ring`, false)[0]!;
  }

  /** Bytes of the data area (`max_entries`). */
  get ringSize(): number {
    return this.maxEntries;
  }

  /** The producer position (bytes ever reserved; `BPF_RB_PROD_POS`). */
  get producerPosition(): number {
    return this.producer;
  }

  /** The consumer position (bytes ever consumed; `BPF_RB_CONS_POS`). */
  get consumerPosition(): number {
    return this.consumer;
  }

  /** How many times a commit woke the consumer up (what makes `ring_buffer__poll` return). */
  get wakeups(): number {
    return this.wakeupCount;
  }

  /* ------------------------------------------------------------ program side */

  /**
   * `bpf_ringbuf_reserve`: the address of a fresh `size`-byte sample, or 0
   * (NULL) when the ring has no room, `flags` is not 0, or `size` is too big.
   */
  reserve(size: number | bigint, flags: number | bigint): number {
    this.alive();
    if (flagWord(flags) !== 0) return 0;
    const n = typeof size === 'bigint' ? (size <= BigInt(RINGBUF_MAX_RECORD_SZ) ? Number(size) : -1) : size;
    if (!Number.isInteger(n) || n < 0 || n > RINGBUF_MAX_RECORD_SZ) return 0;
    if (!this.hasRoom(n)) return 0;
    let region: Region;
    try {
      region = this.memory.allocate({ name: this.regionName, kind: 'map_value', size: n });
    } catch (e) {
      if (e instanceof VmError && e.code === 'out-of-memory') return 0;
      throw e;
    }
    const position = this.claim(n);
    this.reservations.set(region.start, { region, position });
    return region.start;
  }

  /** Whether `sample` is a record reserved from this ring and not yet submitted or discarded. */
  holds(sample: number | bigint): boolean {
    return typeof sample === 'bigint' ? sample < 2n ** 32n && this.reservations.has(Number(sample)) : this.reservations.has(sample);
  }

  /** `bpf_ringbuf_submit`: commits a reserved sample; BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP steer the wakeup. */
  submit(sample: number, flags: number | bigint): void {
    this.commit(sample, flags, false);
  }

  /** `bpf_ringbuf_discard`: marks a reserved sample discarded (the consumer skips it). */
  discard(sample: number, flags: number | bigint): void {
    this.commit(sample, flags, true);
  }

  /**
   * `bpf_ringbuf_output`: copies `size` bytes at address `data` into a new
   * record; 0, -EINVAL for flags other than the wakeup ones, -EAGAIN when
   * the ring has no room.
   */
  output(data: number, size: number | bigint, flags: number | bigint): number {
    this.alive();
    const f = flagWord(flags);
    if (f < 0 || (f & ~(RINGBUF_FLAG.NO_WAKEUP | RINGBUF_FLAG.FORCE_WAKEUP)) !== 0) return -ERRNO.EINVAL;
    const n = typeof size === 'bigint' ? (size <= BigInt(RINGBUF_MAX_RECORD_SZ) ? Number(size) : -1) : size;
    if (!Number.isInteger(n) || n < 0 || n > RINGBUF_MAX_RECORD_SZ) return -ERRNO.EAGAIN;
    const bytes = this.readProgram(data, n);
    if (!this.hasRoom(n)) return -ERRNO.EAGAIN;
    const position = this.claim(n);
    this.writeWrapped(this.offsetOf(position) + RINGBUF_HDR_SZ, bytes);
    this.finish(position, f, false);
    return 0;
  }

  /**
   * `bpf_ringbuf_query`: BPF_RB_AVAIL_DATA (bytes not consumed), _RING_SIZE,
   * _CONS_POS, _PROD_POS; 0 for any other selector.
   */
  query(flags: number | bigint): bigint {
    this.alive();
    switch (flagWord(flags)) {
      case RINGBUF_QUERY.AVAIL_DATA:
        return BigInt(this.producer - this.consumer);
      case RINGBUF_QUERY.RING_SIZE:
        return BigInt(this.maxEntries);
      case RINGBUF_QUERY.CONS_POS:
        return BigInt(this.consumer);
      case RINGBUF_QUERY.PROD_POS:
        return BigInt(this.producer);
      default:
        return 0n;
    }
  }

  /* --------------------------------------------------------- consumer side */

  /**
   * Reads committed records from the consumer position on, as libbpf's
   * `ring_buffer__consume` does: it stops at the first record still BUSY,
   * skips discarded ones, and advances the consumer position past every
   * record it passes. At most `max` samples are returned.
   */
  consume(max = Infinity): RingBufRecord[] {
    this.alive();
    const out: RingBufRecord[] = [];
    while (this.consumer < this.producer && out.length < max) {
      const h = this.headerAt(this.consumer);
      if (h.busy) break;
      const position = this.consumer;
      this.consumer += roundUp8(h.length + RINGBUF_HDR_SZ);
      if (!h.discarded) out.push({ position, data: this.readWrapped(this.offsetOf(position) + RINGBUF_HDR_SZ, h.length) });
    }
    return out;
  }

  /** The header of the record at producer position `position`. */
  headerAt(position: number): RingBufHeader {
    this.alive();
    const view = this.memory.view();
    const at = this.dataRegion.start + this.offsetOf(position);
    const len = view.getUint32(at, true);
    return {
      length: len % RINGBUF_DISCARD_BIT,
      busy: len >= RINGBUF_BUSY_BIT,
      discarded: len % RINGBUF_BUSY_BIT >= RINGBUF_DISCARD_BIT,
      pageOffset: view.getUint32(at + 4, true),
    };
  }

  /* ------------------------------------------------------------- user space */

  protected userLookup(): MapResult<Uint8Array> {
    return this.fail('lookup', ERRNO.ENOTSUPP, 'a ring buffer is read by consuming records, not by key');
  }

  protected userUpdate(): MapResult {
    return this.fail('update', ERRNO.ENOTSUPP, 'a ring buffer is written by programs (bpf_ringbuf_output/reserve)');
  }

  protected userDelete(): MapResult {
    return this.fail('delete', ERRNO.ENOTSUPP, 'a ring buffer has no elements to delete');
  }

  protected userNextKey(): MapResult<Uint8Array> {
    return this.fail('get_next_key', ERRNO.ENOTSUPP, 'a ring buffer has no keys');
  }

  protected releaseStorage(): void {
    for (const r of this.reservations.values()) this.memory.free(r.region);
    this.reservations.clear();
    this.memory.free(this.dataRegion);
  }

  /* -------------------------------------------------------------- internals */

  /** Whether a record of `size` bytes fits (advancing the oldest-busy position first). */
  private hasRoom(size: number): boolean {
    const len = roundUp8(size + RINGBUF_HDR_SZ);
    if (len > this.maxEntries) return false;
    while (this.pendingPos < this.producer) {
      const h = this.headerAt(this.pendingPos);
      if (h.busy) break;
      this.pendingPos += roundUp8(h.length + RINGBUF_HDR_SZ);
    }
    const next = this.producer + len;
    return next - this.consumer < this.maxEntries && next - this.pendingPos < this.maxEntries;
  }

  /** Writes a BUSY header for `size` bytes at the producer position and advances it; returns the header's position. */
  private claim(size: number): number {
    const position = this.producer;
    const off = this.offsetOf(position);
    const view = this.memory.view();
    const at = this.dataRegion.start + off;
    view.setUint32(at, (size + RINGBUF_BUSY_BIT) >>> 0, true);
    view.setUint32(at + 4, DATA_PAGE_OFFSET + Math.floor(off / RINGBUF_PAGE_SIZE), true);
    this.producer = position + roundUp8(size + RINGBUF_HDR_SZ);
    return position;
  }

  private commit(sample: number, flags: number | bigint, discard: boolean): void {
    this.alive();
    const r = this.reservations.get(sample);
    if (r === undefined) {
      throw new MapError(
        'bad-call',
        `${this.label}: ${discard ? 'bpf_ringbuf_discard' : 'bpf_ringbuf_submit'} of ${sample}: not a reserved sample (submitted twice?)`,
      );
    }
    if (!discard) {
      const sample = this.load(r.region.start, r.region.size);
      this.writeWrapped(this.offsetOf(r.position) + RINGBUF_HDR_SZ, sample);
    }
    this.memory.free(r.region);
    this.reservations.delete(sample);
    const wake = typeof flags === 'bigint' ? Number(flags & 3n) : flags & 3;
    this.finish(r.position, wake, discard);
  }

  /** Clears BUSY (sets DISCARD) in the header at `position` and wakes the consumer as the kernel would. */
  private finish(position: number, flags: number, discard: boolean): void {
    const view = this.memory.view();
    const at = this.dataRegion.start + this.offsetOf(position);
    const len = view.getUint32(at, true) - RINGBUF_BUSY_BIT;
    view.setUint32(at, discard ? len + RINGBUF_DISCARD_BIT : len, true);
    if ((flags & RINGBUF_FLAG.FORCE_WAKEUP) !== 0) this.wakeupCount++;
    else if (this.offsetOf(this.consumer) === this.offsetOf(position) && (flags & RINGBUF_FLAG.NO_WAKEUP) === 0) this.wakeupCount++;
  }

  /** Offset in the data area of a producer/consumer position (positions only grow). */
  private offsetOf(position: number): number {
    return position % this.maxEntries;
  }

  private writeWrapped(offset: number, bytes: Uint8Array): void {
    const u8 = this.memory.bytes();
    const start = this.offsetOf(offset);
    const first = Math.min(bytes.length, this.maxEntries - start);
    u8.set(bytes.subarray(0, first), this.dataRegion.start + start);
    if (first < bytes.length) u8.set(bytes.subarray(first), this.dataRegion.start);
  }

  private readWrapped(offset: number, length: number): Uint8Array {
    const u8 = this.memory.bytes();
    const start = this.offsetOf(offset);
    const first = Math.min(length, this.maxEntries - start);
    const out = new Uint8Array(length);
    out.set(u8.subarray(this.dataRegion.start + start, this.dataRegion.start + start + first));
    if (first < length) out.set(u8.subarray(this.dataRegion.start, this.dataRegion.start + length - first), first);
    return out;
  }
}
