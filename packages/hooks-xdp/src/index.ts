// @bpflab/hooks-xdp: the XDP hook plugin — simulated network interfaces,
// packets built from readable descriptions (with lengths and checksums),
// frame decoding, classic pcap in and out, the xdp_md context over an XDP
// buffer with headroom and tailroom, XDP actions and helpers. The packet
// machinery is shared with @bpflab/hooks-skb. The package's only door.
export { XdpError } from './errors';
export type { XdpErrorCode, XdpErrorDetails } from './errors';

// addresses, hex, checksums
export { formatIp, formatIpv4, formatIpv6, formatMac, maskAddress, parseIpPrefix, parseIpv4, parseIpv6, parseMac, prefixContains } from './net/addresses';
export type { IpPrefix } from './net/addresses';
export { formatHex, parseHex } from './net/hex';
export { checksumValid, csumAdd, csumDiff, foldSum, internetChecksum, onesSum, pseudoHeaderSum, transportChecksum } from './net/checksum';

// packets
export { PACKET_DEFAULTS } from './packet/describe';
export type {
  ArpSpec,
  EthSpec,
  EtherTypeSpec,
  IcmpSpec,
  Ipv4Spec,
  Ipv6Spec,
  LayeredPacket,
  PacketDescription,
  PayloadSpec,
  RawPacket,
  TcpSpec,
  UdpSpec,
  VlanSpec,
} from './packet/describe';
export { buildPacket, DEFAULT_BUILD_PACKET_OPTIONS } from './packet/build';
export type { BuildPacketOptions } from './packet/build';
export { decodeFrame } from './packet/decode';
export type { DecodedFrame, FrameLayer } from './packet/decode';
export { FRAME_VIEW_SCHEMA, packetBytes, viewFrame } from './packet/frame-view';
export type { FrameView, PacketInput } from './packet/frame-view';
export {
  ARP_LEN,
  ETH_HLEN,
  ETH_P,
  etherTypeName,
  ICMP_HLEN,
  IP_PROTO,
  ipProtoName,
  IPV4_HLEN,
  IPV6_HLEN,
  TCP_FLAGS,
  TCP_HLEN,
  UDP_HLEN,
  VLAN_HLEN,
} from './packet/constants';

// pcap
export { DEFAULT_WRITE_PCAP_OPTIONS, LINKTYPE_ETHERNET, PCAP_DEFAULT_SNAPLEN, readPcap, writePcap } from './pcap';
export type { PcapFile, PcapPacket, PcapPacketInput, WritePcapOptions } from './pcap';

// the network: interfaces, routes, neighbours, FIB lookups
export {
  createNetwork,
  DEFAULT_INTERFACES,
  DEFAULT_NETWORK_SPEC,
  describeDevice,
  fibLookup,
  findDevice,
  requireDevice,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
} from './network';
export type { FibAnswer, FibQuery, FibRoute, InterfaceSpec, NetDevice, Neighbor, NeighborSpec, Network, NetworkSpec, Route, RouteSpec } from './network';

// helpers shared with other packet hooks
export { csumDiffHelper } from './helpers/csum';
export { AF_INET, AF_INET6, BPF_FIB_LOOKUP_SIZE, bpfFibLookup } from './helpers/fib';

// the machine's network stack, shared by the packet hooks
export { isNetwork, netStack } from './stack';
export type { NetStack, NetStage, PacketFate, PacketPath, StageInput, StageOutcome } from './stack';
export { NETWORK_SPEC_SCHEMA, PACKET_DESCRIPTION_SCHEMA } from './packet/schema';

// XDP
export {
  SKB_SHARED_INFO_SIZE,
  XDP_FRAME_OVERHEAD,
  XDP_FRAME_SIZE,
  XDP_MAX_FRAME_LEN,
  XDP_MD,
  XDP_MD_SIZE,
  XDP_PACKET_HEADROOM,
  XdpBuffer,
} from './xdp/buff';
export type { XdpBufferOptions } from './xdp/buff';
export { XDP_META_MAX, xdpHelpers } from './xdp/helpers';
export { XdpState } from './xdp/state';
export type { RedirectTarget } from './xdp/state';
export { defaultDevice, processXdp, resolveRx, XDP_TRACE_CONTEXT } from './xdp/run';
export type { XdpExec, XdpObservation, XdpOutcome, XdpRunOptions } from './xdp/run';
export {
  formatFate,
  formatPacketObservation,
  formatSendObservation,
  receivePacket,
  runStages,
  runXdp,
  sendPacket,
  XDP_MD_CTX,
  xdpHook,
  xdpState,
} from './xdp/plugin';
export type { NetworkObservation, NetworkStep, PacketObservation, PacketStep, SendObservation, SendStep, StageObservation } from './xdp/plugin';
export { fateKeepsFrame, pcapPacketSteps, receivePcap } from './xdp/pcap-run';
export type { PcapReceiveOptions, PcapReceiveResult } from './xdp/pcap-run';
