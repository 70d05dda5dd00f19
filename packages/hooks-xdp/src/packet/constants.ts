/**
 * Numbers of the packet formats: EtherTypes (`ETH_P_*` of
 * `<linux/if_ether.h>`), IP protocol numbers (`IPPROTO_*`), header sizes.
 */

/** EtherTypes by the names descriptions use. */
export const ETH_P = Object.freeze({
  /** ETH_P_IP */
  ipv4: 0x0800,
  /** ETH_P_ARP */
  arp: 0x0806,
  /** ETH_P_8021Q */
  vlan: 0x8100,
  /** ETH_P_8021AD */
  qinq: 0x88a8,
  /** ETH_P_IPV6 */
  ipv6: 0x86dd,
});

/** IP protocol numbers by the names descriptions use. */
export const IP_PROTO = Object.freeze({
  /** IPPROTO_HOPOPTS (IPv6 hop-by-hop options) */
  hopopts: 0,
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  /** IPv6 "no next header" */
  none: 59,
  sctp: 132,
});

/** `ETH_HLEN`: the Ethernet header without tags. */
export const ETH_HLEN = 14;
/** `VLAN_HLEN`: one 802.1Q tag. */
export const VLAN_HLEN = 4;
/** The IPv4 header without options. */
export const IPV4_HLEN = 20;
/** The fixed IPv6 header. */
export const IPV6_HLEN = 40;
/** The UDP header. */
export const UDP_HLEN = 8;
/** The TCP header without options. */
export const TCP_HLEN = 20;
/** The ICMP header (type, code, checksum and the 4-byte rest). */
export const ICMP_HLEN = 8;
/** ARP for IPv4 over Ethernet. */
export const ARP_LEN = 28;

/** TCP flag bits by letter (as tcpdump abbreviates them) and name. */
export const TCP_FLAGS: readonly { readonly letter: string; readonly name: string; readonly bit: number }[] = Object.freeze([
  { letter: 'F', name: 'fin', bit: 0x01 },
  { letter: 'S', name: 'syn', bit: 0x02 },
  { letter: 'R', name: 'rst', bit: 0x04 },
  { letter: 'P', name: 'psh', bit: 0x08 },
  { letter: 'A', name: 'ack', bit: 0x10 },
  { letter: 'U', name: 'urg', bit: 0x20 },
  { letter: 'E', name: 'ece', bit: 0x40 },
  { letter: 'C', name: 'cwr', bit: 0x80 },
]);

/** The name of an EtherType, or its hex. */
export function etherTypeName(type: number): string {
  for (const [name, value] of Object.entries(ETH_P)) if (value === type) return name;
  return `0x${type.toString(16).padStart(4, '0')}`;
}

/** The name of an IP protocol number, or the number. */
export function ipProtoName(proto: number): string {
  for (const [name, value] of Object.entries(IP_PROTO)) if (value === proto) return name;
  return String(proto);
}
