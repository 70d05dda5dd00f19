/**
 * What helpers see of the simulated kernel: its memory, maps, clock,
 * tasks and symbols, and the run in progress (CPU, current task, tail-call
 * count). The kernel implements it; hook plugins' helpers receive it too.
 */
import type { MapStore } from '@bpflab/maps';
import type { AddressSpace } from '@bpflab/vm';
import type { Clock } from '../clock';
import type { Kallsyms } from '../kallsyms';
import type { LoadedProgram } from '../program';
import type { RunFrame } from '../run';
import type { TaskTable } from '../tasks';

/** The kernel as helpers use it. */
export interface HelperEnv {
  readonly memory: AddressSpace;
  readonly maps: MapStore;
  readonly clock: Clock;
  readonly tasks: TaskTable;
  readonly kallsyms: Kallsyms;
  /** number of CPUs */
  readonly cpus: number;
  /** the run in progress; throws when no program is running */
  frame(): RunFrame;
  /** records a `bpf_trace_printk` event for the run in progress */
  traceEvent(message: string): void;
  /** writes a line to the kernel log (`dmesg`) */
  printk(message: string): void;
  /** the next `bpf_get_prandom_u32` value of a CPU (seeded, reproducible) */
  prandom(cpu: number): number;
  /** the 32-bit hash `%p` prints for a pointer */
  hashPointer(address: bigint): number;
  /** the loaded program whose code contains `address`, and the slot it points at */
  codeAt(address: bigint): { readonly program: LoadedProgram; readonly pc: number } | undefined;
  /** a loaded program by id */
  programById(id: number): LoadedProgram | undefined;
  /**
   * Calls the function of `program` that starts at slot `pc` with
   * `args` in r1-r5 (a `bpf_loop` callback) and returns its r0.
   */
  callFunction(program: LoadedProgram, pc: number, args: readonly bigint[]): bigint;
}
