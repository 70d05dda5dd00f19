/** Builders for `MapResult`s (internal). */
import type { MapResult } from '../result';

/** A successful result carrying `value`. */
export function ok<T>(value: T): MapResult<T> {
  return { ok: true, value };
}

/** The successful result of an operation that returns nothing. */
export const OK: MapResult = Object.freeze({ ok: true, value: undefined });

/** A failed result: positive `errno` and a message. */
export function fail<T = undefined>(errno: number, message: string): MapResult<T> {
  return { ok: false, errno, message };
}
