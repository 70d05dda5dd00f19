/**
 * `decodeFrame`: the layers of an Ethernet frame, with checksums checked,
 * and a one-line summary in the spirit of `tcpdump -e`. Observations show
 * it for the frame a program passed, transmitted or redirected, so a
 * student sees at once what their rewrite did (and whether they fixed the
 * checksums). Decoding never throws: a frame cut short ends in a
 * `truncated` layer.
 */
import { formatIpv4, formatIpv6, formatMac } from '../net/addresses';
import { checksumValid, pseudoHeaderSum } from '../net/checksum';
import { ARP_LEN, ETH_HLEN, ETH_P, ICMP_HLEN, IP_PROTO, IPV4_HLEN, IPV6_HLEN, TCP_FLAGS, TCP_HLEN, UDP_HLEN, VLAN_HLEN, etherTypeName, ipProtoName } from './constants';

/** One decoded layer. Checksums are `ok` when they verify; `none` for a UDP-over-IPv4 checksum of 0. */
export type FrameLayer =
  | { readonly kind: 'eth'; readonly dst: string; readonly src: string; readonly type: number }
  | { readonly kind: 'vlan'; readonly tpid: number; readonly id: number; readonly pcp: number; readonly dei: boolean; readonly type: number }
  | {
      readonly kind: 'ipv4';
      readonly src: string;
      readonly dst: string;
      readonly proto: number;
      readonly ttl: number;
      readonly headerLength: number;
      readonly totalLength: number;
      readonly df: boolean;
      readonly mf: boolean;
      readonly fragOffset: number;
      readonly checksum: number;
      readonly checksumOk: boolean;
    }
  | { readonly kind: 'ipv6'; readonly src: string; readonly dst: string; readonly nextHeader: number; readonly hopLimit: number; readonly payloadLength: number }
  | { readonly kind: 'arp'; readonly op: number; readonly senderMac: string; readonly senderIp: string; readonly targetMac: string; readonly targetIp: string }
  | { readonly kind: 'udp'; readonly sport: number; readonly dport: number; readonly length: number; readonly checksum: number; readonly checksumOk: boolean | 'none' }
  | {
      readonly kind: 'tcp';
      readonly sport: number;
      readonly dport: number;
      readonly seq: number;
      readonly ack: number;
      /** flag letters in `FSRPAUEC` order (`SA`), `.` for none */
      readonly flags: string;
      readonly window: number;
      readonly checksum: number;
      readonly checksumOk: boolean;
    }
  | { readonly kind: 'icmp' | 'icmpv6'; readonly type: number; readonly code: number; readonly checksum: number; readonly checksumOk: boolean }
  | { readonly kind: 'payload'; readonly length: number }
  | { readonly kind: 'truncated'; readonly layer: string; readonly have: number; readonly need: number };

/** A decoded frame. */
export interface DecodedFrame {
  readonly length: number;
  readonly layers: readonly FrameLayer[];
  /** one line: `02:00:00:00:00:02 > 02:00:00:00:00:01, IPv4 10.0.0.2 > 10.0.0.1 ttl 64, UDP 40000 > 53 len 8` */
  readonly summary: string;
  /** whether every checksum the frame carries verifies */
  readonly checksumsOk: boolean;
}

