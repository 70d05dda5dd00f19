/**
 * BPF's own types: program contexts (`xdp_md`, `__sk_buff`), structs helpers
 * take (`bpf_sock`, `bpf_fib_lookup`, `bpf_spin_lock`, LPM trie keys), the
 * kernel's `bpf_map`, the iterator contexts, and the UAPI constants
 * libbpf-style programs take from `vmlinux.h` (`BPF_MAP_TYPE_*`, `BPF_ANY`,
 * `XDP_*`, `BPF_F_*`), with @bpflab/uapi's values.
 */
import {
  ADJ_ROOM_FLAGS,
  ADJ_ROOM_MODES,
  CSUM_FLAGS,
  FIB_LKUP_RETS,
  FIB_LOOKUP_FLAGS,
  LOCAL_STORAGE_FLAGS,
  MAP_FLAGS,
  MAP_TYPES,
  PERF_EVENT_FLAGS,
  REDIRECT_FLAGS,
  RINGBUF_FLAGS,
  RINGBUF_QUERIES,
  STACK_FLAGS,
  TIMER_FLAGS,
  UPDATE_FLAGS,
  XDP_ACTIONS,
  type UapiEnum,
} from '@bpflab/uapi';
import { anonStruct, anonUnion, enumeration, fwd, struct, type EnumDef, type KernelTypeDef, type MemberDef } from './defs';

/** A UAPI table as the kernel's BTF has it: `enum xdp_action { ... }`, or an anonymous enum for a family of flags. */
export function uapiEnum(table: UapiEnum): EnumDef {
  const name = table.cName.startsWith('enum ') ? table.cName.slice('enum '.length) : '';
  return enumeration(
    name,
    table.entries.map((e) => [e.name, e.value] as const),
  );
}

/** The UAPI tables `vmlinux.h` declares, in header order (the ones `<bpf/bpf_uapi.h>` declares without it). */
export const UAPI_TABLES: readonly UapiEnum[] = [
  MAP_TYPES,
  UPDATE_FLAGS,
  MAP_FLAGS,
  XDP_ACTIONS,
  CSUM_FLAGS,
  REDIRECT_FLAGS,
  STACK_FLAGS,
  PERF_EVENT_FLAGS,
  RINGBUF_FLAGS,
  RINGBUF_QUERIES,
  LOCAL_STORAGE_FLAGS,
  TIMER_FLAGS,
  ADJ_ROOM_MODES,
  ADJ_ROOM_FLAGS,
  FIB_LOOKUP_FLAGS,
  FIB_LKUP_RETS,
];

/** Structs BPF types point to that bpflab does not lay out. */
export const BPF_OPAQUE: readonly KernelTypeDef[] = [fwd('bpf_flow_keys')];

/** `struct xdp_md`: the XDP context; `data`, `data_end` and `data_meta` become packet pointers when loaded. */
export const XDP_MD: KernelTypeDef = struct('xdp_md', 24, 'stable', [
  ['data', '__u32', 0],
  ['data_end', '__u32', 4],
  ['data_meta', '__u32', 8],
  ['ingress_ifindex', '__u32', 12],
  ['rx_queue_index', '__u32', 16],
  ['egress_ifindex', '__u32', 20],
]);

/** `struct bpf_sock`: the socket view of `__sk_buff.sk` and the `bpf_sk_*` helpers. */
export const BPF_SOCK: KernelTypeDef = struct('bpf_sock', 80, 'stable', [
  ['bound_dev_if', '__u32', 0],
  ['family', '__u32', 4],
  ['type', '__u32', 8],
  ['protocol', '__u32', 12],
  ['mark', '__u32', 16],
  ['priority', '__u32', 20],
  ['src_ip4', '__u32', 24],
  ['src_ip6', '__u32[4]', 28],
  ['src_port', '__u32', 44],
  ['dst_port', '__be16', 48],
  ['dst_ip4', '__u32', 52],
  ['dst_ip6', '__u32[4]', 56],
  ['state', '__u32', 72],
  ['rx_queue_mapping', '__s32', 76],
]);

