// The packet builder: frames from descriptions, byte for byte against
// known-good frames, checksums recomputed by an independent reference
// (and by tshark, when installed), lengths and defaults, and a typed
// error naming the field for every malformed description.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildPacket, decodeFrame, formatHex, parseHex, writePcap, XdpError, type PacketDescription } from '../src/index';

/* ---------------------------------------------------- reference checksum */

/**
 * RFC 1071 written the plain way, on its own: add every 16-bit big-endian
 * word as a bigint, fold the carries at the end, complement.
 */
function referenceChecksum(parts: readonly Uint8Array[]): number {
  const bytes = parts.flatMap((p) => [...p]);
  if (bytes.length % 2 === 1) bytes.push(0);
  let sum = 0n;
  for (let i = 0; i < bytes.length; i += 2) sum += BigInt(bytes[i]! * 256 + bytes[i + 1]!);
  while (sum > 0xffffn) sum = (sum & 0xffffn) + (sum >> 16n);
  return Number(~sum & 0xffffn);
}

const be16 = (b: Uint8Array, o: number): number => b[o]! * 256 + b[o + 1]!;
const word = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);
const dword = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
/** `bytes` with the 16-bit field at `off` zeroed. */
const zeroed = (b: Uint8Array, off: number): Uint8Array => {
  const c = Uint8Array.from(b);
  c[off] = 0;
  c[off + 1] = 0;
  return c;
};

/** Checks every length and checksum of an Ethernet/[VLAN]/IPv4|IPv6/UDP|TCP|ICMP frame independently. */
function verifyFrame(frame: Uint8Array): void {
  let off = 12;
  let type = be16(frame, off);
  while (type === 0x8100 || type === 0x88a8) {
    off += 4;
    type = be16(frame, off);
  }
  off += 2;
  let proto: number;
  let l4: Uint8Array;
  let pseudo: (len: number, p: number) => Uint8Array[];
  if (type === 0x0800) {
    const ihl = (frame[off]! & 0xf) * 4;
    const ip = frame.subarray(off, off + ihl);
    expect(be16(ip, 2)).toBe(frame.length - off);
    expect(be16(ip, 10)).toBe(referenceChecksum([zeroed(ip, 10)]));
    proto = ip[9]!;
    l4 = frame.subarray(off + ihl);
    const src = ip.subarray(12, 16);
    const dst = ip.subarray(16, 20);
    pseudo = (len, p) => [src, dst, Uint8Array.of(0, p), word(len)];
  } else if (type === 0x86dd) {
    const ip = frame.subarray(off, off + 40);
    expect(be16(ip, 4)).toBe(frame.length - off - 40);
    proto = ip[6]!;
    l4 = frame.subarray(off + 40);
    const src = ip.subarray(8, 24);
    const dst = ip.subarray(24, 40);
    pseudo = (len, p) => [src, dst, dword(len), Uint8Array.of(0, 0, 0, p)];
  } else {
    return;
  }
  if (proto === 17) {
    expect(be16(l4, 4)).toBe(l4.length);
    const want = referenceChecksum([...pseudo(l4.length, 17), zeroed(l4, 6)]);
    expect(be16(l4, 6)).toBe(want === 0 ? 0xffff : want);
  } else if (proto === 6) {
    expect(be16(l4, 16)).toBe(referenceChecksum([...pseudo(l4.length, 6), zeroed(l4, 16)]));
  } else if (proto === 1) {
    expect(be16(l4, 2)).toBe(referenceChecksum([zeroed(l4, 2)]));
  } else if (proto === 58) {
    expect(be16(l4, 2)).toBe(referenceChecksum([...pseudo(l4.length, 58), zeroed(l4, 2)]));
  }
}

/* ------------------------------------------------------- known frames */

