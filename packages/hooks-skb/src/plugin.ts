/**
 * Two hook plugins over `struct __sk_buff`, which join the machine's
 * network stack (`@bpflab/hooks-xdp`'s `netStack`) so that the XDP
 * plugin's `packet` and `send` steps drive them:
 *
 * - `socket` — `SEC("socket")` socket filters on packet sockets. A filter
 *   attaches to `eth0` or `any` (an `AF_PACKET`, `SOCK_RAW`, `ETH_P_ALL`
 *   socket bound to the interface or to all: `skb->data` is the MAC
 *   header), or to `dgram:eth0` / `dgram:any` (`SOCK_DGRAM`: `skb->data`
 *   is the network header). Packet sockets see received frames after XDP
 *   and before tc ingress, and sent frames after tc egress.
 * - `tc` — `SEC("tc/ingress")`, `tc/egress`, `tcx/ingress`, `tcx/egress`
 *   (tcx links: target the interface) and `SEC("tc")` / `classifier`
 *   (cls_bpf in direct-action mode: target `eth0:ingress` or
 *   `eth0:egress`). `skb->data` is the MAC header; the packet may be read
 *   and written directly.
 *
 * Register them with the XDP plugin:
 * `new HookRegistry().register(xdpHook).register(socketFilterHook).register(tcHook)`.
 */
import {
  FRAME_VIEW_SCHEMA,
  findDevice,
  netStack,
  viewFrame,
  type NetDevice,
  type NetStage,
  type PacketPath,
  type StageOutcome,
} from '@bpflab/hooks-xdp';
import { defineHook, fail, ok, type AttachedProgram, type HookContext, type SysResult } from '@bpflab/kernel';
import { ERRNO, HELPER, type AttachTypeName } from '@bpflab/uapi';
import { SOCKET_FILTER_CTX, TC_CTX } from './ctx';
import { socketFilterHelpers, tcHelpers } from './helpers';
import { deliverToSockets, runTc, SKB_INGRESS_TRACE_CONTEXT, type TcMode } from './run';
import { SkBuff } from './sk-buff';
import { SkbState } from './state';

/* -------------------------------------------------------- helper sets */

/** Helper ids a socket filter may call as root (Linux 6.18, measured: `sk_filter_func_proto`). */
const SOCKET_FILTER_SET: readonly number[] = [
  1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 42, 46, 47, 55, 68, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 122,
  123, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180,
  181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211,
];

/** What `tc_cls_act_func_proto` adds to the socket set (Linux 6.18, x86-64 defconfig with XFRM and cgroups). */
const TC_ONLY: readonly (keyof typeof HELPER)[] = [
  'skb_store_bytes', 'skb_load_bytes', 'skb_load_bytes_relative', 'skb_pull_data', 'csum_diff', 'csum_update', 'csum_level', 'l3_csum_replace',
  'l4_csum_replace', 'clone_redirect', 'get_cgroup_classid', 'skb_vlan_push', 'skb_vlan_pop', 'skb_change_proto', 'skb_change_type', 'skb_adjust_room',
  'skb_change_tail', 'skb_change_head', 'skb_get_tunnel_key', 'skb_set_tunnel_key', 'skb_get_tunnel_opt', 'skb_set_tunnel_opt', 'redirect', 'redirect_neigh',
  'redirect_peer', 'get_route_realm', 'get_hash_recalc', 'set_hash_invalid', 'set_hash', 'perf_event_output', 'get_smp_processor_id', 'skb_under_cgroup',
  'get_socket_cookie', 'get_socket_uid', 'fib_lookup', 'sk_fullsock', 'sk_storage_get', 'sk_storage_delete', 'skb_get_xfrm_state', 'skb_cgroup_classid',
  'skb_cgroup_id', 'skb_ancestor_cgroup_id', 'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release', 'tcp_sock', 'get_listener_sock', 'skc_lookup_tcp',
  'tcp_check_syncookie', 'skb_ecn_set_ce', 'tcp_gen_syncookie', 'sk_assign', 'skb_set_tstamp', 'tcp_raw_gen_syncookie_ipv4', 'tcp_raw_gen_syncookie_ipv6',
  'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6',
];

/** Helper ids a tc program may call as root. */
export const TC_HELPERS: readonly number[] = [...new Set([...SOCKET_FILTER_SET, ...TC_ONLY.map((n) => HELPER[n])])].sort((a, b) => a - b);

