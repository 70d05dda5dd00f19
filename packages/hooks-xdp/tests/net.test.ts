// Addresses, hex, checksums and the network configuration with its FIB
// lookups.
import {
  checksumValid,
  createNetwork,
  csumDiff,
  fibLookup,
  foldSum,
  formatHex,
  formatIpv6,
  internetChecksum,
  onesSum,
  parseHex,
  parseIpPrefix,
  parseIpv4,
  parseIpv6,
  parseMac,
  XdpError,
  type FibQuery,
} from '../src/index';

describe('addresses', () => {
  it.each([
    { have: 'fd00::1', want: 'fd00::1' },
    { have: '::', want: '::' },
    { have: '::1', want: '::1' },
    { have: '2001:DB8:0:0:1:0:0:1', want: '2001:db8::1:0:0:1' },
    { have: '2001:db8:0:0:0:0:2:1', want: '2001:db8::2:1' },
    { have: '2001:db8:0:1:1:1:1:1', want: '2001:db8:0:1:1:1:1:1' },
    { have: '::ffff:10.0.0.1', want: '::ffff:a00:1' },
    { have: '1::', want: '1::' },
    { have: 'fe80::1:2:3:4', want: 'fe80::1:2:3:4' },
  ])('IPv6 $have prints as $want', ({ have, want }) => {
    expect(formatIpv6(parseIpv6(have))).toBe(want);
  });

  it.each(['1::2::3', '12345::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1', '::1.2.3', '1.2.3.4'])('refuses the IPv6 address %s', (text) => {
    expect(() => parseIpv6(text, 'ipv6.src')).toThrow(new XdpError('bad-packet', `ipv6.src: '${text}' is not an IPv6 address (like fd00::1)`));
  });

  it.each(['1.2.3', '1.2.3.4.5', '256.0.0.1', 'a.b.c.d', ''])('refuses the IPv4 address %j', (text) => {
    expect(() => parseIpv4(text, 'x')).toThrow(XdpError);
  });

  it.each(['02:00:00:00:00', '02:00:00:00:00:00:00', '0g:00:00:00:00:00', '020000000000'])('refuses the MAC %s', (text) => {
    expect(() => parseMac(text, 'eth.src')).toThrow(/eth\.src: .* is not a MAC address/);
  });

  it('parses prefixes, clearing host bits', () => {
    expect(parseIpPrefix('10.1.2.3/16')).toEqual({ family: 'ipv4', address: Uint8Array.of(10, 1, 0, 0), length: 16 });
    expect(parseIpPrefix('10.1.2.3')).toMatchObject({ length: 32 });
    expect(formatIpv6(parseIpPrefix('fd00::1/64').address)).toBe('fd00::');
    expect(() => parseIpPrefix('10.0.0.0/33', 'routes[0].dst')).toThrow(new XdpError('bad-network', "routes[0].dst: prefix length '33' is not 0-32"));
  });
});

describe('hex', () => {
  it.each([
    { have: 'ff ff 00', want: [0xff, 0xff, 0] },
    { have: '0xFFFF00', want: [0xff, 0xff, 0] },
    { have: 'de:ad-be,ef', want: [0xde, 0xad, 0xbe, 0xef] },
    { have: '  \n', want: [] },
  ])('$have', ({ have, want }) => {
    expect([...parseHex(have)]).toEqual(want);
    expect(formatHex(Uint8Array.from(want))).toBe(want.map((b) => b.toString(16).padStart(2, '0')).join(' '));
  });

  it.each([
    { have: 'abc', message: "raw: 'abc' has an odd number of hex digits (write each byte as two digits)" },
    { have: 'zz', message: "raw: 'zz' is not hex" },
    { have: '0x', message: "raw: '0x' is not hex" },
  ])('refuses $have', ({ have, message }) => {
    expect(() => parseHex(have, 'raw')).toThrow(new XdpError('bad-hex', message));
  });
});

