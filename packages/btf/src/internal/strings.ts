/**
 * The BTF string section: NUL-terminated strings addressed by byte offset.
 * In split BTF the offsets continue those of the base: an offset below the
 * base section's length names a base string.
 */
import { BtfError } from '../errors';

/** A readable string table. */
export interface StringTable {
  /** Total length of the offset space (base plus own bytes). */
  readonly length: number;
  /** The own bytes (without the base's). */
  readonly bytes: Uint8Array;
  /** The string at `off`, or `undefined` when `off` is past the end of the section. */
  get(off: number): string | undefined;
  /** The offset of `s` if the table holds it as a whole string, else -1. */
  find(s: string): number;
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function decodeAt(bytes: Uint8Array, start: number, end: number): string {
  // Names are almost always short ASCII: skip TextDecoder for those.
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode(...bytes.subarray(start, end));
  }
  return utf8.decode(bytes.subarray(start, end));
}

/**
 * Opens a string section. `sectionOffset` is where it sits in the `.BTF`
 * bytes (for error offsets). Without a base the section must start with an
 * empty string; with or without, it must end with a NUL.
 */
export function readStringTable(bytes: Uint8Array, sectionOffset: number, base?: StringTable): StringTable {
  if (!base && (bytes.length === 0 || bytes[0] !== 0)) {
    throw new BtfError('bad-string', `.BTF: string section at byte ${sectionOffset}: does not start with an empty string`, sectionOffset);
  }
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0) {
    throw new BtfError(
      'bad-string',
      `.BTF: string section at byte ${sectionOffset}: last string is not NUL-terminated`,
      sectionOffset + bytes.length - 1,
    );
  }
  const baseLen = base?.length ?? 0;
  const cache = new Map<number, string>();
  let index: Map<string, number> | undefined;
  const table: StringTable = {
    length: baseLen + bytes.length,
    bytes,
    get(off) {
      if (off < baseLen) return base!.get(off);
      const local = off - baseLen;
      const hit = cache.get(local);
      if (hit !== undefined) return hit;
      if (local >= bytes.length) return undefined;
      const end = bytes.indexOf(0, local);
      // The last byte is NUL (checked above), so `end` is found.
      const s = decodeAt(bytes, local, end);
      cache.set(local, s);
      return s;
    },
    find(s) {
      if (!index) {
        index = new Map();
        let start = 0;
        while (start < bytes.length) {
          const end = bytes.indexOf(0, start);
          const str = decodeAt(bytes, start, end);
          if (!index.has(str)) index.set(str, baseLen + start);
          start = end + 1;
        }
      }
      const own = index.get(s);
      if (own !== undefined) return own;
      return base ? base.find(s) : -1;
    },
  };
  return table;
}

/** Builds a deduplicated string section, offsets continuing `base`'s. */
export interface StringTableBuilder {
  /** The offset of `s`, adding it if new. `''` is offset 0 (or the base's empty string). */
  add(s: string): number;
  /** The own bytes built so far. */
  finish(): Uint8Array;
}

/** A builder; with a base, strings the base holds are referenced there, not copied. */
export function buildStringTable(base?: StringTable): StringTableBuilder {
  const baseLen = base?.length ?? 0;
  const offsets = new Map<string, number>();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const append = (s: string): number => {
    const enc = utf8Encoder.encode(s);
    const off = baseLen + size;
    chunks.push(enc, new Uint8Array(1));
    size += enc.length + 1;
    offsets.set(s, off);
    return off;
  };
  if (base) {
    // Split BTF: the empty string is the base's offset 0.
    offsets.set('', 0);
  } else {
    append('');
  }
  return {
    add(s) {
      const known = offsets.get(s);
      if (known !== undefined) return known;
      if (base) {
        const inBase = base.find(s);
        if (inBase >= 0) {
          offsets.set(s, inBase);
          return inBase;
        }
      }
      return append(s);
    },
    finish() {
      const out = new Uint8Array(size);
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.length;
      }
      return out;
    },
  };
}