/* ------------------------------------------------------------ targets */

/** A device named by name or ifindex (`eth0`, `2`). */
function deviceOf(hook: HookContext<SkbState>, which: string | number): NetDevice | undefined {
  const net = netStack(hook.kernel).network;
  return typeof which === 'number' ? findDevice(net, which) : /^\d+$/.test(which) ? findDevice(net, Number(which)) : findDevice(net, which);
}

function known(hook: HookContext<SkbState>): string {
  return netStack(hook.kernel).network.devices.map((d) => d.name).join(', ');
}

/** A socket's hook point from an attach request: `packet:eth0`, `packet:any`, `dgram:eth0`, `dgram:any`. */
function socketPoint(hook: HookContext<SkbState>, target: string | undefined, targetFd: number | undefined): SysResult<string> {
  let kind = 'packet';
  let dev: string | number = target ?? targetFd ?? 'any';
  if (typeof dev === 'string') {
    const m = /^(packet|raw|dgram):(.+)$/.exec(dev);
    if (m !== null) {
      kind = m[1] === 'dgram' ? 'dgram' : 'packet';
      dev = m[2]!;
    }
  }
  if (dev === 'any' || dev === '') return ok(`${kind}:any`);
  const d = deviceOf(hook, dev);
  if (d === undefined) return fail(ERRNO.ENODEV, `no interface ${String(dev)} to bind the packet socket to (have ${known(hook)}; or any)`);
  return ok(`${kind}:${d.name}`);
}

/* ------------------------------------------------------------- stages */

/** JSON-safe observation of a stage, with a one-line `text`. */
type StageObservation = Readonly<Record<string, unknown>> & { readonly text: string };

function socketStage(state: SkbState, path: PacketPath): NetStage {
  const socketsOf = (dev: NetDevice): readonly AttachedProgram[] =>
    state.installed ? state.hook.attachedAny([`packet:${dev.name}`, 'packet:any', `dgram:${dev.name}`, 'dgram:any']) : [];
  return {
    name: 'packet sockets',
    path,
    order: path === 'ingress' ? 10 : 20,
    active: (dev) => socketsOf(dev).length > 0,
    run: (input): StageOutcome => {
      if (input.frame.length < 14) return runt(input.frame);
      const deliveries = deliverToSockets(state, socketsOf(input.dev), { dev: input.dev, frame: input.frame, cpu: input.cpu, queue: input.queue, path });
      for (const d of deliveries) state.count(d.kept === 0 ? 'filtered out' : d.kept < d.len ? 'delivered, trimmed' : 'delivered');
      const observation: StageObservation = {
        text: deliveries.map((d) => `${d.socket} (${d.program}) ${d.kept === 0 ? 'filtered it out' : `kept ${d.kept} of ${d.len} bytes`}`).join('; '),
        sockets: deliveries,
      };
      return { verdict: 'continue', observation, frame: input.frame, metadata: input.metadata };
    },
  };
}

/** A frame too short for an skb: the stack drops it. */
function runt(frame: Uint8Array): StageOutcome {
  return {
    verdict: 'stop',
    observation: { text: `a ${frame.length}-byte frame is shorter than an Ethernet header: the stack drops it` },
    frame,
    fate: { kind: 'dropped', by: 'stack' },
  };
}

function tcStage(state: SkbState, path: PacketPath): NetStage {
  const programsOf = (dev: NetDevice): readonly AttachedProgram[] => (state.installed ? state.hook.attached(`${dev.name}:${path}`) : []);
  return {
    name: `tc ${path}`,
    path,
    order: path === 'ingress' ? 20 : 10,
    active: (dev) => programsOf(dev).length > 0,
    run: (input): StageOutcome => {
      if (input.frame.length < 14) return runt(input.frame);
      const skb = new SkBuff(state.kernel.memory, {
        frame: input.frame,
        dev: input.dev,
        path,
        start: 'mac',
        queue: input.queue,
        ...(path === 'ingress' ? { metadata: input.metadata } : {}),
        name: `tc:${input.dev.name}:${path}`,
      });
      try {
        const out = runTc(state, programsOf(input.dev), skb, input.cpu, path);
        state.count(out.verdict);
        const frame = skb.frame();
        const last = out.runs[out.runs.length - 1];
        const observation: StageObservation = {
          text: `${last === undefined ? 'no program decided' : `${last.program} returned ${last.run.retval}`}: ${out.verdict}${out.warnings.length === 0 ? '' : ` (${out.warnings.join('; ')})`}`,
          runs: out.runs,
          verdict: out.verdict,
          skb: out.skb,
          csum: out.csum,
          metadata: [...skb.metadata()].map((b) => b.toString(16).padStart(2, '0')).join(' '),
          frame: viewFrame(frame),
          warnings: out.warnings,
        };
        if (out.fate !== undefined) return { verdict: 'stop', observation, frame, fate: out.fate };
        return { verdict: 'continue', observation, frame, metadata: new Uint8Array(0) };
      } finally {
        skb.free();
      }
    },
  };
}

