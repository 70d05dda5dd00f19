/**
 * Running socket filters and tc programs on a skb, and what their return
 * values mean.
 *
 * Socket filters return how many bytes of the packet the socket keeps: 0
 * drops it for that socket, more than its length keeps it whole (the
 * value is unsigned: `return -1` keeps everything).
 *
 * tc programs return a `TC_ACT_*` code. tcx programs (`SEC("tc/ingress")`,
 * `tcx/...`, attached with links) run first, in attach order, as long as
 * each returns TCX_NEXT (-1); the first other value ends the chain and
 * counts as PASS (0), DROP (2), REDIRECT (7), or, for anything else, NEXT
 * (`tcx_action_code`). Then classic cls_bpf programs (`SEC("tc")`,
 * `classifier`, in direct-action mode) run in order: TC_ACT_OK, SHOT,
 * STOLEN, TRAP, REDIRECT end the chain, anything else counts as
 * TC_ACT_UNSPEC and moves to the next (`cls_bpf_exec_opcode`). The verdict:
 * SHOT drops the packet, STOLEN/QUEUED/TRAP consume it, REDIRECT sends it
 * where `bpf_redirect` said (dropped when there is no such interface),
 * anything else lets it go on.
 */
import { findDevice, netStack, XDP_TRACE_CONTEXT, type NetDevice, type PacketFate, type PacketPath } from '@bpflab/hooks-xdp';
import type { AttachedProgram, LoadedProgram, ProgramRun, RunOptions, Task, TraceContext } from '@bpflab/kernel';
import { ERRNO, TC_ACT, tcActName } from '@bpflab/uapi';
import { SK_BUFF, SkBuff, type SkbFields } from './sk-buff';
import type { SkbState } from './state';

/** Softirq context (the receive path, where XDP runs too): trace lines show `d.s..`. */
export const SKB_INGRESS_TRACE_CONTEXT: TraceContext = XDP_TRACE_CONTEXT;

/** The transmit path, in the sending task with bottom halves off: trace lines show `D....`. */
export const SKB_EGRESS_TRACE_CONTEXT: TraceContext = Object.freeze({ ...SKB_INGRESS_TRACE_CONTEXT, softirq: false, bhOff: true });

/** `TCX_NEXT`: continue with the next program (`TC_ACT_UNSPEC`). */
export const TCX_NEXT = -1;

/**
 * Runs one program on a skb, with legacy packet loads reading from
 * `skb->data`; reports the run as hook observations do.
 */
export function runOnSkb(state: SkbState, program: LoadedProgram, point: string, skb: SkBuff, cpu: number, path: PacketPath): ProgramRun {
  const kernel = state.kernel;
  const task: Task = path === 'ingress' ? kernel.tasks.require(0) : kernel.process;
  const options: RunOptions = {
    cpu,
    task,
    traceContext: path === 'ingress' ? SKB_INGRESS_TRACE_CONTEXT : SKB_EGRESS_TRACE_CONTEXT,
    packet: skb.packetRef,
  };
  state.enter(skb);
  try {
    const r = kernel.run(program, skb.ctx.start, options);
    return {
      program: program.name,
      point,
      cpu,
      pid: task.pid,
      retval: r.retval,
      r0: `0x${r.r0.toString(16)}`,
      trace: r.trace.map((l) => (l.endsWith('\n') ? l.slice(0, -1) : l)),
    };
  } finally {
    state.leave(skb);
  }
}

/* ------------------------------------------------------------ sockets */

/** What one socket's filter did with a packet. */
export interface SocketDelivery {
  /** the socket, as attached: `packet:eth0`, `packet:any`, `dgram:eth0` */
  readonly socket: string;
  readonly program: string;
  readonly run: ProgramRun;
  /** `skb->len` the filter saw */
  readonly len: number;
  /** bytes the socket receives: 0 when the filter dropped the packet */
  readonly kept: number;
}

/** Bytes a socket keeps for a filter's return value (`sk_filter_trim_cap` / `run_filter`). */
export function bytesKept(retval: number, len: number): number {
  const r = retval >>> 0;
  return r === 0 ? 0 : Math.min(r, len);
}

/** Runs the socket filters of `sockets` on a frame (each socket gets its own skb, as each gets its own clone). */
export function deliverToSockets(
  state: SkbState,
  sockets: readonly AttachedProgram[],
  input: { readonly dev: NetDevice; readonly frame: Uint8Array; readonly cpu: number; readonly queue: number; readonly path: PacketPath },
): readonly SocketDelivery[] {
  return sockets.map((att) => {
    const dgram = att.point.startsWith('dgram:');
    const skb = new SkBuff(state.kernel.memory, {
      frame: input.frame,
      dev: input.dev,
      path: input.path,
      start: dgram ? 'network' : 'mac',
      queue: input.queue,
      ...(input.path === 'egress' ? { pktType: 4 } : {}),
      name: att.point,
    });
    try {
      const run = runOnSkb(state, att.program, att.point, skb, input.cpu, input.path);
      return { socket: att.point, program: att.program.name, run, len: skb.len, kept: bytesKept(run.retval, skb.len) };
    } finally {
      skb.free();
    }
  });
}

/* ----------------------------------------------------------------- tc */

/** How a tc program is attached. */
export type TcMode = 'tcx' | 'cls_bpf';

/** One tc program's run. */
export interface TcRun {
  readonly program: string;
  readonly mode: TcMode;
  readonly run: ProgramRun;
  /** what its return value means there (`TCX_DROP`, `TC_ACT_UNSPEC`...) */
  readonly result: string;
}

