/**
 * MAC, IPv4 and IPv6 addresses: parsed from the text people write
 * (`02:00:00:00:00:01`, `10.0.0.1`, `fd00::1`, `10.0.0.0/24`) into bytes in
 * network order, and printed back the way `ip` and `tcpdump` print them
 * (IPv6 per RFC 5952: lowercase, the longest run of zero groups as `::`).
 */
import { XdpError, type XdpErrorCode } from '../errors';

/** An IPv4 or IPv6 prefix: the address bytes and the prefix length. */
export interface IpPrefix {
  readonly family: 'ipv4' | 'ipv6';
  /** 4 or 16 bytes, bits past `length` cleared */
  readonly address: Uint8Array;
  /** prefix length in bits */
  readonly length: number;
}

function bad(code: XdpErrorCode, field: string, message: string): never {
  throw new XdpError(code, `${field}: ${message}`, { field });
}

/**
 * A MAC address: six bytes as two hex digits each, separated by `:` or `-`.
 *
 * @throws {@link XdpError} naming `field` when the text is not one
 */
export function parseMac(text: string, field = 'mac', code: XdpErrorCode = 'bad-packet'): Uint8Array {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    bad(code, field, `'${text}' is not a MAC address (six hex bytes like 02:00:00:00:00:01)`);
  }
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** A MAC address as `02:00:00:00:00:01`. */
export function formatMac(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * An IPv4 address in dotted-quad form: four bytes in network order.
 *
 * @throws {@link XdpError} naming `field` when the text is not one
 */
export function parseIpv4(text: string, field = 'ipv4', code: XdpErrorCode = 'bad-packet'): Uint8Array {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    bad(code, field, `'${text}' is not an IPv4 address (four numbers 0-255 like 10.0.0.1)`);
  }
  return Uint8Array.from(parts.map(Number));
}

/** An IPv4 address as `10.0.0.1`. */
export function formatIpv4(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 4)].join('.');
}

/**
 * An IPv6 address (`fd00::1`, `::ffff:10.0.0.1`, full form): sixteen bytes
 * in network order.
 *
 * @throws {@link XdpError} naming `field` when the text is not one
 */
export function parseIpv6(text: string, field = 'ipv6', code: XdpErrorCode = 'bad-packet'): Uint8Array {
  const fail = (): never => bad(code, field, `'${text}' is not an IPv6 address (like fd00::1)`);
  let s = text.trim();
  const out = new Uint8Array(16);
  // an embedded IPv4 address takes the last two groups
  let tail: Uint8Array | undefined;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4 !== null) {
    try {
      tail = parseIpv4(v4[1]!, field, code);
    } catch {
      fail();
    }
    s = s.slice(0, s.length - v4[1]!.length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
    else if (!s.endsWith('::')) fail();
  }
  const groupsWanted = tail === undefined ? 8 : 6;
  const halves = s.split('::');
  if (halves.length > 2) fail();
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : fail())));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (halves.length === 1 && head.length !== groupsWanted) fail();
  if (halves.length === 2 && head.length + rest.length > groupsWanted - 1) fail();
  const groups = [...head, ...new Array<number>(groupsWanted - head.length - rest.length).fill(0), ...rest];
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tail !== undefined) out.set(tail, 12);
  return out;
}

/** An IPv6 address as RFC 5952 prints it (`fd00::1`). */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // the longest run of at least two zero groups (the first of equal runs)
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/**
 * An address with an optional prefix length (`10.0.0.0/24`, `fd00::/64`,
 * `10.0.0.1` = `/32`); bits past the prefix are cleared.
 *
 * @throws {@link XdpError} naming `field` when the text is not one
 */
export function parseIpPrefix(text: string, field = 'prefix', code: XdpErrorCode = 'bad-network'): IpPrefix {
  const [addr = '', len, extra] = text.trim().split('/');
  if (extra !== undefined) bad(code, field, `'${text}' is not an address/prefix-length`);
  const family = addr.includes(':') ? 'ipv6' : 'ipv4';
  const address = family === 'ipv6' ? parseIpv6(addr, field, code) : parseIpv4(addr, field, code);
  const max = address.length * 8;
  const length = len === undefined ? max : /^\d+$/.test(len) && Number(len) <= max ? Number(len) : bad(code, field, `prefix length '${len}' is not 0-${max}`);
  return { family, address: maskAddress(address, length), length };
}

/** `address` with the bits past `length` cleared. */
export function maskAddress(address: Uint8Array, length: number): Uint8Array {
  const out = Uint8Array.from(address);
  for (let bit = length; bit < out.length * 8; bit++) out[bit >> 3] = out[bit >> 3]! & ~(0x80 >> (bit & 7));
  return out;
}

/** Whether `address` lies in `prefix`. */
export function prefixContains(prefix: IpPrefix, address: Uint8Array): boolean {
  if (address.length !== prefix.address.length) return false;
  const masked = maskAddress(address, prefix.length);
  return masked.every((b, i) => b === prefix.address[i]);
}

/** Formats an address of either family. */
export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 16 ? formatIpv6(bytes) : formatIpv4(bytes);
}