describe('checksums', () => {
  it('computes the RFC 1071 example', () => {
    // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to 0x2ddf0, folded 0xddf2
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(onesSum(b)).toBe(0xddf2);
    expect(internetChecksum(b)).toBe(0x220d);
    expect(checksumValid(Uint8Array.of(...b, 0x22, 0x0d))).toBe(true);
  });

  it.each([
    { have: 0, want: 0 },
    { have: 0xffff, want: 0xffff },
    { have: 0x10000, want: 1 },
    { have: 0x2ddf0, want: 0xddf2 },
    { have: 0xffffffff, want: 0xffff },
  ])('folds $have to $want', ({ have, want }) => {
    expect(foldSum(have)).toBe(want);
  });

  it('pads an odd byte as the high byte of a word', () => {
    expect(onesSum(Uint8Array.of(0x12))).toBe(0x1200);
    expect(onesSum(Uint8Array.of(0x12), 0, true)).toBe(0x0012);
  });

  it.each([
    // push: the little-endian sum of the words (0xbeef + 0xdead) * 2 folded
    { name: 'push one word twice', from: [], to: [0xef, 0xbe, 0xad, 0xde, 0xef, 0xbe, 0xad, 0xde], seed: 0, want: foldSum((0xbeef + 0xdead) * 2) },
    { name: 'diff of equal buffers is zero (negative zero)', from: [1, 2, 3, 4], to: [1, 2, 3, 4], seed: 0, want: 0xffff },
    { name: 'pull equals the complement of push', from: [1, 2, 3, 4], to: [], seed: 0, want: ~foldSum(0x0201 + 0x0403) & 0xffff },
    { name: 'seed carries through', from: [], to: [0, 0, 0, 0], seed: 0x1234, want: 0x1234 },
    { name: 'nothing keeps the seed', from: [], to: [], seed: 0x00015678, want: foldSum(0x00015678) },
  ])('bpf_csum_diff: $name', ({ from, to, seed, want }) => {
    expect(csumDiff(Uint8Array.from(from), Uint8Array.from(to), seed)).toBe(want);
  });

  it('bpf_csum_diff of a header then folded and complemented is its checksum (byte-swapped)', () => {
    const header = parseHex('45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7');
    const sum = csumDiff(new Uint8Array(0), header, 0);
    const le = ~sum & 0xffff;
    expect(((le & 0xff) << 8) | (le >> 8)).toBe(0xb861);
  });
});

