/**
 * `bpf_fib_lookup` over `struct bpf_fib_lookup` in the program's memory:
 * the arguments checked as the kernel checks them, the query read from the
 * struct, the answer of the simulated routing table written back into it.
 * XDP and tc share it (tc adds its own MTU check afterwards).
 *
 * ```
 * struct bpf_fib_lookup (64 bytes)
 * +0  family (AF_INET 2, AF_INET6 10)   +1 l4_protocol   +2 sport   +4 dport
 * +6  tot_len in / mtu_result out (u16, host order)      +8 ifindex in/out
 * +12 tos | flowinfo in, rt_metric out   +16 src (4 or 16 bytes)    +32 dst in, next hop out
 * +48 h_vlan_proto, h_vlan_TCI out (0) | tbid in                   +52 smac out | mark in   +58 dmac out
 * ```
 */
import { ERRNO, FIB_LKUP_RET, FIB_LOOKUP_FLAG } from '@bpflab/uapi';
import type { AddressSpace } from '@bpflab/vm';
import { fibLookup, type FibAnswer, type Network } from '../network';

/** `sizeof(struct bpf_fib_lookup)`. */
export const BPF_FIB_LOOKUP_SIZE = 64;
/** `AF_INET` */
export const AF_INET = 2;
/** `AF_INET6` */
export const AF_INET6 = 10;

const FLAG_MASK =
  FIB_LOOKUP_FLAG.DIRECT | FIB_LOOKUP_FLAG.OUTPUT | FIB_LOOKUP_FLAG.SKIP_NEIGH | FIB_LOOKUP_FLAG.TBID | FIB_LOOKUP_FLAG.SRC | FIB_LOOKUP_FLAG.MARK;

/** The helper's return value for an answer. */
function retval(a: FibAnswer): number {
  switch (a.kind) {
    case 'no-device':
      return -ERRNO.ENODEV;
    case 'fwd-disabled':
      return FIB_LKUP_RET.FWD_DISABLED;
    case 'not-fwded':
      return FIB_LKUP_RET.NOT_FWDED;
    case 'blackhole':
      return FIB_LKUP_RET.BLACKHOLE;
    case 'unreachable':
      return FIB_LKUP_RET.UNREACHABLE;
    case 'prohibit':
      return FIB_LKUP_RET.PROHIBIT;
    case 'frag-needed':
      return FIB_LKUP_RET.FRAG_NEEDED;
    case 'no-src-addr':
      return FIB_LKUP_RET.NO_SRC_ADDR;
    case 'no-neigh':
      return FIB_LKUP_RET.NO_NEIGH;
    case 'success':
      return FIB_LKUP_RET.SUCCESS;
  }
}

/**
 * Runs `bpf_fib_lookup(ctx, params, plen, flags)` against `network` and
 * returns r0: a `BPF_FIB_LKUP_RET_*` value or a negative errno
 * (-EINVAL for a short struct or unknown flags, -EAFNOSUPPORT for a family
 * other than AF_INET/AF_INET6, -ENODEV for an unknown ifindex).
 *
 * @param checkMtu compare `tot_len` with the route's MTU and report it in `mtu_result` (XDP: always)
 */
export function bpfFibLookup(memory: AddressSpace, network: Network, params: number, plen: number, flags: number, checkMtu: boolean): number {
  if (plen < BPF_FIB_LOOKUP_SIZE) return -ERRNO.EINVAL;
  if ((flags & ~FLAG_MASK) !== 0) return -ERRNO.EINVAL;
  const p = memory.readBytes(params, BPF_FIB_LOOKUP_SIZE);
  const v = new DataView(p.buffer);
  const familyNum = p[0]!;
  if (familyNum !== AF_INET && familyNum !== AF_INET6) return -ERRNO.EAFNOSUPPORT;
  const family = familyNum === AF_INET ? 'ipv4' : 'ipv6';
  const alen = family === 'ipv4' ? 4 : 16;
  const answer = fibLookup(network, {
    family,
    ifindex: v.getUint32(8, true),
    src: p.slice(16, 16 + alen),
    dst: p.slice(32, 32 + alen),
    totalLength: v.getUint16(6, true),
    output: (flags & FIB_LOOKUP_FLAG.OUTPUT) !== 0,
    skipNeighbor: (flags & FIB_LOOKUP_FLAG.SKIP_NEIGH) !== 0,
    wantSource: (flags & FIB_LOOKUP_FLAG.SRC) !== 0,
    checkMtu,
    ...((flags & FIB_LOOKUP_FLAG.TBID) !== 0 && (flags & FIB_LOOKUP_FLAG.DIRECT) !== 0 ? { table: v.getUint32(48, true) } : {}),
  });
  if (answer.kind === 'frag-needed') v.setUint16(6, answer.mtu, true);
  if (answer.kind === 'no-src-addr' || answer.kind === 'no-neigh' || answer.kind === 'success') {
    const r = answer.route;
    v.setUint32(12, r.metric, true);
    v.setUint32(8, r.ifindex, true);
    if (r.source !== undefined) p.set(r.source, 16);
    if (answer.kind !== 'no-src-addr') p.set(r.nextHop, 32);
  }
  if (answer.kind === 'success') {
    if (answer.smac !== undefined) p.set(answer.smac, 52);
    if (answer.dmac !== undefined) p.set(answer.dmac, 58);
    v.setUint32(48, 0, true);
    if (checkMtu) v.setUint16(6, answer.route.mtu, true);
  }
  memory.writeBytes(params, p);
  return retval(answer);
}
