/**
 * Networking: the packet headers XDP and tc programs parse (UAPI layouts,
 * bitfields in little-endian order), the `IPPROTO_*` constants, and minimal
 * `sock`, `sock_common` and `socket`.
 */
import { anonStruct, anonUnion, enumeration, struct, typedef, type KernelTypeDef } from './defs';

/** `IPPROTO_*` of `<linux/in.h>`, an anonymous enum in the kernel's BTF (so `IPPROTO_UDP` needs no `#define`). */
export const IPPROTO: KernelTypeDef = enumeration('', [
  ['IPPROTO_IP', 0],
  ['IPPROTO_ICMP', 1],
  ['IPPROTO_IGMP', 2],
  ['IPPROTO_IPIP', 4],
  ['IPPROTO_TCP', 6],
  ['IPPROTO_EGP', 8],
  ['IPPROTO_PUP', 12],
  ['IPPROTO_UDP', 17],
  ['IPPROTO_IDP', 22],
  ['IPPROTO_TP', 29],
  ['IPPROTO_DCCP', 33],
  ['IPPROTO_IPV6', 41],
  ['IPPROTO_RSVP', 46],
  ['IPPROTO_GRE', 47],
  ['IPPROTO_ESP', 50],
  ['IPPROTO_AH', 51],
  ['IPPROTO_MTP', 92],
  ['IPPROTO_BEETPH', 94],
  ['IPPROTO_ENCAP', 98],
  ['IPPROTO_PIM', 103],
  ['IPPROTO_COMP', 108],
  ['IPPROTO_L2TP', 115],
  ['IPPROTO_SCTP', 132],
  ['IPPROTO_UDPLITE', 136],
  ['IPPROTO_MPLS', 137],
  ['IPPROTO_ETHERNET', 143],
  ['IPPROTO_AGGFRAG', 144],
  ['IPPROTO_RAW', 255],
  ['IPPROTO_SMC', 256],
  ['IPPROTO_MPTCP', 262],
  ['IPPROTO_MAX', 263],
]);

/** `struct ethhdr` (`<linux/if_ether.h>`): destination and source MAC, then the EtherType in network order. */
export const ETHHDR: KernelTypeDef = struct('ethhdr', 14, 'stable', [
  ['h_dest', 'unsigned char[6]', 0],
  ['h_source', 'unsigned char[6]', 6],
  ['h_proto', '__be16', 12],
]);

/** `struct iphdr` (`<linux/ip.h>`): on little-endian machines `ihl` is the low nibble of the first byte. */
export const IPHDR: KernelTypeDef = struct('iphdr', 20, 'stable', [
  ['ihl', '__u8', 0, { bit: 0, bits: 4 }],
  ['version', '__u8', 0, { bit: 4, bits: 4 }],
  ['tos', '__u8', 1],
  ['tot_len', '__be16', 2],
  ['id', '__be16', 4],
  ['frag_off', '__be16', 6],
  ['ttl', '__u8', 8],
  ['protocol', '__u8', 9],
  ['check', '__sum16', 10],
  ['saddr', '__be32', 12],
  ['daddr', '__be32', 16],
]);

/** `struct in6_addr` (`<linux/in6.h>`): 16 bytes, viewed as bytes, 16-bit or 32-bit words. */
export const IN6_ADDR: KernelTypeDef = struct('in6_addr', 16, 'stable', [
  [
    'in6_u',
    anonUnion(16, [
      ['u6_addr8', '__u8[16]', 0],
      ['u6_addr16', '__be16[8]', 0],
      ['u6_addr32', '__be32[4]', 0],
    ]),
    0,
  ],
]);

/** `struct ipv6hdr` (`<linux/ipv6.h>`). */
export const IPV6HDR: KernelTypeDef = struct('ipv6hdr', 40, 'stable', [
  ['priority', '__u8', 0, { bit: 0, bits: 4 }],
  ['version', '__u8', 0, { bit: 4, bits: 4 }],
  ['flow_lbl', '__u8[3]', 1],
  ['payload_len', '__be16', 4],
  ['nexthdr', '__u8', 6],
  ['hop_limit', '__u8', 7],
  ['saddr', 'struct in6_addr', 8],
  ['daddr', 'struct in6_addr', 24],
]);

/** `struct tcphdr` (`<linux/tcp.h>`): the data offset and flags are bitfields of the 16-bit word at offset 12. */
export const TCPHDR: KernelTypeDef = struct('tcphdr', 20, 'stable', [
  ['source', '__be16', 0],
  ['dest', '__be16', 2],
  ['seq', '__be32', 4],
  ['ack_seq', '__be32', 8],
  ['ae', '__u16', 12, { bit: 0, bits: 1 }],
  ['res1', '__u16', 12, { bit: 1, bits: 3 }],
  ['doff', '__u16', 12, { bit: 4, bits: 4 }],
  ['fin', '__u16', 12, { bit: 8, bits: 1 }],
  ['syn', '__u16', 12, { bit: 9, bits: 1 }],
  ['rst', '__u16', 12, { bit: 10, bits: 1 }],
  ['psh', '__u16', 12, { bit: 11, bits: 1 }],
  ['ack', '__u16', 12, { bit: 12, bits: 1 }],
  ['urg', '__u16', 12, { bit: 13, bits: 1 }],
  ['ece', '__u16', 12, { bit: 14, bits: 1 }],
  ['cwr', '__u16', 12, { bit: 15, bits: 1 }],
  ['window', '__be16', 14],
  ['check', '__sum16', 16],
  ['urg_ptr', '__be16', 18],
]);

