/**
 * The simulated kernel's clock: deterministic, advanced only by the
 * simulation. It stands for `CLOCK_MONOTONIC` (what `bpf_ktime_get_ns`
 * reads and the trace pipe timestamps with), `CLOCK_BOOTTIME` (the same
 * plus time spent suspended), the coarse clock updated on every tick, and
 * `jiffies`.
 */
import { KernelError } from './errors';

/** How a clock starts. */
export interface ClockOptions {
  /** nanoseconds since boot at the start; default 5 s */
  readonly startNs?: bigint;
  /** `CONFIG_HZ`: timer ticks per second (jiffies, coarse time); default 250 */
  readonly hz?: number;
}

/** The defaults of `ClockOptions`. */
export const DEFAULT_CLOCK_OPTIONS: Required<ClockOptions> = Object.freeze({ startNs: 5_000_000_000n, hz: 250 });

const NS_PER_SEC = 1_000_000_000n;

/**
 * `INITIAL_JIFFIES` on a 64-bit kernel: jiffies start 300 seconds before
 * the 32-bit counter wraps, so that wrap bugs show early.
 */
export function initialJiffies(hz: number): bigint {
  return BigInt.asUintN(32, BigInt(-300 * hz));
}

function toNs(what: string, v: bigint | number): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new KernelError('bad-call', `${what} must be an integer number of nanoseconds, is ${v}`);
    return BigInt(v);
  }
  return v;
}

/** The clock of one simulated machine. */
export class Clock {
  readonly hz: number;
  private mono: bigint;
  private suspended = 0n;

  constructor(options: ClockOptions = {}) {
    const o = { ...DEFAULT_CLOCK_OPTIONS, ...options };
    if (!Number.isInteger(o.hz) || o.hz < 1 || o.hz > 10_000) {
      throw new KernelError('bad-call', `hz must be an integer in [1, 10000], is ${o.hz}`);
    }
    if (o.startNs < 0n) throw new KernelError('bad-call', `startNs must not be negative, is ${o.startNs}`);
    this.hz = o.hz;
    this.mono = o.startNs;
  }

  /** Nanoseconds per tick (`TICK_NSEC`). */
  get tickNs(): bigint {
    return NS_PER_SEC / BigInt(this.hz);
  }

  /** `CLOCK_MONOTONIC` in ns (`bpf_ktime_get_ns`, trace timestamps). */
  now(): bigint {
    return this.mono;
  }

  /** `CLOCK_BOOTTIME` in ns (`bpf_ktime_get_boot_ns`): monotonic time plus time suspended. */
  boot(): bigint {
    return this.mono + this.suspended;
  }

  /** The coarse monotonic clock (`bpf_ktime_get_coarse_ns`): the time of the last tick. */
  coarse(): bigint {
    const tick = this.tickNs;
    return (this.mono / tick) * tick;
  }

  /** `jiffies_64` (`bpf_jiffies64`). */
  jiffies(): bigint {
    return initialJiffies(this.hz) + (this.mono * BigInt(this.hz)) / NS_PER_SEC;
  }

  /** Moves time forward by `ns` nanoseconds. */
  advance(ns: bigint | number): void {
    const d = toNs('advance', ns);
    if (d < 0n) throw new KernelError('bad-call', `time only moves forward: cannot advance by ${d} ns`);
    this.mono += d;
  }

  /** Sets the monotonic time (never backwards). */
  set(ns: bigint | number): void {
    const t = toNs('set', ns);
    if (t < this.mono) throw new KernelError('bad-call', `time only moves forward: cannot set ${t} ns, it is already ${this.mono} ns`);
    this.mono = t;
  }

  /** A suspend: boot time moves forward by `ns`, monotonic time does not. */
  suspend(ns: bigint | number): void {
    const d = toNs('suspend', ns);
    if (d < 0n) throw new KernelError('bad-call', `a suspend cannot last ${d} ns`);
    this.suspended += d;
  }
}
