/**
 * Hex text as people write it for packets: `ff ff ff ff ff ff 00`,
 * `ff:ff:00`, `0xffff 0x00`, or one run of digits, across lines.
 */
import { XdpError } from '../errors';

/**
 * The bytes of hex text. Spaces, newlines, `:` and `-` separate bytes or
 * groups; each group may start with `0x`; a group of an odd number of
 * digits is an error (where a byte starts would be a guess).
 *
 * @param field where the text came from, for the error (`raw`, `payload.hex`)
 * @throws {@link XdpError} `bad-hex` naming the field and the offending group
 */
export function parseHex(text: string, field = 'hex'): Uint8Array {
  const out: number[] = [];
  for (const group0 of text.split(/[\s:,-]+/)) {
    if (group0 === '') continue;
    const group = /^0x/i.test(group0) ? group0.slice(2) : group0;
    if (!/^[0-9a-fA-F]*$/.test(group) || group === '') {
      throw new XdpError('bad-hex', `${field}: '${group0}' is not hex`, { field });
    }
    if (group.length % 2 !== 0) {
      throw new XdpError('bad-hex', `${field}: '${group0}' has an odd number of hex digits (write each byte as two digits)`, { field });
    }
    for (let i = 0; i < group.length; i += 2) out.push(Number.parseInt(group.slice(i, i + 2), 16));
  }
  return Uint8Array.from(out);
}

/** Bytes as lowercase hex pairs separated by spaces (`45 00 00 1c`). */
export function formatHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i === 0 ? '' : ' ') + bytes[i]!.toString(16).padStart(2, '0');
  return s;
}
