/**
 * The trace pipe (`/sys/kernel/debug/tracing/trace_pipe`): where
 * `bpf_trace_printk` / `bpf_printk` output goes, one entry per call, in
 * the kernel's format:
 *
 * ```
 *            <...>-13197   [000] d...1 14391.036697: bpf_trace_printk: BPF triggered from PID 13197.
 * |  comm (%16s) |pid (%-7d)|cpu   |flags| secs.usecs  : event           : the formatted message
 * ```
 *
 * - comm is right-aligned in 16 columns; `<...>` when the comm was not
 *   recorded (tracefs option `record-cmd` off), `<idle>` for pid 0.
 * - pid (the thread id) is left-aligned in 7 columns.
 * - the CPU has 3 digits.
 * - the latency flags (tracefs option `irq-info`, on by default) are five
 *   characters: irqs-off (`d`, or `D` with bottom halves off too, `b` for
 *   bottom halves off only), need-resched (`N`, `n`, `p` or `.`),
 *   hardirq/softirq (`h`, `s`, `H`, `z`, `Z` or `.`), preempt depth (hex
 *   digit or `.`), migrate-disable depth (hex digit or `.`).
 *   `bpf_trace_printk` takes its lock with interrupts off, and BPF programs
 *   run with migration disabled, so a program in process context prints
 *   `d...1`.
 * - the timestamp is seconds and microseconds (`%5lu.%06lu`, rounded to the
 *   nearest microsecond) of the trace clock.
 * - the event prints `bpf_trace_printk: ` and the message, then a newline.
 *   The message keeps its own newline, so `bpf_printk("hi\n")` is followed
 *   by an empty line in the raw pipe (Linux 5.10 and later behave so).
 *
 * Reading the pipe consumes what was read, as reading `trace_pipe` does.
 */
import { KernelError } from './errors';

/** The execution context an entry was written in (what the latency flags show). */
export interface TraceContext {
  /** interrupts disabled */
  readonly irqsOff: boolean;
  /** bottom halves disabled */
  readonly bhOff: boolean;
  /** `TIF_NEED_RESCHED` set */
  readonly needResched: boolean;
  /** `PREEMPT_NEED_RESCHED` set */
  readonly preemptResched: boolean;
  readonly hardirq: boolean;
  readonly softirq: boolean;
  readonly nmi: boolean;
  /** preemption-disable depth, 0-15 */
  readonly preemptDepth: number;
  /** migration-disable depth, 0-15 */
  readonly migrateDisable: number;
}

/** A program run from process context (a syscall tracepoint, `BPF_PROG_TEST_RUN`): prints `d...1`. */
export const PROCESS_TRACE_CONTEXT: TraceContext = Object.freeze({
  irqsOff: true,
  bhOff: false,
  needResched: false,
  preemptResched: false,
  hardirq: false,
  softirq: false,
  nmi: false,
  preemptDepth: 0,
  migrateDisable: 1,
});

/** The five latency-flag characters of an entry (`trace_print_lat_fmt`). */
export function formatLatencyFlags(c: TraceContext): string {
  const irqs = c.irqsOff && c.bhOff ? 'D' : c.irqsOff ? 'd' : c.bhOff ? 'b' : '.';
  const resched = c.needResched && c.preemptResched ? 'N' : c.needResched ? 'n' : c.preemptResched ? 'p' : '.';
  const irq = c.nmi && c.hardirq ? 'Z' : c.nmi ? 'z' : c.hardirq && c.softirq ? 'H' : c.hardirq ? 'h' : c.softirq ? 's' : '.';
  const digit = (n: number): string => {
    const v = n & 0xf;
    return v === 0 ? '.' : v.toString(16);
  };
  return `${irqs}${resched}${irq}${digit(c.preemptDepth)}${digit(c.migrateDisable)}`;
}

/** One entry of the trace buffer. */
export interface TraceEntry {
  /** the writing thread's pid */
  readonly pid: number;
  readonly tgid: number;
  /** its comm when the entry was written */
  readonly comm: string;
  readonly cpu: number;
  /** trace clock, ns */
  readonly timestampNs: bigint;
  /** the five latency-flag characters */
  readonly flags: string;
  /** the trace event (`bpf_trace_printk`) */
  readonly event: string;
  /** the formatted message, as the program produced it */
  readonly message: string;
}