describe('known-good frames', () => {
  it('reproduces the textbook IPv4 header (checksum 0xb861)', () => {
    // 192.168.0.1 -> 192.168.0.199, DF, TTL 64, UDP, total length 0x73
    const frame = buildPacket({ ipv4: { src: '192.168.0.1', dst: '192.168.0.199', df: true, ttl: 64 }, udp: {}, payload: { size: 0x73 - 28 } });
    expect(formatHex(frame.subarray(14, 34))).toBe('45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7');
  });

  it.each([
    {
      name: 'UDP over IPv4',
      packet: { eth: { src: '02:00:00:00:00:02', dst: '02:00:00:00:00:01' }, ipv4: { src: '10.0.0.2', dst: '10.0.0.1', id: 1 }, udp: { sport: 12345, dport: 53 }, payload: 'hi' },
      hex:
        '02 00 00 00 00 01 02 00 00 00 00 02 08 00 ' +
        '45 00 00 1e 00 01 00 00 40 11 66 cc 0a 00 00 02 0a 00 00 01 ' +
        '30 39 00 35 00 0a 53 00 68 69',
    },
    {
      name: 'an ICMP echo request',
      packet: { ipv4: { src: '10.0.0.2', dst: '10.0.0.1' }, icmp: { type: 8, id: 0x1234, seq: 1 }, payload: 'ping' },
      hex:
        '02 00 00 00 00 01 02 00 00 00 00 02 08 00 ' +
        '45 00 00 20 00 00 00 00 40 01 66 db 0a 00 00 02 0a 00 00 01 ' +
        '08 00 06 fa 12 34 00 01 70 69 6e 67',
    },
    {
      name: 'an ARP request',
      packet: { arp: { op: 'request', sender_ip: '10.0.0.2', target_ip: '10.0.0.1' } },
      hex:
        'ff ff ff ff ff ff 02 00 00 00 00 02 08 06 ' +
        '00 01 08 00 06 04 00 01 02 00 00 00 00 02 0a 00 00 02 00 00 00 00 00 00 0a 00 00 01',
    },
    {
      name: 'a VLAN tag',
      packet: { vlan: { id: 100, pcp: 5 }, ipv4: {}, udp: {} },
      prefix: '02 00 00 00 00 01 02 00 00 00 00 02 81 00 a0 64 08 00 45',
    },
    {
      name: 'a QinQ stack',
      packet: { vlan: [{ id: 10 }, { id: 20, dei: true }], ipv6: {}, udp: {} },
      prefix: '02 00 00 00 00 01 02 00 00 00 00 02 88 a8 00 0a 81 00 10 14 86 dd 60',
    },
  ])('builds $name byte for byte', ({ packet, hex, prefix }) => {
    const frame = formatHex(buildPacket(packet));
    if (hex !== undefined) expect(frame).toBe(hex);
    if (prefix !== undefined) expect(frame.startsWith(prefix)).toBe(true);
    verifyFrame(parseHex(frame));
  });

  it.each([
    { name: 'checksums, by hand: UDP 0x5300', frame: 'udp', at: 40, want: 0x5300 },
    { name: 'checksums, by hand: ICMP 0x06fa', frame: 'icmp', at: 36, want: 0x06fa },
  ])('$name', ({ frame, at, want }) => {
    // the two frames above, summed word by word on paper:
    // UDP: pseudo 0a00+0002+0a00+0001+0011+000a = 0x141e, header and data 3039+0035+000a+6869 = 0x98e1,
    //      0x141e + 0x98e1 = 0xacff -> ~ = 0x5300
    // ICMP: 0800+1234+0001+7069+6e67 = 0xf905 -> ~ = 0x06fa
    const built =
      frame === 'udp'
        ? buildPacket({ ipv4: { src: '10.0.0.2', dst: '10.0.0.1', id: 1 }, udp: { sport: 12345, dport: 53 }, payload: 'hi' })
        : buildPacket({ ipv4: { src: '10.0.0.2', dst: '10.0.0.1' }, icmp: { type: 8, id: 0x1234, seq: 1 }, payload: 'ping' });
    expect(be16(built, at)).toBe(want);
  });
});

