/**
 * A packet as the stack holds it (`struct sk_buff`), laid out in the
 * simulated kernel's memory, and the `struct __sk_buff` its programs get:
 *
 * ```
 * region start             data_meta  mac header   network header           end
 * | headroom ............. | metadata | ethhdr 14  | IP ...                 |
 *                                     ^ data (tc, packet sockets)
 *                                                  ^ data (SOCK_DGRAM packet sockets)
 * ```
 *
 * As Linux does on receive (`skb_vlan_untag`), an outer 802.1Q/802.1ad tag
 * is taken out of the frame into `vlan_present`/`vlan_tci`/`vlan_proto`
 * before programs see it; the frame handed on gets the tag back.
 * `protocol` is the EtherType in network byte order, `pkt_type` what
 * `eth_type_trans` decides from the destination MAC, `queue_mapping` the
 * receive queue + 1 (`skb_record_rx_queue`).
 *
 * Received frames carry `CHECKSUM_COMPLETE`: `skb->csum` is the ones'-
 * complement sum of everything from the network header on. Helpers keep it
 * up to date the way the kernel does (`bpf_skb_store_bytes` with
 * `BPF_F_RECOMPUTE_CSUM`, `bpf_l4_csum_replace` with `BPF_F_PSEUDO_HDR`,
 * `bpf_csum_update`); writes that skip it leave it stale, which
 * `csumValid` reports. As in the kernel, `__sk_buff` fields the program
 * reads are the kernel's view: the `data` fields hold real packet
 * addresses (below 4 GiB, so `(void *)(long)skb->data` works).
 */
import { ETH_HLEN, ETH_P, onesSum, type NetDevice } from '@bpflab/hooks-xdp';
import { kernelStruct } from '@bpflab/kernel';
import type { AddressSpace, Region } from '@bpflab/vm';
import { SkbError } from './errors';

/** `PACKET_*` of `<linux/if_packet.h>`: what a frame's destination was. */
export const PACKET_TYPE = Object.freeze({
  /** to this host */
  HOST: 0,
  BROADCAST: 1,
  MULTICAST: 2,
  /** to another host (seen in promiscuous mode) */
  OTHERHOST: 3,
  /** sent by this host (packet sockets see outgoing frames) */
  OUTGOING: 4,
});

/** `ETH_P_802_2`: an 802.3 frame with an LLC header (`eth_type_trans` for a length field). */
const ETH_P_802_2 = 0x0004;
/** `ETH_P_802_3`: a raw 802.3 (Novell) frame. */
const ETH_P_802_3 = 0x0001;
/** Room before the frame, for XDP metadata. */
const HEADROOM = 256;

const LAYOUT = kernelStruct('__sk_buff');
/** `sizeof(struct __sk_buff)`. */
export const SK_BUFF_SIZE = LAYOUT.size;

/** Offsets of the `__sk_buff` fields bpflab fills. */
export const SK_BUFF = Object.freeze({
  len: LAYOUT.offsetOf('len'),
  pkt_type: LAYOUT.offsetOf('pkt_type'),
  mark: LAYOUT.offsetOf('mark'),
  queue_mapping: LAYOUT.offsetOf('queue_mapping'),
  protocol: LAYOUT.offsetOf('protocol'),
  vlan_present: LAYOUT.offsetOf('vlan_present'),
  vlan_tci: LAYOUT.offsetOf('vlan_tci'),
  vlan_proto: LAYOUT.offsetOf('vlan_proto'),
  priority: LAYOUT.offsetOf('priority'),
  ingress_ifindex: LAYOUT.offsetOf('ingress_ifindex'),
  ifindex: LAYOUT.offsetOf('ifindex'),
  tc_index: LAYOUT.offsetOf('tc_index'),
  cb: LAYOUT.offsetOf('cb'),
  hash: LAYOUT.offsetOf('hash'),
  tc_classid: LAYOUT.offsetOf('tc_classid'),
  data: LAYOUT.offsetOf('data'),
  data_end: LAYOUT.offsetOf('data_end'),
  data_meta: LAYOUT.offsetOf('data_meta'),
  tstamp: LAYOUT.offsetOf('tstamp'),
  wire_len: LAYOUT.offsetOf('wire_len'),
  gso_segs: LAYOUT.offsetOf('gso_segs'),
});

