/**
 * The Internet checksum (RFC 1071): the ones'-complement sum of 16-bit
 * words, complemented. IPv4 headers carry it over the header; UDP, TCP and
 * ICMPv6 over a pseudo-header (addresses, protocol, length) and the
 * segment; ICMPv4 over the message alone.
 *
 * Sums here are plain numbers folded with end-around carry. Words are read
 * big-endian (network order) unless a function says otherwise: the kernel's
 * `__wsum` values are sums of words as a little-endian CPU loads them, which
 * {@link csumDiff} reproduces for `bpf_csum_diff`.
 */

/** Folds a non-negative sum to 16 bits with end-around carry (not complemented). */
export function foldSum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/**
 * The ones'-complement sum of `bytes` as 16-bit words, folded to 16 bits;
 * an odd last byte is padded with zero (as the high byte of a big-endian
 * word, or the low byte of a little-endian one).
 *
 * @param initial a sum to start from (a pseudo-header's)
 */
export function onesSum(bytes: Uint8Array, initial = 0, littleEndian = false): number {
  let s = initial;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) {
    s += littleEndian ? bytes[i]! | (bytes[i + 1]! << 8) : (bytes[i]! << 8) | bytes[i + 1]!;
    // keep the sum exact in a double
    if (s > 0x7fffffff) s = foldSum(s);
  }
  if (even !== bytes.length) s += littleEndian ? bytes[even]! : bytes[even]! << 8;
  return foldSum(s);
}

/** The Internet checksum of `bytes` (what goes in the checksum field, as a number in network order). */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  return ~onesSum(bytes, initial) & 0xffff;
}

/**
 * The sum of the pseudo-header of UDP, TCP and ICMPv6: source and
 * destination addresses (4 or 16 bytes each), the protocol and the
 * upper-layer length (16 bits for IPv4, 32 for IPv6; the sum is the same).
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  return foldSum(onesSum(src) + onesSum(dst) + protocol + (length >>> 16) + (length & 0xffff));
}

/**
 * The checksum of a UDP, TCP or ICMPv6 segment (with its checksum field
 * zeroed) over its pseudo-header. For UDP a result of 0 is sent as 0xffff
 * (0 means "no checksum"); pass `udp` to get that.
 */
export function transportChecksum(src: Uint8Array, dst: Uint8Array, protocol: number, segment: Uint8Array, udp = false): number {
  const c = internetChecksum(segment, pseudoHeaderSum(src, dst, protocol, segment.length));
  return udp && c === 0 ? 0xffff : c;
}

/** Whether a checksummed range verifies: its sum with the checksum in place is 0xffff. */
export function checksumValid(bytes: Uint8Array, initial = 0): boolean {
  return onesSum(bytes, initial) === 0xffff;
}

/** 32-bit ones'-complement addition (`csum_add`). */
export function csumAdd(a: number, b: number): number {
  const s = (a >>> 0) + (b >>> 0);
  return s > 0xffffffff ? s - 0xffffffff : s;
}

/**
 * `bpf_csum_diff(from, from_size, to, to_size, seed)` as Linux 6.18
 * computes it, folded to 16 bits (not complemented), words summed as a
 * little-endian CPU loads them: with both buffers,
 * `csum_sub(csum_partial(to, seed), csum_partial(from, 0))`; with `to`
 * only, `csum_partial(to, seed)` (pushing data); with `from` only (or
 * neither), `~csum_partial(from, ~seed)` (pulling data). The sizes must be
 * multiples of 4 (the helper returns -EINVAL otherwise; callers check).
 */
export function csumDiff(from: Uint8Array, to: Uint8Array, seed: number): number {
  const partial = (bytes: Uint8Array, s: number): number => csumAdd(s >>> 0, onesSum(bytes, 0, true));
  let ret: number;
  if (to.length > 0 && from.length > 0) ret = csumAdd(partial(to, seed), ~partial(from, 0) >>> 0);
  else if (to.length > 0) ret = partial(to, seed);
  else ret = ~partial(from, ~seed) >>> 0;
  return foldSum(ret);
}
