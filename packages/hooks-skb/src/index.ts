// @bpflab/hooks-skb: socket filter and tc hook plugins over struct
// __sk_buff. The packet machinery (descriptions, checksums, pcap, the
// network, the stack's stages) comes from @bpflab/hooks-xdp, which these
// plugins join: register them next to its xdpHook. The package's only door.
export { SkbError } from './errors';
export type { SkbErrorCode } from './errors';
export { PACKET_TYPE, SK_BUFF, SK_BUFF_SIZE, SkBuff } from './sk-buff';
export type { SkBuffOptions, SkbFields, VlanTag } from './sk-buff';
export { SOCKET_FILTER_CTX, TC_CTX } from './ctx';
export { socketFilterHelpers, tcHelpers } from './helpers';
export { SkbState } from './state';
export type { SkbRedirect } from './state';
export {
  bytesKept,
  clsExecOpcode,
  deliverToSockets,
  runOnSkb,
  runTc,
  SKB_EGRESS_TRACE_CONTEXT,
  SKB_INGRESS_TRACE_CONTEXT,
  tcActionName,
  TCX_NEXT,
  tcxActionCode,
} from './run';
export type { SocketDelivery, TcMode, TcOutcome, TcRun } from './run';
export { SKB_STAGE_OBSERVATION_SCHEMA, socketFilterHook, TC_HELPERS, tcHook } from './plugin';
