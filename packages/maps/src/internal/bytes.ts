/** Byte helpers shared by the map types (internal). */

/** A string that identifies a byte sequence exactly (one UTF-16 unit per byte), for `Map` keys. */
export function keyString(bytes: Uint8Array): string {
  if (bytes.length <= 64) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 4096) {
    parts.push(String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 4096))));
  }
  return parts.join('');
}

/** `0a000001`: bytes as hex, cut after 16 bytes (`...`), for messages. */
export function hexBytes(bytes: Uint8Array): string {
  const n = Math.min(bytes.length, 16);
  let s = '';
  for (let i = 0; i < n; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return bytes.length > n ? `${s}...` : s;
}

/** A little-endian u32 as 4 bytes. */
export function u32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** The little-endian u32 at the start of `bytes`. */
export function readU32(bytes: Uint8Array): number {
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}

/**
 * A flags argument as a number when it fits in 32 bits, else -1 (which
 * every flag check refuses). Program-side flags arrive as 64-bit registers.
 */
export function flagWord(flags: number | bigint): number {
  if (typeof flags === 'bigint') return flags >= 0n && flags <= 0xffffffffn ? Number(flags) : -1;
  return Number.isInteger(flags) && flags >= 0 && flags <= 0xffffffff ? flags : -1;
}
