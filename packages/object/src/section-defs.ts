/**
 * `SEC()` names to program types, as libbpf infers them
 * (docs.kernel.org/bpf/libbpf/program_types.html).
 *
 * Each definition is either exact (`SEC("socket")` and nothing else) or
 * takes extras (`type+`: `SEC("type")` alone, or `SEC("type/<extras>")`
 * with a `/` separator; `SEC("typefoo")` does not match). The first
 * matching definition wins, in the table's order, as in libbpf. The extras
 * name the attach target, parsed the way libbpf's auto-attach code parses
 * them (`tracepoint/<category>/<name>`, `kprobe/<function>[+<offset>]`,
 * `usdt/<path>:<provider>:<name>`, a BTF name for fentry/lsm/iter ...).
 */
import type { AttachTypeName, ProgTypeName } from '@bpflab/uapi';

/** How the extras of a section name are read. */
export type TargetSyntax =
  /** exact definitions: no extras */
  | 'none'
  /** `<category>/<name>` */
  | 'tracepoint'
  /** `<name>` of a raw tracepoint */
  | 'raw_tracepoint'
  /** a kernel (or, for freplace, program) function or hook found by name in BTF */
  | 'btf'
  /** `<function>[+<offset>]` */
  | 'kprobe'
  /** `<syscall>` */
  | 'ksyscall'
  /** a glob of kernel functions */
  | 'pattern'
  /** `<binary>:<function>` */
  | 'uprobe'
  /** `<binary>:<provider>:<name>` */
  | 'usdt'
  /** free-form name (struct_ops programs are bound through their `.struct_ops` map) */
  | 'struct_ops';

/** One row of libbpf's `section_defs` table. */
export interface SectionDef {
  /** `socket` (exact) or `kprobe+` (accepts `/extras`). */
  readonly sec: string;
  readonly progType: ProgTypeName;
  /** The program's `expected_attach_type`; `undefined` where libbpf leaves it 0 for a type that does not use it. */
  readonly attachType: AttachTypeName | undefined;
  /** `SEC_SLEEPABLE`: loaded with `BPF_F_SLEEPABLE`. */
  readonly sleepable: boolean;
  /** `SEC_XDP_FRAGS`: loaded with `BPF_F_XDP_HAS_FRAGS`. */
  readonly xdpFrags: boolean;
  /** `SEC_ATTACH_BTF`: the extras name a BTF function the loader must find (load fails without one). */
  readonly attachBtf: boolean;
  readonly target: TargetSyntax;
}

type Flags = { readonly sleepable?: boolean; readonly xdpFrags?: boolean; readonly attachBtf?: boolean };

function def(
  sec: string,
  progType: ProgTypeName,
  attachType: AttachTypeName | undefined,
  target: TargetSyntax = 'none',
  flags: Flags = {},
): SectionDef {
  return {
    sec,
    progType,
    attachType,
    sleepable: flags.sleepable ?? false,
    xdpFrags: flags.xdpFrags ?? false,
    attachBtf: flags.attachBtf ?? false,
    target,
  };
}

const S = { sleepable: true } as const;
const BTF = { attachBtf: true } as const;
const BTF_S = { attachBtf: true, sleepable: true } as const;
const FRAGS = { xdpFrags: true } as const;

