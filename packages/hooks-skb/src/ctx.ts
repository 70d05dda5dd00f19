/**
 * `struct __sk_buff` as the verifier sees it for socket filters
 * (`sk_filter_is_valid_access`) and tc programs
 * (`tc_cls_act_is_valid_access`): which fields are readable (scalars at
 * narrower sizes too), which writable, which give packet pointers.
 * Socket filters get no direct packet access (`data`, `data_end`,
 * `data_meta` are refused): they read the packet with
 * `bpf_skb_load_bytes` or legacy `ld_abs`/`ld_ind`.
 */
import { ctxLayout, type CtxFieldShorthand, type CtxLayout } from '@bpflab/kernel';
import { SK_BUFF_SIZE } from './sk-buff';

const RW: Partial<{ write: readonly (1 | 2 | 4 | 8)[] }> = { write: [4] };

/** The scalar u32 fields both program types read, by offset. */
function scalars(writable: readonly string[]): Record<string, CtxFieldShorthand> {
  const u32 = (off: number, name: string): CtxFieldShorthand => [off, 4, 'scalar', { cType: '__u32', ...(writable.includes(name) ? RW : {}) }];
  const names: readonly (readonly [string, number])[] = [
    ['len', 0],
    ['pkt_type', 4],
    ['mark', 8],
    ['queue_mapping', 12],
    ['protocol', 16],
    ['vlan_present', 20],
    ['vlan_tci', 24],
    ['vlan_proto', 28],
    ['priority', 32],
    ['ingress_ifindex', 36],
    ['ifindex', 40],
    ['tc_index', 44],
    ['hash', 68],
    ['napi_id', 84],
    ['gso_segs', 164],
    ['gso_size', 176],
  ];
  return Object.fromEntries(names.map(([n, off]) => [n, u32(off, n)]));
}

const CB: CtxFieldShorthand = [48, 20, 'scalar', { read: [1, 2, 4, 8], write: [1, 2, 4, 8], cType: '__u32[5]' }];

/** `struct __sk_buff` for `SEC("socket")` programs: scalars and `cb[]` (the only writable field). */
export const SOCKET_FILTER_CTX: CtxLayout = ctxLayout('struct __sk_buff', SK_BUFF_SIZE, {
  ...scalars([]),
  cb: CB,
});

/**
 * `struct __sk_buff` for tc programs: `data`/`data_end`/`data_meta` give
 * packet pointers (direct access, writable); `mark`, `priority`,
 * `tc_index`, `tc_classid`, `queue_mapping`, `cb[]` and `tstamp` may be
 * written.
 */
export const TC_CTX: CtxLayout = ctxLayout('struct __sk_buff', SK_BUFF_SIZE, {
  ...scalars(['mark', 'priority', 'tc_index', 'queue_mapping']),
  cb: CB,
  tc_classid: [72, 4, 'scalar', { cType: '__u32', write: [4] }],
  data: [76, 4, 'pkt', { cType: '__u32' }],
  data_end: [80, 4, 'pkt_end', { cType: '__u32' }],
  data_meta: [140, 4, 'pkt_meta', { cType: '__u32' }],
  tstamp: [152, 8, 'scalar', { read: [8], write: [8], cType: '__u64' }],
  wire_len: [160, 4, 'scalar', { cType: '__u32' }],
});
