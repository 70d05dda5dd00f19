/** Verdicts that programs return: XDP actions and tc actions. */
import { defineUapiEnum } from './enum';

/** XDP program results: the kernel's `enum xdp_action`. */
export const XDP_ACTION = {
  /** XDP_ABORTED: drop the packet and raise the xdp_exception tracepoint (program error) */
  ABORTED: 0,
  /** XDP_DROP: drop the packet */
  DROP: 1,
  /** XDP_PASS: hand the packet to the network stack */
  PASS: 2,
  /** XDP_TX: send the packet back out of the interface it came in on */
  TX: 3,
  /** XDP_REDIRECT: send the packet where bpf_redirect / bpf_redirect_map said */
  REDIRECT: 4,
} as const;

/** Short name of an XDP action (`DROP`). */
export type XdpActionName = keyof typeof XDP_ACTION;

/** `enum xdp_action` with its reverse lookups. */
export const XDP_ACTIONS = defineUapiEnum('enum xdp_action', 'XDP_', XDP_ACTION);

/** The kernel name of an XDP action: `xdpActionName(1) === 'XDP_DROP'`. */
export function xdpActionName(value: number): string | undefined {
  return XDP_ACTIONS.nameOf(value);
}

/** The short name of an XDP action: `xdpActionShortName(1) === 'DROP'`. */
export function xdpActionShortName(value: number): XdpActionName | undefined {
  return XDP_ACTIONS.shortNameOf(value);
}

/** The value of an XDP action, by kernel or short name (`'XDP_DROP'` or `'DROP'`). */
export function xdpActionValue(name: string): number | undefined {
  return XDP_ACTIONS.valueOf(name);
}

/** tc (cls_bpf / tcx) program results: `TC_ACT_*` of `linux/pkt_cls.h`. */
export const TC_ACT = {
  /** TC_ACT_UNSPEC: use the default action configured for the hook */
  UNSPEC: -1,
  /** TC_ACT_OK: let the packet continue */
  OK: 0,
  /** TC_ACT_RECLASSIFY: restart classification */
  RECLASSIFY: 1,
  /** TC_ACT_SHOT: drop the packet */
  SHOT: 2,
  /** TC_ACT_PIPE: continue with the next action */
  PIPE: 3,
  /** TC_ACT_STOLEN: the packet was consumed; stop without freeing it */
  STOLEN: 4,
  /** TC_ACT_QUEUED: the packet was queued for later */
  QUEUED: 5,
  /** TC_ACT_REPEAT: run the action again */
  REPEAT: 6,
  /** TC_ACT_REDIRECT: send the packet where bpf_redirect said */
  REDIRECT: 7,
  /** TC_ACT_TRAP: drop in software; in hardware offload, trap to the CPU */
  TRAP: 8,
} as const;

/** Short name of a tc action (`SHOT`). */
export type TcActName = keyof typeof TC_ACT;

/** `TC_ACT_*` with its reverse lookups. */
export const TC_ACTS = defineUapiEnum('TC_ACT_* (linux/pkt_cls.h)', 'TC_ACT_', TC_ACT);

/** The kernel name of a tc action: `tcActName(2) === 'TC_ACT_SHOT'`. */
export function tcActName(value: number): string | undefined {
  return TC_ACTS.nameOf(value);
}

/** The short name of a tc action: `tcActShortName(2) === 'SHOT'`. */
export function tcActShortName(value: number): TcActName | undefined {
  return TC_ACTS.shortNameOf(value);
}

/** The value of a tc action, by kernel or short name (`'TC_ACT_SHOT'` or `'SHOT'`). */
export function tcActValue(name: string): number | undefined {
  return TC_ACTS.valueOf(name);
}