/** libbpf's section definitions, in its matching order. */
export const SECTION_DEFS: readonly SectionDef[] = [
  def('socket', 'SOCKET_FILTER', undefined),
  def('sk_reuseport/migrate', 'SK_REUSEPORT', 'SK_REUSEPORT_SELECT_OR_MIGRATE'),
  def('sk_reuseport', 'SK_REUSEPORT', 'SK_REUSEPORT_SELECT'),
  def('kprobe+', 'KPROBE', undefined, 'kprobe'),
  def('uprobe+', 'KPROBE', undefined, 'uprobe'),
  def('uprobe.s+', 'KPROBE', undefined, 'uprobe', S),
  def('kretprobe+', 'KPROBE', undefined, 'kprobe'),
  def('uretprobe+', 'KPROBE', undefined, 'uprobe'),
  def('uretprobe.s+', 'KPROBE', undefined, 'uprobe', S),
  def('kprobe.multi+', 'KPROBE', 'TRACE_KPROBE_MULTI', 'pattern'),
  def('kretprobe.multi+', 'KPROBE', 'TRACE_KPROBE_MULTI', 'pattern'),
  def('kprobe.session+', 'KPROBE', 'TRACE_KPROBE_SESSION', 'pattern'),
  def('uprobe.multi+', 'KPROBE', 'TRACE_UPROBE_MULTI', 'uprobe'),
  def('uretprobe.multi+', 'KPROBE', 'TRACE_UPROBE_MULTI', 'uprobe'),
  def('uprobe.session+', 'KPROBE', 'TRACE_UPROBE_SESSION', 'uprobe'),
  def('uprobe.multi.s+', 'KPROBE', 'TRACE_UPROBE_MULTI', 'uprobe', S),
  def('uretprobe.multi.s+', 'KPROBE', 'TRACE_UPROBE_MULTI', 'uprobe', S),
  def('ksyscall+', 'KPROBE', undefined, 'ksyscall'),
  def('kretsyscall+', 'KPROBE', undefined, 'ksyscall'),
  def('usdt+', 'KPROBE', undefined, 'usdt'),
  def('usdt.s+', 'KPROBE', undefined, 'usdt', S),
  def('tc/ingress', 'SCHED_CLS', 'TCX_INGRESS'),
  def('tc/egress', 'SCHED_CLS', 'TCX_EGRESS'),
  def('tcx/ingress', 'SCHED_CLS', 'TCX_INGRESS'),
  def('tcx/egress', 'SCHED_CLS', 'TCX_EGRESS'),
  def('tc', 'SCHED_CLS', undefined),
  def('classifier', 'SCHED_CLS', undefined),
  def('action', 'SCHED_ACT', undefined),
  def('netkit/primary', 'SCHED_CLS', 'NETKIT_PRIMARY'),
  def('netkit/peer', 'SCHED_CLS', 'NETKIT_PEER'),
  def('tracepoint+', 'TRACEPOINT', undefined, 'tracepoint'),
  def('tp+', 'TRACEPOINT', undefined, 'tracepoint'),
  def('raw_tracepoint+', 'RAW_TRACEPOINT', undefined, 'raw_tracepoint'),
  def('raw_tp+', 'RAW_TRACEPOINT', undefined, 'raw_tracepoint'),
  def('raw_tracepoint.w+', 'RAW_TRACEPOINT_WRITABLE', undefined, 'raw_tracepoint'),
  def('raw_tp.w+', 'RAW_TRACEPOINT_WRITABLE', undefined, 'raw_tracepoint'),
  def('tp_btf+', 'TRACING', 'TRACE_RAW_TP', 'btf', BTF),
  def('fentry+', 'TRACING', 'TRACE_FENTRY', 'btf', BTF),
  def('fmod_ret+', 'TRACING', 'MODIFY_RETURN', 'btf', BTF),
  def('fexit+', 'TRACING', 'TRACE_FEXIT', 'btf', BTF),
  def('fentry.s+', 'TRACING', 'TRACE_FENTRY', 'btf', BTF_S),
  def('fmod_ret.s+', 'TRACING', 'MODIFY_RETURN', 'btf', BTF_S),
  def('fexit.s+', 'TRACING', 'TRACE_FEXIT', 'btf', BTF_S),
  def('freplace+', 'EXT', undefined, 'btf', BTF),
  def('lsm+', 'LSM', 'LSM_MAC', 'btf', BTF),
  def('lsm.s+', 'LSM', 'LSM_MAC', 'btf', BTF_S),
  def('lsm_cgroup+', 'LSM', 'LSM_CGROUP', 'btf', BTF),
  def('iter+', 'TRACING', 'TRACE_ITER', 'btf', BTF),
  def('iter.s+', 'TRACING', 'TRACE_ITER', 'btf', BTF_S),
  def('syscall', 'SYSCALL', undefined, 'none', S),
  def('xdp.frags/devmap', 'XDP', 'XDP_DEVMAP', 'none', FRAGS),
  def('xdp/devmap', 'XDP', 'XDP_DEVMAP'),
  def('xdp.frags/cpumap', 'XDP', 'XDP_CPUMAP', 'none', FRAGS),
  def('xdp/cpumap', 'XDP', 'XDP_CPUMAP'),
  def('xdp.frags', 'XDP', 'XDP', 'none', FRAGS),
  def('xdp', 'XDP', 'XDP'),
  def('perf_event', 'PERF_EVENT', undefined),
  def('lwt_in', 'LWT_IN', undefined),
  def('lwt_out', 'LWT_OUT', undefined),
  def('lwt_xmit', 'LWT_XMIT', undefined),
  def('lwt_seg6local', 'LWT_SEG6LOCAL', undefined),
  def('sockops', 'SOCK_OPS', 'CGROUP_SOCK_OPS'),
  def('sk_skb/stream_parser', 'SK_SKB', 'SK_SKB_STREAM_PARSER'),
  def('sk_skb/stream_verdict', 'SK_SKB', 'SK_SKB_STREAM_VERDICT'),
  def('sk_skb', 'SK_SKB', undefined),
  def('sk_msg', 'SK_MSG', 'SK_MSG_VERDICT'),
  def('lirc_mode2', 'LIRC_MODE2', 'LIRC_MODE2'),
  def('flow_dissector', 'FLOW_DISSECTOR', 'FLOW_DISSECTOR'),
  def('cgroup_skb/ingress', 'CGROUP_SKB', 'CGROUP_INET_INGRESS'),
  def('cgroup_skb/egress', 'CGROUP_SKB', 'CGROUP_INET_EGRESS'),
  def('cgroup/skb', 'CGROUP_SKB', undefined),
  def('cgroup/sock_create', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE'),
  def('cgroup/sock_release', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_RELEASE'),
  def('cgroup/sock', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE'),
  def('cgroup/post_bind4', 'CGROUP_SOCK', 'CGROUP_INET4_POST_BIND'),
  def('cgroup/post_bind6', 'CGROUP_SOCK', 'CGROUP_INET6_POST_BIND'),
  def('cgroup/bind4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_BIND'),
  def('cgroup/bind6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_BIND'),
  def('cgroup/connect4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_CONNECT'),
  def('cgroup/connect6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_CONNECT'),
  def('cgroup/connect_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_CONNECT'),
  def('cgroup/sendmsg4', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP4_SENDMSG'),
  def('cgroup/sendmsg6', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP6_SENDMSG'),
  def('cgroup/sendmsg_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_SENDMSG'),
  def('cgroup/recvmsg4', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP4_RECVMSG'),
  def('cgroup/recvmsg6', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP6_RECVMSG'),
  def('cgroup/recvmsg_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_RECVMSG'),
  def('cgroup/getpeername4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_GETPEERNAME'),
  def('cgroup/getpeername6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_GETPEERNAME'),
  def('cgroup/getpeername_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_GETPEERNAME'),
  def('cgroup/getsockname4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_GETSOCKNAME'),
  def('cgroup/getsockname6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_GETSOCKNAME'),
  def('cgroup/getsockname_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_GETSOCKNAME'),
  def('cgroup/sysctl', 'CGROUP_SYSCTL', 'CGROUP_SYSCTL'),
  def('cgroup/getsockopt', 'CGROUP_SOCKOPT', 'CGROUP_GETSOCKOPT'),
  def('cgroup/setsockopt', 'CGROUP_SOCKOPT', 'CGROUP_SETSOCKOPT'),
  def('cgroup/dev', 'CGROUP_DEVICE', 'CGROUP_DEVICE'),
  def('struct_ops+', 'STRUCT_OPS', undefined, 'struct_ops'),
  def('struct_ops.s+', 'STRUCT_OPS', undefined, 'struct_ops', S),
  def('sk_lookup', 'SK_LOOKUP', 'SK_LOOKUP'),
  def('netfilter', 'NETFILTER', 'NETFILTER'),
];

/** What a program's attach target is, read from its section name's extras. */
export type AttachTarget =
  /** no extras: the program is attached by the caller (or needs no target) */
  | { readonly kind: 'none' }
  /** `tracepoint/<category>/<name>`, `tp/...` */
  | { readonly kind: 'tracepoint'; readonly category: string; readonly name: string }
  /** `raw_tp/<name>`, `raw_tracepoint/<name>` (and `.w`) */
  | { readonly kind: 'raw_tracepoint'; readonly name: string }
  /**
   * A BTF-named target: the kernel function of fentry/fexit/fmod_ret, the
   * tracepoint of tp_btf (`btf_trace_<name>`), the LSM hook (`bpf_lsm_<name>`),
   * the iterator (`bpf_iter_<name>`), or the function freplace replaces.
   */
  | { readonly kind: 'btf'; readonly name: string }
  /** `kprobe/<function>[+<offset>]`, `kretprobe/<function>` */
  | { readonly kind: 'kprobe'; readonly function: string; readonly offset: number }
  /** `ksyscall/<syscall>`, `kretsyscall/<syscall>` */
  | { readonly kind: 'ksyscall'; readonly syscall: string }
  /** `kprobe.multi/<glob>`, `kprobe.session/<glob>` */
  | { readonly kind: 'pattern'; readonly pattern: string }
  /** `uprobe/<binary>:<function>` and the multi/session variants */
  | { readonly kind: 'uprobe'; readonly binary: string; readonly function: string }
  /** `usdt/<binary>:<provider>:<name>` */
  | { readonly kind: 'usdt'; readonly binary: string; readonly provider: string; readonly name: string }
  /** `struct_ops/<name>` */
  | { readonly kind: 'struct_ops'; readonly name: string }
  /** extras that do not have the form the program type needs */
  | { readonly kind: 'invalid'; readonly extras: string; readonly reason: string };

/** What a section name says about the programs in it. */
export interface ProgramSectionInfo {
  /** The matching definition (`tracepoint+`, `xdp`), or `undefined` when none matches. */
  readonly def: SectionDef | undefined;
  /** `UNSPEC` (`BPF_PROG_TYPE_UNSPEC`) when no definition matches, as libbpf leaves it. */
  readonly progType: ProgTypeName;
  readonly attachType: AttachTypeName | undefined;
  readonly sleepable: boolean;
  readonly xdpFrags: boolean;
  readonly target: AttachTarget;
}

/** True when `def` matches `name` by libbpf's rules (`type` exact, `type+` exact or `type/...`). */
export function sectionDefMatches(d: SectionDef, name: string): boolean {
  if (d.sec.endsWith('+')) {
    const prefix = d.sec.slice(0, -1);
    return name === prefix || name.startsWith(`${prefix}/`);
  }
  return name === d.sec;
}

/** The first definition matching a section name, or `undefined`. */
export function findSectionDef(name: string): SectionDef | undefined {
  return SECTION_DEFS.find((d) => sectionDefMatches(d, name));
}

const KPROBE_RE = /^([A-Za-z0-9_.]+)(?:\+(0[xX][0-9a-fA-F]+|[0-9]+))?$/;

function parseTarget(syntax: TargetSyntax, extras: string): AttachTarget {
  const invalid = (reason: string): AttachTarget => ({ kind: 'invalid', extras, reason });
  if (syntax !== 'none' && extras === '') return invalid('nothing after the /');
  switch (syntax) {
    case 'none':
      return { kind: 'none' };
    case 'tracepoint': {
      const slash = extras.indexOf('/');
      if (slash <= 0 || slash === extras.length - 1) return invalid('want <category>/<name>');
      return { kind: 'tracepoint', category: extras.slice(0, slash), name: extras.slice(slash + 1) };
    }
    case 'raw_tracepoint':
      return { kind: 'raw_tracepoint', name: extras };
    case 'btf':
      return { kind: 'btf', name: extras };
    case 'kprobe': {
      const m = KPROBE_RE.exec(extras);
      if (!m) return invalid('want <function>[+<offset>]');
      return { kind: 'kprobe', function: m[1]!, offset: m[2] === undefined ? 0 : Number(m[2]) };
    }
    case 'ksyscall':
      return { kind: 'ksyscall', syscall: extras };
    case 'pattern':
      return { kind: 'pattern', pattern: extras };
    case 'uprobe': {
      const colon = extras.indexOf(':');
      if (colon <= 0 || colon === extras.length - 1) return invalid('want <binary>:<function>');
      return { kind: 'uprobe', binary: extras.slice(0, colon), function: extras.slice(colon + 1) };
    }
    case 'usdt': {
      const parts = extras.split(':');
      if (parts.length !== 3 || parts.some((p) => p === '')) return invalid('want <binary>:<provider>:<name>');
      return { kind: 'usdt', binary: parts[0]!, provider: parts[1]!, name: parts[2]! };
    }
    case 'struct_ops':
      return { kind: 'struct_ops', name: extras };
  }
}

/**
 * What libbpf infers from a program's section name: type, expected attach
 * type, load flags and the attach target.
 *
 * @example programSectionInfo('tp/syscalls/sys_enter_execve').target
 *   // { kind: 'tracepoint', category: 'syscalls', name: 'sys_enter_execve' }
 */
export function programSectionInfo(name: string): ProgramSectionInfo {
  const d = findSectionDef(name);
  if (!d) {
    return { def: undefined, progType: 'UNSPEC', attachType: undefined, sleepable: false, xdpFrags: false, target: { kind: 'none' } };
  }
  const prefixLen = d.sec.endsWith('+') ? d.sec.length - 1 : d.sec.length;
  const target = name.length > prefixLen ? parseTarget(d.target, name.slice(prefixLen + 1)) : { kind: 'none' as const };
  return { def: d, progType: d.progType, attachType: d.attachType, sleepable: d.sleepable, xdpFrags: d.xdpFrags, target };
}