/* ------------------------------------------------------------ plugins */

function summaryOf(hook: HookContext<SkbState>, title: string) {
  const counts = [...hook.state.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (counts.length === 0) return undefined;
  return {
    title,
    data: Object.fromEntries(counts),
    text: counts.map(([k, v]) => `${k.padEnd(20)} ${String(v).padStart(8)}`),
  };
}

/** The socket filter plugin. */
export const socketFilterHook = defineHook<SkbState>({
  name: 'socket',
  doc: [
    'Socket filters: a `SEC("socket")` program attached to a socket (setsockopt SO_ATTACH_BPF) decides how many bytes of each packet',
    'the socket receives: 0 drops the packet for that socket, more than its length keeps it whole. bpflab models packet sockets:',
    'attach to `eth0` or `any` (SOCK_RAW: `skb->data` is the MAC header) or `dgram:eth0` (SOCK_DGRAM: the network header).',
    'They see frames XDP passes (before tc ingress) and frames the machine sends (after tc egress). Filters read the packet with',
    '`bpf_skb_load_bytes` or legacy `ld_abs`/`ld_ind` (`load_byte`, `load_half`, `load_word`); direct packet access is not allowed.',
  ].join(' '),
  programTypes: [
    {
      progType: 'SOCKET_FILTER',
      sections: ['socket'],
      ctx: SOCKET_FILTER_CTX,
      helpers: SOCKET_FILTER_SET,
      extraHelpers: (hook) => {
        hook.state.bind(hook);
        return socketFilterHelpers(hook.state);
      },
      traceContext: SKB_INGRESS_TRACE_CONTEXT,
    },
  ],
  setup: (kernel) => {
    const state = new SkbState(kernel);
    netStack(kernel).addStage(socketStage(state, 'ingress'));
    netStack(kernel).addStage(socketStage(state, 'egress'));
    return state;
  },
  autoAttach: (sec) => ({
    kind: 'manual',
    reason: `SEC("${sec.section}") names no socket (a socket filter is attached to a socket with setsockopt SO_ATTACH_BPF): give eth0, any or dgram:eth0`,
  }),
  attach(hook, _program, request) {
    const point = socketPoint(hook, request.target, request.targetFd);
    if (!point.ok) return point;
    return ok({ point: point.value, link: 'UNSPEC' });
  },
  points: () => [
    { name: 'packet:any', section: 'socket', progType: 'SOCKET_FILTER', ctx: SOCKET_FILTER_CTX, doc: 'a packet socket (SOCK_RAW, ETH_P_ALL) on every interface' },
    { name: 'packet:eth0', section: 'socket', progType: 'SOCKET_FILTER', ctx: SOCKET_FILTER_CTX, doc: 'a packet socket bound to eth0; packet:<dev> for others' },
    { name: 'dgram:any', section: 'socket', progType: 'SOCKET_FILTER', ctx: SOCKET_FILTER_CTX, doc: 'a SOCK_DGRAM packet socket: skb->data at the network header' },
  ],
  summary: (hook) => summaryOf(hook, 'packets at packet sockets'),
});

/** The direction a tc program attaches in, from its expected attach type or the request. */
function tcDirection(attachType: AttachTypeName | undefined): PacketPath | undefined {
  return attachType === 'TCX_INGRESS' ? 'ingress' : attachType === 'TCX_EGRESS' ? 'egress' : undefined;
}

/** The tc plugin. */
export const tcHook = defineHook<SkbState>({
  name: 'tc',
  doc: [
    'tc (traffic control) programs run on every packet an interface receives (ingress, after XDP and packet sockets) or sends',
    '(egress), on a `struct __sk_buff` whose `data`/`data_end` bound the frame from its MAC header. They return TC_ACT_OK (0),',
    'TC_ACT_SHOT (2, drop), TC_ACT_REDIRECT (7, where `bpf_redirect` said), TC_ACT_STOLEN (4)... `SEC("tc/ingress")` / `tc/egress`',
    '(tcx links) attach to an interface and run first; `SEC("tc")` programs (cls_bpf, direct action) attach to `eth0:ingress` or',
    '`eth0:egress` and run after. tcx programs return TCX_NEXT (-1) to let the next one decide.',
  ].join(' '),
  programTypes: [
    {
      progType: 'SCHED_CLS',
      sections: ['tc/ingress', 'tc/egress', 'tcx/ingress', 'tcx/egress', 'tc', 'classifier'],
      ctx: TC_CTX,
      helpers: TC_HELPERS,
      extraHelpers: (hook) => {
        hook.state.bind(hook);
        return tcHelpers(hook.state);
      },
      packetWrite: true,
      traceContext: SKB_INGRESS_TRACE_CONTEXT,
    },
  ],
  setup: (kernel) => {
    const state = new SkbState(kernel);
    netStack(kernel).addStage(tcStage(state, 'ingress'));
    netStack(kernel).addStage(tcStage(state, 'egress'));
    return state;
  },
  autoAttach: (sec) => ({
    kind: 'manual',
    reason:
      sec.secDef === 'tc' || sec.secDef === 'classifier'
        ? `SEC("${sec.section}") is a cls_bpf classifier (tc filter add ... bpf da): give eth0:ingress or eth0:egress`
        : `SEC("${sec.section}") names no interface (libbpf attaches tcx programs with bpf_program__attach_tcx(prog, ifindex)): give the interface, e.g. eth0`,
  }),
  attach(hook, program, request) {
    // a tcx link (BPF_TCX_INGRESS/EGRESS) or a cls_bpf classifier (tc filter ... bpf da)
    const tcx = tcDirection(request.attachType ?? program.expectedAttachType);
    let which: string | number | undefined = request.target ?? request.targetFd;
    let direction = tcx;
    if (typeof which === 'string') {
      const m = /^(.+):(ingress|egress)$/.exec(which);
      if (m !== null) {
        if (tcx !== undefined && m[2] !== tcx) return fail(ERRNO.EINVAL, `${program.describe()}: a tcx ${tcx} program cannot attach to ${which}`);
        which = m[1]!;
        direction = m[2] as PacketPath;
      }
    }
    if (which === undefined || which === '') return fail(ERRNO.EINVAL, `${program.describe()}: attaching a tc program needs an interface (have ${known(hook)})`);
    const dev = deviceOf(hook, which);
    if (dev === undefined) return fail(ERRNO.ENODEV, `${program.describe()}: no interface ${String(which)} (have ${known(hook)})`);
    const mode: TcMode = tcx === undefined ? 'cls_bpf' : 'tcx';
    return ok({ point: `${dev.name}:${direction ?? 'ingress'}`, link: mode === 'tcx' ? 'TCX' : 'UNSPEC', data: { mode } });
  },
  points: () => [
    { name: 'eth0:ingress', section: 'tc/ingress', progType: 'SCHED_CLS', ctx: TC_CTX, doc: 'packets eth0 receives, after XDP; <dev>:ingress for others' },
    { name: 'eth0:egress', section: 'tc/egress', progType: 'SCHED_CLS', ctx: TC_CTX, doc: 'packets the machine sends out of eth0; <dev>:egress for others' },
  ],
  summary: (hook) => summaryOf(hook, 'tc verdicts'),
});

/** JSON Schema of the observations the skb stages add to `packet` and `send` steps (for tools that check them). */
export const SKB_STAGE_OBSERVATION_SCHEMA = Object.freeze({
  type: 'object',
  properties: {
    stage: { type: 'string' },
    text: { type: 'string' },
    sockets: { type: 'array' },
    runs: { type: 'array' },
    verdict: { type: 'string' },
    skb: { type: 'object' },
    csum: { enum: ['valid', 'stale', 'none'] },
    metadata: { type: 'string' },
    frame: FRAME_VIEW_SCHEMA,
    warnings: { type: 'array', items: { type: 'string' } },
  },
  required: ['stage', 'text'],
});
