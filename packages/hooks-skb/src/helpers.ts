/**
 * The helpers socket filters and tc programs add to the kernel's base set,
 * with Linux's checks and return values:
 *
 * | helper | programs | what it does |
 * | --- | --- | --- |
 * | `bpf_skb_load_bytes(skb, off, to, len)` | both | copies from `data + off`; -EFAULT (and a zeroed buffer) past the end or for off > 0xffff |
 * | `bpf_skb_load_bytes_relative(skb, off, to, len, hdr)` | both | from the MAC (0) or network (1) header |
 * | `bpf_skb_store_bytes(skb, off, from, len, flags)` | tc | writes at `data + off`; `BPF_F_RECOMPUTE_CSUM` keeps `skb->csum` right, `BPF_F_INVALIDATE_HASH` clears the hash |
 * | `bpf_l3_csum_replace`, `bpf_l4_csum_replace` | tc | incremental checksum updates (2 or 4 bytes, or a diff; pseudo-header and mangled-zero flags) |
 * | `bpf_csum_diff`, `bpf_csum_update` | tc | checksum differences; adding one to `skb->csum` |
 * | `bpf_skb_pull_data(skb, len)` | tc | makes `len` bytes directly accessible (all are, here); -ENOMEM past the end |
 * | `bpf_redirect(ifindex, flags)` | tc | remembers the target, returns TC_ACT_REDIRECT; flags other than BPF_F_INGRESS give TC_ACT_SHOT |
 * | `bpf_fib_lookup` | tc | the routing table; without `tot_len`, the skb's length against the output MTU |
 */
import { bpfFibLookup, csumAdd, csumDiffHelper, foldSum, netStack, onesSum, requireDevice } from '@bpflab/hooks-xdp';
import { CSUM_FLAG, ERRNO, FIB_LKUP_RET, HELPER, REDIRECT_FLAG, TC_ACT } from '@bpflab/uapi';
import { defineFastHelper, type Helper, type HelperContext } from '@bpflab/vm';
import { SK_BUFF, type SkBuff } from './sk-buff';
import type { SkbState } from './state';

/** `CSUM_MANGLED_0`: a UDP checksum of 0 written as 0xffff. */
const CSUM_MANGLED_0 = 0xffff;
const INT_MAX = 0x7fffffff;
/** `BPF_HDR_START_MAC`, `BPF_HDR_START_NET`. */
const HDR_START_NET = 1;

/** `csum_sub`: 32-bit ones'-complement subtraction. */
function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** `csum_fold`: 32 to 16 bits, complemented. */
function csumFold(x: number): number {
  return ~foldSum(x >>> 0) & 0xffff;
}

/** The sum of bytes that start at an odd or even offset (`csum_block_add`'s rotation), as a 16-bit value. */
function blockSum(bytes: Uint8Array, offset: number): number {
  const s = onesSum(bytes, 0, true);
  return (offset & 1) === 0 ? s : ((s & 0xff) << 8) | (s >> 8);
}

/** Copies `len` bytes into a helper's buffer, or zeroes it (the helpers' error path). */
function fill(c: HelperContext, to: bigint, len: number, bytes: Uint8Array | undefined): void {
  if (len === 0) return;
  c.memory.writeBytes(to, bytes ?? new Uint8Array(len));
}

/** The helpers every skb program type gets: loading bytes. */
function loadHelpers(state: SkbState): Map<number, Helper> {
  const out = new Map<number, Helper>();
  out.set(
    HELPER.skb_load_bytes,
    defineFastHelper('bpf_skb_load_bytes', (c) => {
      const skb = state.skb(c.argNumber(1), 'bpf_skb_load_bytes');
      const offset = c.argLo(2);
      const len = c.argLo(4);
      if (offset > 0xffff || offset + len > skb.len) {
        fill(c, c.arg(3), len, undefined);
        return -ERRNO.EFAULT;
      }
      fill(c, c.arg(3), len, c.memory.readBytes(skb.data + offset, len));
      return 0;
    }),
  );
  out.set(
    HELPER.skb_load_bytes_relative,
    defineFastHelper('bpf_skb_load_bytes_relative', (c) => {
      const skb = state.skb(c.argNumber(1), 'bpf_skb_load_bytes_relative');
      const offset = c.argLo(2);
      const len = c.argLo(4);
      const start = c.argLo(5);
      const ptr = (start === HDR_START_NET ? skb.network : skb.mac) + offset;
      if (offset > INT_MAX || c.argHi(5) !== 0 || start > HDR_START_NET || ptr < skb.mac || ptr + len > skb.end) {
        fill(c, c.arg(3), len, undefined);
        return -ERRNO.EFAULT;
      }
      fill(c, c.arg(3), len, c.memory.readBytes(ptr, len));
      return 0;
    }),
  );
  return out;
}