/** `struct udphdr` (`<linux/udp.h>`). */
export const UDPHDR: KernelTypeDef = struct('udphdr', 8, 'stable', [
  ['source', '__be16', 0],
  ['dest', '__be16', 2],
  ['len', '__be16', 4],
  ['check', '__sum16', 6],
]);

/** `struct icmphdr` (`<linux/icmp.h>`): the last word depends on the message type. */
export const ICMPHDR: KernelTypeDef = struct('icmphdr', 8, 'stable', [
  ['type', '__u8', 0],
  ['code', '__u8', 1],
  ['checksum', '__sum16', 2],
  [
    'un',
    anonUnion(4, [
      [
        'echo',
        anonStruct(4, [
          ['id', '__be16', 0],
          ['sequence', '__be16', 2],
        ]),
        0,
      ],
      ['gateway', '__be32', 0],
      [
        'frag',
        anonStruct(4, [
          ['__unused', '__be16', 0],
          ['mtu', '__be16', 2],
        ]),
        0,
      ],
      ['reserved', '__u8[4]', 0],
    ]),
    4,
  ],
]);

/** `typedef __u64 __addrpair` and `typedef __u32 __portpair`: both addresses or ports of a socket in one load. */
export const SOCK_TYPEDEFS: readonly KernelTypeDef[] = [typedef('__addrpair', '__u64'), typedef('__portpair', '__u32')];

/** `struct sock_common`: the part of a socket that lookup tables hash on (addresses, ports, family, state). */
export const SOCK_COMMON: KernelTypeDef = struct('sock_common', 136, 'internal', [
  [
    '',
    anonUnion(8, [
      ['skc_addrpair', '__addrpair', 0],
      [
        '',
        anonStruct(8, [
          ['skc_daddr', '__be32', 0],
          ['skc_rcv_saddr', '__be32', 4],
        ]),
        0,
      ],
    ]),
    0,
  ],
  [
    '',
    anonUnion(4, [
      ['skc_hash', 'unsigned int', 0],
      ['skc_u16hashes', '__u16[2]', 0],
    ]),
    8,
  ],
  [
    '',
    anonUnion(4, [
      ['skc_portpair', '__portpair', 0],
      [
        '',
        anonStruct(4, [
          ['skc_dport', '__be16', 0],
          ['skc_num', '__u16', 2],
        ]),
        0,
      ],
    ]),
    12,
  ],
  ['skc_family', 'short unsigned int', 16],
  ['skc_state', 'volatile unsigned char', 18],
  ['skc_reuse', 'unsigned char', 19, { bit: 0, bits: 4 }],
  ['skc_reuseport', 'unsigned char', 19, { bit: 4, bits: 1 }],
  ['skc_ipv6only', 'unsigned char', 19, { bit: 5, bits: 1 }],
  ['skc_net_refcnt', 'unsigned char', 19, { bit: 6, bits: 1 }],
  ['skc_bound_dev_if', 'int', 20],
  ['skc_v6_daddr', 'struct in6_addr', 56],
  ['skc_v6_rcv_saddr', 'struct in6_addr', 72],
]);

/** `struct sock`: a network socket's protocol side (minimal: identity and buffer sizes). */
export const SOCK: KernelTypeDef = struct('sock', 784, 'internal', [
  ['__sk_common', 'struct sock_common', 0],
  ['sk_rcvbuf', 'int', 244],
  ['sk_socket', 'struct socket *', 288],
  ['sk_priority', 'u32', 520],
  ['sk_mark', 'u32', 524],
  ['sk_protocol', 'u16', 532],
  ['sk_type', 'u16', 534],
  ['sk_sndbuf', 'int', 568],
]);

/** `socket_state` (`<linux/net.h>`): an anonymous enum behind a typedef. */
export const SOCKET_STATE: KernelTypeDef = typedef('socket_state', {
  kind: 'enum',
  values: [
    ['SS_FREE', 0],
    ['SS_UNCONNECTED', 1],
    ['SS_CONNECTING', 2],
    ['SS_CONNECTED', 3],
    ['SS_DISCONNECTING', 4],
  ],
});

/** `struct socket`: the file side of a socket (`sock_alloc_file`), pointing to its `sock`. */
export const SOCKET: KernelTypeDef = struct('socket', 128, 'internal', [
  ['state', 'socket_state', 0],
  ['type', 'short int', 4],
  ['flags', 'long unsigned int', 8],
  ['file', 'struct file *', 16],
  ['sk', 'struct sock *', 24],
]);

/** Every type of this file, in header order. */
export const NET_TYPES: readonly KernelTypeDef[] = [
  IPPROTO,
  ETHHDR,
  IPHDR,
  IN6_ADDR,
  IPV6HDR,
  TCPHDR,
  UDPHDR,
  ICMPHDR,
  ...SOCK_TYPEDEFS,
  SOCK_COMMON,
  SOCK,
  SOCKET_STATE,
  SOCKET,
];
