/**
 * Frames from a capture file through the receive path (`bpflab sim
 * --pcap-in`): each frame of the pcap is a `packet` step on one interface,
 * and the frames that come out alive (passed up the stack, sent back out
 * with XDP_TX, redirected) are written to a pcap file with their input
 * timestamps, as they left the programs.
 */
import type { HookHost } from '@bpflab/kernel';
import { XdpError } from '../errors';
import { parseHex } from '../net/hex';
import { LINKTYPE_ETHERNET, readPcap, writePcap, type PcapPacketInput } from '../pcap';
import type { PacketObservation, PacketStep } from './plugin';

/** Where the capture's frames arrive. */
export interface PcapReceiveOptions {
  /** the receiving interface; default eth0 */
  readonly dev?: string | number;
  /** the CPU; default 0 */
  readonly cpu?: number;
}

/** What a capture's frames came to. */
export interface PcapReceiveResult {
  readonly observations: readonly PacketObservation[];
  /** the frames that left alive, as a pcap file */
  readonly output: Uint8Array;
  /** how many frames that is */
  readonly written: number;
}

/** Whether a frame with this fate leaves the path alive (and goes into the output capture). */
export function fateKeepsFrame(o: PacketObservation): boolean {
  return o.fate.kind === 'passed' || o.fate.kind === 'transmitted' || o.fate.kind === 'redirected';
}

/**
 * The `packet` steps of a capture: one per frame, on `options.dev`.
 *
 * @throws {@link XdpError} `bad-pcap` for a file that is not a classic pcap of Ethernet frames
 */
export function pcapPacketSteps(pcap: Uint8Array, options: PcapReceiveOptions = {}): readonly PacketStep[] {
  const file = readPcap(pcap);
  if (file.linktype !== LINKTYPE_ETHERNET) {
    throw new XdpError('bad-pcap', `the capture's link type is ${file.linktype}, not Ethernet (1): XDP and tc see Ethernet frames`, { offset: 20 });
  }
  return file.packets.map((p) => ({
    packet: p.data,
    ...(options.dev === undefined ? {} : { dev: options.dev }),
    ...(options.cpu === undefined ? {} : { cpu: options.cpu }),
  }));
}

/** Plays a capture's frames through the receive path of `host`'s kernel. */
export function receivePcap(host: HookHost, pcap: Uint8Array, options: PcapReceiveOptions = {}): PcapReceiveResult {
  const times = readPcap(pcap).packets.map((p) => p.timestampNs);
  const observations: PacketObservation[] = [];
  const out: PcapPacketInput[] = [];
  pcapPacketSteps(pcap, options).forEach((step, i) => {
    const o = host.runStep(step as unknown as Readonly<Record<string, unknown>>).observation as PacketObservation;
    observations.push(o);
    if (fateKeepsFrame(o)) out.push({ data: parseHex(o.frame.hex), timestampNs: times[i]! });
  });
  return { observations, output: writePcap(out), written: out.length };
}
