/**
 * One received frame as XDP holds it (`struct xdp_buff`), laid out in the
 * simulated kernel's memory the way a driver lays out a page:
 *
 * ```
 * hard_start                 data_meta  data                 data_end               hard_end      +4096
 * | xdp_frame | headroom ... | metadata | frame ............ | tailroom ............ | skb_shared_info |
 * |<- 40 ---->|<------------ 256 ------>|                    |<--- grows with adjust_tail --->|<- 320 ->|
 * ```
 *
 * and the `struct xdp_md` the program gets in r1. In Linux, loads of
 * `ctx->data` / `data_end` / `data_meta` are rewritten by the verifier
 * into loads of the `xdp_buff`'s 64-bit pointers. bpflab keeps program
 * addresses below 4 GiB, so the 32-bit `xdp_md` fields hold the packet
 * addresses themselves and `(void *)(long)ctx->data` is a real pointer on
 * the interpreter. Helpers that move the packet's bounds update both.
 */
import type { AddressSpace, Region } from '@bpflab/vm';
import { XdpError } from '../errors';

/** `XDP_PACKET_HEADROOM`: room before the frame for `bpf_xdp_adjust_head` and metadata. */
export const XDP_PACKET_HEADROOM = 256;
/** The buffer of one frame: a page, as drivers without multi-buffer support use. */
export const XDP_FRAME_SIZE = 4096;
/** `SKB_DATA_ALIGN(sizeof(struct skb_shared_info))` on x86-64: tailroom that `bpf_xdp_adjust_tail` may not grow into. */
export const SKB_SHARED_INFO_SIZE = 320;
/** `sizeof(struct xdp_frame)`: kept at the start of the headroom, which `bpf_xdp_adjust_head` may not grow into. */
export const XDP_FRAME_OVERHEAD = 40;
/** The longest frame one buffer holds: 4096 - 256 - 320. */
export const XDP_MAX_FRAME_LEN = XDP_FRAME_SIZE - XDP_PACKET_HEADROOM - SKB_SHARED_INFO_SIZE;
/** `sizeof(struct xdp_md)`. */
export const XDP_MD_SIZE = 24;

/** Offsets of `struct xdp_md`'s fields. */
export const XDP_MD = Object.freeze({
  data: 0,
  data_end: 4,
  data_meta: 8,
  ingress_ifindex: 12,
  rx_queue_index: 16,
  egress_ifindex: 20,
});

/** Where a frame was received. */
export interface XdpBufferOptions {
  /** `ingress_ifindex` */
  readonly ingressIfindex: number;
  /** `rx_queue_index`; default 0 */
  readonly rxQueueIndex?: number;
  /** `egress_ifindex` (devmap programs only); default 0 */
  readonly egressIfindex?: number;
  /** a name for the regions (shown in faults); default `xdp` */
  readonly name?: string;
}

/** A frame in an XDP buffer, with its `xdp_md`. Free it when done. */
export class XdpBuffer {
  /** the page holding headroom, frame and tailroom */
  readonly region: Region;
  /** the `struct xdp_md` */
  readonly ctx: Region;
  /** `data_hard_start` */
  readonly hardStart: number;
  private dataNow: number;
  private dataEndNow: number;
  private dataMetaNow: number;
  private freed = false;

  constructor(
    private readonly memory: AddressSpace,
    frame: Uint8Array,
    options: XdpBufferOptions,
  ) {
    if (frame.length > XDP_MAX_FRAME_LEN) {
      throw new XdpError(
        'bad-call',
        `a frame of ${frame.length} bytes does not fit one XDP buffer: at most ${XDP_MAX_FRAME_LEN} bytes (${XDP_FRAME_SIZE} - ${XDP_PACKET_HEADROOM} headroom - ${SKB_SHARED_INFO_SIZE} tailroom; multi-buffer xdp.frags is not modelled)`,
      );
    }
    const name = options.name ?? 'xdp';
    this.region = memory.allocate({ name: `${name}:packet`, kind: 'packet', size: XDP_FRAME_SIZE, align: 64 });
    this.hardStart = this.region.start;
    this.dataNow = this.hardStart + XDP_PACKET_HEADROOM;
    this.dataEndNow = this.dataNow + frame.length;
    this.dataMetaNow = this.dataNow;
    memory.writeBytes(this.dataNow, frame);
    this.ctx = memory.allocate({ name: `${name}:xdp_md`, kind: 'ctx', size: XDP_MD_SIZE, writable: false });
    const v = memory.view();
    v.setUint32(this.ctx.start + XDP_MD.ingress_ifindex, options.ingressIfindex >>> 0, true);
    v.setUint32(this.ctx.start + XDP_MD.rx_queue_index, (options.rxQueueIndex ?? 0) >>> 0, true);
    v.setUint32(this.ctx.start + XDP_MD.egress_ifindex, (options.egressIfindex ?? 0) >>> 0, true);
    this.sync();
  }

  /** Writes the packet pointers into the `xdp_md` (the program reads them there). */
  private sync(): void {
    const v = this.memory.view();
    v.setUint32(this.ctx.start + XDP_MD.data, this.dataNow, true);
    v.setUint32(this.ctx.start + XDP_MD.data_end, this.dataEndNow, true);
    v.setUint32(this.ctx.start + XDP_MD.data_meta, this.dataMetaNow, true);
  }

  /** `xdp->data` */
  get data(): number {
    return this.dataNow;
  }

  /** `xdp->data_end` */
  get dataEnd(): number {
    return this.dataEndNow;
  }

  /** `xdp->data_meta` */
  get dataMeta(): number {
    return this.dataMetaNow;
  }

  /** The end the tail may grow to (`xdp_data_hard_end`). */
  get hardEnd(): number {
    return this.hardStart + XDP_FRAME_SIZE - SKB_SHARED_INFO_SIZE;
  }

  /** The frame now: the bytes from `data` to `data_end`. */
  frame(): Uint8Array {
    return this.memory.readBytes(this.dataNow, this.dataEndNow - this.dataNow);
  }

  /** The metadata now: the bytes from `data_meta` to `data`. */
  metadata(): Uint8Array {
    return this.memory.readBytes(this.dataMetaNow, this.dataNow - this.dataMetaNow);
  }

  /** Moves the packet's bounds (what the adjust helpers do after their checks). */
  setBounds(bounds: { readonly data?: number; readonly dataEnd?: number; readonly dataMeta?: number }): void {
    this.dataNow = bounds.data ?? this.dataNow;
    this.dataEndNow = bounds.dataEnd ?? this.dataEndNow;
    this.dataMetaNow = bounds.dataMeta ?? this.dataMetaNow;
    this.sync();
  }

  /** Unmaps the buffer and its context. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.memory.free(this.ctx);
    this.memory.free(this.region);
  }
}
