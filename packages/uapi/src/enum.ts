/**
 * A UAPI enum as data: short name → value, plus the reverse lookups. Short
 * names drop the kernel's common prefix (`BPF_MAP_TYPE_HASH` → `HASH`).
 */
import { UapiError } from './errors';

/** One name of an enum. */
export interface UapiEnumEntry<S extends string = string> {
  /** the name without the enum's prefix (`HASH`) */
  readonly short: S;
  /** the kernel's name (`BPF_MAP_TYPE_HASH`) */
  readonly name: string;
  readonly value: number;
  /** for a second name of the same value, the short name that reverse lookups return */
  readonly aliasOf?: S;
}

/** An enum (or a family of `#define`d constants) of the kernel's UAPI. */
export interface UapiEnum<S extends string = string> {
  /** what the kernel calls it (`enum bpf_map_type`) */
  readonly cName: string;
  /** the prefix dropped from short names (`BPF_MAP_TYPE_`) */
  readonly prefix: string;
  /** short name → value, aliases included */
  readonly values: { readonly [K in S]: number };
  /** every name in declaration order, aliases included */
  readonly entries: readonly UapiEnumEntry<S>[];
  /** the kernel name of a value (`BPF_MAP_TYPE_HASH`), never an alias */
  nameOf(value: number): string | undefined;
  /** the short name of a value (`HASH`), never an alias */
  shortNameOf(value: number): S | undefined;
  /** the value of a kernel or short name, aliases included */
  valueOf(name: string): number | undefined;
}

/**
 * Describe a const object of short names as a {@link UapiEnum}. The first
 * name of each value is the primary one unless `aliases` lists it; the
 * aliases' own short names are never returned by reverse lookups.
 */
export function defineUapiEnum<const T extends Readonly<Record<string, number>>>(
  cName: string,
  prefix: string,
  values: T,
  aliases: readonly (keyof T & string)[] = [],
): UapiEnum<keyof T & string> {
  type S = keyof T & string;
  const aliasSet = new Set<string>(aliases);
  const primary = new Map<number, S>();
  for (const [short, value] of Object.entries(values) as [S, number][]) {
    if (!aliasSet.has(short) && !primary.has(value)) primary.set(value, short);
  }
  const entries = (Object.entries(values) as [S, number][]).map(([short, value]): UapiEnumEntry<S> => {
    const main = primary.get(value);
    return Object.freeze({
      short,
      name: prefix + short,
      value,
      ...(main !== undefined && main !== short ? { aliasOf: main } : {}),
    });
  });
  const byName = new Map<string, number>();
  for (const e of entries) {
    byName.set(e.short, e.value);
    byName.set(e.name, e.value);
  }
  return Object.freeze({
    cName,
    prefix,
    values,
    entries: Object.freeze(entries),
    nameOf: (value: number) => {
      const s = primary.get(value);
      return s === undefined ? undefined : prefix + s;
    },
    shortNameOf: (value: number) => primary.get(value),
    valueOf: (name: string) => byName.get(name),
  });
}

/**
 * The names of the flags set in `value`, for flag families: single-bit
 * entries first, in declaration order, then any unknown bits as one hex
 * number. Multi-bit masks are not reported.
 *
 * @example flagNames(MAP_FLAGS, 0x401) // ['BPF_F_NO_PREALLOC', 'BPF_F_MMAPABLE']
 * @throws {@link UapiError} `bad_value` for a negative or inexact number
 *   (build flags words above bit 30 with `+`, not `|`, which yields negative numbers)
 */
export function flagNames(e: UapiEnum, value: number): readonly string[] {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UapiError('bad_value', `flags ${value} of ${e.cName}: not a non-negative safe integer`);
  }
  const names: string[] = [];
  let rest = BigInt(value);
  for (const entry of e.entries) {
    const bit = BigInt(entry.value);
    if (entry.aliasOf !== undefined || bit <= 0n || (bit & (bit - 1n)) !== 0n) continue;
    if ((BigInt(value) & bit) !== 0n) {
      names.push(entry.name);
      rest &= ~bit;
    }
  }
  if (rest !== 0n) names.push(`0x${rest.toString(16)}`);
  return names;
}
