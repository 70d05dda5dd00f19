/**
 * `buildPacket`: a packet description (see `describe.ts`) to the bytes of
 * an Ethernet frame, without FCS, as XDP and pcap see frames. Lengths are
 * computed (IPv4 `tot_len`, IPv6 `payload_len`, UDP `len`, TCP data
 * offset) and checksums filled in (IPv4 header; UDP and TCP over their
 * pseudo-headers; ICMP over the message; ICMPv6 over its pseudo-header),
 * unless the description overrides them on purpose.
 *
 * Descriptions usually come from YAML, so the input is checked field by
 * field: a malformed description throws `XdpError` `bad-packet` whose
 * `field` names the culprit (`ipv4.src`, `tcp.flags`).
 */
import { XdpError } from '../errors';
import { at, bool, fail, integer, named, record, show, text, type Where } from '../internal/validate';
import { parseIpv4, parseIpv6, parseMac } from '../net/addresses';
import { internetChecksum, transportChecksum } from '../net/checksum';
import { parseHex } from '../net/hex';
import { ARP_LEN, ETH_HLEN, ETH_P, ICMP_HLEN, IP_PROTO, IPV4_HLEN, IPV6_HLEN, TCP_FLAGS, TCP_HLEN, UDP_HLEN, VLAN_HLEN } from './constants';
import { PACKET_DEFAULTS, type PacketDescription } from './describe';

const LAYERS = ['eth', 'vlan', 'ipv4', 'ipv6', 'arp', 'udp', 'tcp', 'icmp', 'icmpv6', 'payload'] as const;
const L3 = ['ipv4', 'ipv6', 'arp'] as const;
const L4 = ['udp', 'tcp', 'icmp', 'icmpv6'] as const;

/** Options of `buildPacket`. */
export interface BuildPacketOptions {
  /** prefix of the field paths in errors (`steps[2].packet`); default none */
  readonly path?: string;
}

/** The defaults of `BuildPacketOptions`. */
export const DEFAULT_BUILD_PACKET_OPTIONS: Required<BuildPacketOptions> = Object.freeze({ path: '' });

/** Big-endian writes into a growing byte list. */
class Bytes {
  readonly b: number[] = [];
  u8(v: number): this {
    this.b.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  bytes(v: Uint8Array): this {
    for (const x of v) this.b.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.b);
  }
}

function setU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/**
 * The bytes of the frame a description describes.
 *
 * @throws {@link XdpError} `bad-packet` (or `bad-hex`) naming the malformed field
 */
