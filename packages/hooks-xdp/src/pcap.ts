/**
 * Classic pcap files (the format of `tcpdump -w`, libpcap's
 * `pcap_dump`), read and written. Written files are little-endian with
 * microsecond timestamps and `LINKTYPE_ETHERNET`, which every tool reads;
 * reading accepts either byte order and nanosecond files too. pcapng is
 * refused with a hint (`editcap -F pcap`).
 *
 * ```
 * global header, 24 bytes                 record header, 16 bytes, then incl_len bytes
 * +0  magic      a1b2c3d4 (µs) a1b23c4d (ns)  +0  ts_sec
 * +4  version    2.4                          +4  ts_usec (ts_nsec)
 * +8  thiszone   0                            +8  incl_len  (bytes saved)
 * +12 sigfigs    0                            +12 orig_len  (bytes on the wire)
 * +16 snaplen
 * +20 linktype   1 = Ethernet
 * ```
 */
import { XdpError } from './errors';

/** `LINKTYPE_ETHERNET`: frames start with the Ethernet header. */
export const LINKTYPE_ETHERNET = 1;
/** The snapshot length written by default (what tcpdump uses). */
export const PCAP_DEFAULT_SNAPLEN = 262144;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const MAGIC_PCAPNG = 0x0a0d0d0a;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

/** One captured packet. */
export interface PcapPacket {
  /** capture time, ns since the epoch (microsecond files give multiples of 1000) */
  readonly timestampNs: bigint;
  /** the bytes saved (at most the snapshot length) */
  readonly data: Uint8Array;
  /** the packet's length on the wire (at least `data.length`) */
  readonly originalLength: number;
}

/** A decoded pcap file. */
export interface PcapFile {
  /** `LINKTYPE_*` (1 for Ethernet) */
  readonly linktype: number;
  readonly snaplen: number;
  /** timestamp resolution of the file */
  readonly precision: 'micro' | 'nano';
  /** the byte order the file was written in */
  readonly byteOrder: 'little' | 'big';
  readonly packets: readonly PcapPacket[];
}

/** A packet to write: its bytes and, optionally, its time (default 0) and wire length (default its length). */
export interface PcapPacketInput {
  readonly data: Uint8Array;
  readonly timestampNs?: bigint;
  readonly originalLength?: number;
}

/** How `writePcap` writes. */
export interface WritePcapOptions {
  /** the snapshot length: longer packets are cut to it; default 262144 */
  readonly snaplen?: number;
  /** `LINKTYPE_*`; default Ethernet */
  readonly linktype?: number;
}

/** The defaults of `WritePcapOptions`. */
export const DEFAULT_WRITE_PCAP_OPTIONS: Required<WritePcapOptions> = Object.freeze({ snaplen: PCAP_DEFAULT_SNAPLEN, linktype: LINKTYPE_ETHERNET });

/* ------------------------------------------------------ raw layer (private) */

interface RawGlobalHeader {
  readonly magic: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly thiszone: number;
  readonly sigfigs: number;
  readonly snaplen: number;
  readonly network: number;
}

interface RawRecordHeader {
  readonly tsSec: number;
  readonly tsFrac: number;
  readonly inclLen: number;
  readonly origLen: number;
}

function decodeGlobalHeader(v: DataView, le: boolean): RawGlobalHeader {
  return {
    magic: v.getUint32(0, le),
    versionMajor: v.getUint16(4, le),
    versionMinor: v.getUint16(6, le),
    thiszone: v.getInt32(8, le),
    sigfigs: v.getUint32(12, le),
    snaplen: v.getUint32(16, le),
    network: v.getUint32(20, le),
  };
}

function encodeGlobalHeader(v: DataView, h: RawGlobalHeader): void {
  v.setUint32(0, h.magic, true);
  v.setUint16(4, h.versionMajor, true);
  v.setUint16(6, h.versionMinor, true);
  v.setInt32(8, h.thiszone, true);
  v.setUint32(12, h.sigfigs, true);
  v.setUint32(16, h.snaplen, true);
  v.setUint32(20, h.network, true);
}

function decodeRecordHeader(v: DataView, at: number, le: boolean): RawRecordHeader {
  return { tsSec: v.getUint32(at, le), tsFrac: v.getUint32(at + 4, le), inclLen: v.getUint32(at + 8, le), origLen: v.getUint32(at + 12, le) };
}

function encodeRecordHeader(v: DataView, at: number, h: RawRecordHeader): void {
  v.setUint32(at, h.tsSec, true);
  v.setUint32(at + 4, h.tsFrac, true);
  v.setUint32(at + 8, h.inclLen, true);
  v.setUint32(at + 12, h.origLen, true);
}

/* ------------------------------------------------------------ public model */

function bad(message: string, offset: number): never {
  throw new XdpError('bad-pcap', message, { offset });
}