describe('createNetwork', () => {
  it('has lo and eth0 by default', () => {
    const n = createNetwork();
    expect(n.devices.map((d) => [d.ifindex, d.name, formatHex(d.mac), d.mtu])).toEqual([
      [1, 'lo', '00 00 00 00 00 00', 65536],
      [2, 'eth0', '02 00 00 00 00 01', 1500],
    ]);
    expect(n.forwarding).toBe(true);
    // connected routes: 127/8, ::1/128, 10.0.0.0/24, fd00::/64
    expect(n.routes).toHaveLength(4);
  });

  it('numbers interfaces from 2 and honours explicit indexes', () => {
    const n = createNetwork({ interfaces: [{ name: 'eth0' }, { name: 'veth9', ifindex: 3 }, { name: 'eth1' }] });
    expect(n.devices.map((d) => `${d.ifindex}:${d.name}:${formatHex(d.mac)}`)).toEqual([
      '1:lo:00 00 00 00 00 00',
      '2:eth0:02 00 00 00 00 01',
      '3:veth9:02 00 00 00 00 02',
      '4:eth1:02 00 00 00 00 03',
    ]);
  });

  it.each([
    { have: { interfaces: [{ name: 'eth0' }, { name: 'eth0' }] }, field: 'interfaces[1].name', message: 'interfaces[1].name: interface eth0 is defined twice' },
    { have: { interfaces: [{ name: 'a', ifindex: 1 }] }, field: 'interfaces[0].ifindex', message: 'interfaces[0].ifindex: ifindex 1 is taken by another interface' },
    { have: { interfaces: [{ name: 'this-name-is-too-long' }] }, field: 'interfaces[0].name', message: /is not an interface name \(1-15 characters/ },
    { have: { interfaces: [{ name: 'e', mac: 'x' }] }, field: 'interfaces[0].mac', message: "interfaces[0].mac: 'x' is not a MAC address (six hex bytes like 02:00:00:00:00:01)" },
    { have: { interfaces: [{ name: 'e', addresses: ['10.0.0.1/40'] }] }, field: 'interfaces[0].addresses[0]', message: "interfaces[0].addresses[0]: prefix length '40' is not 0-32" },
    { have: { interfaces: [{ name: 'e', mtu: 20 }] }, field: 'interfaces[0].mtu', message: 'interfaces[0].mtu: 20 is out of range (68-65536)' },
    { have: { routes: [{ dst: '10.1.0.0/16', dev: 'eth9' }] }, field: 'routes[0].dev', message: "routes[0].dev: no interface named 'eth9' (have lo, eth0)" },
    { have: { routes: [{ dst: '10.1.0.0/16' }] }, field: 'routes[0].dev', message: 'routes[0].dev: a unicast route needs an outgoing interface (dev)' },
    { have: { routes: [{ dst: '10.1.0.0/16', type: 'nat', dev: 'eth0' }] }, field: 'routes[0].type', message: "routes[0].type: 'nat' is not a route type (unicast, blackhole, unreachable, prohibit)" },
    { have: { routes: [{ dst: '10.1.0.0/16', via: 'fd00::1', dev: 'eth0' }] }, field: 'routes[0].via', message: "routes[0].via: 'fd00::1' is not an IPv4 address (four numbers 0-255 like 10.0.0.1)" },
    { have: { neighbors: [{ ip: '10.0.0.9', mac: '02:00:00:00:00:09' }] }, field: 'neighbors[0].dev', message: 'neighbors[0].dev: expected a string, got undefined' },
    { have: { forwarding: 'yes' }, field: 'forwarding', message: "forwarding: expected true or false, got 'yes'" },
    { have: { interface: [] }, field: 'interface', message: 'interface: unknown field (expected one of interfaces, routes, neighbors, forwarding)' },
  ])('refuses $field', ({ have, field, message }) => {
    let err: unknown;
    try {
      createNetwork(have);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XdpError);
    expect((err as XdpError).code).toBe('bad-network');
    expect((err as XdpError).field).toBe(field);
    if (typeof message === 'string') expect((err as Error).message).toBe(message);
    else expect((err as Error).message).toMatch(message);
  });
});

describe('fibLookup', () => {
  const net = createNetwork({
    interfaces: [
      { name: 'eth0', addresses: ['10.0.0.1/24', 'fd00::1/64'] },
      { name: 'eth1', addresses: ['192.168.1.1/24', '2001:db8::1/64'], mtu: 9000 },
      { name: 'eth2' },
    ],
    routes: [
      { dst: 'default', via: '192.168.1.254', dev: 'eth1' },
      { dst: '172.16.0.0/16', via: '192.168.1.253', dev: 'eth1', metric: 10 },
      { dst: '172.16.0.0/16', via: '192.168.1.252', dev: 'eth1', metric: 5 },
      { dst: '172.16.9.0/24', dev: 'eth2' },
      { dst: 'default', via: '2001:db8::fe', dev: 'eth1' },
      { dst: '198.18.0.0/15', type: 'prohibit' },
    ],
    neighbors: [
      { ip: '192.168.1.254', mac: '02:00:00:00:01:fe', dev: 'eth1' },
      { ip: '192.168.1.252', mac: '02:00:00:00:01:fc', dev: 'eth1' },
      { ip: '2001:db8::fe', mac: '02:00:00:00:02:fe', dev: 'eth1' },
    ],
  });
  const q = (dst: string, extra: Partial<FibQuery> = {}): FibQuery => {
    const v6 = dst.includes(':');
    return {
      family: v6 ? 'ipv6' : 'ipv4',
      ifindex: 2,
      src: v6 ? parseIpv6('fd00::2') : parseIpv4('10.0.0.2'),
      dst: v6 ? parseIpv6(dst) : parseIpv4(dst),
      totalLength: 0,
      output: false,
      skipNeighbor: false,
      wantSource: false,
      checkMtu: true,
      ...extra,
    };
  };

  it.each([
    { name: 'the default route', dst: '8.8.8.8', kind: 'success', ifindex: 3, hop: '192.168.1.254', dmac: '02 00 00 00 01 fe' },
    { name: 'the longest prefix, lowest metric', dst: '172.16.1.1', kind: 'success', ifindex: 3, hop: '192.168.1.252', dmac: '02 00 00 00 01 fc' },
    { name: 'a more specific on-link route without a neighbour', dst: '172.16.9.9', kind: 'no-neigh', ifindex: 4, hop: '172.16.9.9' },
    { name: 'a local address', dst: '10.0.0.1', kind: 'not-fwded' },
    { name: 'a prohibited prefix', dst: '198.19.0.1', kind: 'prohibit' },
    { name: 'IPv6 by the default route', dst: '2001:4860::8888', kind: 'success', ifindex: 3, hop: '2001:db8::fe', dmac: '02 00 00 00 02 fe' },
    { name: 'IPv6 link-local', dst: 'fe80::1', kind: 'not-fwded' },
  ])('$name ($dst): $kind', ({ dst, kind, ifindex, hop, dmac }) => {
    const a = fibLookup(net, q(dst));
    expect(a.kind).toBe(kind);
    if (a.kind === 'success' || a.kind === 'no-neigh') {
      expect(a.route.ifindex).toBe(ifindex);
      expect(formatHex(a.route.nextHop)).toBe(formatHex(hop!.includes(':') ? parseIpv6(hop!) : parseIpv4(hop!)));
    }
    if (a.kind === 'success') {
      expect(formatHex(a.dmac!)).toBe(dmac);
      expect(formatHex(a.smac!)).toBe('02 00 00 00 00 02');
    }
  });

  it('checks the MTU, picks a source address, skips the neighbour, knows only the main and local tables', () => {
    expect(fibLookup(net, q('8.8.8.8', { totalLength: 9001 }))).toEqual({ kind: 'frag-needed', mtu: 9000 });
    expect(fibLookup(net, q('8.8.8.8', { totalLength: 9001, checkMtu: false })).kind).toBe('success');
    const src = fibLookup(net, q('8.8.8.8', { wantSource: true }));
    expect(src.kind === 'success' && formatHex(src.route.source!)).toBe('c0 a8 01 01');
    const skip = fibLookup(net, q('172.16.9.9', { skipNeighbor: true }));
    expect(skip).toMatchObject({ kind: 'success', smac: undefined, dmac: undefined });
    expect(fibLookup(net, q('172.16.9.9', { wantSource: true }))).toMatchObject({ kind: 'no-neigh', route: { source: Uint8Array.of(0, 0, 0, 0) } });
    expect(fibLookup(net, q('2001:4860::1', { ifindex: 4, wantSource: true, output: true })).kind).toBe('success');
    expect(fibLookup(net, q('8.8.8.8', { table: 100 })).kind).toBe('not-fwded');
    expect(fibLookup(net, q('8.8.8.8', { table: 254 })).kind).toBe('success');
    expect(fibLookup(net, q('8.8.8.8', { ifindex: 42 })).kind).toBe('no-device');
    expect(fibLookup(createNetwork({ forwarding: false }), q('8.8.8.8')).kind).toBe('fwd-disabled');
  });
});
