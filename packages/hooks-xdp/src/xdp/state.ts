/**
 * The XDP plugin's state in one kernel: the buffer behind each `xdp_md`
 * while a program runs (so helpers find the frame from r1), the per-CPU
 * redirect target (`struct bpf_redirect_info`) that `bpf_redirect` sets
 * and the driver consumes, whether the kernel already printed its
 * once-only "Illegal XDP return value" warning, and action counts for the
 * scenario summary.
 *
 * Since Linux 6.11 the redirect target lives in the `bpf_net_context` of
 * one NAPI poll; bpflab receives each frame in its own poll, so a target
 * never outlives the frame it was set for.
 */
import type { Kernel } from '@bpflab/kernel';
import { XdpError } from '../errors';
import type { Network } from '../network';
import { netStack } from '../stack';
import type { XdpBuffer } from './buff';
import type { PcapPacketInput } from '../pcap';

/** A redirect target set by a helper and not yet consumed (`bpf_redirect_info`). */
export interface RedirectTarget {
  /** the device: `bpf_redirect`'s argument or the ifindex of a devmap entry */
  readonly ifindex: number;
  /** the devmap `bpf_redirect_map` went through; absent for `bpf_redirect` (map_id `INT_MAX`, map type UNSPEC) */
  readonly mapId?: number;
}

/** The XDP state of one simulated kernel. */
export class XdpState {
  private readonly buffers = new Map<number, XdpBuffer>();
  private readonly redirects: (RedirectTarget | undefined)[];
  /** what helpers want the student told about the frame being processed, by CPU */
  private readonly notes: string[][];
  /** whether the "Illegal XDP return value" warning was printed (the kernel prints it once) */
  warnedInvalidAction = false;
  /** frames seen by the `packet` step and what XDP did with them, by action name */
  readonly actionCounts = new Map<string, number>();
  /** frames that left the receive path alive (passed, transmitted, redirected), for `bpflab sim --pcap-out` */
  readonly captured: PcapPacketInput[] = [];

  constructor(readonly kernel: Kernel) {
    this.redirects = new Array<RedirectTarget | undefined>(kernel.cpus).fill(undefined);
    this.notes = Array.from({ length: kernel.cpus }, () => []);
  }

  /** The machine's network (shared with the other packet hooks). */
  get network(): Network {
    return netStack(this.kernel).network;
  }

  /** Makes a buffer reachable from its `xdp_md` address while a program runs on it. */
  enter(buffer: XdpBuffer): void {
    this.buffers.set(buffer.ctx.start, buffer);
  }

  /** Ends the run of a buffer. */
  leave(buffer: XdpBuffer): void {
    this.buffers.delete(buffer.ctx.start);
  }

  /** The buffer whose `xdp_md` is at `ctx` (r1 of an XDP helper). */
  buffer(ctx: number, helper: string): XdpBuffer {
    const b = this.buffers.get(ctx);
    if (b === undefined) {
      throw new XdpError('bad-call', `${helper}: r1 = 0x${ctx.toString(16)} is not the xdp_md of a frame being processed (the verifier only lets the context through)`);
    }
    return b;
  }

  /** Sets the redirect target of a CPU. */
  setRedirect(cpu: number, target: RedirectTarget | undefined): void {
    this.redirects[cpu] = target;
  }

  /** Records a warning about the frame a CPU is processing (a helper doing something bpflab does not model). */
  warn(cpu: number, text: string): void {
    this.notes[cpu]!.push(text);
  }

  /** Takes (and clears) the warnings of a CPU's frame. */
  takeWarnings(cpu: number): string[] {
    return this.notes[cpu]!.splice(0);
  }

  /** Takes (and clears) the redirect target of a CPU, as `xdp_do_redirect` and the end of a NAPI poll do. */
  takeRedirect(cpu: number): RedirectTarget | undefined {
    const t = this.redirects[cpu];
    this.redirects[cpu] = undefined;
    return t;
  }
}
