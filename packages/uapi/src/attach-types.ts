/**
 * Attach types (`enum bpf_attach_type`, the `expected_attach_type` of a
 * program and the `attach_type` of links) and link types
 * (`enum bpf_link_type`). Values are UAPI and never change.
 */
import { defineUapiEnum } from './enum';

/** Attach type by short name: `ATTACH_TYPE.LSM_MAC === 27` (`BPF_LSM_MAC`). */
export const ATTACH_TYPE = {
  /** BPF_CGROUP_INET_INGRESS */ CGROUP_INET_INGRESS: 0,
  /** BPF_CGROUP_INET_EGRESS */ CGROUP_INET_EGRESS: 1,
  /** BPF_CGROUP_INET_SOCK_CREATE */ CGROUP_INET_SOCK_CREATE: 2,
  /** BPF_CGROUP_SOCK_OPS */ CGROUP_SOCK_OPS: 3,
  /** BPF_SK_SKB_STREAM_PARSER */ SK_SKB_STREAM_PARSER: 4,
  /** BPF_SK_SKB_STREAM_VERDICT */ SK_SKB_STREAM_VERDICT: 5,
  /** BPF_CGROUP_DEVICE */ CGROUP_DEVICE: 6,
  /** BPF_SK_MSG_VERDICT */ SK_MSG_VERDICT: 7,
  /** BPF_CGROUP_INET4_BIND */ CGROUP_INET4_BIND: 8,
  /** BPF_CGROUP_INET6_BIND */ CGROUP_INET6_BIND: 9,
  /** BPF_CGROUP_INET4_CONNECT */ CGROUP_INET4_CONNECT: 10,
  /** BPF_CGROUP_INET6_CONNECT */ CGROUP_INET6_CONNECT: 11,
  /** BPF_CGROUP_INET4_POST_BIND */ CGROUP_INET4_POST_BIND: 12,
  /** BPF_CGROUP_INET6_POST_BIND */ CGROUP_INET6_POST_BIND: 13,
  /** BPF_CGROUP_UDP4_SENDMSG */ CGROUP_UDP4_SENDMSG: 14,
  /** BPF_CGROUP_UDP6_SENDMSG */ CGROUP_UDP6_SENDMSG: 15,
  /** BPF_LIRC_MODE2 */ LIRC_MODE2: 16,
  /** BPF_FLOW_DISSECTOR */ FLOW_DISSECTOR: 17,
  /** BPF_CGROUP_SYSCTL */ CGROUP_SYSCTL: 18,
  /** BPF_CGROUP_UDP4_RECVMSG */ CGROUP_UDP4_RECVMSG: 19,
  /** BPF_CGROUP_UDP6_RECVMSG */ CGROUP_UDP6_RECVMSG: 20,
  /** BPF_CGROUP_GETSOCKOPT */ CGROUP_GETSOCKOPT: 21,
  /** BPF_CGROUP_SETSOCKOPT */ CGROUP_SETSOCKOPT: 22,
  /** BPF_TRACE_RAW_TP */ TRACE_RAW_TP: 23,
  /** BPF_TRACE_FENTRY */ TRACE_FENTRY: 24,
  /** BPF_TRACE_FEXIT */ TRACE_FEXIT: 25,
  /** BPF_MODIFY_RETURN */ MODIFY_RETURN: 26,
  /** BPF_LSM_MAC */ LSM_MAC: 27,
  /** BPF_TRACE_ITER */ TRACE_ITER: 28,
  /** BPF_CGROUP_INET4_GETPEERNAME */ CGROUP_INET4_GETPEERNAME: 29,
  /** BPF_CGROUP_INET6_GETPEERNAME */ CGROUP_INET6_GETPEERNAME: 30,
  /** BPF_CGROUP_INET4_GETSOCKNAME */ CGROUP_INET4_GETSOCKNAME: 31,
  /** BPF_CGROUP_INET6_GETSOCKNAME */ CGROUP_INET6_GETSOCKNAME: 32,
  /** BPF_XDP_DEVMAP */ XDP_DEVMAP: 33,
  /** BPF_CGROUP_INET_SOCK_RELEASE */ CGROUP_INET_SOCK_RELEASE: 34,
  /** BPF_XDP_CPUMAP */ XDP_CPUMAP: 35,
  /** BPF_SK_LOOKUP */ SK_LOOKUP: 36,
  /** BPF_XDP */ XDP: 37,
  /** BPF_SK_SKB_VERDICT */ SK_SKB_VERDICT: 38,
  /** BPF_SK_REUSEPORT_SELECT */ SK_REUSEPORT_SELECT: 39,
  /** BPF_SK_REUSEPORT_SELECT_OR_MIGRATE */ SK_REUSEPORT_SELECT_OR_MIGRATE: 40,
  /** BPF_PERF_EVENT */ PERF_EVENT: 41,
  /** BPF_TRACE_KPROBE_MULTI */ TRACE_KPROBE_MULTI: 42,
  /** BPF_LSM_CGROUP */ LSM_CGROUP: 43,
  /** BPF_STRUCT_OPS */ STRUCT_OPS: 44,
  /** BPF_NETFILTER */ NETFILTER: 45,
  /** BPF_TCX_INGRESS */ TCX_INGRESS: 46,
  /** BPF_TCX_EGRESS */ TCX_EGRESS: 47,
  /** BPF_TRACE_UPROBE_MULTI */ TRACE_UPROBE_MULTI: 48,
  /** BPF_CGROUP_UNIX_CONNECT */ CGROUP_UNIX_CONNECT: 49,
  /** BPF_CGROUP_UNIX_SENDMSG */ CGROUP_UNIX_SENDMSG: 50,
  /** BPF_CGROUP_UNIX_RECVMSG */ CGROUP_UNIX_RECVMSG: 51,
  /** BPF_CGROUP_UNIX_GETPEERNAME */ CGROUP_UNIX_GETPEERNAME: 52,
  /** BPF_CGROUP_UNIX_GETSOCKNAME */ CGROUP_UNIX_GETSOCKNAME: 53,
  /** BPF_NETKIT_PRIMARY */ NETKIT_PRIMARY: 54,
  /** BPF_NETKIT_PEER */ NETKIT_PEER: 55,
  /** BPF_TRACE_KPROBE_SESSION */ TRACE_KPROBE_SESSION: 56,
  /** BPF_TRACE_UPROBE_SESSION */ TRACE_UPROBE_SESSION: 57,
} as const;