export function buildPacket(description: PacketDescription | unknown, options: BuildPacketOptions = {}): Uint8Array {
  const root: Where = { path: options.path ?? DEFAULT_BUILD_PACKET_OPTIONS.path, code: 'bad-packet' };
  if (description !== null && typeof description === 'object' && 'raw' in description) {
    const o = record(description, root, ['raw']);
    const raw = o.raw;
    if (raw instanceof Uint8Array) return Uint8Array.from(raw);
    const where = at(root, 'raw');
    try {
      return parseHex(text(raw, where), where.path);
    } catch (e) {
      if (e instanceof XdpError && e.code === 'bad-hex') throw new XdpError('bad-packet', e.message, { field: where.path, cause: e });
      throw e;
    }
  }
  const o = record(description, root, [...LAYERS, 'raw']);
  const has = (k: string): boolean => o[k] !== undefined;
  const l3 = L3.filter(has);
  const l4 = L4.filter(has);
  if (l3.length > 1) fail(at(root, l3[1]!), `a frame has one network layer: ${l3.join(' and ')} were both given`);
  if (l4.length > 1) fail(at(root, l4[1]!), `a frame has one transport layer: ${l4.join(' and ')} were both given`);
  const net = l3[0];
  const transport = l4[0];
  if (transport !== undefined) {
    const w = at(root, transport);
    if (net === undefined || net === 'arp') fail(w, `${transport} needs an ${transport === 'icmpv6' ? 'ipv6' : transport === 'icmp' ? 'ipv4' : 'ipv4 or ipv6'} layer`);
    if (transport === 'icmp' && net === 'ipv6') fail(w, 'icmp is ICMP for IPv4; with ipv6 use icmpv6');
    if (transport === 'icmpv6' && net === 'ipv4') fail(w, 'icmpv6 needs ipv6; with ipv4 use icmp');
  }

  const payload = buildPayload(o.payload, at(root, 'payload'));
  const eth = record(o.eth ?? {}, at(root, 'eth'), ['src', 'dst', 'type']);
  const ethSrc = parseMac(text(eth.src ?? PACKET_DEFAULTS.ethSrc, at(root, 'eth.src')), at(root, 'eth.src').path);

  // network-layer addresses (needed by the transport checksum)
  let l3src: Uint8Array | undefined;
  let l3dst: Uint8Array | undefined;
  let ip4: Readonly<Record<string, unknown>> | undefined;
  let ip6: Readonly<Record<string, unknown>> | undefined;
  if (net === 'ipv4') {
    const w = at(root, 'ipv4');
    ip4 = record(o.ipv4, w, ['src', 'dst', 'proto', 'ttl', 'tos', 'id', 'df', 'mf', 'frag_offset', 'options', 'checksum', 'total_length']);
    l3src = parseIpv4(text(ip4.src ?? PACKET_DEFAULTS.ipv4Src, at(w, 'src')), at(w, 'src').path);
    l3dst = parseIpv4(text(ip4.dst ?? PACKET_DEFAULTS.ipv4Dst, at(w, 'dst')), at(w, 'dst').path);
  } else if (net === 'ipv6') {
    const w = at(root, 'ipv6');
    ip6 = record(o.ipv6, w, ['src', 'dst', 'next_header', 'hop_limit', 'traffic_class', 'flow_label', 'payload_length']);
    l3src = parseIpv6(text(ip6.src ?? PACKET_DEFAULTS.ipv6Src, at(w, 'src')), at(w, 'src').path);
    l3dst = parseIpv6(text(ip6.dst ?? PACKET_DEFAULTS.ipv6Dst, at(w, 'dst')), at(w, 'dst').path);
  }

  // the transport layer and what follows it
  let segment = payload;
  let defaultProto: number = net === 'ipv6' ? IP_PROTO.none : 0;
  if (transport !== undefined) {
    const w = at(root, transport);
    const proto = IP_PROTO[transport];
    const protoOf = (): number =>
      ip4 !== undefined && ip4.proto !== undefined
        ? named(ip4.proto, at(at(root, 'ipv4'), 'proto'), IP_PROTO, 255)
        : ip6 !== undefined && ip6.next_header !== undefined
          ? named(ip6.next_header, at(at(root, 'ipv6'), 'next_header'), IP_PROTO, 255)
          : proto;
    switch (transport) {
      case 'udp':
        segment = buildUdp(o.udp, w, payload, l3src!, l3dst!, protoOf());
        break;
      case 'tcp':
        segment = buildTcp(o.tcp, w, payload, l3src!, l3dst!, protoOf());
        break;
      case 'icmp':
        segment = buildIcmp(o.icmp, w, payload, undefined);
        break;
      case 'icmpv6':
        segment = buildIcmp(o.icmpv6, w, payload, { src: l3src!, dst: l3dst!, proto: protoOf() });
        break;
    }
    defaultProto = proto;
  }

  // the network layer
  let packet = segment;
  let defaultType: number = PACKET_DEFAULTS.etherTypeNone;
  let arpRequest = false;
  if (net === 'ipv4') {
    packet = buildIpv4(ip4!, at(root, 'ipv4'), segment, l3src!, l3dst!, defaultProto);
    defaultType = ETH_P.ipv4;
  } else if (net === 'ipv6') {
    packet = buildIpv6(ip6!, at(root, 'ipv6'), segment, l3src!, l3dst!, defaultProto);
    defaultType = ETH_P.ipv6;
  } else if (net === 'arp') {
    const w = at(root, 'arp');
    const a = record(o.arp ?? {}, w, ['op', 'sender_mac', 'sender_ip', 'target_mac', 'target_ip']);
    const op = named(a.op ?? 'request', at(w, 'op'), { request: 1, reply: 2 }, 0xffff);
    arpRequest = op === 1;
    const ethDst = eth.dst === undefined ? undefined : parseMac(text(eth.dst, at(root, 'eth.dst')), at(root, 'eth.dst').path);
    packet = new Bytes()
      .u16(1) // ARPHRD_ETHER
      .u16(ETH_P.ipv4)
      .u8(6)
      .u8(4)
      .u16(op)
      .bytes(a.sender_mac === undefined ? ethSrc : parseMac(text(a.sender_mac, at(w, 'sender_mac')), at(w, 'sender_mac').path))
      .bytes(parseIpv4(text(a.sender_ip ?? PACKET_DEFAULTS.ipv4Src, at(w, 'sender_ip')), at(w, 'sender_ip').path))
      .bytes(
        a.target_mac !== undefined
          ? parseMac(text(a.target_mac, at(w, 'target_mac')), at(w, 'target_mac').path)
          : op === 2 && ethDst !== undefined
            ? ethDst
            : op === 2
              ? parseMac(PACKET_DEFAULTS.ethDst)
              : new Uint8Array(6),
      )
      .bytes(parseIpv4(text(a.target_ip ?? PACKET_DEFAULTS.ipv4Dst, at(w, 'target_ip')), at(w, 'target_ip').path))
      .bytes(payload)
      .done();
    if (packet.length - payload.length !== ARP_LEN) throw new Error('bpflab hooks-xdp internal error: ARP length');
    defaultType = ETH_P.arp;
  }

  // VLAN tags, then Ethernet
  const tags = o.vlan === undefined ? [] : Array.isArray(o.vlan) ? (o.vlan as unknown[]) : [o.vlan];
  if (o.vlan !== undefined && tags.length === 0) fail(at(root, 'vlan'), 'an empty list of tags (leave vlan out for an untagged frame)');
  const frame = new Bytes();
  const ethDst =
    eth.dst !== undefined
      ? parseMac(text(eth.dst, at(root, 'eth.dst')), at(root, 'eth.dst').path)
      : arpRequest
        ? new Uint8Array(6).fill(0xff)
        : parseMac(PACKET_DEFAULTS.ethDst);
  frame.bytes(ethDst).bytes(ethSrc);
  const innerType = eth.type !== undefined && tags.length === 0 ? named(eth.type, at(root, 'eth.type'), ETH_P, 0xffff) : defaultType;
  tags.forEach((t, i) => {
    const w = Array.isArray(o.vlan) ? at(at(root, 'vlan'), i) : at(root, 'vlan');
    const v = record(t, w, ['id', 'pcp', 'dei', 'tpid']);
    if (v.id === undefined) fail(at(w, 'id'), 'a VLAN tag needs an id (0-4095)');
    const id = integer(v.id, at(w, 'id'), 0, 4095);
    const pcp = v.pcp === undefined ? 0 : integer(v.pcp, at(w, 'pcp'), 0, 7);
    const dei = v.dei === undefined ? false : bool(v.dei, at(w, 'dei'));
    const outer = i < tags.length - 1;
    const tpid =
      v.tpid !== undefined
        ? named(v.tpid, at(w, 'tpid'), ETH_P, 0xffff)
        : i === 0 && eth.type !== undefined
          ? named(eth.type, at(root, 'eth.type'), ETH_P, 0xffff)
          : outer
            ? ETH_P.qinq
            : ETH_P.vlan;
    frame.u16(tpid).u16((pcp << 13) | (dei ? 0x1000 : 0) | id);
  });
  frame.u16(innerType).bytes(packet);
  const out = frame.done();
  if (out.length !== ETH_HLEN + VLAN_HLEN * tags.length + packet.length) throw new Error('bpflab hooks-xdp internal error: frame length');
  return out;
}

