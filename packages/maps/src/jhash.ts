/**
 * Bob Jenkins' lookup3 hash as the kernel's `include/linux/jhash.h` defines
 * it (`jhash` over bytes, `jhash2` over u32 words), and the hash map's
 * choice between them. With seed 0 (the kernel's `BPF_F_ZERO_SEED`) bucket
 * indices, and so iteration order, match Linux exactly.
 */

const INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The lookup3 mixing state; mutated in place. */
interface State {
  a: number;
  b: number;
  c: number;
}

function mix(s: State): void {
  s.a = (s.a - s.c) >>> 0; s.a = (s.a ^ rol32(s.c, 4)) >>> 0; s.c = (s.c + s.b) >>> 0;
  s.b = (s.b - s.a) >>> 0; s.b = (s.b ^ rol32(s.a, 6)) >>> 0; s.a = (s.a + s.c) >>> 0;
  s.c = (s.c - s.b) >>> 0; s.c = (s.c ^ rol32(s.b, 8)) >>> 0; s.b = (s.b + s.a) >>> 0;
  s.a = (s.a - s.c) >>> 0; s.a = (s.a ^ rol32(s.c, 16)) >>> 0; s.c = (s.c + s.b) >>> 0;
  s.b = (s.b - s.a) >>> 0; s.b = (s.b ^ rol32(s.a, 19)) >>> 0; s.a = (s.a + s.c) >>> 0;
  s.c = (s.c - s.b) >>> 0; s.c = (s.c ^ rol32(s.b, 4)) >>> 0; s.b = (s.b + s.a) >>> 0;
}

function final(s: State): void {
  s.c = (s.c ^ s.b) >>> 0; s.c = (s.c - rol32(s.b, 14)) >>> 0;
  s.a = (s.a ^ s.c) >>> 0; s.a = (s.a - rol32(s.c, 11)) >>> 0;
  s.b = (s.b ^ s.a) >>> 0; s.b = (s.b - rol32(s.a, 25)) >>> 0;
  s.c = (s.c ^ s.b) >>> 0; s.c = (s.c - rol32(s.b, 16)) >>> 0;
  s.a = (s.a ^ s.c) >>> 0; s.a = (s.a - rol32(s.c, 4)) >>> 0;
  s.b = (s.b ^ s.a) >>> 0; s.b = (s.b - rol32(s.a, 14)) >>> 0;
  s.c = (s.c ^ s.b) >>> 0; s.c = (s.c - rol32(s.b, 24)) >>> 0;
}

function word(k: Uint8Array, i: number): number {
  return (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
}

/** `jhash(key, length, initval)` over bytes (little-endian words, as on x86-64). */
export function jhash(key: Uint8Array, seed = 0): number {
  let n = key.length;
  const v = (INITVAL + n + seed) >>> 0;
  const s: State = { a: v, b: v, c: v };
  let i = 0;
  while (n > 12) {
    s.a = (s.a + word(key, i)) >>> 0;
    s.b = (s.b + word(key, i + 4)) >>> 0;
    s.c = (s.c + word(key, i + 8)) >>> 0;
    mix(s);
    n -= 12;
    i += 12;
  }
  if (n === 0) return s.c;
  const byte = (j: number, shift: number): number => (key[i + j]! << shift) >>> 0;
  if (n >= 12) s.c = (s.c + byte(11, 24)) >>> 0;
  if (n >= 11) s.c = (s.c + byte(10, 16)) >>> 0;
  if (n >= 10) s.c = (s.c + byte(9, 8)) >>> 0;
  if (n >= 9) s.c = (s.c + byte(8, 0)) >>> 0;
  if (n >= 8) s.b = (s.b + byte(7, 24)) >>> 0;
  if (n >= 7) s.b = (s.b + byte(6, 16)) >>> 0;
  if (n >= 6) s.b = (s.b + byte(5, 8)) >>> 0;
  if (n >= 5) s.b = (s.b + byte(4, 0)) >>> 0;
  if (n >= 4) s.a = (s.a + byte(3, 24)) >>> 0;
  if (n >= 3) s.a = (s.a + byte(2, 16)) >>> 0;
  if (n >= 2) s.a = (s.a + byte(1, 8)) >>> 0;
  s.a = (s.a + byte(0, 0)) >>> 0;
  final(s);
  return s.c;
}

/** `jhash2(words, length, initval)` over the u32 words of `key` (its length a multiple of 4). */
export function jhash2(key: Uint8Array, seed = 0): number {
  let n = key.length >>> 2;
  const v = (INITVAL + (n << 2) + seed) >>> 0;
  const s: State = { a: v, b: v, c: v };
  let i = 0;
  while (n > 3) {
    s.a = (s.a + word(key, i)) >>> 0;
    s.b = (s.b + word(key, i + 4)) >>> 0;
    s.c = (s.c + word(key, i + 8)) >>> 0;
    mix(s);
    n -= 3;
    i += 12;
  }
  if (n === 0) return s.c;
  if (n >= 3) s.c = (s.c + word(key, i + 8)) >>> 0;
  if (n >= 2) s.b = (s.b + word(key, i + 4)) >>> 0;
  s.a = (s.a + word(key, i)) >>> 0;
  final(s);
  return s.c;
}

/** `htab_map_hash`: jhash2 for keys whose size is a multiple of 4, jhash otherwise. */
export function htabHash(key: Uint8Array, seed = 0): number {
  return key.length % 4 === 0 ? jhash2(key, seed) : jhash(key, seed);
}