/** Short name of an attach type (`LSM_MAC`). */
export type AttachTypeName = keyof typeof ATTACH_TYPE;

/** `enum bpf_attach_type` with its reverse lookups (prefix `BPF_`). */
export const ATTACH_TYPES = defineUapiEnum('enum bpf_attach_type', 'BPF_', ATTACH_TYPE);

/** The kernel name of an attach type: `attachTypeName(27) === 'BPF_LSM_MAC'`. */
export function attachTypeName(value: number): string | undefined {
  return ATTACH_TYPES.nameOf(value);
}

/** The short name of an attach type: `attachTypeShortName(27) === 'LSM_MAC'`. */
export function attachTypeShortName(value: number): AttachTypeName | undefined {
  return ATTACH_TYPES.shortNameOf(value);
}

/** The value of an attach type, by kernel or short name (`'BPF_LSM_MAC'` or `'LSM_MAC'`). */
export function attachTypeValue(name: string): number | undefined {
  return ATTACH_TYPES.valueOf(name);
}

/** Link type by short name: `LINK_TYPE.XDP === 6` (`BPF_LINK_TYPE_XDP`). */
export const LINK_TYPE = {
  /** BPF_LINK_TYPE_UNSPEC */ UNSPEC: 0,
  /** BPF_LINK_TYPE_RAW_TRACEPOINT */ RAW_TRACEPOINT: 1,
  /** BPF_LINK_TYPE_TRACING */ TRACING: 2,
  /** BPF_LINK_TYPE_CGROUP */ CGROUP: 3,
  /** BPF_LINK_TYPE_ITER */ ITER: 4,
  /** BPF_LINK_TYPE_NETNS */ NETNS: 5,
  /** BPF_LINK_TYPE_XDP */ XDP: 6,
  /** BPF_LINK_TYPE_PERF_EVENT */ PERF_EVENT: 7,
  /** BPF_LINK_TYPE_KPROBE_MULTI */ KPROBE_MULTI: 8,
  /** BPF_LINK_TYPE_STRUCT_OPS */ STRUCT_OPS: 9,
  /** BPF_LINK_TYPE_NETFILTER */ NETFILTER: 10,
  /** BPF_LINK_TYPE_TCX */ TCX: 11,
  /** BPF_LINK_TYPE_UPROBE_MULTI */ UPROBE_MULTI: 12,
  /** BPF_LINK_TYPE_NETKIT */ NETKIT: 13,
  /** BPF_LINK_TYPE_SOCKMAP */ SOCKMAP: 14,
} as const;

/** Short name of a link type (`XDP`). */
export type LinkTypeName = keyof typeof LINK_TYPE;

/** `enum bpf_link_type` with its reverse lookups. */
export const LINK_TYPES = defineUapiEnum('enum bpf_link_type', 'BPF_LINK_TYPE_', LINK_TYPE);

/** The kernel name of a link type: `linkTypeName(6) === 'BPF_LINK_TYPE_XDP'`. */
export function linkTypeName(value: number): string | undefined {
  return LINK_TYPES.nameOf(value);
}

/** The short name of a link type: `linkTypeShortName(6) === 'XDP'`. */
export function linkTypeShortName(value: number): LinkTypeName | undefined {
  return LINK_TYPES.shortNameOf(value);
}

/** The value of a link type, by kernel or short name. */
export function linkTypeValue(name: string): number | undefined {
  return LINK_TYPES.valueOf(name);
}
