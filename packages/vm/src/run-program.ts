/**
 * `runProgram`: one call that runs a program the way the bpf_conformance
 * harness does — r1 = address of a private copy of `mem`, r2 = its length,
 * r10 = top of a 512-byte stack frame, helpers 0-5 of the harness — and
 * hands back r0 with the memory as the program left it.
 */
import type { Insn } from '@bpflab/isa';
import { AddressSpace, type AddressSpaceOptions } from './address-space';
import { conformanceHelpers } from './conformance-helpers';
import type { HelperTable } from './helpers';
import { Interpreter, type RunResult } from './interpreter';

/** Options of `runProgram`. */
export interface RunProgramOptions {
  /** the bytes r1 points to (copied; absent or empty: r1 = r2 = 0) */
  readonly mem?: Uint8Array;
  /** helpers by id; default `conformanceHelpers` */
  readonly helpers?: HelperTable;
  /** instruction budget; default 1,000,000 */
  readonly budget?: number;
  /** `true` collects trace lines into the result; a function receives them as they come */
  readonly trace?: boolean | ((line: string) => void);
  /** sizing of the address space created for the run */
  readonly addressSpace?: AddressSpaceOptions;
}

/** What `runProgram` returns. */
export interface RunProgramResult extends RunResult {
  /** the `mem` bytes after the run */
  readonly mem: Uint8Array;
  /** trace lines, when `trace: true` (else empty) */
  readonly trace: readonly string[];
}

/**
 * Runs `insns` under the conformance harness contract. Throws `VmError` for a
 * program that cannot be loaded (unknown helper, bad jump) or that faults.
 */
export function runProgram(insns: readonly Insn[], options: RunProgramOptions = {}): RunProgramResult {
  const mem = options.mem ?? new Uint8Array(0);
  const memory = new AddressSpace(options.addressSpace ?? {});
  const vm = new Interpreter(insns, {
    memory,
    helpers: options.helpers ?? conformanceHelpers,
    ...(options.budget === undefined ? {} : { budget: options.budget }),
  });
  const region = mem.length > 0 ? memory.allocate({ name: 'mem', kind: 'mem', size: mem.length, init: mem }) : undefined;
  const lines: string[] = [];
  const sink =
    options.trace === true ? (line: string) => lines.push(line) : typeof options.trace === 'function' ? options.trace : undefined;
  const result = vm.run({
    args: region === undefined ? [0, 0] : [region.start, region.size],
    ...(sink === undefined ? {} : { trace: sink }),
  });
  return {
    ...result,
    mem: region === undefined ? new Uint8Array(0) : memory.readBytes(region.start, region.size),
    trace: lines,
  };
}
