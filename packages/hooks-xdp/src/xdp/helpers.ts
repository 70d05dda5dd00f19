/**
 * The helpers XDP adds to the kernel's base set, with Linux's checks and
 * return values:
 *
 * | helper | what it does |
 * | --- | --- |
 * | `bpf_xdp_adjust_head(ctx, delta)` | moves `data` (negative: prepend into the headroom); -EINVAL past the `xdp_frame` or leaving less than 14 bytes |
 * | `bpf_xdp_adjust_meta(ctx, delta)` | moves `data_meta`; -EINVAL outside [xdp_frame end, data], -EACCES for a length not a multiple of 4 or above 255 |
 * | `bpf_xdp_adjust_tail(ctx, delta)` | moves `data_end` (grown bytes are zeroed); -EINVAL past the tailroom or below 14 bytes |
 * | `bpf_redirect(ifindex, flags)` | remembers the target and returns XDP_REDIRECT; flags must be 0 (else XDP_ABORTED) |
 * | `bpf_redirect_map(map, key, flags)` | through a devmap/devmap_hash: remembers the entry's ifindex and returns XDP_REDIRECT; for an empty slot or missing key returns the fallback action `flags & 3`; other flag bits give XDP_ABORTED; BPF_F_BROADCAST (with or without BPF_F_EXCLUDE_INGRESS) is not modelled (XDP_ABORTED and a warning) |
 * | `bpf_xdp_get_buff_len`, `bpf_xdp_load_bytes`, `bpf_xdp_store_bytes` | the frame's length, copies out of and into it |
 * | `bpf_csum_diff` | checksum differences |
 * | `bpf_fib_lookup` | the simulated routing and neighbour tables |
 */
import type { HelperEnv } from '@bpflab/kernel';
import { ERRNO, HELPER, REDIRECT_FLAG, XDP_ACTION } from '@bpflab/uapi';
import { defineFastHelper, type Helper, type HelperContext } from '@bpflab/vm';
import { csumDiffHelper } from '../helpers/csum';
import { bpfFibLookup } from '../helpers/fib';
import { XdpError } from '../errors';
import { ETH_HLEN } from '../packet/constants';
import { XDP_FRAME_OVERHEAD } from './buff';
import type { XdpState } from './state';

/** The largest metadata (`xdp_metalen_invalid`: the u8 `skb_shared_info.meta_len`). */
export const XDP_META_MAX = 255;

/** The fallback actions `bpf_redirect_map` takes in its flags' low bits (XDP_ABORTED..XDP_TX). */
const REDIRECT_ACTION_MASK = 3;
/** The multicast flags `bpf_redirect_map` takes for a devmap (BPF_F_BROADCAST is not modelled). */
const BROADCAST_FLAGS = REDIRECT_FLAG.BROADCAST | REDIRECT_FLAG.EXCLUDE_INGRESS;