/* ------------------------------------------------ lengths and defaults */

describe('layers, lengths and defaults', () => {
  it.each([
    { name: 'ethernet only', packet: {}, length: 14, summary: '02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype 0x88b5 (14 bytes)' },
    { name: 'UDP defaults', packet: { ipv4: {}, udp: {} }, length: 42, summary: '02:00:00:00:00:02 > 02:00:00:00:00:01, IPv4 10.0.0.2 > 10.0.0.1 ttl 64 udp, UDP 40000 > 9 len 8 (42 bytes)' },
    { name: 'TCP defaults', packet: { ipv4: {}, tcp: {} }, length: 54, summary: '02:00:00:00:00:02 > 02:00:00:00:00:01, IPv4 10.0.0.2 > 10.0.0.1 ttl 64 tcp, TCP 40000 > 80 [S] seq 1 win 64240 (54 bytes)' },
    { name: 'TCP SYN-ACK by names', packet: { ipv4: {}, tcp: { flags: ['syn', 'ack'], ack: 7 } }, length: 54, summary: /TCP 40000 > 80 \[SA\] seq 1 ack 7 win 64240/ },
    { name: 'TCP options', packet: { ipv4: {}, tcp: { options: '02 04 05 b4 01' } }, length: 62, summary: /TCP 40000 > 80 \[S\]/ },
    { name: 'IPv4 options', packet: { ipv4: { options: '94 04 00' }, udp: {} }, length: 46, summary: /IPv4 10\.0\.0\.2 > 10\.0\.0\.1 ttl 64 udp, UDP 40000 > 9/ },
    { name: 'IPv6 UDP', packet: { ipv6: { src: '2001:db8::1', dst: '2001:db8::2' }, udp: { dport: 53 }, payload: 'x' }, length: 63, summary: /IPv6 2001:db8::1 > 2001:db8::2 hlim 64 udp, UDP 40000 > 53 len 9, 1 bytes payload/ },
    { name: 'ICMPv6 echo', packet: { ipv6: {}, icmpv6: {} }, length: 62, summary: /ICMPv6 type 128 code 0/ },
    { name: 'IPv6 alone', packet: { ipv6: {} }, length: 54, summary: /IPv6 fd00::2 > fd00::1 hlim 64 none/ },
    { name: 'a payload of 100 0xab', packet: { ipv4: {}, udp: {}, payload: { size: 100, fill: 0xab } }, length: 142, summary: /100 bytes payload/ },
    { name: 'a fragment', packet: { ipv4: { mf: true, frag_offset: 0, id: 7 }, udp: {} }, length: 42, summary: /frag 0\+/ },
    { name: 'an explicit EtherType', packet: { eth: { type: 'ipv6' }, payload: 'abc' }, length: 17, summary: /, ipv6 truncated \(3 of 40 bytes\) \(17 bytes\)$/, truncated: true },
  ])('$name', ({ packet, length, summary, truncated }) => {
    const frame = buildPacket(packet);
    expect(frame.length).toBe(length);
    const d = decodeFrame(frame);
    if (typeof summary === 'string') expect(d.summary).toBe(summary);
    else expect(d.summary).toMatch(summary);
    if (truncated !== true) verifyFrame(frame);
  });

  it('pads options to 32-bit words and sets the header lengths', () => {
    const ip = buildPacket({ ipv4: { options: '94 04 00' }, udp: {} });
    expect(ip[14]).toBe(0x46); // version 4, ihl 6
    expect(formatHex(ip.subarray(34, 38))).toBe('94 04 00 00');
    const tcp = buildPacket({ ipv4: {}, tcp: { options: '02 04 05 b4 01' } });
    expect(tcp[34 + 12]! >> 4).toBe(7); // data offset 28 bytes
  });

  it('writes overrides as given, so that broken packets can be described', () => {
    const f = buildPacket({ ipv4: { checksum: 0xdead, total_length: 9, proto: 'tcp' }, udp: { checksum: 0, length: 3 } });
    const d = decodeFrame(f);
    expect(d.layers[1]).toMatchObject({ kind: 'ipv4', checksum: 0xdead, checksumOk: false, totalLength: 9, proto: 6 });
    expect(d.checksumsOk).toBe(false);
    expect(d.summary).toContain('[bad cksum 0xdead]');
    const udp = decodeFrame(buildPacket({ ipv4: {}, udp: { checksum: 0 } }));
    expect(udp.layers[2]).toMatchObject({ kind: 'udp', checksumOk: 'none' });
    expect(udp.checksumsOk).toBe(true);
  });

  it('uses a given protocol number in the pseudo-header', () => {
    // UDP-Lite's number over a UDP-shaped header: the checksum covers 136, not 17
    const f = buildPacket({ ipv4: { proto: 136 }, udp: {} });
    const seg = f.subarray(34);
    expect(be16(seg, 6)).toBe(referenceChecksum([f.subarray(26, 30), f.subarray(30, 34), Uint8Array.of(0, 136), word(8), zeroed(seg, 6)]));
  });

  it('copies raw bytes and parses raw hex in every spelling', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const copy = buildPacket({ raw: bytes });
    expect(copy).toEqual(bytes);
    expect(copy).not.toBe(bytes);
    expect(buildPacket({ raw: '0x0102 03' })).toEqual(bytes);
    expect(buildPacket({ raw: '01:02:03' })).toEqual(bytes);
    expect(buildPacket({ raw: '010203\n' })).toEqual(bytes);
  });
});