const be16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const hex16 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** Decodes an Ethernet frame (without FCS). */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  const layers: FrameLayer[] = [];
  const need = (layer: string, off: number, n: number): boolean => {
    if (frame.length - off >= n) return true;
    layers.push({ kind: 'truncated', layer, have: Math.max(0, frame.length - off), need: n });
    return false;
  };
  decode: {
    if (!need('eth', 0, ETH_HLEN)) break decode;
    let type = be16(frame, 12);
    layers.push({ kind: 'eth', dst: formatMac(frame.subarray(0, 6)), src: formatMac(frame.subarray(6, 12)), type });
    let off = ETH_HLEN;
    while (type === ETH_P.vlan || type === ETH_P.qinq) {
      if (!need('vlan', off, VLAN_HLEN)) break decode;
      const tci = be16(frame, off);
      const inner = be16(frame, off + 2);
      layers.push({ kind: 'vlan', tpid: type, id: tci & 0xfff, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, type: inner });
      type = inner;
      off += VLAN_HLEN;
    }
    let end = frame.length;
    let l4: { proto: number; off: number; pseudo: number | undefined } | undefined;
    if (type === ETH_P.ipv4) {
      if (!need('ipv4', off, IPV4_HLEN)) break decode;
      const hl = (frame[off]! & 0xf) * 4;
      const total = be16(frame, off + 2);
      const frag = be16(frame, off + 6);
      const headerOk = hl >= IPV4_HLEN && frame.length - off >= hl;
      layers.push({
        kind: 'ipv4',
        src: formatIpv4(frame.subarray(off + 12, off + 16)),
        dst: formatIpv4(frame.subarray(off + 16, off + 20)),
        proto: frame[off + 9]!,
        ttl: frame[off + 8]!,
        headerLength: hl,
        totalLength: total,
        df: (frag & 0x4000) !== 0,
        mf: (frag & 0x2000) !== 0,
        fragOffset: frag & 0x1fff,
        checksum: be16(frame, off + 10),
        checksumOk: headerOk && checksumValid(frame.subarray(off, off + hl)),
      });
      if (!headerOk) {
        if (hl >= IPV4_HLEN) need('ipv4 options', off, hl);
        break decode;
      }
      end = Math.min(frame.length, off + Math.max(total, hl));
      // only the first fragment carries the transport header
      if ((frag & 0x1fff) === 0) {
        const src = frame.subarray(off + 12, off + 16);
        const dst = frame.subarray(off + 16, off + 20);
        l4 = { proto: frame[off + 9]!, off: off + hl, pseudo: pseudoHeaderSum(src, dst, frame[off + 9]!, end - off - hl) };
      } else {
        off += hl;
        layers.push({ kind: 'payload', length: end - off });
        break decode;
      }
    } else if (type === ETH_P.ipv6) {
      if (!need('ipv6', off, IPV6_HLEN)) break decode;
      const plen = be16(frame, off + 4);
      const nh = frame[off + 6]!;
      const src = frame.subarray(off + 8, off + 24);
      const dst = frame.subarray(off + 24, off + 40);
      layers.push({ kind: 'ipv6', src: formatIpv6(src), dst: formatIpv6(dst), nextHeader: nh, hopLimit: frame[off + 7]!, payloadLength: plen });
      end = Math.min(frame.length, off + IPV6_HLEN + plen);
      l4 = { proto: nh, off: off + IPV6_HLEN, pseudo: pseudoHeaderSum(src, dst, nh, end - off - IPV6_HLEN) };
    } else if (type === ETH_P.arp) {
      if (!need('arp', off, ARP_LEN)) break decode;
      layers.push({
        kind: 'arp',
        op: be16(frame, off + 6),
        senderMac: formatMac(frame.subarray(off + 8, off + 14)),
        senderIp: formatIpv4(frame.subarray(off + 14, off + 18)),
        targetMac: formatMac(frame.subarray(off + 18, off + 24)),
        targetIp: formatIpv4(frame.subarray(off + 24, off + 28)),
      });
      off += ARP_LEN;
      if (frame.length > off) layers.push({ kind: 'payload', length: frame.length - off });
      break decode;
    } else {
      if (frame.length > off) layers.push({ kind: 'payload', length: frame.length - off });
      break decode;
    }
    const { proto, off: t, pseudo } = l4;
    const seg = frame.subarray(t, end);
    let hdr = 0;
    if (proto === IP_PROTO.udp) {
      if (!need('udp', t, UDP_HLEN)) break decode;
      const sum = be16(frame, t + 6);
      const v4 = layers.some((l) => l.kind === 'ipv4');
      layers.push({
        kind: 'udp',
        sport: be16(frame, t),
        dport: be16(frame, t + 2),
        length: be16(frame, t + 4),
        checksum: sum,
        checksumOk: v4 && sum === 0 ? 'none' : checksumValid(seg, pseudo),
      });
      hdr = UDP_HLEN;
    } else if (proto === IP_PROTO.tcp) {
      if (!need('tcp', t, TCP_HLEN)) break decode;
      const doff = (frame[t + 12]! >> 4) * 4;
      const bits = frame[t + 13]!;
      const flags = TCP_FLAGS.filter((f) => (bits & f.bit) !== 0)
        .map((f) => f.letter)
        .join('');
      layers.push({
        kind: 'tcp',
        sport: be16(frame, t),
        dport: be16(frame, t + 2),
        seq: be32(frame, t + 4),
        ack: be32(frame, t + 8),
        flags: flags === '' ? '.' : flags,
        window: be16(frame, t + 14),
        checksum: be16(frame, t + 16),
        checksumOk: checksumValid(seg, pseudo),
      });
      hdr = Math.max(TCP_HLEN, doff);
      if (!need('tcp options', t, hdr)) break decode;
    } else if (proto === IP_PROTO.icmp || proto === IP_PROTO.icmpv6) {
      const kind = proto === IP_PROTO.icmp ? 'icmp' : 'icmpv6';
      if (!need(kind, t, 4)) break decode;
      layers.push({
        kind,
        type: frame[t]!,
        code: frame[t + 1]!,
        checksum: be16(frame, t + 2),
        checksumOk: kind === 'icmp' ? checksumValid(seg) : checksumValid(seg, pseudo),
      });
      hdr = Math.min(ICMP_HLEN, seg.length);
    }
    if (seg.length > hdr) layers.push({ kind: 'payload', length: seg.length - hdr });
  }
  return { length: frame.length, layers, summary: summarize(layers, frame.length), checksumsOk: layers.every((l) => !('checksumOk' in l) || l.checksumOk !== false) };
}

