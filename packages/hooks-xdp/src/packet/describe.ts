/**
 * Packets described in words: the layers a frame has, each with the fields
 * that matter and defaults for the rest. This is what a scenario step's
 * `packet:` holds (YAML or JSON), and what `buildPacket` turns into bytes
 * with correct lengths and checksums.
 *
 * ```yaml
 * packet: { ipv4: { src: 10.0.0.2, dst: 10.0.0.1 }, udp: { dport: 11111 }, payload: "hello" }
 * packet: { eth: { dst: ff:ff:ff:ff:ff:ff }, arp: { op: request, target_ip: 10.0.0.1 } }
 * packet: { vlan: { id: 100 }, ipv6: {}, tcp: { dport: 443, flags: SA } }
 * packet: { raw: "ff ff ff ff ff ff 00" }
 * ```
 */

/** An EtherType by number (0x0800) or name. */
export type EtherTypeSpec = number | string;

/** The Ethernet header. Defaults: src 02:00:00:00:00:02, dst 02:00:00:00:00:01 (broadcast for an ARP request), type from the next layer. */
export interface EthSpec {
  readonly src?: string;
  readonly dst?: string;
  /** `ipv4`, `ipv6`, `arp`, `vlan` (0x8100), `qinq` (0x88a8) or a number; default from the next layer (0x88b5 when there is none) */
  readonly type?: EtherTypeSpec;
}

/** An 802.1Q tag. */
export interface VlanSpec {
  /** VLAN id, 0-4095 */
  readonly id: number;
  /** priority code point, 0-7; default 0 */
  readonly pcp?: number;
  /** drop eligible indicator; default false */
  readonly dei?: boolean;
  /** the tag's TPID; default 0x8100 (0x88a8 for the outer tags of a stack) */
  readonly tpid?: EtherTypeSpec;
}

/** An IPv4 header. Defaults: 10.0.0.2 → 10.0.0.1, ttl 64, protocol from the next layer. */
export interface Ipv4Spec {
  readonly src?: string;
  readonly dst?: string;
  /** `udp`, `tcp`, `icmp`, ... or a number; default from the next layer (0 when there is none) */
  readonly proto?: number | string;
  readonly ttl?: number;
  /** the TOS byte (DSCP << 2 | ECN); default 0 */
  readonly tos?: number;
  /** identification; default 0 */
  readonly id?: number;
  /** don't fragment; default false */
  readonly df?: boolean;
  /** more fragments; default false */
  readonly mf?: boolean;
  /** fragment offset in 8-byte units; default 0 */
  readonly frag_offset?: number;
  /** options as hex (padded with end-of-list zeros to a multiple of 4 bytes, at most 40) */
  readonly options?: string;
  /** the header checksum to write instead of the right one */
  readonly checksum?: number;
  /** `tot_len` to write instead of the real length */
  readonly total_length?: number;
}

/** An IPv6 header. Defaults: fd00::2 → fd00::1, hop limit 64, next header from the next layer (59, no next header, when there is none). */
export interface Ipv6Spec {
  readonly src?: string;
  readonly dst?: string;
  /** `udp`, `tcp`, `icmpv6`, ... or a number */
  readonly next_header?: number | string;
  readonly hop_limit?: number;
  readonly traffic_class?: number;
  readonly flow_label?: number;
  /** `payload_len` to write instead of the real length */
  readonly payload_length?: number;
}

/** A UDP header. Defaults: 40000 → 9. */
export interface UdpSpec {
  readonly sport?: number;
  readonly dport?: number;
  /** the checksum to write instead of the right one (0: none, allowed over IPv4) */
  readonly checksum?: number;
  /** the length field to write instead of the real length */
  readonly length?: number;
}

/** A TCP header. Defaults: 40000 → 80, flags S, seq 1, ack 0, window 64240. */
export interface TcpSpec {
  readonly sport?: number;
  readonly dport?: number;
  /** letters `FSRPAUEC` (`SA`, `PA`) or names (`[syn, ack]`) */
  readonly flags?: string | readonly string[];
  readonly seq?: number;
  readonly ack?: number;
  readonly window?: number;
  readonly urgent?: number;
  /** options as hex (padded with end-of-list zeros to a multiple of 4 bytes, at most 40) */
  readonly options?: string;
  readonly checksum?: number;
}

/** An ICMP (or ICMPv6) header. Defaults: echo request (8, or 128 for ICMPv6), code 0, id 0, seq 0. */
export interface IcmpSpec {
  readonly type?: number;
  readonly code?: number;
  /** bytes 4-5 (the echo identifier) */
  readonly id?: number;
  /** bytes 6-7 (the echo sequence number) */
  readonly seq?: number;
  readonly checksum?: number;
}

/** An ARP packet for IPv4 over Ethernet. Defaults: request from the Ethernet source, 10.0.0.2 asking for 10.0.0.1. */
export interface ArpSpec {
  /** `request`, `reply` or a number; default request */
  readonly op?: string | number;
  /** default the Ethernet source */
  readonly sender_mac?: string;
  /** default 10.0.0.2 */
  readonly sender_ip?: string;
  /** default 00:00:00:00:00:00 for a request, the Ethernet destination for a reply */
  readonly target_mac?: string;
  /** default 10.0.0.1 */
  readonly target_ip?: string;
}

/** Bytes after the last header: text (UTF-8), hex, or a size (filled with a byte, default 0). */
export type PayloadSpec = string | { readonly hex: string } | { readonly size: number; readonly fill?: number };

/** A frame built from layers (Ethernet is implied when absent). */
export interface LayeredPacket {
  readonly eth?: EthSpec;
  /** one tag, or a stack of tags (outermost first) */
  readonly vlan?: VlanSpec | readonly VlanSpec[];
  readonly ipv4?: Ipv4Spec;
  readonly ipv6?: Ipv6Spec;
  readonly arp?: ArpSpec;
  readonly udp?: UdpSpec;
  readonly tcp?: TcpSpec;
  readonly icmp?: IcmpSpec;
  readonly icmpv6?: IcmpSpec;
  readonly payload?: PayloadSpec;
}

/** A frame given byte for byte, as hex text or bytes. */
export interface RawPacket {
  readonly raw: string | Uint8Array;
}

/** A packet as a scenario describes it. */
export type PacketDescription = LayeredPacket | RawPacket;

/** The default addresses and ports of a description's layers. */
export const PACKET_DEFAULTS = Object.freeze({
  ethSrc: '02:00:00:00:00:02',
  ethDst: '02:00:00:00:00:01',
  ipv4Src: '10.0.0.2',
  ipv4Dst: '10.0.0.1',
  ipv6Src: 'fd00::2',
  ipv6Dst: 'fd00::1',
  ttl: 64,
  sport: 40000,
  udpDport: 9,
  tcpDport: 80,
  tcpWindow: 64240,
  /** IEEE 802 local experimental EtherType, for frames with no network layer */
  etherTypeNone: 0x88b5,
});