/* ------------------------------------------------------ property test */

const octet = fc.integer({ min: 0, max: 255 });
const ipv4Text = fc.tuple(octet, octet, octet, octet).map((t) => t.join('.'));
const ipv6Text = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
const port = fc.integer({ min: 0, max: 0xffff });
const payload = fc.uint8Array({ maxLength: 300 }).map((b) => ({ hex: formatHex(b) }));
const description: fc.Arbitrary<PacketDescription> = fc
  .record({
    v6: fc.boolean(),
    l4: fc.constantFrom('udp', 'tcp', 'icmp', 'none'),
    src4: ipv4Text,
    dst4: ipv4Text,
    src6: ipv6Text,
    dst6: ipv6Text,
    sport: port,
    dport: port,
    ttl: octet,
    vlan: fc.option(fc.integer({ min: 0, max: 4095 }), { nil: undefined }),
    options: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: undefined }),
    payload,
  })
  .map((r) => {
    const l3 = r.v6 ? { ipv6: { src: r.src6, dst: r.dst6, hop_limit: r.ttl } } : { ipv4: { src: r.src4, dst: r.dst4, ttl: r.ttl, ...(r.options === undefined ? {} : { options: formatHex(r.options) }) } };
    const l4 =
      r.l4 === 'udp'
        ? { udp: { sport: r.sport, dport: r.dport } }
        : r.l4 === 'tcp'
          ? { tcp: { sport: r.sport, dport: r.dport, seq: r.sport * 7, flags: 'PA' } }
          : r.l4 === 'icmp'
            ? r.v6
              ? { icmpv6: { id: r.sport, seq: r.dport } }
              : { icmp: { id: r.sport, seq: r.dport } }
            : {};
    return { ...(r.vlan === undefined ? {} : { vlan: { id: r.vlan } }), ...l3, ...l4, payload: r.payload };
  });

describe('checksums against the reference', () => {
  it('hold for any frame the builder makes', () => {
    fc.assert(
      fc.property(description, (d) => {
        const frame = buildPacket(d);
        verifyFrame(frame);
        expect(decodeFrame(frame).checksumsOk).toBe(true);
      }),
      { numRuns: 300, seed: 0x5eed },
    );
  });
});

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('packet.test.ts: tshark is not installed (apt-get install tshark): skipping the checksum check by tshark');
    return false;
  }
}