function buildPayload(v: unknown, where: Where): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  if (typeof v === 'string') return new TextEncoder().encode(v);
  if (v !== null && typeof v === 'object' && 'hex' in v) {
    const o = record(v, where, ['hex']);
    const w = at(where, 'hex');
    try {
      return parseHex(text(o.hex, w), w.path);
    } catch (e) {
      if (e instanceof XdpError && e.code === 'bad-hex') throw new XdpError('bad-packet', e.message, { field: w.path, cause: e });
      throw e;
    }
  }
  if (v !== null && typeof v === 'object' && 'size' in v) {
    const o = record(v, where, ['size', 'fill']);
    const size = integer(o.size, at(where, 'size'), 0, 65535);
    const fill = o.fill === undefined ? 0 : integer(o.fill, at(where, 'fill'), 0, 255);
    return new Uint8Array(size).fill(fill);
  }
  return fail(where, `expected text, { hex: "..." } or { size: n }, got ${show(v)}`);
}

/** Header options as hex, padded with zeros (end of option list) to a multiple of 4 bytes, at most 40. */
function buildOptions(v: unknown, where: Where): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  let bytes: Uint8Array;
  try {
    bytes = parseHex(text(v, where), where.path);
  } catch (e) {
    if (e instanceof XdpError && e.code === 'bad-hex') throw new XdpError('bad-packet', e.message, { field: where.path, cause: e });
    throw e;
  }
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  if (padded.length > 40) fail(where, `${padded.length} bytes of options (padded to a multiple of 4); a header has room for 40`);
  return padded;
}