/** A pointer member that is 64 bits on every architecture (`__bpf_md_ptr` of `<linux/bpf.h>`). */
function mdPtr(name: string, type: string, offset: number): MemberDef {
  return ['', anonUnion(8, [[name, type, 0]]), offset];
}

/** `struct __sk_buff`: the context of socket filter, tc and cgroup skb programs, in its full UAPI layout. */
export const SK_BUFF: KernelTypeDef = struct('__sk_buff', 192, 'stable', [
  ['len', '__u32', 0],
  ['pkt_type', '__u32', 4],
  ['mark', '__u32', 8],
  ['queue_mapping', '__u32', 12],
  ['protocol', '__u32', 16],
  ['vlan_present', '__u32', 20],
  ['vlan_tci', '__u32', 24],
  ['vlan_proto', '__u32', 28],
  ['priority', '__u32', 32],
  ['ingress_ifindex', '__u32', 36],
  ['ifindex', '__u32', 40],
  ['tc_index', '__u32', 44],
  ['cb', '__u32[5]', 48],
  ['hash', '__u32', 68],
  ['tc_classid', '__u32', 72],
  ['data', '__u32', 76],
  ['data_end', '__u32', 80],
  ['napi_id', '__u32', 84],
  ['family', '__u32', 88],
  ['remote_ip4', '__u32', 92],
  ['local_ip4', '__u32', 96],
  ['remote_ip6', '__u32[4]', 100],
  ['local_ip6', '__u32[4]', 116],
  ['remote_port', '__u32', 132],
  ['local_port', '__u32', 136],
  ['data_meta', '__u32', 140],
  mdPtr('flow_keys', 'struct bpf_flow_keys *', 144),
  ['tstamp', '__u64', 152],
  ['wire_len', '__u32', 160],
  ['gso_segs', '__u32', 164],
  mdPtr('sk', 'struct bpf_sock *', 168),
  ['gso_size', '__u32', 176],
  ['tstamp_type', '__u8', 180],
  ['hwtstamp', '__u64', 184],
]);

/** `struct bpf_fib_lookup`: the in/out argument of `bpf_fib_lookup`. */
export const BPF_FIB_LOOKUP: KernelTypeDef = struct('bpf_fib_lookup', 64, 'stable', [
  ['family', '__u8', 0],
  ['l4_protocol', '__u8', 1],
  ['sport', '__be16', 2],
  ['dport', '__be16', 4],
  [
    '',
    anonUnion(2, [
      ['tot_len', '__u16', 0],
      ['mtu_result', '__u16', 0],
    ]),
    6,
  ],
  ['ifindex', '__u32', 8],
  [
    '',
    anonUnion(4, [
      ['tos', '__u8', 0],
      ['flowinfo', '__be32', 0],
      ['rt_metric', '__u32', 0],
    ]),
    12,
  ],
  [
    '',
    anonUnion(16, [
      ['ipv4_src', '__be32', 0],
      ['ipv6_src', '__u32[4]', 0],
    ]),
    16,
  ],
  [
    '',
    anonUnion(16, [
      ['ipv4_dst', '__be32', 0],
      ['ipv6_dst', '__u32[4]', 0],
    ]),
    32,
  ],
  [
    '',
    anonUnion(4, [
      [
        '',
        anonStruct(4, [
          ['h_vlan_proto', '__be16', 0],
          ['h_vlan_TCI', '__be16', 2],
        ]),
        0,
      ],
      ['tbid', '__u32', 0],
    ]),
    48,
  ],
  [
    '',
    anonUnion(12, [
      ['', anonStruct(4, [['mark', '__u32', 0]]), 0],
      [
        '',
        anonStruct(12, [
          ['smac', '__u8[6]', 0],
          ['dmac', '__u8[6]', 6],
        ]),
        0,
      ],
    ]),
    52,
  ],
]);