(haveTshark() ? describe : describe.skip)('checksums in tshark', () => {
  it('are good for every protocol and bad where overridden', () => {
    const packets: readonly PacketDescription[] = [
      { ipv4: {}, udp: { dport: 53 }, payload: 'hi' },
      { ipv4: { options: '94 04 00 00' }, tcp: { flags: 'PA' }, payload: 'abc' },
      { ipv4: {}, icmp: { type: 8, id: 1, seq: 2 }, payload: 'odd' },
      { vlan: { id: 7 }, ipv6: {}, udp: {}, payload: 'x' },
      { ipv6: { src: '2001:db8::dead:beef', dst: 'fe80::1' }, tcp: {} },
      { ipv6: {}, icmpv6: { type: 128 }, payload: 'ping6' },
      { ipv4: { checksum: 1 }, udp: { checksum: 2 } },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'bpflab-packets-'));
    const file = join(dir, 'packets.pcap');
    writeFileSync(file, writePcap(packets.map((p) => ({ data: buildPacket(p) }))));
    const fields = ['ip.checksum.status', 'udp.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status'];
    const text = execFileSync(
      'tshark',
      ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // 1 = good, 0 = bad, empty = no such layer
    expect(text.trim().split('\n')).toEqual(['1|1|||', '1||1||', '1|||1|', '|1|||', '||1||', '||||1', '0|0|||']);
  });
});

/* ---------------------------------------------------------- errors */

