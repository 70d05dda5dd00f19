/**
 * `BPF_MAP_TYPE_PERF_EVENT_ARRAY` and the perf event buffers it points to.
 *
 * User space opens one `PERF_COUNT_SW_BPF_OUTPUT` perf event per CPU
 * (`perf_event_open`, here a `PerfEventBuffer` bound to a CPU), stores each
 * event's fd at its CPU's index, and reads the records the events collect.
 * `bpf_perf_event_output(ctx, map, flags, data, size)` writes one sample to
 * the event at index `flags & BPF_F_INDEX_MASK`, usually
 * `BPF_F_CURRENT_CPU`; that event must be bound to the CPU the program runs
 * on (EOPNOTSUPP otherwise). A sample that does not fit in the event's
 * buffer is lost (ENOSPC); the next sample that fits is preceded by a
 * PERF_RECORD_LOST record counting the losses, as in Linux.
 */
import type { Region } from '@bpflab/vm';
import { ERRNO, PERF_EVENT_FLAG } from '@bpflab/uapi';
import { roundUp8, type CheckedMapDef } from './def';
import { MapError } from './errors';
import { FdArray } from './internal/fd-array';
import type { BatchSupport, MapEnv } from './internal/base';
import { ok } from './internal/results';
import type { MapResult } from './result';

/** One record a perf event buffer delivers. */
export type PerfRecord =
  /** PERF_RECORD_SAMPLE with PERF_SAMPLE_RAW: the bytes a program output */
  | { readonly kind: 'sample'; readonly cpu: number; readonly data: Uint8Array }
  /** PERF_RECORD_LOST: how many samples did not fit since the last record */
  | { readonly kind: 'lost'; readonly cpu: number; readonly lost: number };

/** How to open a perf event buffer. */
export interface PerfEventBufferOptions {
  /** the CPU the event counts on (`perf_event_open`'s `cpu`) */
  readonly cpu: number;
  /** data pages of its ring (a power of 2, as `perf_buffer__new` requires); default 8 */
  readonly pages?: number;
}

/** Bytes of a PERF_RECORD_LOST record (header, id, lost). */
const LOST_RECORD_SIZE = 24;
/** Bytes of `struct perf_event_header`. */
const HEADER_SIZE = 8;
const PAGE_SIZE = 4096;

/**
 * A `PERF_COUNT_SW_BPF_OUTPUT` perf event with its ring of records: what
 * user space reads, one per CPU. Space is accounted as Linux's ring does:
 * a sample takes `8 + round_up(4 + size, 8)` bytes (header, u32 size,
 * data, padding) until it is read.
 */
export class PerfEventBuffer {
  readonly cpu: number;
  /** bytes of the ring */
  readonly capacity: number;
  private readonly queue: { readonly record: PerfRecord; readonly size: number }[] = [];
  private used = 0;
  private lostPending = 0;
  private lostTotal = 0;

  constructor(options: PerfEventBufferOptions) {
    const pages = options.pages ?? 8;
    if (!Number.isInteger(options.cpu) || options.cpu < 0) {
      throw new MapError('bad-call', `perf event buffer: cpu must be a non-negative integer, is ${options.cpu}`);
    }
    if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0) {
      throw new MapError('bad-call', `perf event buffer: pages must be a power of 2, is ${pages}`);
    }
    this.cpu = options.cpu;
    this.capacity = pages * PAGE_SIZE;
  }

  /** Samples lost so far because the ring was full. */
  get lost(): number {
    return this.lostTotal;
  }

  /** Bytes of the ring holding unread records. */
  get bytesUsed(): number {
    return this.used;
  }

  /** Writes one raw sample (what the helper does): 0, or -ENOSPC when it does not fit and is lost. */
  writeSample(data: Uint8Array): number {
    const size = HEADER_SIZE + roundUp8(4 + data.length);
    const need = size + (this.lostPending > 0 ? LOST_RECORD_SIZE : 0);
    if (need > this.capacity - this.used) {
      this.lostPending++;
      this.lostTotal++;
      return -ERRNO.ENOSPC;
    }
    if (this.lostPending > 0) {
      this.queue.push({ record: { kind: 'lost', cpu: this.cpu, lost: this.lostPending }, size: LOST_RECORD_SIZE });
      this.used += LOST_RECORD_SIZE;
      this.lostPending = 0;
    }
    this.queue.push({ record: { kind: 'sample', cpu: this.cpu, data: data.slice() }, size });
    this.used += size;
    return 0;
  }

  /** Reads (and frees the space of) up to `max` records, oldest first. */
  read(max = Infinity): PerfRecord[] {
    const n = Math.min(max, this.queue.length);
    const out = this.queue.splice(0, n);
    for (const r of out) this.used -= r.size;
    return out.map((r) => r.record);
  }
}

/** A perf event array map. */
export class PerfEventArray extends FdArray<'perf_event_array', PerfEventBuffer> {
  protected readonly batchSupport: BatchSupport = { lookup: false, lookupAndDelete: false, update: false, delete: false };
  protected readonly readable = false;

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
  }

  /** The event at `index`, if one is set. */
  eventAt(index: number): PerfEventBuffer | undefined {
    this.alive();
    return this.slots.get(index);
  }

  /**
   * `bpf_perf_event_output` by a program on `cpu`: `size` bytes at address
   * `data`, then `ctxData` when the hook appends packet bytes (the skb and
   * XDP forms, which allow BPF_F_CTXLEN_MASK bits; the hook checks and
   * extracts them). 0, -EINVAL for other flag bits, -E2BIG for an index
   * past max_entries, -ENOENT for an empty slot, -EOPNOTSUPP for an event
   * of another CPU, -ENOSPC when the sample is lost.
   */
  output(cpu: number, flags: number | bigint, data: number, size: number | bigint, ctxData?: Uint8Array): number {
    this.alive();
    this.checkCpu(cpu);
    const f = BigInt(flags);
    const allowed = BigInt(PERF_EVENT_FLAG.INDEX_MASK) | (ctxData === undefined ? 0n : BigInt(PERF_EVENT_FLAG.CTXLEN_MASK));
    if (f < 0n || (f & ~allowed) !== 0n) return -ERRNO.EINVAL;
    const raw = Number(f & BigInt(PERF_EVENT_FLAG.INDEX_MASK));
    const index = raw === PERF_EVENT_FLAG.CURRENT_CPU ? cpu : raw;
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    const event = this.slots.get(index);
    if (event === undefined) return -ERRNO.ENOENT;
    if (event.cpu !== cpu) return -ERRNO.EOPNOTSUPP;
    const bytes = this.readProgram(data, Number(size));
    if (ctxData === undefined || ctxData.length === 0) return event.writeSample(bytes);
    const all = new Uint8Array(bytes.length + ctxData.length);
    all.set(bytes);
    all.set(ctxData, bytes.length);
    return event.writeSample(all);
  }

  protected resolveFd(fd: number): MapResult<PerfEventBuffer> {
    const o = this.env.fds.resolve(fd);
    if (o === undefined || o.kind !== 'perf_event') return this.badFd(fd, ERRNO.EBADF, 'not a perf event');
    return ok(o.event);
  }

  protected idOf(): number {
    throw new MapError('bad-call', `${this.label}: a perf_event_array has no ids to read`);
  }
}
