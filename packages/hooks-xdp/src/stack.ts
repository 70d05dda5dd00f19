/**
 * The network stack of one simulated machine, shared by the packet hook
 * plugins: its network (interfaces, routes, neighbours) and the stages a
 * frame goes through on its way in (after XDP passes it) and out.
 *
 * Linux's receive path is XDP in the driver, then (with an `sk_buff`)
 * packet sockets (`tcpdump`'s taps, where socket filters run), then tc
 * ingress, then the IP stack; the transmit path is tc egress, then the
 * taps (packet sockets see outgoing frames), then the driver. The XDP
 * plugin owns the `packet` (receive) and `send` (transmit) steps and runs
 * XDP; plugins of the other stages (`@bpflab/hooks-skb`) add themselves
 * here when they are installed in a kernel, so that one step drives the
 * whole path. The plugins find the same stack through `netStack(kernel)`:
 * it belongs to the machine, not to one plugin.
 */
import type { Kernel } from '@bpflab/kernel';
import { createNetwork, type NetDevice, type Network, type NetworkSpec } from './network';

/** What became of a frame, and which stage decided (`xdp`, `tc ingress`, ...). */
export type PacketFate =
  /** dropped on purpose (XDP_DROP, TC_ACT_SHOT) */
  | { readonly kind: 'dropped'; readonly by: string }
  /** dropped on a program error (XDP_ABORTED, an illegal XDP action) */
  | { readonly kind: 'aborted'; readonly by: string }
  /** made it through every stage to the stack of the receiving interface */
  | { readonly kind: 'passed'; readonly dev: string; readonly ifindex: number }
  /** made it through every stage of the transmit path onto the wire */
  | { readonly kind: 'sent'; readonly dev: string; readonly ifindex: number }
  /** sent back out of the interface it came in on (XDP_TX) */
  | { readonly kind: 'transmitted'; readonly dev: string; readonly ifindex: number; readonly by: string }
  /** sent to an interface (XDP_REDIRECT, TC_ACT_REDIRECT) */
  | { readonly kind: 'redirected'; readonly dev: string; readonly ifindex: number; readonly by: string; readonly ingress?: boolean }
  /** a redirect that failed: dropped */
  | { readonly kind: 'redirect-failed'; readonly errno: number; readonly reason: string; readonly by: string }
  /** taken over by the stage (TC_ACT_STOLEN, TC_ACT_QUEUED, TC_ACT_TRAP): not delivered, not counted as a drop */
  | { readonly kind: 'stolen'; readonly by: string };

/** Which way a frame goes. */
export type PacketPath = 'ingress' | 'egress';

/** What a stage gets: the frame as the earlier stages left it. */
export interface StageInput {
  readonly kernel: Kernel;
  readonly path: PacketPath;
  /** the receiving (ingress) or sending (egress) interface */
  readonly dev: NetDevice;
  readonly frame: Uint8Array;
  /** metadata XDP left in front of the frame (`bpf_xdp_adjust_meta`); tc ingress sees it as `data_meta` */
  readonly metadata: Uint8Array;
  readonly cpu: number;
  /** the receive queue (ingress) or transmit queue (egress) */
  readonly queue: number;
}

/** What a stage did: its observation (JSON-safe), the frame it hands on, and whether the frame goes on. */
export type StageOutcome =
  | { readonly verdict: 'continue'; readonly observation: Readonly<Record<string, unknown>>; readonly frame: Uint8Array; readonly metadata: Uint8Array }
  | { readonly verdict: 'stop'; readonly observation: Readonly<Record<string, unknown>>; readonly frame: Uint8Array; readonly fate: PacketFate };

/** A stage of the receive path after XDP, or of the transmit path. */
export interface NetStage {
  /** a short name, shown in observations (`packet sockets`, `tc ingress`) */
  readonly name: string;
  readonly path: PacketPath;
  /** where it runs in its path: lower first (ingress: packet sockets 10, tc 20; egress: tc 10, packet sockets 20) */
  readonly order: number;
  /** whether anything is attached there for this interface (stages with nothing to run are left out of observations) */
  readonly active: (dev: NetDevice) => boolean;
  readonly run: (input: StageInput) => StageOutcome;
}

/** The network stack of one machine. */
export interface NetStack {
  /** the machine's network; replace it with `setNetwork` */
  readonly network: Network;
  /** the stages of a path, in order */
  stages(path: PacketPath): readonly NetStage[];
  /** replaces the network */
  setNetwork(network: NetworkSpec | Network): void;
  /** adds a stage (a plugin does it once per kernel); a stage of the same name and path is replaced */
  addStage(stage: NetStage): void;
}

const stacks = new WeakMap<Kernel, NetStack>();

/** Whether a value is a built `Network` rather than a specification of one. */
export function isNetwork(n: NetworkSpec | Network | unknown): n is Network {
  const devices = (n as { devices?: unknown } | null)?.devices;
  return Array.isArray(devices) && devices.every((d) => d !== null && typeof d === 'object' && (d as { mac?: unknown }).mac instanceof Uint8Array);
}

/** The network stack of a kernel (created with the default network on first use). */
export function netStack(kernel: Kernel): NetStack {
  let s = stacks.get(kernel);
  if (s === undefined) {
    let network = createNetwork();
    const all: NetStage[] = [];
    s = {
      get network() {
        return network;
      },
      stages(path) {
        return all.filter((x) => x.path === path);
      },
      setNetwork(n) {
        network = isNetwork(n) ? n : createNetwork(n);
      },
      addStage(stage) {
        const i = all.findIndex((x) => x.name === stage.name && x.path === stage.path);
        if (i >= 0) all.splice(i, 1);
        all.push(stage);
        all.sort((a, b) => a.order - b.order);
      },
    };
    stacks.set(kernel, s);
  }
  return s;
}