function buildUdp(v: unknown, w: Where, payload: Uint8Array, src: Uint8Array, dst: Uint8Array, proto: number): Uint8Array {
  const o = record(v ?? {}, w, ['sport', 'dport', 'checksum', 'length']);
  const length = UDP_HLEN + payload.length;
  if (length > 0xffff) fail(w, `a UDP datagram of ${length} bytes does not fit its 16-bit length`);
  const seg = new Bytes()
    .u16(o.sport === undefined ? PACKET_DEFAULTS.sport : integer(o.sport, at(w, 'sport'), 0, 0xffff))
    .u16(o.dport === undefined ? PACKET_DEFAULTS.udpDport : integer(o.dport, at(w, 'dport'), 0, 0xffff))
    .u16(o.length === undefined ? length : integer(o.length, at(w, 'length'), 0, 0xffff))
    .u16(0)
    .bytes(payload)
    .done();
  const sum = o.checksum !== undefined ? integer(o.checksum, at(w, 'checksum'), 0, 0xffff) : transportChecksum(src, dst, proto, seg, true);
  setU16(seg, 6, sum);
  return seg;
}

function tcpFlags(v: unknown, w: Where): number {
  if (v === undefined) return 0x02;
  let bits = 0;
  if (typeof v === 'string') {
    for (const ch of v.trim()) {
      const f = TCP_FLAGS.find((x) => x.letter === ch.toUpperCase());
      if (f === undefined) fail(w, `'${ch}' is not a TCP flag letter (F S R P A U E C; '' for none)`);
      bits |= f.bit;
    }
    return bits;
  }
  if (Array.isArray(v)) {
    v.forEach((name, i) => {
      const f = typeof name === 'string' ? TCP_FLAGS.find((x) => x.name === name.toLowerCase()) : undefined;
      if (f === undefined) fail(at(w, i), `${show(name)} is not a TCP flag (${TCP_FLAGS.map((x) => x.name).join(', ')})`);
      bits |= f.bit;
    });
    return bits;
  }
  return fail(w, `expected flag letters like "SA" or a list like [syn, ack], got ${show(v)}`);
}

function buildTcp(v: unknown, w: Where, payload: Uint8Array, src: Uint8Array, dst: Uint8Array, proto: number): Uint8Array {
  const o = record(v ?? {}, w, ['sport', 'dport', 'flags', 'seq', 'ack', 'window', 'urgent', 'options', 'checksum']);
  const options = buildOptions(o.options, at(w, 'options'));
  const doff = (TCP_HLEN + options.length) / 4;
  const seg = new Bytes()
    .u16(o.sport === undefined ? PACKET_DEFAULTS.sport : integer(o.sport, at(w, 'sport'), 0, 0xffff))
    .u16(o.dport === undefined ? PACKET_DEFAULTS.tcpDport : integer(o.dport, at(w, 'dport'), 0, 0xffff))
    .u32(o.seq === undefined ? 1 : integer(o.seq, at(w, 'seq'), 0, 0xffffffff))
    .u32(o.ack === undefined ? 0 : integer(o.ack, at(w, 'ack'), 0, 0xffffffff))
    .u8(doff << 4)
    .u8(tcpFlags(o.flags, at(w, 'flags')))
    .u16(o.window === undefined ? PACKET_DEFAULTS.tcpWindow : integer(o.window, at(w, 'window'), 0, 0xffff))
    .u16(0)
    .u16(o.urgent === undefined ? 0 : integer(o.urgent, at(w, 'urgent'), 0, 0xffff))
    .bytes(options)
    .bytes(payload)
    .done();
  setU16(seg, 16, o.checksum !== undefined ? integer(o.checksum, at(w, 'checksum'), 0, 0xffff) : transportChecksum(src, dst, proto, seg));
  return seg;
}

