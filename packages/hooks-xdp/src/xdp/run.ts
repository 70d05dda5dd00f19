/**
 * A frame through an XDP program, the way a driver's receive path does it:
 *
 * 1. the frame is put in an XDP buffer (256 bytes of headroom, tailroom up
 *    to the page) and the program runs on its `xdp_md`, on a CPU, in
 *    softirq context (the current task is the CPU's idle task);
 * 2. the return value decides: XDP_DROP drops, XDP_ABORTED drops (and
 *    raises `xdp:xdp_exception`), XDP_PASS hands the frame, as the program
 *    left it, up the stack, XDP_TX sends it back out of the interface it
 *    came in on, XDP_REDIRECT sends it where `bpf_redirect` said; the
 *    redirect fails, and the frame is dropped, when there was no target
 *    (-EBADRQC), the interface does not exist (-EINVAL) or the frame
 *    exceeds its MTU (-EMSGSIZE);
 * 3. any other value is illegal: the kernel warns once
 *    (`Illegal XDP return value 7 on prog ...`) and treats it as XDP_ABORTED.
 */
import type { LoadedProgram, ProgramRun, TraceContext } from '@bpflab/kernel';
import { ERRNO, XDP_ACTION, xdpActionName } from '@bpflab/uapi';
import { XdpError } from '../errors';
import { describeDevice, findDevice, requireDevice, type NetDevice, type Network } from '../network';
import { formatHex } from '../net/hex';
import { ETH_HLEN } from '../packet/constants';
import { viewFrame, type FrameView } from '../packet/frame-view';
import type { PacketFate } from '../stack';
import { XdpBuffer } from './buff';
import type { XdpState } from './state';

/**
 * The execution context of XDP programs: NAPI's softirq, interrupts off
 * while `bpf_printk` holds its lock. Trace lines show `d.s..`.
 */
export const XDP_TRACE_CONTEXT: TraceContext = Object.freeze({
  irqsOff: true,
  bhOff: false,
  needResched: false,
  preemptResched: false,
  hardirq: false,
  softirq: true,
  nmi: false,
  preemptDepth: 0,
  migrateDisable: 0,
});

/** Where and how one frame is received. */
export interface XdpRunOptions {
  /** the receiving interface, by name or ifindex; default `eth0` if there is one, else the first after `lo` */
  readonly dev?: string | number;
  /** the CPU the program runs on; default 0 */
  readonly cpu?: number;
  /** `rx_queue_index`; default 0 */
  readonly rx_queue?: number;
}

/** What an XDP program did with one frame (JSON-safe). */
export interface XdpObservation {
  /** the program's name */
  readonly program: string;
  /** the run: return value, trace lines */
  readonly run: ProgramRun;
  /** the action the driver carried out, by kernel name (`XDP_DROP`) */
  readonly action: string;
  /** its value */
  readonly action_value: number;
  /** the program's return value as the driver reads it (u32) */
  readonly retval: number;
  readonly fate: PacketFate;
  /** the frame as the program left it (after adjust_head/tail and writes) */
  readonly frame: FrameView;
  /** the metadata in front of the frame (`bpf_xdp_adjust_meta`), as hex; empty when none */
  readonly metadata: string;
  /** what a student should know (an illegal action, a failed redirect) */
  readonly warnings: readonly string[];
}

/** An observation with the bytes the next stages get. */
export interface XdpOutcome {
  readonly observation: XdpObservation;
  readonly frame: Uint8Array;
  readonly metadata: Uint8Array;
}

/** Runs the program on the `xdp_md` at `ctx` (through the hook registry, or directly). */
export type XdpExec = (ctx: number) => ProgramRun;

/** The interface a frame arrives on when none is named: `eth0`, else the first that is not `lo`. */
export function defaultDevice(network: Network): NetDevice {
  const d = findDevice(network, 'eth0') ?? network.devices.find((x) => x.name !== 'lo') ?? network.devices[0];
  if (d === undefined) throw new XdpError('bad-call', 'the network has no interfaces');
  return d;
}

