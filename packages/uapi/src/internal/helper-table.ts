// Helper table data: one row per helper of `enum bpf_func_id`, in id order.
//
// Each row gives the C prototype as libbpf's bpf_helper_defs.h declares it
// and every `struct bpf_func_proto` the kernel has for the helper (Linux 6.12
// sources). The first proto is the one named after the helper (or the first
// one the kernel's *_func_proto switches return); the others are the
// variants some program types get instead (tracepoint vs kprobe perf output,
// XDP vs skb FIB lookup, ...). Summaries are this kit's own words.
import type { HelperName } from '../helper-ids';
import { defineHelperProto as proto, type HelperProto } from '../helper-proto';

/** One helper as the table states it; `helpers.ts` derives the public view. */
export interface HelperRow {
  readonly id: number;
  readonly name: HelperName;
  readonly prototype: string;
  readonly summary: string;
  readonly protos: readonly HelperProto[];
}

/** The rows, ids 1 .. 211 in order. */
export const HELPER_ROWS: readonly HelperRow[] = [
  {
    id: 1,
    name: 'map_lookup_elem',
    prototype: 'void *bpf_map_lookup_elem(void *map, const void *key)',
    summary: 'find the value stored under a key; a pointer into the map, or NULL when absent',
    protos: [
      proto('bpf_map_lookup_elem_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 2,
    name: 'map_update_elem',
    prototype: 'long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)',
    summary: 'create or replace the value stored under a key, as the BPF_ANY/NOEXIST/EXIST flag allows',
    protos: [
      proto('bpf_map_update_elem_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
        'ARG_PTR_TO_MAP_VALUE',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 3,
    name: 'map_delete_elem',
    prototype: 'long bpf_map_delete_elem(void *map, const void *key)',
    summary: 'remove a key and its value from a map',
    protos: [
      proto('bpf_map_delete_elem_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 4,
    name: 'probe_read',
    prototype: 'long bpf_probe_read(void *dst, __u32 size, const void *unsafe_ptr)',
    summary: 'copy bytes from an arbitrary address (legacy: user or kernel, architecture-dependent)',
    protos: [
      proto('bpf_probe_read_compat_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 5,
    name: 'ktime_get_ns',
    prototype: '__u64 bpf_ktime_get_ns(void)',
    summary: 'nanoseconds of CLOCK_MONOTONIC, not counting suspend',
    protos: [
      proto('bpf_ktime_get_ns_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 6,
    name: 'trace_printk',
    prototype: 'long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...)',
    summary: 'format up to three arguments into the trace pipe (bpf_printk)',
    protos: [
      proto('bpf_trace_printk_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 7,
    name: 'get_prandom_u32',
    prototype: '__u32 bpf_get_prandom_u32(void)',
    summary: 'a pseudo-random 32-bit number',
    protos: [
      proto('bpf_get_prandom_u32_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 8,
    name: 'get_smp_processor_id',
    prototype: '__u32 bpf_get_smp_processor_id(void)',
    summary: 'the id of the CPU the program runs on',
    protos: [
      proto('bpf_get_smp_processor_id_proto', 'RET_INTEGER', []),
      proto('bpf_get_raw_smp_processor_id_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 9,
    name: 'skb_store_bytes',
    prototype: 'long bpf_skb_store_bytes(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len, __u64 flags)',
    summary: 'write bytes into the packet at an offset, optionally fixing the checksum',
    protos: [
      proto('bpf_skb_store_bytes_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 10,
    name: 'l3_csum_replace',
    prototype: 'long bpf_l3_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 size)',
    summary: 'patch a layer-3 (IP header) checksum after a field changed',
    protos: [
      proto('bpf_l3_csum_replace_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 11,
    name: 'l4_csum_replace',
    prototype: 'long bpf_l4_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 flags)',
    summary: 'patch a layer-4 (TCP/UDP) checksum after a field changed',
    protos: [
      proto('bpf_l4_csum_replace_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 12,
    name: 'tail_call',
    prototype: 'long bpf_tail_call(void *ctx, void *prog_array_map, __u32 index)',
    summary: 'jump into another program of a prog array, never returning on success',
    protos: [
      proto('bpf_tail_call_proto', 'RET_VOID', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 13,
    name: 'clone_redirect',
    prototype: 'long bpf_clone_redirect(struct __sk_buff *skb, __u32 ifindex, __u64 flags)',
    summary: 'send a copy of the packet to another interface',
    protos: [
      proto('bpf_clone_redirect_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 14,
    name: 'get_current_pid_tgid',
    prototype: '__u64 bpf_get_current_pid_tgid(void)',
    summary: 'current thread group id in the upper 32 bits, thread id in the lower',
    protos: [
      proto('bpf_get_current_pid_tgid_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 15,
    name: 'get_current_uid_gid',
    prototype: '__u64 bpf_get_current_uid_gid(void)',
    summary: 'current gid in the upper 32 bits, uid in the lower',
    protos: [
      proto('bpf_get_current_uid_gid_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 16,
    name: 'get_current_comm',
    prototype: 'long bpf_get_current_comm(void *buf, __u32 size_of_buf)',
    summary: 'copy the current task\'s command name into a buffer, NUL-terminated',
    protos: [
      proto('bpf_get_current_comm_proto', 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE']),
    ],
  },
  {
    id: 17,
    name: 'get_cgroup_classid',
    prototype: '__u32 bpf_get_cgroup_classid(struct __sk_buff *skb)',
    summary: 'the net_cls cgroup class id of the packet\'s socket',
    protos: [
      proto('bpf_get_cgroup_classid_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_cgroup_classid_curr_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 18,
    name: 'skb_vlan_push',
    prototype: 'long bpf_skb_vlan_push(struct __sk_buff *skb, __be16 vlan_proto, __u16 vlan_tci)',
    summary: 'add a VLAN tag to the packet',
    protos: [
      proto('bpf_skb_vlan_push_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 19,
    name: 'skb_vlan_pop',
    prototype: 'long bpf_skb_vlan_pop(struct __sk_buff *skb)',
    summary: 'remove the outer VLAN tag of the packet',
    protos: [
      proto('bpf_skb_vlan_pop_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 20,
    name: 'skb_get_tunnel_key',
    prototype: 'long bpf_skb_get_tunnel_key(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags)',
    summary: 'read the tunnel metadata of a packet received on a tunnel device',
    protos: [
      proto('bpf_skb_get_tunnel_key_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 21,
    name: 'skb_set_tunnel_key',
    prototype: 'long bpf_skb_set_tunnel_key(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags)',
    summary: 'set the tunnel metadata used when the packet is encapsulated',
    protos: [
      proto('bpf_skb_set_tunnel_key_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 22,
    name: 'perf_event_read',
    prototype: '__u64 bpf_perf_event_read(void *map, __u64 flags)',
    summary: 'read the counter of a perf event stored in a perf event array',
    protos: [
      proto('bpf_perf_event_read_proto', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING'], { gplOnly: true }),
    ],
  },
  {
    id: 23,
    name: 'redirect',
    prototype: 'long bpf_redirect(__u32 ifindex, __u64 flags)',
    summary: 'send the packet to another interface (takes effect when the program returns)',
    protos: [
      proto('bpf_redirect_proto', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_ANYTHING']),
      proto('bpf_xdp_redirect_proto', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 24,
    name: 'get_route_realm',
    prototype: '__u32 bpf_get_route_realm(struct __sk_buff *skb)',
    summary: 'the routing realm (tclassid) of the packet\'s destination',
    protos: [
      proto('bpf_get_route_realm_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 25,
    name: 'perf_event_output',
    prototype: 'long bpf_perf_event_output(void *ctx, void *map, __u64 flags, void *data, __u64 size)',
    summary: 'push a record into a perf event array for user space to read',
    protos: [
      proto('bpf_perf_event_output_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
      proto('bpf_event_output_data_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
      proto('bpf_skb_event_output_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
      proto('bpf_xdp_event_output_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
      proto('bpf_perf_event_output_proto_tp', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
      proto('bpf_perf_event_output_proto_raw_tp', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 26,
    name: 'skb_load_bytes',
    prototype: 'long bpf_skb_load_bytes(const void *skb, __u32 offset, void *to, __u32 len)',
    summary: 'copy bytes out of the packet at an offset into a buffer',
    protos: [
      proto('bpf_skb_load_bytes_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_flow_dissector_load_bytes_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
      proto('sk_reuseport_load_bytes_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 27,
    name: 'get_stackid',
    prototype: 'long bpf_get_stackid(void *ctx, void *map, __u64 flags)',
    summary: 'walk the current stack, store it in a stack trace map and return its id',
    protos: [
      proto('bpf_get_stackid_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
      proto('bpf_get_stackid_proto_tp', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
      proto('bpf_get_stackid_proto_pe', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']),
      proto('bpf_get_stackid_proto_raw_tp', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 28,
    name: 'csum_diff',
    prototype: '__s64 bpf_csum_diff(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed)',
    summary: 'compute a checksum difference between two buffers, seeded',
    protos: [
      proto('bpf_csum_diff_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 29,
    name: 'skb_get_tunnel_opt',
    prototype: 'long bpf_skb_get_tunnel_opt(struct __sk_buff *skb, void *opt, __u32 size)',
    summary: 'read the tunnel options of a received packet',
    protos: [
      proto('bpf_skb_get_tunnel_opt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 30,
    name: 'skb_set_tunnel_opt',
    prototype: 'long bpf_skb_set_tunnel_opt(struct __sk_buff *skb, void *opt, __u32 size)',
    summary: 'set the tunnel options used when the packet is encapsulated',
    protos: [
      proto('bpf_skb_set_tunnel_opt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 31,
    name: 'skb_change_proto',
    prototype: 'long bpf_skb_change_proto(struct __sk_buff *skb, __be16 proto, __u64 flags)',
    summary: 'convert the packet between IPv4 and IPv6 framing',
    protos: [
      proto('bpf_skb_change_proto_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 32,
    name: 'skb_change_type',
    prototype: 'long bpf_skb_change_type(struct __sk_buff *skb, __u32 type)',
    summary: 'change the packet type (host, broadcast, multicast, other host)',
    protos: [
      proto('bpf_skb_change_type_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 33,
    name: 'skb_under_cgroup',
    prototype: 'long bpf_skb_under_cgroup(struct __sk_buff *skb, void *map, __u32 index)',
    summary: 'test whether the packet\'s socket belongs to a cgroup of a cgroup array',
    protos: [
      proto('bpf_skb_under_cgroup_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 34,
    name: 'get_hash_recalc',
    prototype: '__u32 bpf_get_hash_recalc(struct __sk_buff *skb)',
    summary: 'the packet\'s flow hash, computing it when missing',
    protos: [
      proto('bpf_get_hash_recalc_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 35,
    name: 'get_current_task',
    prototype: '__u64 bpf_get_current_task(void)',
    summary: 'the address of the current task_struct, as an integer',
    protos: [
      proto('bpf_get_current_task_proto', 'RET_INTEGER', [], { gplOnly: true }),
    ],
  },
  {
    id: 36,
    name: 'probe_write_user',
    prototype: 'long bpf_probe_write_user(void *dst, const void *src, __u32 len)',
    summary: 'write bytes to a user-space address of the current process',
    protos: [
      proto('bpf_probe_write_user_proto', 'RET_INTEGER', [
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 37,
    name: 'current_task_under_cgroup',
    prototype: 'long bpf_current_task_under_cgroup(void *map, __u32 index)',
    summary: 'test whether the current task is in a cgroup of a cgroup array',
    protos: [
      proto('bpf_current_task_under_cgroup_proto', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 38,
    name: 'skb_change_tail',
    prototype: 'long bpf_skb_change_tail(struct __sk_buff *skb, __u32 len, __u64 flags)',
    summary: 'grow or shrink the packet to a new length at its end',
    protos: [
      proto('bpf_skb_change_tail_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
      proto('sk_skb_change_tail_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 39,
    name: 'skb_pull_data',
    prototype: 'long bpf_skb_pull_data(struct __sk_buff *skb, __u32 len)',
    summary: 'make the first bytes of a non-linear packet directly readable',
    protos: [
      proto('bpf_skb_pull_data_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
      proto('sk_skb_pull_data_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 40,
    name: 'csum_update',
    prototype: '__s64 bpf_csum_update(struct __sk_buff *skb, __wsum csum)',
    summary: 'add a checksum delta to the packet\'s CHECKSUM_COMPLETE value',
    protos: [
      proto('bpf_csum_update_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 41,
    name: 'set_hash_invalid',
    prototype: 'void bpf_set_hash_invalid(struct __sk_buff *skb)',
    summary: 'mark the packet\'s flow hash as stale',
    protos: [
      proto('bpf_set_hash_invalid_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 42,
    name: 'get_numa_node_id',
    prototype: 'long bpf_get_numa_node_id(void)',
    summary: 'the NUMA node the program runs on',
    protos: [
      proto('bpf_get_numa_node_id_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 43,
    name: 'skb_change_head',
    prototype: 'long bpf_skb_change_head(struct __sk_buff *skb, __u32 len, __u64 flags)',
    summary: 'grow the packet headroom and set the mac header to the new start',
    protos: [
      proto('bpf_skb_change_head_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
      proto('sk_skb_change_head_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 44,
    name: 'xdp_adjust_head',
    prototype: 'long bpf_xdp_adjust_head(struct xdp_md *xdp_md, int delta)',
    summary: 'move the start of the packet by delta bytes (negative grows it)',
    protos: [
      proto('bpf_xdp_adjust_head_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 45,
    name: 'probe_read_str',
    prototype: 'long bpf_probe_read_str(void *dst, __u32 size, const void *unsafe_ptr)',
    summary: 'copy a NUL-terminated string from an arbitrary address (legacy)',
    protos: [
      proto('bpf_probe_read_compat_str_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 46,
    name: 'get_socket_cookie',
    prototype: '__u64 bpf_get_socket_cookie(void *ctx)',
    summary: 'a unique 64-bit cookie identifying the socket of the context',
    protos: [
      proto('bpf_get_socket_cookie_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_socket_cookie_sock_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_socket_cookie_sock_addr_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_socket_cookie_sock_ops_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_socket_ptr_cookie_proto', 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID_SOCK_COMMON | PTR_MAYBE_NULL']),
    ],
  },
  {
    id: 47,
    name: 'get_socket_uid',
    prototype: '__u32 bpf_get_socket_uid(struct __sk_buff *skb)',
    summary: 'the owner uid of the packet\'s socket',
    protos: [
      proto('bpf_get_socket_uid_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 48,
    name: 'set_hash',
    prototype: 'long bpf_set_hash(struct __sk_buff *skb, __u32 hash)',
    summary: 'set the packet\'s flow hash',
    protos: [
      proto('bpf_set_hash_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 49,
    name: 'setsockopt',
    prototype: 'long bpf_setsockopt(void *bpf_socket, int level, int optname, void *optval, int optlen)',
    summary: 'set a socket option on the context\'s socket',
    protos: [
      proto('bpf_sock_ops_setsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_sk_setsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_unlocked_sk_setsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_sock_addr_setsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 50,
    name: 'skb_adjust_room',
    prototype: 'long bpf_skb_adjust_room(struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags)',
    summary: 'grow or shrink room at the network or mac layer, for encapsulation',
    protos: [
      proto('bpf_skb_adjust_room_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
      proto('sk_skb_adjust_room_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 51,
    name: 'redirect_map',
    prototype: 'long bpf_redirect_map(void *map, __u64 key, __u64 flags)',
    summary: 'redirect the packet to the device, CPU or socket stored in a map',
    protos: [
      proto('bpf_xdp_redirect_map_proto', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 52,
    name: 'sk_redirect_map',
    prototype: 'long bpf_sk_redirect_map(struct __sk_buff *skb, void *map, __u32 key, __u64 flags)',
    summary: 'redirect the packet to a socket of a sockmap',
    protos: [
      proto('bpf_sk_redirect_map_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 53,
    name: 'sock_map_update',
    prototype: 'long bpf_sock_map_update(struct bpf_sock_ops *skops, void *map, void *key, __u64 flags)',
    summary: 'add or replace the context\'s socket in a sockmap',
    protos: [
      proto('bpf_sock_map_update_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 54,
    name: 'xdp_adjust_meta',
    prototype: 'long bpf_xdp_adjust_meta(struct xdp_md *xdp_md, int delta)',
    summary: 'move the start of the XDP metadata area by delta bytes',
    protos: [
      proto('bpf_xdp_adjust_meta_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 55,
    name: 'perf_event_read_value',
    prototype: 'long bpf_perf_event_read_value(void *map, __u64 flags, struct bpf_perf_event_value *buf, __u32 buf_size)',
    summary: 'read a perf event counter with its enabled and running times',
    protos: [
      proto('bpf_perf_event_read_value_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 56,
    name: 'perf_prog_read_value',
    prototype: 'long bpf_perf_prog_read_value(struct bpf_perf_event_data *ctx, struct bpf_perf_event_value *buf, __u32 buf_size)',
    summary: 'read the counter of the perf event that triggered the program',
    protos: [
      proto('bpf_perf_prog_read_value_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 57,
    name: 'getsockopt',
    prototype: 'long bpf_getsockopt(void *bpf_socket, int level, int optname, void *optval, int optlen)',
    summary: 'read a socket option of the context\'s socket',
    protos: [
      proto('bpf_sock_ops_getsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_sk_getsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_unlocked_sk_getsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_sock_addr_getsockopt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 58,
    name: 'override_return',
    prototype: 'long bpf_override_return(struct pt_regs *regs, __u64 rc)',
    summary: 'make the probed kernel function return a given value (error injection)',
    protos: [
      proto('bpf_override_return_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING'], { gplOnly: true }),
    ],
  },
  {
    id: 59,
    name: 'sock_ops_cb_flags_set',
    prototype: 'long bpf_sock_ops_cb_flags_set(struct bpf_sock_ops *bpf_sock, int argval)',
    summary: 'choose which sock_ops callbacks are invoked for this socket',
    protos: [
      proto('bpf_sock_ops_cb_flags_set_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 60,
    name: 'msg_redirect_map',
    prototype: 'long bpf_msg_redirect_map(struct sk_msg_md *msg, void *map, __u32 key, __u64 flags)',
    summary: 'redirect the message to a socket of a sockmap',
    protos: [
      proto('bpf_msg_redirect_map_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 61,
    name: 'msg_apply_bytes',
    prototype: 'long bpf_msg_apply_bytes(struct sk_msg_md *msg, __u32 bytes)',
    summary: 'apply the verdict to the next bytes of the message',
    protos: [
      proto('bpf_msg_apply_bytes_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 62,
    name: 'msg_cork_bytes',
    prototype: 'long bpf_msg_cork_bytes(struct sk_msg_md *msg, __u32 bytes)',
    summary: 'hold back the message until this many bytes are queued',
    protos: [
      proto('bpf_msg_cork_bytes_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 63,
    name: 'msg_pull_data',
    prototype: 'long bpf_msg_pull_data(struct sk_msg_md *msg, __u32 start, __u32 end, __u64 flags)',
    summary: 'make a range of the message directly readable and writable',
    protos: [
      proto('bpf_msg_pull_data_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 64,
    name: 'bind',
    prototype: 'long bpf_bind(struct bpf_sock_addr *ctx, struct sockaddr *addr, int addr_len)',
    summary: 'bind the socket of a connect hook to a local address',
    protos: [
      proto('bpf_bind_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE']),
    ],
  },
  {
    id: 65,
    name: 'xdp_adjust_tail',
    prototype: 'long bpf_xdp_adjust_tail(struct xdp_md *xdp_md, int delta)',
    summary: 'move the end of the XDP packet by delta bytes',
    protos: [
      proto('bpf_xdp_adjust_tail_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 66,
    name: 'skb_get_xfrm_state',
    prototype: 'long bpf_skb_get_xfrm_state(struct __sk_buff *skb, __u32 index, struct bpf_xfrm_state *xfrm_state, __u32 size, __u64 flags)',
    summary: 'read the IPsec state of the packet at an index of its security path',
    protos: [
      proto('bpf_skb_get_xfrm_state_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 67,
    name: 'get_stack',
    prototype: 'long bpf_get_stack(void *ctx, void *buf, __u32 size, __u64 flags)',
    summary: 'copy the current user or kernel stack into a buffer',
    protos: [
      proto('bpf_get_stack_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
      proto('bpf_get_stack_sleepable_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true, mightSleep: true }),
      proto('bpf_get_stack_proto_tp', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
      proto('bpf_get_stack_proto_pe', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
      proto('bpf_get_stack_proto_raw_tp', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 68,
    name: 'skb_load_bytes_relative',
    prototype: 'long bpf_skb_load_bytes_relative(const void *skb, __u32 offset, void *to, __u32 len, __u32 start_header)',
    summary: 'copy packet bytes relative to the mac or network header',
    protos: [
      proto('bpf_skb_load_bytes_relative_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
      proto('sk_reuseport_load_bytes_relative_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 69,
    name: 'fib_lookup',
    prototype: 'long bpf_fib_lookup(void *ctx, struct bpf_fib_lookup *params, int plen, __u32 flags)',
    summary: 'look up the kernel forwarding table for a destination',
    protos: [
      proto('bpf_skb_fib_lookup_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
      proto('bpf_xdp_fib_lookup_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 70,
    name: 'sock_hash_update',
    prototype: 'long bpf_sock_hash_update(struct bpf_sock_ops *skops, void *map, void *key, __u64 flags)',
    summary: 'add or replace the context\'s socket in a sockhash',
    protos: [
      proto('bpf_sock_hash_update_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 71,
    name: 'msg_redirect_hash',
    prototype: 'long bpf_msg_redirect_hash(struct sk_msg_md *msg, void *map, void *key, __u64 flags)',
    summary: 'redirect the message to a socket of a sockhash',
    protos: [
      proto('bpf_msg_redirect_hash_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 72,
    name: 'sk_redirect_hash',
    prototype: 'long bpf_sk_redirect_hash(struct __sk_buff *skb, void *map, void *key, __u64 flags)',
    summary: 'redirect the packet to a socket of a sockhash',
    protos: [
      proto('bpf_sk_redirect_hash_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 73,
    name: 'lwt_push_encap',
    prototype: 'long bpf_lwt_push_encap(struct __sk_buff *skb, __u32 type, void *hdr, __u32 len)',
    summary: 'push an encapsulation header (SRv6 or IP) onto the packet',
    protos: [
      proto('bpf_lwt_in_push_encap_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
      proto('bpf_lwt_xmit_push_encap_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 74,
    name: 'lwt_seg6_store_bytes',
    prototype: 'long bpf_lwt_seg6_store_bytes(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len)',
    summary: 'write into the editable part of an SRv6 header',
    protos: [
      proto('bpf_lwt_seg6_store_bytes_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 75,
    name: 'lwt_seg6_adjust_srh',
    prototype: 'long bpf_lwt_seg6_adjust_srh(struct __sk_buff *skb, __u32 offset, __s32 delta)',
    summary: 'grow or shrink the TLV area of an SRv6 header',
    protos: [
      proto('bpf_lwt_seg6_adjust_srh_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 76,
    name: 'lwt_seg6_action',
    prototype: 'long bpf_lwt_seg6_action(struct __sk_buff *skb, __u32 action, void *param, __u32 param_len)',
    summary: 'apply an SRv6 endpoint behaviour to the packet',
    protos: [
      proto('bpf_lwt_seg6_action_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 77,
    name: 'rc_repeat',
    prototype: 'long bpf_rc_repeat(void *ctx)',
    summary: 'report a repeat of the last decoded infrared key',
    protos: [
      proto('rc_repeat_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX'], { gplOnly: true }),
    ],
  },
  {
    id: 78,
    name: 'rc_keydown',
    prototype: 'long bpf_rc_keydown(void *ctx, __u32 protocol, __u64 scancode, __u32 toggle)',
    summary: 'report a decoded infrared key press',
    protos: [
      proto('rc_keydown_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 79,
    name: 'skb_cgroup_id',
    prototype: '__u64 bpf_skb_cgroup_id(struct __sk_buff *skb)',
    summary: 'the cgroup v2 id of the packet\'s socket',
    protos: [
      proto('bpf_skb_cgroup_id_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 80,
    name: 'get_current_cgroup_id',
    prototype: '__u64 bpf_get_current_cgroup_id(void)',
    summary: 'the cgroup v2 id of the current task',
    protos: [
      proto('bpf_get_current_cgroup_id_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 81,
    name: 'get_local_storage',
    prototype: 'void *bpf_get_local_storage(void *map, __u64 flags)',
    summary: 'the cgroup storage of the program\'s attach point',
    protos: [
      proto('bpf_get_local_storage_proto', 'RET_PTR_TO_MAP_VALUE', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 82,
    name: 'sk_select_reuseport',
    prototype: 'long bpf_sk_select_reuseport(struct sk_reuseport_md *reuse, void *map, void *key, __u64 flags)',
    summary: 'pick the socket of a reuseport group that receives the packet',
    protos: [
      proto('sk_select_reuseport_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 83,
    name: 'skb_ancestor_cgroup_id',
    prototype: '__u64 bpf_skb_ancestor_cgroup_id(struct __sk_buff *skb, int ancestor_level)',
    summary: 'the id of an ancestor cgroup of the packet\'s socket cgroup',
    protos: [
      proto('bpf_skb_ancestor_cgroup_id_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 84,
    name: 'sk_lookup_tcp',
    prototype: 'struct bpf_sock *bpf_sk_lookup_tcp(void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags)',
    summary: 'find a full TCP socket by tuple, taking a reference',
    protos: [
      proto('bpf_sk_lookup_tcp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
      proto('bpf_sock_addr_sk_lookup_tcp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
      proto('bpf_tc_sk_lookup_tcp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
      proto('bpf_xdp_sk_lookup_tcp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 85,
    name: 'sk_lookup_udp',
    prototype: 'struct bpf_sock *bpf_sk_lookup_udp(void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags)',
    summary: 'find a UDP socket by tuple, taking a reference',
    protos: [
      proto('bpf_sk_lookup_udp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
      proto('bpf_sock_addr_sk_lookup_udp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
      proto('bpf_tc_sk_lookup_udp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
      proto('bpf_xdp_sk_lookup_udp_proto', 'RET_PTR_TO_SOCKET_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 86,
    name: 'sk_release',
    prototype: 'long bpf_sk_release(void *sock)',
    summary: 'drop the reference taken by a socket lookup',
    protos: [
      proto('bpf_sk_release_proto', 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE']),
    ],
  },
  {
    id: 87,
    name: 'map_push_elem',
    prototype: 'long bpf_map_push_elem(void *map, const void *value, __u64 flags)',
    summary: 'push a value onto a queue, stack or bloom filter map',
    protos: [
      proto('bpf_map_push_elem_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_VALUE',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 88,
    name: 'map_pop_elem',
    prototype: 'long bpf_map_pop_elem(void *map, void *value)',
    summary: 'take the next value out of a queue or stack map',
    protos: [
      proto('bpf_map_pop_elem_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE',
      ]),
    ],
  },
  {
    id: 89,
    name: 'map_peek_elem',
    prototype: 'long bpf_map_peek_elem(void *map, void *value)',
    summary: 'read the next value of a queue or stack map without removing it',
    protos: [
      proto('bpf_map_peek_elem_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE',
      ]),
    ],
  },
  {
    id: 90,
    name: 'msg_push_data',
    prototype: 'long bpf_msg_push_data(struct sk_msg_md *msg, __u32 start, __u32 len, __u64 flags)',
    summary: 'insert bytes into the message',
    protos: [
      proto('bpf_msg_push_data_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 91,
    name: 'msg_pop_data',
    prototype: 'long bpf_msg_pop_data(struct sk_msg_md *msg, __u32 start, __u32 len, __u64 flags)',
    summary: 'remove bytes from the message',
    protos: [
      proto('bpf_msg_pop_data_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 92,
    name: 'rc_pointer_rel',
    prototype: 'long bpf_rc_pointer_rel(void *ctx, __s32 rel_x, __s32 rel_y)',
    summary: 'report a relative pointer movement from an infrared remote',
    protos: [
      proto('rc_pointer_rel_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 93,
    name: 'spin_lock',
    prototype: 'long bpf_spin_lock(struct bpf_spin_lock *lock)',
    summary: 'take the bpf_spin_lock embedded in a map value',
    protos: [
      proto('bpf_spin_lock_proto', 'RET_VOID', [{ type: 'ARG_PTR_TO_SPIN_LOCK', btf: '*' }]),
    ],
  },
  {
    id: 94,
    name: 'spin_unlock',
    prototype: 'long bpf_spin_unlock(struct bpf_spin_lock *lock)',
    summary: 'release a bpf_spin_lock taken by bpf_spin_lock',
    protos: [
      proto('bpf_spin_unlock_proto', 'RET_VOID', [{ type: 'ARG_PTR_TO_SPIN_LOCK', btf: '*' }]),
    ],
  },
  {
    id: 95,
    name: 'sk_fullsock',
    prototype: 'struct bpf_sock *bpf_sk_fullsock(struct bpf_sock *sk)',
    summary: 'the full socket of a socket pointer, or NULL for request/timewait sockets',
    protos: [
      proto('bpf_sk_fullsock_proto', 'RET_PTR_TO_SOCKET_OR_NULL', ['ARG_PTR_TO_SOCK_COMMON']),
    ],
  },
  {
    id: 96,
    name: 'tcp_sock',
    prototype: 'struct bpf_tcp_sock *bpf_tcp_sock(struct bpf_sock *sk)',
    summary: 'the TCP view of a socket, or NULL when it is not TCP',
    protos: [
      proto('bpf_tcp_sock_proto', 'RET_PTR_TO_TCP_SOCK_OR_NULL', ['ARG_PTR_TO_SOCK_COMMON']),
    ],
  },
  {
    id: 97,
    name: 'skb_ecn_set_ce',
    prototype: 'long bpf_skb_ecn_set_ce(struct __sk_buff *skb)',
    summary: 'set the ECN congestion-experienced mark in the IP header',
    protos: [
      proto('bpf_skb_ecn_set_ce_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 98,
    name: 'get_listener_sock',
    prototype: 'struct bpf_sock *bpf_get_listener_sock(struct bpf_sock *sk)',
    summary: 'the listening socket behind a request socket',
    protos: [
      proto('bpf_get_listener_sock_proto', 'RET_PTR_TO_SOCKET_OR_NULL', ['ARG_PTR_TO_SOCK_COMMON']),
    ],
  },
  {
    id: 99,
    name: 'skc_lookup_tcp',
    prototype: 'struct bpf_sock *bpf_skc_lookup_tcp(void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags)',
    summary: 'find any TCP socket (request and timewait included) by tuple',
    protos: [
      proto('bpf_skc_lookup_tcp_proto', 'RET_PTR_TO_SOCK_COMMON_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
      proto('bpf_sock_addr_skc_lookup_tcp_proto', 'RET_PTR_TO_SOCK_COMMON_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
      proto('bpf_tc_skc_lookup_tcp_proto', 'RET_PTR_TO_SOCK_COMMON_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
      proto('bpf_xdp_skc_lookup_tcp_proto', 'RET_PTR_TO_SOCK_COMMON_OR_NULL', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 100,
    name: 'tcp_check_syncookie',
    prototype: 'long bpf_tcp_check_syncookie(void *sk, void *iph, __u32 iph_len, struct tcphdr *th, __u32 th_len)',
    summary: 'check whether a TCP ACK carries a valid SYN cookie of a listener',
    protos: [
      proto('bpf_tcp_check_syncookie_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ], { gplOnly: true, pktAccess: true }),
    ],
  },
  {
    id: 101,
    name: 'sysctl_get_name',
    prototype: 'long bpf_sysctl_get_name(struct bpf_sysctl *ctx, char *buf, unsigned long buf_len, __u64 flags)',
    summary: 'copy the name of the sysctl being accessed',
    protos: [
      proto('bpf_sysctl_get_name_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 102,
    name: 'sysctl_get_current_value',
    prototype: 'long bpf_sysctl_get_current_value(struct bpf_sysctl *ctx, char *buf, unsigned long buf_len)',
    summary: 'copy the current value of the sysctl being accessed',
    protos: [
      proto('bpf_sysctl_get_current_value_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 103,
    name: 'sysctl_get_new_value',
    prototype: 'long bpf_sysctl_get_new_value(struct bpf_sysctl *ctx, char *buf, unsigned long buf_len)',
    summary: 'copy the value being written to the sysctl',
    protos: [
      proto('bpf_sysctl_get_new_value_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 104,
    name: 'sysctl_set_new_value',
    prototype: 'long bpf_sysctl_set_new_value(struct bpf_sysctl *ctx, const char *buf, unsigned long buf_len)',
    summary: 'replace the value being written to the sysctl',
    protos: [
      proto('bpf_sysctl_set_new_value_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 105,
    name: 'strtol',
    prototype: 'long bpf_strtol(const char *buf, unsigned long buf_len, __u64 flags, long *res)',
    summary: 'parse a signed integer from a string',
    protos: [
      proto('bpf_strtol_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED', size: 8 },
      ]),
    ],
  },
  {
    id: 106,
    name: 'strtoul',
    prototype: 'long bpf_strtoul(const char *buf, unsigned long buf_len, __u64 flags, unsigned long *res)',
    summary: 'parse an unsigned integer from a string',
    protos: [
      proto('bpf_strtoul_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED', size: 8 },
      ]),
    ],
  },
  {
    id: 107,
    name: 'sk_storage_get',
    prototype: 'void *bpf_sk_storage_get(void *map, void *sk, void *value, __u64 flags)',
    summary: 'the socket-local storage of a socket, optionally creating it',
    protos: [
      proto('bpf_sk_storage_get_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
        'ARG_PTR_TO_MAP_VALUE_OR_NULL',
        'ARG_ANYTHING',
      ]),
      proto('bpf_sk_storage_get_cg_sock_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MAP_VALUE_OR_NULL',
        'ARG_ANYTHING',
      ]),
      proto('bpf_sk_storage_get_tracing_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'sock_common' },
        'ARG_PTR_TO_MAP_VALUE_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 108,
    name: 'sk_storage_delete',
    prototype: 'long bpf_sk_storage_delete(void *map, void *sk)',
    summary: 'delete a socket\'s local storage from a map',
    protos: [
      proto('bpf_sk_storage_delete_proto', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_SOCK_COMMON']),
      proto('bpf_sk_storage_delete_tracing_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'sock_common' },
      ]),
    ],
  },
  {
    id: 109,
    name: 'send_signal',
    prototype: 'long bpf_send_signal(__u32 sig)',
    summary: 'send a signal to the current process',
    protos: [
      proto('bpf_send_signal_proto', 'RET_INTEGER', ['ARG_ANYTHING']),
    ],
  },
  {
    id: 110,
    name: 'tcp_gen_syncookie',
    prototype: '__s64 bpf_tcp_gen_syncookie(void *sk, void *iph, __u32 iph_len, struct tcphdr *th, __u32 th_len)',
    summary: 'compute a SYN cookie for a TCP SYN',
    protos: [
      proto('bpf_tcp_gen_syncookie_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ], { gplOnly: true, pktAccess: true }),
    ],
  },
  {
    id: 111,
    name: 'skb_output',
    prototype: 'long bpf_skb_output(void *ctx, void *map, __u64 flags, void *data, __u64 size)',
    summary: 'push a record with packet bytes into a perf event array (tracing)',
    protos: [
      proto('bpf_skb_output_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'sk_buff' },
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 112,
    name: 'probe_read_user',
    prototype: 'long bpf_probe_read_user(void *dst, __u32 size, const void *unsafe_ptr)',
    summary: 'copy bytes from a user-space address',
    protos: [
      proto('bpf_probe_read_user_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 113,
    name: 'probe_read_kernel',
    prototype: 'long bpf_probe_read_kernel(void *dst, __u32 size, const void *unsafe_ptr)',
    summary: 'copy bytes from a kernel address',
    protos: [
      proto('bpf_probe_read_kernel_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 114,
    name: 'probe_read_user_str',
    prototype: 'long bpf_probe_read_user_str(void *dst, __u32 size, const void *unsafe_ptr)',
    summary: 'copy a NUL-terminated string from a user-space address',
    protos: [
      proto('bpf_probe_read_user_str_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 115,
    name: 'probe_read_kernel_str',
    prototype: 'long bpf_probe_read_kernel_str(void *dst, __u32 size, const void *unsafe_ptr)',
    summary: 'copy a NUL-terminated string from a kernel address',
    protos: [
      proto('bpf_probe_read_kernel_str_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 116,
    name: 'tcp_send_ack',
    prototype: 'long bpf_tcp_send_ack(void *tp, __u32 rcv_nxt)',
    summary: 'send a TCP ACK now (congestion-control programs)',
    protos: [
      proto('bpf_tcp_send_ack_proto', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_BTF_ID', btf: 'tcp_sock' }, 'ARG_ANYTHING']),
    ],
  },
  {
    id: 117,
    name: 'send_signal_thread',
    prototype: 'long bpf_send_signal_thread(__u32 sig)',
    summary: 'send a signal to the current thread',
    protos: [
      proto('bpf_send_signal_thread_proto', 'RET_INTEGER', ['ARG_ANYTHING']),
    ],
  },
  {
    id: 118,
    name: 'jiffies64',
    prototype: '__u64 bpf_jiffies64(void)',
    summary: 'the current 64-bit jiffies count',
    protos: [
      proto('bpf_jiffies64_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 119,
    name: 'read_branch_records',
    prototype: 'long bpf_read_branch_records(struct bpf_perf_event_data *ctx, void *buf, __u32 size, __u64 flags)',
    summary: 'copy the last branch records of a perf event',
    protos: [
      proto('bpf_read_branch_records_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM_OR_NULL',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 120,
    name: 'get_ns_current_pid_tgid',
    prototype: 'long bpf_get_ns_current_pid_tgid(__u64 dev, __u64 ino, struct bpf_pidns_info *nsdata, __u32 size)',
    summary: 'pid and tgid of the current task as seen from a pid namespace',
    protos: [
      proto('bpf_get_ns_current_pid_tgid_proto', 'RET_INTEGER', [
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 121,
    name: 'xdp_output',
    prototype: 'long bpf_xdp_output(void *ctx, void *map, __u64 flags, void *data, __u64 size)',
    summary: 'push a record with XDP packet bytes into a perf event array (tracing)',
    protos: [
      proto('bpf_xdp_output_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'xdp_buff' },
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 122,
    name: 'get_netns_cookie',
    prototype: '__u64 bpf_get_netns_cookie(void *ctx)',
    summary: 'a unique cookie identifying the network namespace of the context',
    protos: [
      proto('bpf_get_netns_cookie_sock_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX_OR_NULL']),
      proto('bpf_get_netns_cookie_sock_addr_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX_OR_NULL']),
      proto('bpf_get_netns_cookie_sock_ops_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX_OR_NULL']),
      proto('bpf_get_netns_cookie_sk_msg_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX_OR_NULL']),
      proto('bpf_get_netns_cookie_sockopt_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX_OR_NULL']),
    ],
  },
  {
    id: 123,
    name: 'get_current_ancestor_cgroup_id',
    prototype: '__u64 bpf_get_current_ancestor_cgroup_id(int ancestor_level)',
    summary: 'the id of an ancestor cgroup of the current task',
    protos: [
      proto('bpf_get_current_ancestor_cgroup_id_proto', 'RET_INTEGER', ['ARG_ANYTHING']),
    ],
  },
  {
    id: 124,
    name: 'sk_assign',
    prototype: 'long bpf_sk_assign(void *ctx, void *sk, __u64 flags)',
    summary: 'steer the packet to a given socket',
    protos: [
      proto('bpf_sk_assign_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_ANYTHING']),
      proto('bpf_sk_lookup_assign_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_SOCKET_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 125,
    name: 'ktime_get_boot_ns',
    prototype: '__u64 bpf_ktime_get_boot_ns(void)',
    summary: 'nanoseconds since boot, suspend included',
    protos: [
      proto('bpf_ktime_get_boot_ns_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 126,
    name: 'seq_printf',
    prototype: 'long bpf_seq_printf(struct seq_file *m, const char *fmt, __u32 fmt_size, const void *data, __u32 data_len)',
    summary: 'format into the seq_file of an iterator',
    protos: [
      proto('bpf_seq_printf_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'seq_file' },
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 127,
    name: 'seq_write',
    prototype: 'long bpf_seq_write(struct seq_file *m, const void *data, __u32 len)',
    summary: 'write raw bytes into the seq_file of an iterator',
    protos: [
      proto('bpf_seq_write_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'seq_file' },
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 128,
    name: 'sk_cgroup_id',
    prototype: '__u64 bpf_sk_cgroup_id(void *sk)',
    summary: 'the cgroup v2 id of a socket',
    protos: [
      proto('bpf_sk_cgroup_id_proto', 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID_SOCK_COMMON']),
    ],
  },
  {
    id: 129,
    name: 'sk_ancestor_cgroup_id',
    prototype: '__u64 bpf_sk_ancestor_cgroup_id(void *sk, int ancestor_level)',
    summary: 'the id of an ancestor cgroup of a socket\'s cgroup',
    protos: [
      proto('bpf_sk_ancestor_cgroup_id_proto', 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 130,
    name: 'ringbuf_output',
    prototype: 'long bpf_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags)',
    summary: 'copy a record into a ring buffer',
    protos: [
      proto('bpf_ringbuf_output_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 131,
    name: 'ringbuf_reserve',
    prototype: 'void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)',
    summary: 'reserve space for a record in a ring buffer; NULL when full',
    protos: [
      proto('bpf_ringbuf_reserve_proto', 'RET_PTR_TO_RINGBUF_MEM_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        'ARG_CONST_ALLOC_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 132,
    name: 'ringbuf_submit',
    prototype: 'void bpf_ringbuf_submit(void *data, __u64 flags)',
    summary: 'publish a reserved ring buffer record',
    protos: [
      proto('bpf_ringbuf_submit_proto', 'RET_VOID', ['ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 133,
    name: 'ringbuf_discard',
    prototype: 'void bpf_ringbuf_discard(void *data, __u64 flags)',
    summary: 'drop a reserved ring buffer record',
    protos: [
      proto('bpf_ringbuf_discard_proto', 'RET_VOID', ['ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 134,
    name: 'ringbuf_query',
    prototype: '__u64 bpf_ringbuf_query(void *ringbuf, __u64 flags)',
    summary: 'read a property of a ring buffer (available data, size, positions)',
    protos: [
      proto('bpf_ringbuf_query_proto', 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 135,
    name: 'csum_level',
    prototype: 'long bpf_csum_level(struct __sk_buff *skb, __u64 level)',
    summary: 'read or change the checksum level of a CHECKSUM_UNNECESSARY packet',
    protos: [
      proto('bpf_csum_level_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 136,
    name: 'skc_to_tcp6_sock',
    prototype: 'struct tcp6_sock *bpf_skc_to_tcp6_sock(void *sk)',
    summary: 'cast a socket to tcp6_sock when it is one, else NULL',
    protos: [
      proto('bpf_skc_to_tcp6_sock_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'tcp6_sock' }, [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
      ]),
    ],
  },
  {
    id: 137,
    name: 'skc_to_tcp_sock',
    prototype: 'struct tcp_sock *bpf_skc_to_tcp_sock(void *sk)',
    summary: 'cast a socket to tcp_sock when it is one, else NULL',
    protos: [
      proto('bpf_skc_to_tcp_sock_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'tcp_sock' }, [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
      ]),
    ],
  },
  {
    id: 138,
    name: 'skc_to_tcp_timewait_sock',
    prototype: 'struct tcp_timewait_sock *bpf_skc_to_tcp_timewait_sock(void *sk)',
    summary: 'cast a socket to tcp_timewait_sock when it is one, else NULL',
    protos: [
      proto('bpf_skc_to_tcp_timewait_sock_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'tcp_timewait_sock' }, [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
      ]),
    ],
  },
  {
    id: 139,
    name: 'skc_to_tcp_request_sock',
    prototype: 'struct tcp_request_sock *bpf_skc_to_tcp_request_sock(void *sk)',
    summary: 'cast a socket to tcp_request_sock when it is one, else NULL',
    protos: [
      proto('bpf_skc_to_tcp_request_sock_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'tcp_request_sock' }, [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
      ]),
    ],
  },
  {
    id: 140,
    name: 'skc_to_udp6_sock',
    prototype: 'struct udp6_sock *bpf_skc_to_udp6_sock(void *sk)',
    summary: 'cast a socket to udp6_sock when it is one, else NULL',
    protos: [
      proto('bpf_skc_to_udp6_sock_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'udp6_sock' }, [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
      ]),
    ],
  },
  {
    id: 141,
    name: 'get_task_stack',
    prototype: 'long bpf_get_task_stack(struct task_struct *task, void *buf, __u32 size, __u64 flags)',
    summary: 'copy the kernel stack of a given task into a buffer',
    protos: [
      proto('bpf_get_task_stack_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'task_struct' },
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ]),
      proto('bpf_get_task_stack_sleepable_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'task_struct' },
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { mightSleep: true }),
    ],
  },
  {
    id: 142,
    name: 'load_hdr_opt',
    prototype: 'long bpf_load_hdr_opt(struct bpf_sock_ops *skops, void *searchby_res, __u32 len, __u64 flags)',
    summary: 'search the TCP header options of the packet',
    protos: [
      proto('bpf_sock_ops_load_hdr_opt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_WRITE',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 143,
    name: 'store_hdr_opt',
    prototype: 'long bpf_store_hdr_opt(struct bpf_sock_ops *skops, const void *from, __u32 len, __u64 flags)',
    summary: 'write a TCP header option into reserved space',
    protos: [
      proto('bpf_sock_ops_store_hdr_opt_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 144,
    name: 'reserve_hdr_opt',
    prototype: 'long bpf_reserve_hdr_opt(struct bpf_sock_ops *skops, __u32 len, __u64 flags)',
    summary: 'reserve room for TCP header options to be written later',
    protos: [
      proto('bpf_sock_ops_reserve_hdr_opt_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 145,
    name: 'inode_storage_get',
    prototype: 'void *bpf_inode_storage_get(void *map, void *inode, void *value, __u64 flags)',
    summary: 'the inode-local storage of an inode, optionally creating it',
    protos: [
      proto('bpf_inode_storage_get_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'inode' },
        'ARG_PTR_TO_MAP_VALUE_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 146,
    name: 'inode_storage_delete',
    prototype: 'int bpf_inode_storage_delete(void *map, void *inode)',
    summary: 'delete an inode\'s local storage from a map',
    protos: [
      proto('bpf_inode_storage_delete_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'inode' },
      ]),
    ],
  },
  {
    id: 147,
    name: 'd_path',
    prototype: 'long bpf_d_path(struct path *path, char *buf, __u32 sz)',
    summary: 'the full path of a struct path, as text',
    protos: [
      proto('bpf_d_path_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'path' },
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
      ]),
    ],
  },
  {
    id: 148,
    name: 'copy_from_user',
    prototype: 'long bpf_copy_from_user(void *dst, __u32 size, const void *user_ptr)',
    summary: 'copy bytes from user space, sleeping if a page must be faulted in',
    protos: [
      proto('bpf_copy_from_user_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { mightSleep: true }),
    ],
  },
  {
    id: 149,
    name: 'snprintf_btf',
    prototype: 'long bpf_snprintf_btf(char *str, __u32 str_size, struct btf_ptr *ptr, __u32 btf_ptr_size, __u64 flags)',
    summary: 'format a typed kernel object as text using BTF',
    protos: [
      proto('bpf_snprintf_btf_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 150,
    name: 'seq_printf_btf',
    prototype: 'long bpf_seq_printf_btf(struct seq_file *m, struct btf_ptr *ptr, __u32 ptr_size, __u64 flags)',
    summary: 'format a typed kernel object into the seq_file of an iterator',
    protos: [
      proto('bpf_seq_printf_btf_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'seq_file' },
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 151,
    name: 'skb_cgroup_classid',
    prototype: '__u64 bpf_skb_cgroup_classid(struct __sk_buff *skb)',
    summary: 'the net_cls class id of the packet\'s socket (egress)',
    protos: [
      proto('bpf_skb_cgroup_classid_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 152,
    name: 'redirect_neigh',
    prototype: 'long bpf_redirect_neigh(__u32 ifindex, struct bpf_redir_neigh *params, int plen, __u64 flags)',
    summary: 'redirect the packet to another interface, filling in the neighbour',
    protos: [
      proto('bpf_redirect_neigh_proto', 'RET_INTEGER', [
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 153,
    name: 'per_cpu_ptr',
    prototype: 'void *bpf_per_cpu_ptr(const void *percpu_ptr, __u32 cpu)',
    summary: 'a pointer to the copy of a per-CPU kernel variable for a given CPU',
    protos: [
      proto('bpf_per_cpu_ptr_proto', 'RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY', [
        'ARG_PTR_TO_PERCPU_BTF_ID',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 154,
    name: 'this_cpu_ptr',
    prototype: 'void *bpf_this_cpu_ptr(const void *percpu_ptr)',
    summary: 'a pointer to the current CPU\'s copy of a per-CPU kernel variable',
    protos: [
      proto('bpf_this_cpu_ptr_proto', 'RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY', ['ARG_PTR_TO_PERCPU_BTF_ID']),
    ],
  },
  {
    id: 155,
    name: 'redirect_peer',
    prototype: 'long bpf_redirect_peer(__u32 ifindex, __u64 flags)',
    summary: 'redirect the packet to the peer device of a veth or netkit pair',
    protos: [
      proto('bpf_redirect_peer_proto', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 156,
    name: 'task_storage_get',
    prototype: 'void *bpf_task_storage_get(void *map, struct task_struct *task, void *value, __u64 flags)',
    summary: 'the task-local storage of a task, optionally creating it',
    protos: [
      proto('bpf_task_storage_get_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'task_struct' },
        'ARG_PTR_TO_MAP_VALUE_OR_NULL',
        'ARG_ANYTHING',
      ]),
      proto('bpf_task_storage_get_recur_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'task_struct' },
        'ARG_PTR_TO_MAP_VALUE_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 157,
    name: 'task_storage_delete',
    prototype: 'long bpf_task_storage_delete(void *map, struct task_struct *task)',
    summary: 'delete a task\'s local storage from a map',
    protos: [
      proto('bpf_task_storage_delete_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'task_struct' },
      ]),
      proto('bpf_task_storage_delete_recur_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'task_struct' },
      ]),
    ],
  },
  {
    id: 158,
    name: 'get_current_task_btf',
    prototype: 'struct task_struct *bpf_get_current_task_btf(void)',
    summary: 'the current task_struct as a typed (BTF) pointer',
    protos: [
      proto('bpf_get_current_task_btf_proto', { type: 'RET_PTR_TO_BTF_ID_TRUSTED', btf: 'task_struct' }, [
      ], { gplOnly: true }),
    ],
  },
  {
    id: 159,
    name: 'bprm_opts_set',
    prototype: 'long bpf_bprm_opts_set(struct linux_binprm *bprm, __u64 flags)',
    summary: 'set options of the binary being executed (secure exec)',
    protos: [
      proto('bpf_bprm_opts_set_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'linux_binprm' },
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 160,
    name: 'ktime_get_coarse_ns',
    prototype: '__u64 bpf_ktime_get_coarse_ns(void)',
    summary: 'a cheaper, coarse CLOCK_MONOTONIC in nanoseconds',
    protos: [
      proto('bpf_ktime_get_coarse_ns_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 161,
    name: 'ima_inode_hash',
    prototype: 'long bpf_ima_inode_hash(struct inode *inode, void *dst, __u32 size)',
    summary: 'copy the IMA hash of an inode',
    protos: [
      proto('bpf_ima_inode_hash_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'inode' },
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ], { mightSleep: true }),
    ],
  },
  {
    id: 162,
    name: 'sock_from_file',
    prototype: 'struct socket *bpf_sock_from_file(struct file *file)',
    summary: 'the socket behind a file, or NULL',
    protos: [
      proto('bpf_sock_from_file_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'socket' }, [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'file' },
      ]),
    ],
  },
  {
    id: 163,
    name: 'check_mtu',
    prototype: 'long bpf_check_mtu(void *ctx, __u32 ifindex, __u32 *mtu_len, __s32 len_diff, __u64 flags)',
    summary: 'check a packet length against the MTU of an interface',
    protos: [
      proto('bpf_skb_check_mtu_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED', size: 4 },
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
      proto('bpf_xdp_check_mtu_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED', size: 4 },
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 164,
    name: 'for_each_map_elem',
    prototype: 'long bpf_for_each_map_elem(void *map, void *callback_fn, void *callback_ctx, __u64 flags)',
    summary: 'call a callback for every element of a map',
    protos: [
      proto('bpf_for_each_map_elem_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_FUNC',
        'ARG_PTR_TO_STACK_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 165,
    name: 'snprintf',
    prototype: 'long bpf_snprintf(char *str, __u32 str_size, const char *fmt, __u64 *data, __u32 data_len)',
    summary: 'format into a buffer like snprintf, arguments passed as an array',
    protos: [
      proto('bpf_snprintf_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM_OR_NULL',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_PTR_TO_CONST_STR',
        'ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 166,
    name: 'sys_bpf',
    prototype: 'long bpf_sys_bpf(__u32 cmd, void *attr, __u32 attr_size)',
    summary: 'run a bpf() command from a syscall program',
    protos: [
      proto('bpf_sys_bpf_proto', 'RET_INTEGER', [
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ], { mightSleep: true }),
    ],
  },
  {
    id: 167,
    name: 'btf_find_by_name_kind',
    prototype: 'long bpf_btf_find_by_name_kind(char *name, int name_sz, __u32 kind, int flags)',
    summary: 'find a kernel BTF type id by name and kind',
    protos: [
      proto('bpf_btf_find_by_name_kind_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { mightSleep: true }),
    ],
  },
  {
    id: 168,
    name: 'sys_close',
    prototype: 'long bpf_sys_close(__u32 fd)',
    summary: 'close a file descriptor from a syscall program',
    protos: [
      proto('bpf_sys_close_proto', 'RET_INTEGER', ['ARG_ANYTHING'], { mightSleep: true }),
    ],
  },
  {
    id: 169,
    name: 'timer_init',
    prototype: 'long bpf_timer_init(struct bpf_timer *timer, void *map, __u64 flags)',
    summary: 'initialise a bpf_timer embedded in a map value',
    protos: [
      proto('bpf_timer_init_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_TIMER',
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 170,
    name: 'timer_set_callback',
    prototype: 'long bpf_timer_set_callback(struct bpf_timer *timer, void *callback_fn)',
    summary: 'set the function a bpf_timer calls when it fires',
    protos: [
      proto('bpf_timer_set_callback_proto', 'RET_INTEGER', ['ARG_PTR_TO_TIMER', 'ARG_PTR_TO_FUNC'], { gplOnly: true }),
    ],
  },
  {
    id: 171,
    name: 'timer_start',
    prototype: 'long bpf_timer_start(struct bpf_timer *timer, __u64 nsecs, __u64 flags)',
    summary: 'arm a bpf_timer to fire after a delay',
    protos: [
      proto('bpf_timer_start_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_TIMER',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 172,
    name: 'timer_cancel',
    prototype: 'long bpf_timer_cancel(struct bpf_timer *timer)',
    summary: 'cancel a pending bpf_timer',
    protos: [
      proto('bpf_timer_cancel_proto', 'RET_INTEGER', ['ARG_PTR_TO_TIMER'], { gplOnly: true }),
    ],
  },
  {
    id: 173,
    name: 'get_func_ip',
    prototype: '__u64 bpf_get_func_ip(void *ctx)',
    summary: 'the address of the traced function',
    protos: [
      proto('bpf_get_func_ip_proto_tracing', 'RET_INTEGER', ['ARG_PTR_TO_CTX'], { gplOnly: true }),
      proto('bpf_get_func_ip_proto_kprobe_multi', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_func_ip_proto_uprobe_multi', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_func_ip_proto_kprobe', 'RET_INTEGER', ['ARG_PTR_TO_CTX'], { gplOnly: true }),
    ],
  },
  {
    id: 174,
    name: 'get_attach_cookie',
    prototype: '__u64 bpf_get_attach_cookie(void *ctx)',
    summary: 'the cookie given when the program was attached',
    protos: [
      proto('bpf_get_attach_cookie_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_attach_cookie_proto_kmulti', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_attach_cookie_proto_umulti', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_attach_cookie_proto_trace', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_attach_cookie_proto_pe', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_get_attach_cookie_proto_tracing', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 175,
    name: 'task_pt_regs',
    prototype: 'long bpf_task_pt_regs(struct task_struct *task)',
    summary: 'the user registers (pt_regs) of a task',
    protos: [
      proto('bpf_task_pt_regs_proto', { type: 'RET_PTR_TO_BTF_ID', btf: 'pt_regs' }, [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'task_struct' },
      ], { gplOnly: true }),
    ],
  },
  {
    id: 176,
    name: 'get_branch_snapshot',
    prototype: 'long bpf_get_branch_snapshot(void *entries, __u32 size, __u64 flags)',
    summary: 'copy a snapshot of the hardware branch records',
    protos: [
      proto('bpf_get_branch_snapshot_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 177,
    name: 'trace_vprintk',
    prototype: 'long bpf_trace_vprintk(const char *fmt, __u32 fmt_size, const void *data, __u32 data_len)',
    summary: 'format any number of arguments, passed as an array, into the trace pipe',
    protos: [
      proto('bpf_trace_vprintk_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true }),
    ],
  },
  {
    id: 178,
    name: 'skc_to_unix_sock',
    prototype: 'struct unix_sock *bpf_skc_to_unix_sock(void *sk)',
    summary: 'cast a socket to unix_sock when it is one, else NULL',
    protos: [
      proto('bpf_skc_to_unix_sock_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'unix_sock' }, [
        'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
      ]),
    ],
  },
  {
    id: 179,
    name: 'kallsyms_lookup_name',
    prototype: 'long bpf_kallsyms_lookup_name(const char *name, int name_sz, int flags, __u64 *res)',
    summary: 'the address of a kernel symbol',
    protos: [
      proto('bpf_kallsyms_lookup_name_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED', size: 8 },
      ]),
    ],
  },
  {
    id: 180,
    name: 'find_vma',
    prototype: 'long bpf_find_vma(struct task_struct *task, __u64 addr, void *callback_fn, void *callback_ctx, __u64 flags)',
    summary: 'find the memory area of a task that contains an address and call a callback on it',
    protos: [
      proto('bpf_find_vma_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'task_struct' },
        'ARG_ANYTHING',
        'ARG_PTR_TO_FUNC',
        'ARG_PTR_TO_STACK_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 181,
    name: 'loop',
    prototype: 'long bpf_loop(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags)',
    summary: 'call a callback up to nr_loops times, stopping when it returns 1',
    protos: [
      proto('bpf_loop_proto', 'RET_INTEGER', [
        'ARG_SCALAR',
        'ARG_PTR_TO_FUNC',
        'ARG_PTR_TO_STACK_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 182,
    name: 'strncmp',
    prototype: 'long bpf_strncmp(const char *s1, __u32 s1_sz, const char *s2)',
    summary: 'compare a string with a constant string',
    protos: [
      proto('bpf_strncmp_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
        'ARG_PTR_TO_CONST_STR',
      ]),
    ],
  },
  {
    id: 183,
    name: 'get_func_arg',
    prototype: 'long bpf_get_func_arg(void *ctx, __u32 n, __u64 *value)',
    summary: 'read argument n of the traced function',
    protos: [
      proto('bpf_get_func_arg_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED', size: 8 },
      ]),
    ],
  },
  {
    id: 184,
    name: 'get_func_ret',
    prototype: 'long bpf_get_func_ret(void *ctx, __u64 *value)',
    summary: 'read the return value of the traced function (fexit)',
    protos: [
      proto('bpf_get_func_ret_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED', size: 8 },
      ]),
    ],
  },
  {
    id: 185,
    name: 'get_func_arg_cnt',
    prototype: 'long bpf_get_func_arg_cnt(void *ctx)',
    summary: 'the number of arguments of the traced function',
    protos: [
      proto('bpf_get_func_arg_cnt_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
    ],
  },
  {
    id: 186,
    name: 'get_retval',
    prototype: 'int bpf_get_retval(void)',
    summary: 'the return value the cgroup hook will give the syscall',
    protos: [
      proto('bpf_get_retval_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 187,
    name: 'set_retval',
    prototype: 'int bpf_set_retval(int retval)',
    summary: 'set the return value the cgroup hook will give the syscall',
    protos: [
      proto('bpf_set_retval_proto', 'RET_INTEGER', ['ARG_ANYTHING']),
    ],
  },
  {
    id: 188,
    name: 'xdp_get_buff_len',
    prototype: '__u64 bpf_xdp_get_buff_len(struct xdp_md *xdp_md)',
    summary: 'the total length of the XDP packet, fragments included',
    protos: [
      proto('bpf_xdp_get_buff_len_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX']),
      proto('bpf_xdp_get_buff_len_trace_proto', 'RET_INTEGER', [{ type: 'ARG_PTR_TO_BTF_ID', btf: 'xdp_buff' }]),
    ],
  },
  {
    id: 189,
    name: 'xdp_load_bytes',
    prototype: 'long bpf_xdp_load_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len)',
    summary: 'copy bytes out of an XDP packet, across fragments',
    protos: [
      proto('bpf_xdp_load_bytes_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 190,
    name: 'xdp_store_bytes',
    prototype: 'long bpf_xdp_store_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len)',
    summary: 'write bytes into an XDP packet, across fragments',
    protos: [
      proto('bpf_xdp_store_bytes_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_CTX',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE',
      ]),
    ],
  },
  {
    id: 191,
    name: 'copy_from_user_task',
    prototype: 'long bpf_copy_from_user_task(void *dst, __u32 size, const void *user_ptr, struct task_struct *tsk, __u64 flags)',
    summary: 'copy bytes from the user memory of another task',
    protos: [
      proto('bpf_copy_from_user_task_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'task_struct' },
        'ARG_ANYTHING',
      ], { gplOnly: true, mightSleep: true }),
    ],
  },
  {
    id: 192,
    name: 'skb_set_tstamp',
    prototype: 'long bpf_skb_set_tstamp(struct __sk_buff *skb, __u64 tstamp, __u32 tstamp_type)',
    summary: 'set the delivery time stamp of the packet',
    protos: [
      proto('bpf_skb_set_tstamp_proto', 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']),
    ],
  },
  {
    id: 193,
    name: 'ima_file_hash',
    prototype: 'long bpf_ima_file_hash(struct file *file, void *dst, __u32 size)',
    summary: 'copy the IMA hash of a file',
    protos: [
      proto('bpf_ima_file_hash_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_BTF_ID', btf: 'file' },
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE',
      ], { mightSleep: true }),
    ],
  },
  {
    id: 194,
    name: 'kptr_xchg',
    prototype: 'void *bpf_kptr_xchg(void *dst, void *ptr)',
    summary: 'swap a referenced kernel pointer stored in a map value',
    protos: [
      proto('bpf_kptr_xchg_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: '*' }, [
        'ARG_KPTR_XCHG_DEST',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE', btf: '*' },
      ]),
    ],
  },
  {
    id: 195,
    name: 'map_lookup_percpu_elem',
    prototype: 'void *bpf_map_lookup_percpu_elem(void *map, const void *key, __u32 cpu)',
    summary: 'look up the value of a per-CPU map on a given CPU',
    protos: [
      proto('bpf_map_lookup_percpu_elem_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_MAP_KEY',
        'ARG_ANYTHING',
      ], { pktAccess: true }),
    ],
  },
  {
    id: 196,
    name: 'skc_to_mptcp_sock',
    prototype: 'struct mptcp_sock *bpf_skc_to_mptcp_sock(void *sk)',
    summary: 'the MPTCP socket behind a TCP subflow socket, else NULL',
    protos: [
      proto('bpf_skc_to_mptcp_sock_proto', { type: 'RET_PTR_TO_BTF_ID_OR_NULL', btf: 'mptcp_sock' }, [
        'ARG_PTR_TO_SOCK_COMMON',
      ]),
    ],
  },
  {
    id: 197,
    name: 'dynptr_from_mem',
    prototype: 'long bpf_dynptr_from_mem(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr)',
    summary: 'make a dynptr over a map value',
    protos: [
      proto('bpf_dynptr_from_mem_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL | MEM_UNINIT | MEM_WRITE',
      ]),
    ],
  },
  {
    id: 198,
    name: 'ringbuf_reserve_dynptr',
    prototype: 'long bpf_ringbuf_reserve_dynptr(void *ringbuf, __u32 size, __u64 flags, struct bpf_dynptr *ptr)',
    summary: 'reserve a ring buffer record of runtime size as a dynptr',
    protos: [
      proto('bpf_ringbuf_reserve_dynptr_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
        'ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | MEM_UNINIT | MEM_WRITE',
      ]),
    ],
  },
  {
    id: 199,
    name: 'ringbuf_submit_dynptr',
    prototype: 'void bpf_ringbuf_submit_dynptr(struct bpf_dynptr *ptr, __u64 flags)',
    summary: 'publish a ring buffer record held by a dynptr',
    protos: [
      proto('bpf_ringbuf_submit_dynptr_proto', 'RET_VOID', [
        'ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 200,
    name: 'ringbuf_discard_dynptr',
    prototype: 'void bpf_ringbuf_discard_dynptr(struct bpf_dynptr *ptr, __u64 flags)',
    summary: 'drop a ring buffer record held by a dynptr',
    protos: [
      proto('bpf_ringbuf_discard_dynptr_proto', 'RET_VOID', [
        'ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 201,
    name: 'dynptr_read',
    prototype: 'long bpf_dynptr_read(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags)',
    summary: 'copy bytes out of a dynptr',
    protos: [
      proto('bpf_dynptr_read_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_PTR_TO_DYNPTR | MEM_RDONLY',
        'ARG_ANYTHING',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 202,
    name: 'dynptr_write',
    prototype: 'long bpf_dynptr_write(const struct bpf_dynptr *dst, __u32 offset, void *src, __u32 len, __u64 flags)',
    summary: 'copy bytes into a dynptr',
    protos: [
      proto('bpf_dynptr_write_proto', 'RET_INTEGER', [
        'ARG_PTR_TO_DYNPTR | MEM_RDONLY',
        'ARG_ANYTHING',
        'ARG_PTR_TO_MEM | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 203,
    name: 'dynptr_data',
    prototype: 'void *bpf_dynptr_data(const struct bpf_dynptr *ptr, __u32 offset, __u32 len)',
    summary: 'a direct pointer to a range of a dynptr\'s memory, or NULL',
    protos: [
      proto('bpf_dynptr_data_proto', 'RET_PTR_TO_DYNPTR_MEM_OR_NULL', [
        'ARG_PTR_TO_DYNPTR | MEM_RDONLY',
        'ARG_ANYTHING',
        'ARG_CONST_ALLOC_SIZE_OR_ZERO',
      ]),
    ],
  },
  {
    id: 204,
    name: 'tcp_raw_gen_syncookie_ipv4',
    prototype: '__s64 bpf_tcp_raw_gen_syncookie_ipv4(struct iphdr *iph, struct tcphdr *th, __u32 th_len)',
    summary: 'compute a SYN cookie from raw IPv4 and TCP headers',
    protos: [
      proto('bpf_tcp_raw_gen_syncookie_ipv4_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', size: 20 },
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true, pktAccess: true }),
    ],
  },
  {
    id: 205,
    name: 'tcp_raw_gen_syncookie_ipv6',
    prototype: '__s64 bpf_tcp_raw_gen_syncookie_ipv6(struct ipv6hdr *iph, struct tcphdr *th, __u32 th_len)',
    summary: 'compute a SYN cookie from raw IPv6 and TCP headers',
    protos: [
      proto('bpf_tcp_raw_gen_syncookie_ipv6_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', size: 40 },
        'ARG_PTR_TO_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
      ], { gplOnly: true, pktAccess: true }),
    ],
  },
  {
    id: 206,
    name: 'tcp_raw_check_syncookie_ipv4',
    prototype: 'long bpf_tcp_raw_check_syncookie_ipv4(struct iphdr *iph, struct tcphdr *th)',
    summary: 'check a SYN cookie from raw IPv4 and TCP headers',
    protos: [
      proto('bpf_tcp_raw_check_syncookie_ipv4_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', size: 20 },
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', size: 20 },
      ], { gplOnly: true, pktAccess: true }),
    ],
  },
  {
    id: 207,
    name: 'tcp_raw_check_syncookie_ipv6',
    prototype: 'long bpf_tcp_raw_check_syncookie_ipv6(struct ipv6hdr *iph, struct tcphdr *th)',
    summary: 'check a SYN cookie from raw IPv6 and TCP headers',
    protos: [
      proto('bpf_tcp_raw_check_syncookie_ipv6_proto', 'RET_INTEGER', [
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', size: 40 },
        { type: 'ARG_PTR_TO_FIXED_SIZE_MEM', size: 20 },
      ], { gplOnly: true, pktAccess: true }),
    ],
  },
  {
    id: 208,
    name: 'ktime_get_tai_ns',
    prototype: '__u64 bpf_ktime_get_tai_ns(void)',
    summary: 'nanoseconds of CLOCK_TAI',
    protos: [
      proto('bpf_ktime_get_tai_ns_proto', 'RET_INTEGER', []),
    ],
  },
  {
    id: 209,
    name: 'user_ringbuf_drain',
    prototype: 'long bpf_user_ringbuf_drain(void *map, void *callback_fn, void *ctx, __u64 flags)',
    summary: 'call a callback on each record user space wrote into a user ring buffer',
    protos: [
      proto('bpf_user_ringbuf_drain_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        'ARG_PTR_TO_FUNC',
        'ARG_PTR_TO_STACK_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 210,
    name: 'cgrp_storage_get',
    prototype: 'void *bpf_cgrp_storage_get(void *map, struct cgroup *cgroup, void *value, __u64 flags)',
    summary: 'the cgroup-local storage of a cgroup, optionally creating it',
    protos: [
      proto('bpf_cgrp_storage_get_proto', 'RET_PTR_TO_MAP_VALUE_OR_NULL', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'cgroup' },
        'ARG_PTR_TO_MAP_VALUE_OR_NULL',
        'ARG_ANYTHING',
      ]),
    ],
  },
  {
    id: 211,
    name: 'cgrp_storage_delete',
    prototype: 'long bpf_cgrp_storage_delete(void *map, struct cgroup *cgroup)',
    summary: 'delete a cgroup\'s local storage from a map',
    protos: [
      proto('bpf_cgrp_storage_delete_proto', 'RET_INTEGER', [
        'ARG_CONST_MAP_PTR',
        { type: 'ARG_PTR_TO_BTF_ID_OR_NULL', btf: 'cgroup' },
      ]),
    ],
  },
];