/** What tc did with a packet (JSON-safe). */
export interface TcOutcome {
  readonly runs: readonly TcRun[];
  /** the verdict, by name (`TC_ACT_SHOT`); `TC_ACT_UNSPEC` when every program let it go on */
  readonly verdict: string;
  /** the `__sk_buff` fields after the programs */
  readonly skb: SkbFields;
  /** `skb->csum` after the programs: `valid`, `stale` (changed bytes without updating it), or `none` */
  readonly csum: 'valid' | 'stale' | 'none';
  /** where the packet went on; undefined when the verdict does not stop it */
  readonly fate: PacketFate | undefined;
  readonly warnings: readonly string[];
}

const TCX_NAMES: Readonly<Record<number, string>> = { [-1]: 'TCX_NEXT', 0: 'TCX_PASS', 2: 'TCX_DROP', 7: 'TCX_REDIRECT' };

/** `tcx_action_code`: PASS, DROP and REDIRECT stand; anything else is NEXT. */
export function tcxActionCode(code: number): number {
  return code === TC_ACT.OK || code === TC_ACT.SHOT || code === TC_ACT.REDIRECT ? code : TCX_NEXT;
}

/** `cls_bpf_exec_opcode`: OK, SHOT, STOLEN, TRAP, REDIRECT and UNSPEC stand; anything else is UNSPEC. */
export function clsExecOpcode(code: number): number {
  switch (code) {
    case TC_ACT.OK:
    case TC_ACT.SHOT:
    case TC_ACT.STOLEN:
    case TC_ACT.TRAP:
    case TC_ACT.REDIRECT:
    case TC_ACT.UNSPEC:
      return code;
    default:
      return TC_ACT.UNSPEC;
  }
}

/** The kernel name of a tc action value. */
export function tcActionName(code: number): string {
  return tcActName(code) ?? `${code}`;
}

/**
 * Runs the tc programs of one interface and direction on a skb: tcx
 * first, then cls_bpf, and decides what becomes of the packet.
 */
export function runTc(state: SkbState, programs: readonly AttachedProgram[], skb: SkBuff, cpu: number, path: PacketPath): TcOutcome {
  const by = `tc ${path}`;
  const runs: TcRun[] = [];
  state.redirect = undefined;
  const modeOf = (a: AttachedProgram): TcMode => ((a.data as { mode?: TcMode } | undefined)?.mode === 'tcx' ? 'tcx' : 'cls_bpf');
  let verdict: number = TC_ACT.UNSPEC;
  let ret = TCX_NEXT;
  for (const att of programs.filter((a) => modeOf(a) === 'tcx')) {
    const run = runOnSkb(state, att.program, att.point, skb, cpu, path);
    ret = run.retval;
    runs.push({ program: att.program.name, mode: 'tcx', run, result: TCX_NAMES[tcxActionCode(ret)]! });
    if (ret !== TCX_NEXT) break;
  }
  const tcx = tcxActionCode(ret);
  // TCX_PASS: skb->tc_index = qdisc_skb_cb(skb)->tc_classid (what the program wrote to __sk_buff.tc_classid)
  if (tcx === TC_ACT.OK && runs.length > 0) skb.setField(SK_BUFF.tc_index, skb.field(SK_BUFF.tc_classid));
  if (tcx !== TCX_NEXT) verdict = tcx;
  else {
    for (const att of programs.filter((a) => modeOf(a) === 'cls_bpf')) {
      const run = runOnSkb(state, att.program, att.point, skb, cpu, path);
      const code = clsExecOpcode(run.retval);
      runs.push({ program: att.program.name, mode: 'cls_bpf', run, result: tcActionName(code) });
      if (code !== TC_ACT.UNSPEC) {
        verdict = code;
        break;
      }
    }
  }
  const warnings: string[] = [];
  let fate: PacketFate | undefined;
  switch (verdict) {
    case TC_ACT.SHOT:
      fate = { kind: 'dropped', by };
      break;
    case TC_ACT.STOLEN:
    case TC_ACT.QUEUED:
    case TC_ACT.TRAP:
      fate = { kind: 'stolen', by };
      break;
    case TC_ACT.REDIRECT: {
      const target = state.takeRedirect();
      const to = target === undefined ? undefined : findDevice(netStack(state.kernel).network, target.ifindex);
      if (to === undefined) {
        const reason = target === undefined ? 'TC_ACT_REDIRECT without bpf_redirect: no interface 0 (-EINVAL)' : `no interface with ifindex ${target.ifindex} (-EINVAL)`;
        fate = { kind: 'redirect-failed', errno: ERRNO.EINVAL, reason, by };
        warnings.push(`redirect failed: ${reason}`);
      } else {
        fate = { kind: 'redirected', dev: to.name, ifindex: to.ifindex, by, ingress: target!.ingress };
      }
      break;
    }
    default:
      fate = undefined;
  }
  state.takeRedirect();
  const valid = skb.csumValid();
  if (valid === false) {
    warnings.push('skb->csum no longer matches the packet: bytes under it changed without BPF_F_RECOMPUTE_CSUM (the stack would log "hw csum failure" and recompute it)');
  }
  return { runs, verdict: tcActionName(verdict), skb: skb.fields(), csum: valid === undefined ? 'none' : valid ? 'valid' : 'stale', fate, warnings };
}