/** How a packet becomes a skb. */
export interface SkBuffOptions {
  /** the frame as on the wire (tags included) */
  readonly frame: Uint8Array;
  /** the receiving or sending interface */
  readonly dev: NetDevice;
  readonly path: 'ingress' | 'egress';
  /** where `skb->data` points: the MAC header (tc, SOCK_RAW packet sockets) or the network header (SOCK_DGRAM) */
  readonly start: 'mac' | 'network';
  /** metadata XDP left in front of the frame (ingress) */
  readonly metadata?: Uint8Array;
  /** the receive or transmit queue */
  readonly queue: number;
  /** `pkt_type` instead of what the path and MAC decide (packet sockets see outgoing frames as PACKET_OUTGOING) */
  readonly pktType?: number;
  /** a name for the regions, shown in faults */
  readonly name: string;
}

/** The outer VLAN tag taken out of the frame. */
export interface VlanTag {
  /** TPID: 0x8100 or 0x88a8 */
  readonly proto: number;
  readonly tci: number;
}

/** The `__sk_buff` fields a program may change, read back after it ran (JSON-safe). */
export interface SkbFields {
  readonly mark: number;
  readonly priority: number;
  readonly tc_index: number;
  readonly tc_classid: number;
  readonly queue_mapping: number;
  readonly hash: number;
  readonly cb: readonly number[];
  /** `skb->tstamp`, ns, as a decimal string */
  readonly tstamp: string;
}

/** The bytes of a frame's destination class. */
function pktTypeOf(frame: Uint8Array, dev: NetDevice): number {
  if ((frame[0]! & 1) !== 0) return frame.subarray(0, 6).every((b) => b === 0xff) ? PACKET_TYPE.BROADCAST : PACKET_TYPE.MULTICAST;
  return frame.subarray(0, 6).every((b, i) => b === dev.mac[i]) ? PACKET_TYPE.HOST : PACKET_TYPE.OTHERHOST;
}

/** A packet in the stack, with its `__sk_buff`. Free it when done. */
export class SkBuff {
  readonly region: Region;
  readonly ctx: Region;
  readonly dev: NetDevice;
  readonly path: 'ingress' | 'egress';
  readonly vlan: VlanTag | undefined;
  /** address of the MAC header */
  readonly mac: number;
  /** address of the network header */
  readonly network: number;
  /** `skb->data` */
  readonly data: number;
  /** the end of the packet */
  readonly end: number;
  /** `skb->csum` when `CHECKSUM_COMPLETE` (ingress), else undefined */
  csum: number | undefined;
  private freed = false;

  /**
   * @throws {@link SkbError} `bad-call` for a frame shorter than an
   *   Ethernet header (the driver drops those before any skb exists)
   */
  constructor(
    private readonly memory: AddressSpace,
    options: SkBuffOptions,
  ) {
    let frame = options.frame;
    if (frame.length < ETH_HLEN) throw new SkbError('bad-call', `a ${frame.length}-byte frame is shorter than an Ethernet header: no skb is made of it`);
    const outer = (frame[12]! << 8) | frame[13]!;
    let vlan: VlanTag | undefined;
    if ((outer === ETH_P.vlan || outer === ETH_P.qinq) && frame.length >= ETH_HLEN + 4) {
      vlan = { proto: outer, tci: (frame[14]! << 8) | frame[15]! };
      const untagged = new Uint8Array(frame.length - 4);
      untagged.set(frame.subarray(0, 12));
      untagged.set(frame.subarray(16), 12);
      frame = untagged;
    }
    this.vlan = vlan;
    this.dev = options.dev;
    this.path = options.path;
    const meta = options.metadata ?? new Uint8Array(0);
    this.region = memory.allocate({ name: `${options.name}:skb`, kind: 'packet', size: HEADROOM + frame.length, align: 64 });
    this.mac = this.region.start + HEADROOM;
    this.network = this.mac + ETH_HLEN;
    this.end = this.mac + frame.length;
    this.data = options.start === 'mac' ? this.mac : this.network;
    memory.writeBytes(this.mac - meta.length, meta);
    memory.writeBytes(this.mac, frame);
    this.csum = options.path === 'ingress' ? onesSum(frame.subarray(ETH_HLEN), 0, true) : undefined;

    this.ctx = memory.allocate({ name: `${options.name}:__sk_buff`, kind: 'ctx', size: SK_BUFF_SIZE });
    const type = (frame[12]! << 8) | frame[13]!;
    const protocol = type >= 0x0600 ? type : frame[14] === 0xff && frame[15] === 0xff ? ETH_P_802_3 : ETH_P_802_2;
    const set = (off: number, v: number): void => memory.view().setUint32(this.ctx.start + off, v >>> 0, true);
    const swap16 = (v: number): number => ((v & 0xff) << 8) | (v >> 8);
    set(SK_BUFF.len, this.end - this.data);
    set(SK_BUFF.pkt_type, options.pktType ?? (options.path === 'ingress' ? pktTypeOf(frame, options.dev) : PACKET_TYPE.HOST));
    set(SK_BUFF.queue_mapping, options.path === 'ingress' ? options.queue + 1 : options.queue);
    set(SK_BUFF.protocol, swap16(protocol));
    set(SK_BUFF.vlan_present, vlan === undefined ? 0 : 1);
    set(SK_BUFF.vlan_tci, vlan?.tci ?? 0);
    set(SK_BUFF.vlan_proto, vlan === undefined ? 0 : swap16(vlan.proto));
    set(SK_BUFF.ingress_ifindex, options.path === 'ingress' ? options.dev.ifindex : 0);
    set(SK_BUFF.ifindex, options.dev.ifindex);
    set(SK_BUFF.data, this.data);
    set(SK_BUFF.data_end, this.end);
    set(SK_BUFF.data_meta, this.mac - meta.length);
    set(SK_BUFF.wire_len, options.frame.length);
  }