describe('malformed descriptions', () => {
  it.each([
    { have: { ipv4: { src: '10.0.0.256' } }, field: 'ipv4.src', message: "ipv4.src: '10.0.0.256' is not an IPv4 address (four numbers 0-255 like 10.0.0.1)" },
    { have: { ipv6: { dst: 'fd00:::1' } }, field: 'ipv6.dst', message: "ipv6.dst: 'fd00:::1' is not an IPv6 address (like fd00::1)" },
    { have: { eth: { src: 'nope' } }, field: 'eth.src', message: "eth.src: 'nope' is not a MAC address (six hex bytes like 02:00:00:00:00:01)" },
    { have: { udp: {} }, field: 'udp', message: 'udp: udp needs an ipv4 or ipv6 layer' },
    { have: { arp: {}, tcp: {} }, field: 'tcp', message: 'tcp: tcp needs an ipv4 or ipv6 layer' },
    { have: { ipv6: {}, icmp: {} }, field: 'icmp', message: 'icmp: icmp is ICMP for IPv4; with ipv6 use icmpv6' },
    { have: { ipv4: {}, icmpv6: {} }, field: 'icmpv6', message: 'icmpv6: icmpv6 needs ipv6; with ipv4 use icmp' },
    { have: { ipv4: {}, ipv6: {} }, field: 'ipv6', message: 'ipv6: a frame has one network layer: ipv4 and ipv6 were both given' },
    { have: { ipv4: {}, udp: {}, tcp: {} }, field: 'tcp', message: 'tcp: a frame has one transport layer: udp and tcp were both given' },
    { have: { ipv4: {}, udp: { dport: 70000 } }, field: 'udp.dport', message: 'udp.dport: 70000 is out of range (0-65535)' },
    { have: { ipv4: {}, udp: { dport: '53x' } }, field: 'udp.dport', message: "udp.dport: expected an integer, got '53x'" },
    { have: { ipv4: { ttl: 1.5 } }, field: 'ipv4.ttl', message: 'ipv4.ttl: expected an integer, got 1.5' },
    { have: { ipv4: {}, udpp: {} }, field: 'udpp', message: 'udpp: unknown field (expected one of eth, vlan, ipv4, ipv6, arp, udp, tcp, icmp, icmpv6, payload, raw)' },
    { have: { ipv4: { sorce: '1.2.3.4' } }, field: 'ipv4.sorce', message: /^ipv4\.sorce: unknown field \(expected one of src, dst, proto/ },
    { have: { ipv4: { proto: 'udpp' } }, field: 'ipv4.proto', message: /^ipv4\.proto: unknown name 'udpp' \(known: hopopts, icmp/ },
    { have: { ipv4: {}, tcp: { flags: 'SX' } }, field: 'tcp.flags', message: "tcp.flags: 'X' is not a TCP flag letter (F S R P A U E C; '' for none)" },
    { have: { ipv4: {}, tcp: { flags: ['syn', 'fun'] } }, field: 'tcp.flags[1]', message: /^tcp\.flags\[1\]: 'fun' is not a TCP flag/ },
    { have: { ipv4: { options: '01'.repeat(41) } }, field: 'ipv4.options', message: 'ipv4.options: 44 bytes of options (padded to a multiple of 4); a header has room for 40' },
    { have: { ipv4: { options: 'xyz' } }, field: 'ipv4.options', message: "ipv4.options: 'xyz' is not hex" },
    { have: { payload: { hex: 'abc' } }, field: 'payload.hex', message: "payload.hex: 'abc' has an odd number of hex digits (write each byte as two digits)" },
    { have: { payload: 42 }, field: 'payload', message: 'payload: expected text, { hex: "..." } or { size: n }, got 42' },
    { have: { payload: { size: 70000 } }, field: 'payload.size', message: 'payload.size: 70000 is out of range (0-65535)' },
    { have: { raw: 'f' }, field: 'raw', message: "raw: 'f' has an odd number of hex digits (write each byte as two digits)" },
    { have: { raw: 12 }, field: 'raw', message: 'raw: expected a string, got 12' },
    { have: { raw: 'ff', eth: {} }, field: 'eth', message: 'eth: unknown field (expected one of raw)' },
    { have: { vlan: { pcp: 1 } }, field: 'vlan.id', message: 'vlan.id: a VLAN tag needs an id (0-4095)' },
    { have: { vlan: [{ id: 1 }, { id: 5000 }] }, field: 'vlan[1].id', message: 'vlan[1].id: 5000 is out of range (0-4095)' },
    { have: { vlan: [] }, field: 'vlan', message: 'vlan: an empty list of tags (leave vlan out for an untagged frame)' },
    { have: { ipv4: {}, udp: {}, payload: { size: 65530 } }, field: 'udp', message: 'udp: a UDP datagram of 65538 bytes does not fit its 16-bit length' },
    { have: null, field: '', message: 'expected an object with fields eth, vlan, ipv4, ipv6, arp, udp, tcp, icmp, icmpv6, payload, raw, got null' },
    { have: 'udp', field: '', message: "expected an object with fields eth, vlan, ipv4, ipv6, arp, udp, tcp, icmp, icmpv6, payload, raw, got 'udp'" },
  ])('$field: $message', ({ have, field, message }) => {
    let err: unknown;
    try {
      buildPacket(have);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XdpError);
    const x = err as XdpError;
    expect(x.code).toBe('bad-packet');
    expect(x.field).toBe(field);
    if (typeof message === 'string') expect(x.message).toBe(message);
    else expect(x.message).toMatch(message);
  });

  it('prefixes the fields with the caller\'s path', () => {
    expect(() => buildPacket({ ipv4: { dst: 'x' } }, { path: 'steps[2].packet' })).toThrow(
      new XdpError('bad-packet', "steps[2].packet.ipv4.dst: 'x' is not an IPv4 address (four numbers 0-255 like 10.0.0.1)"),
    );
    try {
      buildPacket({ tcp: {} }, { path: 'steps[2].packet' });
    } catch (e) {
      expect((e as XdpError).field).toBe('steps[2].packet.tcp');
    }
  });
});