function cksum(ok: boolean | 'none', sum: number): string {
  return ok === false ? ` [bad cksum ${hex16(sum)}]` : '';
}

function summarize(layers: readonly FrameLayer[], length: number): string {
  if (layers.length === 0) return `empty frame`;
  const parts = layers.map((l): string => {
    switch (l.kind) {
      case 'eth':
        return `${l.src} > ${l.dst}`;
      case 'vlan':
        return `vlan ${l.id}${l.pcp === 0 ? '' : ` p ${l.pcp}`}`;
      case 'ipv4': {
        const frag = l.mf || l.fragOffset !== 0 ? ` frag ${l.fragOffset * 8}${l.mf ? '+' : ''}` : '';
        return `IPv4 ${l.src} > ${l.dst} ttl ${l.ttl} ${ipProtoName(l.proto)}${frag}${cksum(l.checksumOk, l.checksum)}`;
      }
      case 'ipv6':
        return `IPv6 ${l.src} > ${l.dst} hlim ${l.hopLimit} ${ipProtoName(l.nextHeader)}`;
      case 'arp':
        return l.op === 1 ? `ARP who-has ${l.targetIp} tell ${l.senderIp}` : l.op === 2 ? `ARP reply ${l.senderIp} is-at ${l.senderMac}` : `ARP op ${l.op}`;
      case 'udp':
        return `UDP ${l.sport} > ${l.dport} len ${l.length}${cksum(l.checksumOk, l.checksum)}`;
      case 'tcp':
        return `TCP ${l.sport} > ${l.dport} [${l.flags}] seq ${l.seq}${l.flags.includes('A') ? ` ack ${l.ack}` : ''} win ${l.window}${cksum(l.checksumOk, l.checksum)}`;
      case 'icmp':
      case 'icmpv6':
        return `${l.kind === 'icmp' ? 'ICMP' : 'ICMPv6'} type ${l.type} code ${l.code}${cksum(l.checksumOk, l.checksum)}`;
      case 'payload':
        return `${l.length} bytes payload`;
      case 'truncated':
        return `${l.layer} truncated (${l.have} of ${l.need} bytes)`;
    }
  });
  // the EtherType, when it is not one decoded further
  let type: number | undefined;
  for (const l of layers) if (l.kind === 'eth' || l.kind === 'vlan') type = l.type;
  const known = type === ETH_P.ipv4 || type === ETH_P.ipv6 || type === ETH_P.arp || type === ETH_P.vlan || type === ETH_P.qinq;
  const at = layers.findIndex((l) => l.kind !== 'eth' && l.kind !== 'vlan');
  if (type !== undefined && !known) parts.splice(at < 0 ? parts.length : at, 0, `ethertype ${etherTypeName(type)}`);
  return `${parts.join(', ')} (${length} bytes)`;
}