  /** `skb->len`: bytes from `data` to the end. */
  get len(): number {
    return this.end - this.data;
  }

  /** Where legacy `ld_abs`/`ld_ind` loads read: from `data`, `len` bytes. */
  get packetRef(): { readonly start: number; readonly size: number } {
    return { start: this.data, size: this.len };
  }

  /** Reads a u32 field of the `__sk_buff`. */
  field(offset: number): number {
    return this.memory.view().getUint32(this.ctx.start + offset, true);
  }

  /** Sets a u32 field of the `__sk_buff` (what helpers that change the skb do). */
  setField(offset: number, value: number): void {
    this.memory.view().setUint32(this.ctx.start + offset, value >>> 0, true);
  }

  /** The fields a program may have written. */
  fields(): SkbFields {
    const v = this.memory.view();
    return {
      mark: this.field(SK_BUFF.mark),
      priority: this.field(SK_BUFF.priority),
      tc_index: this.field(SK_BUFF.tc_index) & 0xffff,
      tc_classid: this.field(SK_BUFF.tc_classid),
      queue_mapping: this.field(SK_BUFF.queue_mapping) & 0xffff,
      hash: this.field(SK_BUFF.hash),
      cb: [0, 1, 2, 3, 4].map((i) => this.field(SK_BUFF.cb + 4 * i)),
      tstamp: v.getBigUint64(this.ctx.start + SK_BUFF.tstamp, true).toString(),
    };
  }

  /** The metadata in front of the MAC header, as `data_meta` now says. */
  metadata(): Uint8Array {
    const meta = this.field(SK_BUFF.data_meta);
    return this.memory.readBytes(meta, Math.max(0, this.mac - meta));
  }

  /** The frame now, as it would go on the wire: from the MAC header, the VLAN tag put back. */
  frame(): Uint8Array {
    const body = this.memory.readBytes(this.mac, this.end - this.mac);
    if (this.vlan === undefined) return body;
    const out = new Uint8Array(body.length + 4);
    out.set(body.subarray(0, 12));
    out.set([this.vlan.proto >> 8, this.vlan.proto & 0xff, this.vlan.tci >> 8, this.vlan.tci & 0xff], 12);
    out.set(body.subarray(12), 16);
    return out;
  }

  /**
   * Whether `skb->csum` still matches the packet (`CHECKSUM_COMPLETE`);
   * undefined when the skb carries no complete checksum.
   */
  csumValid(): boolean | undefined {
    if (this.csum === undefined) return undefined;
    const now = onesSum(this.memory.readBytes(this.network, this.end - this.network), 0, true);
    const fold = (x: number): number => {
      let s = x >>> 0;
      while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
      // ones' complement has two zeros
      return s === 0xffff ? 0 : s;
    };
    return fold(now) === fold(this.csum);
  }

  /** Unmaps the skb and its context. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.memory.free(this.ctx);
    this.memory.free(this.region);
  }
}