/** tracefs options that shape the output. */
export interface TracePipeOptions {
  /** `options/record-cmd`: show comms (else `<...>`); default true */
  readonly recordCmd?: boolean;
  /** `options/record-tgid`: show `(tgid)` after the pid; default false */
  readonly recordTgid?: boolean;
  /** `options/irq-info`: show the latency flags; default true */
  readonly irqInfo?: boolean;
  /** entries kept before the oldest is overwritten (the ring buffer's size); default 65536 */
  readonly capacity?: number;
}

/** The defaults of `TracePipeOptions`. */
export const DEFAULT_TRACE_PIPE_OPTIONS: Required<TracePipeOptions> = Object.freeze({
  recordCmd: true,
  recordTgid: false,
  irqInfo: true,
  capacity: 65536,
});

/** The trace buffer and its pipe. */
export class TracePipe {
  readonly options: Required<TracePipeOptions>;
  private readonly entries: TraceEntry[] = [];
  private writtenCount = 0;
  private overwrittenCount = 0;

  constructor(options: TracePipeOptions = {}) {
    this.options = { ...DEFAULT_TRACE_PIPE_OPTIONS, ...options };
    const cap = this.options.capacity;
    if (!Number.isInteger(cap) || cap < 1) throw new KernelError('bad-call', `trace pipe capacity must be a positive integer, is ${cap}`);
  }

  /** Entries ever written. */
  get written(): number {
    return this.writtenCount;
  }

  /** Entries overwritten before anyone read them (the buffer was full). */
  get overwritten(): number {
    return this.overwrittenCount;
  }

  /** Appends an entry (what the trace event does). */
  write(entry: TraceEntry): void {
    if (this.entries.length >= this.options.capacity) {
      this.entries.shift();
      this.overwrittenCount++;
    }
    this.entries.push(entry);
    this.writtenCount++;
  }

  /** The entry as the pipe prints it, without the newline the event adds. */
  format(entry: TraceEntry): string {
    const o = this.options;
    const comm = entry.pid === 0 ? '<idle>' : o.recordCmd ? entry.comm : '<...>';
    let s = `${comm.padStart(16)}-${String(entry.pid).padEnd(7)} `;
    if (o.recordTgid) s += `(${String(entry.tgid).padStart(7)}) `;
    s += `[${String(entry.cpu).padStart(3, '0')}] `;
    if (o.irqInfo) s += entry.flags;
    const us = (entry.timestampNs + 500n) / 1000n;
    s += ` ${String(us / 1_000_000n).padStart(5)}.${String(us % 1_000_000n).padStart(6, '0')}: `;
    return `${s}${entry.event}: ${entry.message}`;
  }

  /** Unread entries, oldest first, without consuming them. */
  peek(): readonly TraceEntry[] {
    return this.entries.slice();
  }

  /** Unread entries as lines (see `format`), without consuming them. */
  peekLines(): string[] {
    return this.entries.map((e) => this.format(e));
  }

  /** Reads and consumes every unread entry: the raw text `cat trace_pipe` prints. */
  read(): string {
    return this.readEntries()
      .map((e) => `${this.format(e)}\n`)
      .join('');
  }

  /** Reads and consumes every unread entry, one line per entry (see `format`). */
  readLines(): string[] {
    return this.readEntries().map((e) => this.format(e));
  }

  /** Reads and consumes every unread entry. */
  readEntries(): TraceEntry[] {
    return this.entries.splice(0, this.entries.length);
  }

  /** Discards every unread entry (`echo > trace`). */
  clear(): void {
    this.entries.length = 0;
  }
}

/** The kernel log (`dmesg`): `[%5lu.%06lu] message` lines. */
export class KernelLog {
  private readonly lines: { readonly timestampNs: bigint; readonly message: string }[] = [];

  /** Appends a message (`printk`). */
  write(timestampNs: bigint, message: string): void {
    this.lines.push({ timestampNs, message });
  }

  /** The log as `dmesg` prints it, one string per line. */
  read(): string[] {
    return this.lines.map(({ timestampNs, message }) => {
      const us = timestampNs / 1000n;
      return `[${String(us / 1_000_000n).padStart(5)}.${String(us % 1_000_000n).padStart(6, '0')}] ${message}`;
    });
  }

  /** Empties the log (`dmesg -c`). */
  clear(): void {
    this.lines.length = 0;
  }
}