/** The interface, CPU and queue of a run, checked. */
export function resolveRx(state: XdpState, options: XdpRunOptions): { readonly dev: NetDevice; readonly cpu: number; readonly rxQueue: number } {
  const dev = options.dev === undefined ? defaultDevice(state.network) : requireDevice(state.network, options.dev);
  const cpu = options.cpu ?? 0;
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= state.kernel.cpus) {
    throw new XdpError('bad-call', `cpu ${cpu} is not one of the machine's ${state.kernel.cpus} CPUs (0-${state.kernel.cpus - 1})`);
  }
  const rxQueue = options.rx_queue ?? 0;
  if (!Number.isInteger(rxQueue) || rxQueue < 0 || rxQueue >= dev.rxQueues) {
    throw new XdpError('bad-call', `rx queue ${rxQueue} does not exist on ${dev.name} (it has ${dev.rxQueues})`);
  }
  return { dev, cpu, rxQueue };
}

/** Runs an XDP program on one frame received on `dev` and decides the frame's fate. */
export function processXdp(
  state: XdpState,
  program: LoadedProgram,
  frame: Uint8Array,
  rx: { readonly dev: NetDevice; readonly cpu: number; readonly rxQueue: number },
  exec: XdpExec,
): XdpOutcome {
  if (program.typeDef.name !== 'XDP') throw new XdpError('bad-call', `${program.describe()} is a ${program.typeDef.name} program, not XDP`);
  const { dev, cpu } = rx;
  const buf = new XdpBuffer(state.kernel.memory, frame, { ingressIfindex: dev.ifindex, rxQueueIndex: rx.rxQueue, name: `xdp:${dev.name}` });
  // warnings left by a run that threw belong to no frame
  state.takeWarnings(cpu);
  try {
    state.enter(buf);
    let run: ProgramRun;
    try {
      run = exec(buf.ctx.start);
    } finally {
      state.leave(buf);
      // the poll ends with the frame: an unconsumed redirect target goes with it
    }
    const redirect = state.takeRedirect(cpu);
    const retval = Number(BigInt(run.r0) & 0xffffffffn);
    const warnings: string[] = state.takeWarnings(cpu);
    let action = retval;
    if (retval > XDP_ACTION.REDIRECT) {
      action = XDP_ACTION.ABORTED;
      warnings.push(`${program.name} returned invalid action ${retval} (the actions are XDP_ABORTED 0 to XDP_REDIRECT 4): the driver treats it as XDP_ABORTED and drops the frame`);
      if (!state.warnedInvalidAction) {
        state.warnedInvalidAction = true;
        state.kernel.printk(`Illegal XDP return value ${retval} on prog ${program.name} (id ${program.id}) dev ${dev.name}, expect packet loss!`);
      }
    }
    const out = buf.frame();
    const fate = decide(state.network, action, dev, redirect?.ifindex, out.length);
    if (fate.kind === 'redirect-failed') warnings.push(`XDP_REDIRECT failed: ${fate.reason}`);
    const metadata = buf.metadata();
    return {
      observation: {
        program: program.name,
        run,
        action: xdpActionName(action) ?? `XDP_${action}`,
        action_value: action,
        retval,
        fate,
        frame: viewFrame(out),
        metadata: formatHex(metadata),
        warnings,
      },
      frame: out,
      metadata,
    };
  } finally {
    buf.free();
  }
}

function decide(network: Network, action: number, dev: NetDevice, target: number | undefined, length: number): PacketFate {
  const by = 'xdp';
  switch (action) {
    case XDP_ACTION.DROP:
      return { kind: 'dropped', by };
    case XDP_ACTION.PASS:
      return { kind: 'passed', dev: dev.name, ifindex: dev.ifindex };
    case XDP_ACTION.TX:
      return { kind: 'transmitted', dev: dev.name, ifindex: dev.ifindex, by };
    case XDP_ACTION.REDIRECT: {
      if (target === undefined) {
        return { kind: 'redirect-failed', errno: ERRNO.EBADRQC, reason: 'the program returned XDP_REDIRECT without calling bpf_redirect (-EBADRQC)', by };
      }
      const to = findDevice(network, target);
      if (to === undefined) return { kind: 'redirect-failed', errno: ERRNO.EINVAL, reason: `no interface with ifindex ${target} (-EINVAL)`, by };
      if (length > to.mtu + ETH_HLEN) {
        return { kind: 'redirect-failed', errno: ERRNO.EMSGSIZE, reason: `a ${length}-byte frame exceeds the MTU of ${describeDevice(to)}: ${to.mtu} + ${ETH_HLEN} (-EMSGSIZE)`, by };
      }
      return { kind: 'redirected', dev: to.name, ifindex: to.ifindex, by };
    }
    default:
      return { kind: 'aborted', by };
  }
}
