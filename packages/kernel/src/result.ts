/**
 * Results of the `bpf()` surface: what the syscall returns, with a message
 * saying why in words a student can act on. The same shape as the maps
 * package's `MapResult`, so map results pass through unchanged.
 */
import type { MapResult } from '@bpflab/maps';

/**
 * The outcome of a `bpf()` command (or a bpffs operation): a value, or the
 * positive errno the syscall sets (`ERRNO.ENOENT`; libbpf returns it
 * negated) and a message.
 */
export type SysResult<T = undefined> = MapResult<T>;

/** A successful result carrying `value`. */
export function ok<T>(value: T): SysResult<T> {
  return { ok: true, value };
}

/** The successful result of a command that returns nothing. */
export const OK: SysResult = Object.freeze({ ok: true, value: undefined });

/** A failed result: positive `errno` and a message. */
export function fail<T = undefined>(errno: number, message: string): SysResult<T> {
  return { ok: false, errno, message };
}