/**
 * Reads a classic pcap file.
 *
 * @throws {@link XdpError} `bad-pcap` with the byte offset of what is wrong
 */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < GLOBAL_HEADER) bad(`not a pcap file: ${bytes.length} bytes, shorter than the 24-byte file header`, 0);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = v.getUint32(0, true);
  const magicBe = v.getUint32(0, false);
  if (magicLe === MAGIC_PCAPNG) bad('this is a pcapng file; bpflab reads classic pcap (convert it: editcap -F pcap in.pcapng out.pcap)', 0);
  const le = magicLe === MAGIC_MICRO || magicLe === MAGIC_NANO;
  if (!le && magicBe !== MAGIC_MICRO && magicBe !== MAGIC_NANO) {
    bad(`not a pcap file: magic 0x${magicBe.toString(16).padStart(8, '0')} (want a1b2c3d4 or a1b23c4d)`, 0);
  }
  const h = decodeGlobalHeader(v, le);
  const nano = h.magic === MAGIC_NANO;
  if (h.versionMajor !== 2) bad(`pcap version ${h.versionMajor}.${h.versionMinor} is not 2.x`, 4);
  const linktype = h.network & 0xffff;
  const packets: PcapPacket[] = [];
  const limit = Math.max(h.snaplen, PCAP_DEFAULT_SNAPLEN);
  for (let at = GLOBAL_HEADER; at < bytes.length; ) {
    const n = packets.length + 1;
    if (bytes.length - at < RECORD_HEADER) bad(`packet ${n}: the record header at offset ${at} is cut short (${bytes.length - at} of 16 bytes)`, at);
    const r = decodeRecordHeader(v, at, le);
    if (r.inclLen > limit) bad(`packet ${n}: incl_len ${r.inclLen} at offset ${at + 8} exceeds the snapshot length ${h.snaplen}`, at + 8);
    if (nano ? r.tsFrac >= 1e9 : r.tsFrac >= 1e6) bad(`packet ${n}: ${nano ? 'ts_nsec' : 'ts_usec'} ${r.tsFrac} at offset ${at + 4} is not below one second`, at + 4);
    const start = at + RECORD_HEADER;
    if (bytes.length - start < r.inclLen) bad(`packet ${n}: ${r.inclLen} bytes announced at offset ${start}, only ${bytes.length - start} left in the file`, start);
    packets.push({
      timestampNs: BigInt(r.tsSec) * 1_000_000_000n + BigInt(r.tsFrac) * (nano ? 1n : 1000n),
      data: bytes.slice(start, start + r.inclLen),
      originalLength: Math.max(r.origLen, r.inclLen),
    });
    at = start + r.inclLen;
  }
  return { linktype, snaplen: h.snaplen, precision: nano ? 'nano' : 'micro', byteOrder: le ? 'little' : 'big', packets };
}

/**
 * Writes packets as a classic pcap file: little-endian, microsecond
 * timestamps (nanoseconds are truncated), packets cut to the snapshot length.
 */
export function writePcap(packets: readonly PcapPacketInput[], options: WritePcapOptions = {}): Uint8Array {
  const o = { ...DEFAULT_WRITE_PCAP_OPTIONS, ...options };
  if (!Number.isInteger(o.snaplen) || o.snaplen < 1 || o.snaplen > 0x7fffffff) throw new XdpError('bad-call', `snaplen must be a positive integer, is ${o.snaplen}`);
  const saved = packets.map((p) => Math.min(p.data.length, o.snaplen));
  const out = new Uint8Array(GLOBAL_HEADER + saved.reduce((a, n) => a + RECORD_HEADER + n, 0));
  const v = new DataView(out.buffer);
  encodeGlobalHeader(v, { magic: MAGIC_MICRO, versionMajor: 2, versionMinor: 4, thiszone: 0, sigfigs: 0, snaplen: o.snaplen, network: o.linktype });
  let at = GLOBAL_HEADER;
  packets.forEach((p, i) => {
    const ts = p.timestampNs ?? 0n;
    if (ts < 0n || ts >= 2n ** 32n * 1_000_000_000n) throw new XdpError('bad-call', `packet ${i + 1}: timestamp ${ts} ns does not fit a pcap record`);
    const orig = p.originalLength ?? p.data.length;
    if (!Number.isInteger(orig) || orig < p.data.length || orig > 0xffffffff) {
      throw new XdpError('bad-call', `packet ${i + 1}: original length ${orig} is below its ${p.data.length} bytes`);
    }
    const n = saved[i]!;
    encodeRecordHeader(v, at, { tsSec: Number(ts / 1_000_000_000n), tsFrac: Number((ts % 1_000_000_000n) / 1000n), inclLen: n, origLen: orig });
    out.set(p.data.subarray(0, n), at + RECORD_HEADER);
    at += RECORD_HEADER + n;
  });
  return out;
}