/** The helpers of socket filters (`sk_filter_func_proto`, what bpflab models of it). */
export function socketFilterHelpers(state: SkbState): ReadonlyMap<number, Helper> {
  return loadHelpers(state);
}

/** Where a checksum field lies, checked as the csum helpers check it; an errno when it may not be touched. */
function csumField(c: HelperContext, skb: SkBuff): number {
  const offset = c.argLo(2);
  if (c.argHi(2) !== 0 || offset > 0xffff || (offset & 1) !== 0) return -ERRNO.EFAULT;
  if (offset + 2 > skb.len) return -ERRNO.EFAULT;
  return skb.data + offset;
}

/** The helpers of tc programs (`tc_cls_act_func_proto`, what bpflab models of it). */
export function tcHelpers(state: SkbState): ReadonlyMap<number, Helper> {
  const out = loadHelpers(state);
  const skbOf = (c: HelperContext, name: string): SkBuff => state.skb(c.argNumber(1), name);

  out.set(
    HELPER.skb_store_bytes,
    defineFastHelper('bpf_skb_store_bytes', (c) => {
      const skb = skbOf(c, 'bpf_skb_store_bytes');
      const offset = c.argLo(2);
      const len = c.argLo(4);
      const flags = c.argLo(5);
      if (c.argHi(5) !== 0 || (flags & ~(CSUM_FLAG.RECOMPUTE_CSUM | CSUM_FLAG.INVALIDATE_HASH)) !== 0) return -ERRNO.EINVAL;
      if (c.argHi(2) !== 0 || offset > INT_MAX || offset + len > skb.len) return -ERRNO.EFAULT;
      if (len === 0) return 0;
      const at = skb.data + offset;
      const bytes = c.memory.readBytes(c.arg(3), len);
      const recompute = (flags & CSUM_FLAG.RECOMPUTE_CSUM) !== 0 && skb.csum !== undefined;
      if (recompute) skb.csum = csumSub(skb.csum!, blockSum(c.memory.readBytes(at, len), offset));
      c.memory.writeBytes(at, bytes);
      if (recompute) skb.csum = csumAdd(skb.csum!, blockSum(bytes, offset));
      if ((flags & CSUM_FLAG.INVALIDATE_HASH) !== 0) skb.setField(SK_BUFF.hash, 0);
      return 0;
    }),
  );

  out.set(
    HELPER.l3_csum_replace,
    defineFastHelper('bpf_l3_csum_replace', (c) => {
      const skb = skbOf(c, 'bpf_l3_csum_replace');
      const flags = c.argLo(5);
      if (c.argHi(5) !== 0 || (flags & ~CSUM_FLAG.HDR_FIELD_MASK) !== 0) return -ERRNO.EINVAL;
      const at = csumField(c, skb);
      if (at < 0) return at;
      const sum = c.memory.view().getUint16(at, true);
      let next: number;
      switch (flags & CSUM_FLAG.HDR_FIELD_MASK) {
        case 0:
          if (c.argLo(3) !== 0 || c.argHi(3) !== 0) return -ERRNO.EINVAL;
          // csum_replace_by_diff
          next = csumFold(csumAdd(c.argLo(4), ~sum >>> 0));
          break;
        case 2: {
          // csum_replace2: 16-bit ones' complement arithmetic
          const add16 = (a: number, b: number): number => {
            const r = (a + b) & 0xffff;
            return (r + (r < b ? 1 : 0)) & 0xffff;
          };
          next = ~add16(add16(~sum & 0xffff, ~c.argLo(3) & 0xffff), c.argLo(4) & 0xffff) & 0xffff;
          break;
        }
        case 4:
          // csum_replace4
          next = csumFold(csumAdd(csumSub(~sum >>> 0, c.argLo(3)), c.argLo(4)));
          break;
        default:
          return -ERRNO.EINVAL;
      }
      c.memory.view().setUint16(at, next, true);
      return 0;
    }),
  );

  out.set(
    HELPER.l4_csum_replace,
    defineFastHelper('bpf_l4_csum_replace', (c) => {
      const skb = skbOf(c, 'bpf_l4_csum_replace');
      const flags = c.argLo(5);
      const allowed = CSUM_FLAG.MARK_MANGLED_0 | CSUM_FLAG.MARK_ENFORCE | CSUM_FLAG.PSEUDO_HDR | CSUM_FLAG.HDR_FIELD_MASK | CSUM_FLAG.IPV6;
      if (c.argHi(5) !== 0 || (flags & ~allowed) !== 0) return -ERRNO.EINVAL;
      const at = csumField(c, skb);
      if (at < 0) return at;
      const pseudo = (flags & CSUM_FLAG.PSEUDO_HDR) !== 0;
      const mangled0 = (flags & CSUM_FLAG.MARK_MANGLED_0) !== 0;
      const view = c.memory.view();
      const sum = view.getUint16(at, true);
      if (mangled0 && (flags & CSUM_FLAG.MARK_ENFORCE) === 0 && sum === 0) return 0;
      let next: number;
      switch (flags & CSUM_FLAG.HDR_FIELD_MASK) {
        case 0: {
          if (c.argLo(3) !== 0 || c.argHi(3) !== 0) return -ERRNO.EINVAL;
          // inet_proto_csum_replace_by_diff
          const diff = c.argLo(4);
          next = csumFold(csumAdd(diff, ~sum >>> 0));
          if (skb.csum !== undefined && pseudo && (flags & CSUM_FLAG.IPV6) === 0) skb.csum = ~csumSub(diff, skb.csum) >>> 0;
          break;
        }
        case 2:
        case 4: {
          // inet_proto_csum_replace2/4: the checksum moves by to - from; a pseudo-header
          // field's change moves skb->csum the other way (the field itself is not in the packet's sum)
          const width = flags & CSUM_FLAG.HDR_FIELD_MASK;
          const from = width === 2 ? c.argLo(3) & 0xffff : c.argLo(3);
          const to = width === 2 ? c.argLo(4) & 0xffff : c.argLo(4);
          next = csumFold(csumAdd(csumAdd(~sum >>> 0, ~from >>> 0), to));
          if (skb.csum !== undefined && pseudo) skb.csum = ~csumAdd(csumAdd(~skb.csum >>> 0, ~from >>> 0), to) >>> 0;
          break;
        }
        default:
          return -ERRNO.EINVAL;
      }
      view.setUint16(at, mangled0 && next === 0 ? CSUM_MANGLED_0 : next, true);
      return 0;
    }),
  );

  out.set(HELPER.csum_diff, csumDiffHelper);

  out.set(
    HELPER.csum_update,
    defineFastHelper('bpf_csum_update', (c) => {
      const skb = skbOf(c, 'bpf_csum_update');
      if (skb.csum === undefined) return -ERRNO.ENOTSUPP;
      skb.csum = csumAdd(skb.csum, c.argLo(2));
      return skb.csum;
    }),
  );

  out.set(
    HELPER.skb_pull_data,
    defineFastHelper('bpf_skb_pull_data', (c) => {
      const skb = skbOf(c, 'bpf_skb_pull_data');
      const len = c.argLo(2);
      return c.argHi(2) === 0 && len <= skb.len ? 0 : -ERRNO.ENOMEM;
    }),
  );

  out.set(
    HELPER.redirect,
    defineFastHelper('bpf_redirect', (c) => {
      const flags = c.argLo(2);
      if (c.argHi(2) !== 0 || (flags & ~REDIRECT_FLAG.INGRESS) !== 0) return TC_ACT.SHOT;
      state.redirect = { ifindex: c.argLo(1), ingress: (flags & REDIRECT_FLAG.INGRESS) !== 0 };
      return TC_ACT.REDIRECT;
    }),
  );

  out.set(
    HELPER.fib_lookup,
    defineFastHelper('bpf_fib_lookup', (c) => {
      const skb = skbOf(c, 'bpf_fib_lookup');
      const params = c.argNumber(2);
      const network = netStack(state.kernel).network;
      // tc checks the MTU against tot_len only when the program gives one
      const totLen = c.memory.readU16(params + 6);
      const rc = bpfFibLookup(c.memory, network, params, c.argLo(3) | 0, c.argLo(4), totLen !== 0);
      if (rc === FIB_LKUP_RET.SUCCESS && totLen === 0) {
        const dev = requireDevice(network, c.memory.readU32(params + 8));
        c.memory.writeBytes(params + 6, Uint8Array.of(dev.mtu & 0xff, dev.mtu >> 8));
        // is_skb_forwardable: the MTU plus the link-layer header and a VLAN tag
        if (skb.len > dev.mtu + 14 + 4) return FIB_LKUP_RET.FRAG_NEEDED;
      }
      return rc;
    }),
  );
  return out;
}
