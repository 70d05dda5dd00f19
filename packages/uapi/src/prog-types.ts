/** Program types: the kernel's `enum bpf_prog_type` (values are UAPI and never change). */
import { defineUapiEnum } from './enum';

/** Program type by short name: `PROG_TYPE.XDP === 6` (`BPF_PROG_TYPE_XDP`). */
export const PROG_TYPE = {
  /** `BPF_PROG_TYPE_UNSPEC`: no program type */
  UNSPEC: 0,
  /** `BPF_PROG_TYPE_SOCKET_FILTER`: filter packets a socket receives (`SEC("socket")`) */
  SOCKET_FILTER: 1,
  /** `BPF_PROG_TYPE_KPROBE`: kernel and user probes (`kprobe/`, `uprobe/`, `usdt`) */
  KPROBE: 2,
  /** `BPF_PROG_TYPE_SCHED_CLS`: tc classifier (`tc`, `tcx/`) */
  SCHED_CLS: 3,
  /** `BPF_PROG_TYPE_SCHED_ACT`: tc action (`action`) */
  SCHED_ACT: 4,
  /** `BPF_PROG_TYPE_TRACEPOINT`: kernel tracepoints (`tracepoint/<category>/<name>`) */
  TRACEPOINT: 5,
  /** `BPF_PROG_TYPE_XDP`: eXpress Data Path, driver-level packet hook (`xdp`) */
  XDP: 6,
  /** `BPF_PROG_TYPE_PERF_EVENT`: perf event overflow (`perf_event`) */
  PERF_EVENT: 7,
  /** `BPF_PROG_TYPE_CGROUP_SKB`: cgroup ingress/egress packet filter (`cgroup_skb/`) */
  CGROUP_SKB: 8,
  /** `BPF_PROG_TYPE_CGROUP_SOCK`: cgroup socket create/release/bind hooks (`cgroup/sock_create`, ...) */
  CGROUP_SOCK: 9,
  /** `BPF_PROG_TYPE_LWT_IN`: lightweight tunnel input (`lwt_in`) */
  LWT_IN: 10,
  /** `BPF_PROG_TYPE_LWT_OUT`: lightweight tunnel output (`lwt_out`) */
  LWT_OUT: 11,
  /** `BPF_PROG_TYPE_LWT_XMIT`: lightweight tunnel transmit (`lwt_xmit`) */
  LWT_XMIT: 12,
  /** `BPF_PROG_TYPE_SOCK_OPS`: TCP socket events (`sockops`) */
  SOCK_OPS: 13,
  /** `BPF_PROG_TYPE_SK_SKB`: sockmap stream parser/verdict (`sk_skb/`) */
  SK_SKB: 14,
  /** `BPF_PROG_TYPE_CGROUP_DEVICE`: cgroup device access control (`cgroup/dev`) */
  CGROUP_DEVICE: 15,
  /** `BPF_PROG_TYPE_SK_MSG`: sockmap sendmsg verdict (`sk_msg`) */
  SK_MSG: 16,
  /** `BPF_PROG_TYPE_RAW_TRACEPOINT`: tracepoints with raw arguments (`raw_tp/`) */
  RAW_TRACEPOINT: 17,
  /** `BPF_PROG_TYPE_CGROUP_SOCK_ADDR`: cgroup connect/bind/sendmsg address hooks (`cgroup/connect4`, ...) */
  CGROUP_SOCK_ADDR: 18,
  /** `BPF_PROG_TYPE_LWT_SEG6LOCAL`: SRv6 local behaviour (`lwt_seg6local`) */
  LWT_SEG6LOCAL: 19,
  /** `BPF_PROG_TYPE_LIRC_MODE2`: infrared decoding (`lirc_mode2`) */
  LIRC_MODE2: 20,
  /** `BPF_PROG_TYPE_SK_REUSEPORT`: reuseport socket selection (`sk_reuseport`) */
  SK_REUSEPORT: 21,
  /** `BPF_PROG_TYPE_FLOW_DISSECTOR`: flow dissection (`flow_dissector`) */
  FLOW_DISSECTOR: 22,
  /** `BPF_PROG_TYPE_CGROUP_SYSCTL`: cgroup sysctl access (`cgroup/sysctl`) */
  CGROUP_SYSCTL: 23,
  /** `BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE`: raw tracepoints with writable arguments (`raw_tp.w/`) */
  RAW_TRACEPOINT_WRITABLE: 24,
  /** `BPF_PROG_TYPE_CGROUP_SOCKOPT`: cgroup get/setsockopt (`cgroup/getsockopt`, ...) */
  CGROUP_SOCKOPT: 25,
  /** `BPF_PROG_TYPE_TRACING`: BTF-typed tracing: fentry/fexit/fmod_ret, tp_btf, iterators (`fentry/`, `tp_btf/`, `iter/`) */
  TRACING: 26,
  /** `BPF_PROG_TYPE_STRUCT_OPS`: implementations of kernel ops structs (`struct_ops/`) */
  STRUCT_OPS: 27,
  /** `BPF_PROG_TYPE_EXT`: replacement of another BPF function (`freplace/`) */
  EXT: 28,
  /** `BPF_PROG_TYPE_LSM`: Linux Security Module hooks (`lsm/`) */
  LSM: 29,
  /** `BPF_PROG_TYPE_SK_LOOKUP`: socket lookup steering (`sk_lookup`) */
  SK_LOOKUP: 30,
  /** `BPF_PROG_TYPE_SYSCALL`: programs run by BPF_PROG_RUN that may call bpf() (`syscall`) */
  SYSCALL: 31,
  /** `BPF_PROG_TYPE_NETFILTER`: netfilter hooks (`netfilter`) */
  NETFILTER: 32,
} as const;

/** Short name of a program type (`XDP`). */
export type ProgTypeName = keyof typeof PROG_TYPE;

/** `enum bpf_prog_type` with its reverse lookups. */
export const PROG_TYPES = defineUapiEnum('enum bpf_prog_type', 'BPF_PROG_TYPE_', PROG_TYPE);

/** The kernel name of a program type: `progTypeName(6) === 'BPF_PROG_TYPE_XDP'`. */
export function progTypeName(value: number): string | undefined {
  return PROG_TYPES.nameOf(value);
}

/** The short name of a program type: `progTypeShortName(6) === 'XDP'`. */
export function progTypeShortName(value: number): ProgTypeName | undefined {
  return PROG_TYPES.shortNameOf(value);
}

/** The value of a program type, by kernel or short name (`'BPF_PROG_TYPE_XDP'` or `'XDP'`). */
export function progTypeValue(name: string): number | undefined {
  return PROG_TYPES.valueOf(name);
}
