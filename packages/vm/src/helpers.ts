/**
 * The helper-call interface: how an embedder (the simulated kernel, a test,
 * the conformance harness) supplies the functions a program `call`s.
 *
 * A helper is registered under its id. It comes in two forms with one
 * contract (r1-r5 in, r0 out):
 *
 * - `bigint`: `(ctx, r1, r2, r3, r4, r5) => r0`, every value an unsigned
 *   64-bit bigint. The easy form.
 * - `fast`: `(ctx) => r0` reading arguments through `ctx.argLo(n)` /
 *   `ctx.argHi(n)` / `ctx.argNumber(n)` and returning r0 as a safe integer
 *   number (negative numbers are two's complement, e.g. `-2` for `-ENOENT`).
 *   No bigint is created on the way in or out.
 *
 * Every `call` of an id that is not supplied is refused when the program is
 * loaded, not when it runs.
 */
import type { AddressSpace } from './address-space';

/** What a helper sees of the machine while it runs. */
export interface HelperContext {
  /** the program's address space (pointers in r1-r5 are addresses in it) */
  readonly memory: AddressSpace;
  /** slot index of the `call` instruction */
  readonly pc: number;
  /** the id the program called */
  readonly helperId: number;
  /** argument register `n` (1-5) as an unsigned 64-bit bigint */
  arg(n: ArgNumber): bigint;
  /** low 32 bits of argument register `n`, unsigned */
  argLo(n: ArgNumber): number;
  /** high 32 bits of argument register `n`, unsigned */
  argHi(n: ArgNumber): number;
  /**
   * Argument register `n` as a number: exact when it is below 2^53 (pointers,
   * sizes, flags); larger values throw (use `arg` for those).
   */
  argNumber(n: ArgNumber): number;
  /**
   * Asks the VM to stop the program as soon as this helper returns: the run
   * ends at once with r0 = the helper's return value (the conformance
   * `unwind` helper, `bpf_tail_call`-style exits).
   */
  stop(): void;
}

/** An argument register number. */
export type ArgNumber = 1 | 2 | 3 | 4 | 5;

/** A helper in bigint form: unsigned 64-bit r1-r5 in, r0 out (taken modulo 2^64). */
export type HelperFn = (ctx: HelperContext, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

/** A helper in fast form: reads its arguments from `ctx`, returns r0 as a safe integer. */
export type FastHelperFn = (ctx: HelperContext) => number;

/** One helper implementation. */
export type Helper =
  | { readonly kind: 'bigint'; readonly name: string; readonly fn: HelperFn }
  | { readonly kind: 'fast'; readonly name: string; readonly fn: FastHelperFn };

/** Helpers by id (or kfuncs by BTF id). */
export type HelperTable = ReadonlyMap<number, Helper> | { readonly [id: number]: Helper };

/** Defines a helper in bigint form. */
export function defineHelper(name: string, fn: HelperFn): Helper {
  return { kind: 'bigint', name, fn };
}

/** Defines a helper in fast (number) form. */
export function defineFastHelper(name: string, fn: FastHelperFn): Helper {
  return { kind: 'fast', name, fn };
}

/** The entries of a helper table as `[id, helper]` pairs, sorted by id. */
export function helperEntries(table: HelperTable | undefined): Array<readonly [number, Helper]> {
  if (table === undefined) return [];
  const entries: Array<readonly [number, Helper]> =
    table instanceof Map
      ? [...(table as ReadonlyMap<number, Helper>).entries()]
      : Object.entries(table as { readonly [id: number]: Helper }).map(([k, v]) => [Number(k), v] as const);
  return entries.sort((a, b) => a[0] - b[0]);
}