/** The XDP helpers by id, over the XDP state of a kernel (`env` is the kernel as helpers see it). */
export function xdpHelpers(state: XdpState, env: HelperEnv): ReadonlyMap<number, Helper> {
  const rt = state;
  const buffer = (ctx: number, name: string) => rt.buffer(ctx, name);
  const out = new Map<number, Helper>();

  out.set(
    HELPER.xdp_adjust_head,
    defineFastHelper('bpf_xdp_adjust_head', (c) => {
      const b = buffer(c.argNumber(1), 'bpf_xdp_adjust_head');
      const offset = c.argLo(2) | 0;
      const metalen = b.data - b.dataMeta;
      const data = b.data + offset;
      if (data < b.hardStart + XDP_FRAME_OVERHEAD + metalen || data > b.dataEnd - ETH_HLEN) return -ERRNO.EINVAL;
      if (metalen > 0) c.memory.writeBytes(b.dataMeta + offset, c.memory.readBytes(b.dataMeta, metalen));
      b.setBounds({ data, dataMeta: b.dataMeta + offset });
      return 0;
    }),
  );

  out.set(
    HELPER.xdp_adjust_meta,
    defineFastHelper('bpf_xdp_adjust_meta', (c) => {
      const b = buffer(c.argNumber(1), 'bpf_xdp_adjust_meta');
      const meta = b.dataMeta + (c.argLo(2) | 0);
      const metalen = b.data - meta;
      if (meta < b.hardStart + XDP_FRAME_OVERHEAD || meta > b.data) return -ERRNO.EINVAL;
      if (metalen % 4 !== 0 || metalen > XDP_META_MAX) return -ERRNO.EACCES;
      b.setBounds({ dataMeta: meta });
      return 0;
    }),
  );

  out.set(
    HELPER.xdp_adjust_tail,
    defineFastHelper('bpf_xdp_adjust_tail', (c) => {
      const b = buffer(c.argNumber(1), 'bpf_xdp_adjust_tail');
      const offset = c.argLo(2) | 0;
      const end = b.dataEnd + offset;
      if (end > b.hardEnd || end < b.data + ETH_HLEN) return -ERRNO.EINVAL;
      if (offset > 0) c.memory.writeBytes(b.dataEnd, new Uint8Array(offset));
      b.setBounds({ dataEnd: end });
      return 0;
    }),
  );

  out.set(
    HELPER.redirect,
    defineFastHelper('bpf_redirect', (c) => {
      // NB: Linux takes `u64 flags`; any bit set aborts
      if (c.argLo(2) !== 0 || c.argHi(2) !== 0) return XDP_ACTION.ABORTED;
      rt.setRedirect(env.frame().cpu, { ifindex: c.argLo(1) });
      return XDP_ACTION.REDIRECT;
    }),
  );

  out.set(
    HELPER.redirect_map,
    defineFastHelper('bpf_redirect_map', (c) => {
      // dev_map_redirect -> __bpf_xdp_redirect_map (include/linux/filter.h)
      const m = env.maps.at(c.arg(1));
      if (m === undefined || (m.kind !== 'devmap' && m.kind !== 'devmap_hash')) {
        throw new XdpError('bad-call', `bpf_redirect_map: r1 = 0x${c.arg(1).toString(16)} is not a devmap (the verifier only lets a devmap or devmap_hash through)`);
      }
      const flags = c.arg(3);
      if ((flags & ~BigInt(REDIRECT_ACTION_MASK | BROADCAST_FLAGS)) !== 0n) return XDP_ACTION.ABORTED;
      const cpu = env.frame().cpu;
      // BPF_F_EXCLUDE_INGRESS without BPF_F_BROADCAST changes nothing, as in Linux
      if ((flags & BigInt(REDIRECT_FLAG.BROADCAST)) !== 0n) {
        rt.warn(cpu, `bpf_redirect_map: BPF_F_BROADCAST (sending to every device of ${m.kind} ${m.name}) is not modelled by bpflab: the helper returned XDP_ABORTED`);
        return XDP_ACTION.ABORTED;
      }
      const ifindex = m.redirectTarget(c.arg(2));
      if (ifindex === undefined) return Number(flags) & REDIRECT_ACTION_MASK;
      rt.setRedirect(cpu, { ifindex, mapId: m.id });
      return XDP_ACTION.REDIRECT;
    }),
  );

  out.set(
    HELPER.xdp_get_buff_len,
    defineFastHelper('bpf_xdp_get_buff_len', (c) => {
      const b = buffer(c.argNumber(1), 'bpf_xdp_get_buff_len');
      return b.dataEnd - b.data;
    }),
  );

  const pointer = (c: HelperContext, name: string): number => {
    const b = buffer(c.argNumber(1), name);
    const offset = c.argLo(2);
    const len = c.argLo(4);
    if (offset > 0xffff || len > 0xffff) return -ERRNO.EFAULT;
    if (offset + len > b.dataEnd - b.data) return -ERRNO.EINVAL;
    return b.data + offset;
  };
  out.set(
    HELPER.xdp_load_bytes,
    defineFastHelper('bpf_xdp_load_bytes', (c) => {
      const p = pointer(c, 'bpf_xdp_load_bytes');
      if (p < 0) return p;
      const len = c.argLo(4);
      if (len > 0) c.memory.writeBytes(c.arg(3), c.memory.readBytes(p, len));
      return 0;
    }),
  );
  out.set(
    HELPER.xdp_store_bytes,
    defineFastHelper('bpf_xdp_store_bytes', (c) => {
      const p = pointer(c, 'bpf_xdp_store_bytes');
      if (p < 0) return p;
      const len = c.argLo(4);
      if (len > 0) c.memory.writeBytes(p, c.memory.readBytes(c.arg(3), len));
      return 0;
    }),
  );

  out.set(HELPER.csum_diff, csumDiffHelper);

  out.set(
    HELPER.fib_lookup,
    defineFastHelper('bpf_fib_lookup', (c) => {
      buffer(c.argNumber(1), 'bpf_fib_lookup');
      return bpfFibLookup(c.memory, rt.network, c.argNumber(2), c.argLo(3) | 0, c.argLo(4), true);
    }),
  );
  return out;
}