function buildIcmp(
  v: unknown,
  w: Where,
  payload: Uint8Array,
  v6: { readonly src: Uint8Array; readonly dst: Uint8Array; readonly proto: number } | undefined,
): Uint8Array {
  const o = record(v ?? {}, w, ['type', 'code', 'id', 'seq', 'checksum']);
  const seg = new Bytes()
    .u8(o.type === undefined ? (v6 === undefined ? 8 : 128) : integer(o.type, at(w, 'type'), 0, 255))
    .u8(o.code === undefined ? 0 : integer(o.code, at(w, 'code'), 0, 255))
    .u16(0)
    .u16(o.id === undefined ? 0 : integer(o.id, at(w, 'id'), 0, 0xffff))
    .u16(o.seq === undefined ? 0 : integer(o.seq, at(w, 'seq'), 0, 0xffff))
    .bytes(payload)
    .done();
  if (seg.length - payload.length !== ICMP_HLEN) throw new Error('bpflab hooks-xdp internal error: ICMP length');
  const sum =
    o.checksum !== undefined
      ? integer(o.checksum, at(w, 'checksum'), 0, 0xffff)
      : v6 === undefined
        ? internetChecksum(seg)
        : transportChecksum(v6.src, v6.dst, v6.proto, seg);
  setU16(seg, 2, sum);
  return seg;
}

function buildIpv4(o: Readonly<Record<string, unknown>>, w: Where, segment: Uint8Array, src: Uint8Array, dst: Uint8Array, defaultProto: number): Uint8Array {
  const options = buildOptions(o.options, at(w, 'options'));
  const hlen = IPV4_HLEN + options.length;
  const total = hlen + segment.length;
  if (total > 0xffff) fail(w, `an IPv4 packet of ${total} bytes does not fit its 16-bit total length`);
  const df = o.df === undefined ? false : bool(o.df, at(w, 'df'));
  const mf = o.mf === undefined ? false : bool(o.mf, at(w, 'mf'));
  const frag = o.frag_offset === undefined ? 0 : integer(o.frag_offset, at(w, 'frag_offset'), 0, 0x1fff);
  const header = new Bytes()
    .u8(0x40 | (hlen / 4))
    .u8(o.tos === undefined ? 0 : integer(o.tos, at(w, 'tos'), 0, 255))
    .u16(o.total_length === undefined ? total : integer(o.total_length, at(w, 'total_length'), 0, 0xffff))
    .u16(o.id === undefined ? 0 : integer(o.id, at(w, 'id'), 0, 0xffff))
    .u16((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | frag)
    .u8(o.ttl === undefined ? PACKET_DEFAULTS.ttl : integer(o.ttl, at(w, 'ttl'), 0, 255))
    .u8(o.proto === undefined ? defaultProto : named(o.proto, at(w, 'proto'), IP_PROTO, 255))
    .u16(0)
    .bytes(src)
    .bytes(dst)
    .bytes(options)
    .done();
  setU16(header, 10, o.checksum !== undefined ? integer(o.checksum, at(w, 'checksum'), 0, 0xffff) : internetChecksum(header));
  const out = new Uint8Array(total);
  out.set(header);
  out.set(segment, hlen);
  return out;
}

function buildIpv6(o: Readonly<Record<string, unknown>>, w: Where, segment: Uint8Array, src: Uint8Array, dst: Uint8Array, defaultProto: number): Uint8Array {
  if (segment.length > 0xffff) fail(w, `an IPv6 payload of ${segment.length} bytes does not fit its 16-bit payload length (jumbograms are not modelled)`);
  const tc = o.traffic_class === undefined ? 0 : integer(o.traffic_class, at(w, 'traffic_class'), 0, 255);
  const flow = o.flow_label === undefined ? 0 : integer(o.flow_label, at(w, 'flow_label'), 0, 0xfffff);
  const header = new Bytes()
    .u32(((6 << 28) | (tc << 20) | flow) >>> 0)
    .u16(o.payload_length === undefined ? segment.length : integer(o.payload_length, at(w, 'payload_length'), 0, 0xffff))
    .u8(o.next_header === undefined ? defaultProto : named(o.next_header, at(w, 'next_header'), IP_PROTO, 255))
    .u8(o.hop_limit === undefined ? PACKET_DEFAULTS.ttl : integer(o.hop_limit, at(w, 'hop_limit'), 0, 255))
    .bytes(src)
    .bytes(dst)
    .done();
  if (header.length !== IPV6_HLEN) throw new Error('bpflab hooks-xdp internal error: IPv6 header length');
  const out = new Uint8Array(IPV6_HLEN + segment.length);
  out.set(header);
  out.set(segment, IPV6_HLEN);
  return out;
}
