/**
 * What the fd-holding map types (prog_array, perf_event_array,
 * array_of_maps, hash_of_maps) need from the process's file descriptors.
 * User space writes a u32 fd as the value; the kernel resolves it to the
 * object. The simulated kernel owns the fd table and hands this package a
 * resolver.
 */
import type { PerfEventBuffer } from './perf-event-array';
import type { BpfMap } from './store';

/** A loaded program, as a prog_array holds it. */
export interface ProgramRef {
  /** the program's id (what user space reads back from a prog_array) */
  readonly id: number;
  /** `BPF_PROG_TYPE_*` value: every program in one prog_array must share it */
  readonly type: number;
}

/** What an fd refers to. */
export type FdObject =
  | { readonly kind: 'map'; readonly map: BpfMap }
  | { readonly kind: 'prog'; readonly prog: ProgramRef }
  /** a `perf_event_open(PERF_COUNT_SW_BPF_OUTPUT)` event */
  | { readonly kind: 'perf_event'; readonly event: PerfEventBuffer }
  /** any other open file */
  | { readonly kind: 'other' };

/** The process's fds, as far as maps need them. */
export interface FdTable {
  /** the object behind `fd`, or undefined when the fd is not open (EBADF) */
  resolve(fd: number): FdObject | undefined;
}

/** An fd table with nothing open. */
export const NO_FDS: FdTable = Object.freeze({ resolve: () => undefined });