/** `struct bpf_spin_lock`: a lock inside a map value (`bpf_spin_lock`/`bpf_spin_unlock`, `BPF_F_LOCK`). */
export const BPF_SPIN_LOCK: KernelTypeDef = struct('bpf_spin_lock', 4, 'stable', [['val', '__u32', 0]]);

/**
 * LPM trie keys: the prefix length in bits, then the address bytes. `struct
 * bpf_lpm_trie_key` is the original UAPI form (deprecated in Linux 6.8 for
 * the two that follow, but what course material uses).
 */
export const LPM_TRIE_KEYS: readonly KernelTypeDef[] = [
  struct('bpf_lpm_trie_key', 4, 'stable', [
    ['prefixlen', '__u32', 0],
    ['data', '__u8[0]', 4],
  ]),
  struct('bpf_lpm_trie_key_hdr', 4, 'stable', [['prefixlen', '__u32', 0]]),
  struct('bpf_lpm_trie_key_u8', 4, 'stable', [
    [
      '',
      anonUnion(4, [
        ['hdr', 'struct bpf_lpm_trie_key_hdr', 0],
        ['prefixlen', '__u32', 0],
      ]),
      0,
    ],
    ['data', '__u8[0]', 4],
  ]),
];

/** `struct bpf_map`: the kernel's side of a map, as `bpf_iter__bpf_map_elem.map` points to it. */
export const BPF_MAP: KernelTypeDef = struct('bpf_map', 296, 'internal', [
  ['inner_map_meta', 'struct bpf_map *', 48],
  ['map_type', 'enum bpf_map_type', 64],
  ['key_size', 'u32', 68],
  ['value_size', 'u32', 72],
  ['max_entries', 'u32', 76],
  ['map_extra', 'u64', 80],
  ['map_flags', 'u32', 88],
  ['id', 'u32', 92],
  ['btf_key_type_id', 'u32', 108],
  ['btf_value_type_id', 'u32', 112],
  ['name', 'char[16]', 136],
  ['frozen', 'bool', 257],
]);

/** `struct bpf_iter_meta`: what every iterator program gets: the output and its position. */
export const BPF_ITER_META: KernelTypeDef = struct('bpf_iter_meta', 24, 'stable', [
  mdPtr('seq', 'struct seq_file *', 0),
  ['session_id', 'u64', 8],
  ['seq_num', 'u64', 16],
]);

/** `struct bpf_iter__task`: the context of `SEC("iter/task")`; `task` is NULL on the last call. */
export const BPF_ITER_TASK: KernelTypeDef = struct('bpf_iter__task', 16, 'stable', [
  mdPtr('meta', 'struct bpf_iter_meta *', 0),
  mdPtr('task', 'struct task_struct *', 8),
]);

/** `struct bpf_iter__bpf_map_elem`: the context of `SEC("iter/bpf_map_elem")`; `key` and `value` are NULL on the last call. */
export const BPF_ITER_MAP_ELEM: KernelTypeDef = struct('bpf_iter__bpf_map_elem', 32, 'stable', [
  mdPtr('meta', 'struct bpf_iter_meta *', 0),
  mdPtr('map', 'struct bpf_map *', 8),
  mdPtr('key', 'void *', 16),
  mdPtr('value', 'void *', 24),
]);

/** Every type of this file, in header order. */
export const BPF_TYPES: readonly KernelTypeDef[] = [
  ...UAPI_TABLES.map(uapiEnum),
  ...BPF_OPAQUE,
  XDP_MD,
  BPF_SOCK,
  SK_BUFF,
  BPF_FIB_LOOKUP,
  BPF_SPIN_LOCK,
  ...LPM_TRIE_KEYS,
  BPF_MAP,
  BPF_ITER_META,
  BPF_ITER_TASK,
  BPF_ITER_MAP_ELEM,
];
