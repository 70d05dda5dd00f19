/**
 * Flag families of the UAPI: map creation, element updates, program load
 * and attach, and the `flags` arguments of common helpers. Values are plain
 * numbers; every one is exact in a double (the widest, `BPF_F_CTXLEN_MASK`,
 * is below 2^52), so `BigInt(v)` gives the helper's u64 argument.
 * Decode a flags word with {@link flagNames}.
 */
import { defineUapiEnum } from './enum';

/** `map_flags` of `BPF_MAP_CREATE`. */
export const MAP_FLAG = {
  /** BPF_F_NO_PREALLOC: hash entries are allocated on update, not at creation */
  NO_PREALLOC: 1 << 0,
  /** BPF_F_NO_COMMON_LRU: one LRU list per CPU instead of a shared one */
  NO_COMMON_LRU: 1 << 1,
  /** BPF_F_NUMA_NODE: `numa_node` of the create attributes is valid */
  NUMA_NODE: 1 << 2,
  /** BPF_F_RDONLY: user space may only read the map through this fd */
  RDONLY: 1 << 3,
  /** BPF_F_WRONLY: user space may only write the map through this fd */
  WRONLY: 1 << 4,
  /** BPF_F_STACK_BUILD_ID: a stack trace map stores build id + offset */
  STACK_BUILD_ID: 1 << 5,
  /** BPF_F_ZERO_SEED: hash with a zero seed (testing) */
  ZERO_SEED: 1 << 6,
  /** BPF_F_RDONLY_PROG: programs may only read the map */
  RDONLY_PROG: 1 << 7,
  /** BPF_F_WRONLY_PROG: programs may only write the map */
  WRONLY_PROG: 1 << 8,
  /** BPF_F_CLONE: storage is cloned with the socket */
  CLONE: 1 << 9,
  /** BPF_F_MMAPABLE: an array user space can mmap */
  MMAPABLE: 1 << 10,
  /** BPF_F_PRESERVE_ELEMS: a perf event array keeps entries when its fd closes */
  PRESERVE_ELEMS: 1 << 11,
  /** BPF_F_INNER_MAP: an inner map whose max_entries may differ */
  INNER_MAP: 1 << 12,
  /** BPF_F_LINK: the map is a struct_ops map used through a link */
  LINK: 1 << 13,
  /** BPF_F_PATH_FD: `path_fd` of the attributes is valid (obj pin/get) */
  PATH_FD: 1 << 14,
  /** BPF_F_VTYPE_BTF_OBJ_FD: the value type id is in `value_type_btf_obj_fd` */
  VTYPE_BTF_OBJ_FD: 1 << 15,
  /** BPF_F_TOKEN_FD: `map_token_fd` of the attributes is valid */
  TOKEN_FD: 1 << 16,
  /** BPF_F_SEGV_ON_FAULT: an arena faults user space on access to unallocated pages */
  SEGV_ON_FAULT: 1 << 17,
  /** BPF_F_NO_USER_CONV: an arena does not convert user pointers */
  NO_USER_CONV: 1 << 18,
} as const;

/** `map_flags` of `BPF_MAP_CREATE` (prefix `BPF_F_`). */
export const MAP_FLAGS = defineUapiEnum('map_flags (BPF_MAP_CREATE)', 'BPF_F_', MAP_FLAG);

/** `flags` of map element updates (`bpf_map_update_elem`, `BPF_MAP_UPDATE_ELEM`, lookups with a lock). */
export const UPDATE_FLAG = {
  /** BPF_ANY: create the element or replace it */
  ANY: 0,
  /** BPF_NOEXIST: create the element only if the key is absent (else -EEXIST) */
  NOEXIST: 1,
  /** BPF_EXIST: replace the element only if the key exists (else -ENOENT) */
  EXIST: 2,
  /** BPF_F_LOCK: take the value's bpf_spin_lock around the copy */
  F_LOCK: 4,
} as const;

/** Map element update flags (prefix `BPF_`: `BPF_ANY`, ..., `BPF_F_LOCK`). */
export const UPDATE_FLAGS = defineUapiEnum('map update flags', 'BPF_', UPDATE_FLAG);

/** `prog_flags` of `BPF_PROG_LOAD`. */
export const PROG_LOAD_FLAG = {
  /** BPF_F_STRICT_ALIGNMENT: check alignment as strictly as on architectures without unaligned access */
  STRICT_ALIGNMENT: 1 << 0,
  /** BPF_F_ANY_ALIGNMENT: skip alignment checks (testing) */
  ANY_ALIGNMENT: 1 << 1,
  /** BPF_F_TEST_RND_HI32: randomise the upper halves of 32-bit results (testing) */
  TEST_RND_HI32: 1 << 2,
  /** BPF_F_TEST_STATE_FREQ: checkpoint verifier states often (testing) */
  TEST_STATE_FREQ: 1 << 3,
  /** BPF_F_SLEEPABLE: the program may sleep (`.s` section suffixes) */
  SLEEPABLE: 1 << 4,
  /** BPF_F_XDP_HAS_FRAGS: the XDP program handles multi-buffer packets */
  XDP_HAS_FRAGS: 1 << 5,
  /** BPF_F_XDP_DEV_BOUND_ONLY: the XDP program is bound to one device */
  XDP_DEV_BOUND_ONLY: 1 << 6,
  /** BPF_F_TEST_REG_INVARIANTS: fail on broken register bound invariants (testing) */
  TEST_REG_INVARIANTS: 1 << 7,
} as const;

/** `prog_flags` of `BPF_PROG_LOAD` (prefix `BPF_F_`). */
export const PROG_LOAD_FLAGS = defineUapiEnum('prog_flags (BPF_PROG_LOAD)', 'BPF_F_', PROG_LOAD_FLAG);

/** `attach_flags` of `BPF_PROG_ATTACH` (cgroup and tcx/netkit attachment). */
export const ATTACH_FLAG = {
  /** BPF_F_ALLOW_OVERRIDE: a descendant cgroup may replace the program */
  ALLOW_OVERRIDE: 1 << 0,
  /** BPF_F_ALLOW_MULTI: several programs run in order */
  ALLOW_MULTI: 1 << 1,
  /** BPF_F_REPLACE: replace the program given in `replace_bpf_fd` */
  REPLACE: 1 << 2,
  /** BPF_F_BEFORE: insert before the relative program or link */
  BEFORE: 1 << 3,
  /** BPF_F_AFTER: insert after the relative program or link */
  AFTER: 1 << 4,
  /** BPF_F_ID: the relative object is given by id, not fd */
  ID: 1 << 5,
  /** BPF_F_PREORDER: run this program before those of parent cgroups */
  PREORDER: 1 << 6,
  /** BPF_F_LINK: the relative object is a link */
  LINK: 1 << 13,
} as const;

/** `attach_flags` of `BPF_PROG_ATTACH` (prefix `BPF_F_`). */
export const ATTACH_FLAGS = defineUapiEnum('attach_flags (BPF_PROG_ATTACH)', 'BPF_F_', ATTACH_FLAG);

/** Flags of `bpf_skb_store_bytes`, `bpf_l3_csum_replace` and `bpf_l4_csum_replace`. */
export const CSUM_FLAG = {
  /** BPF_F_RECOMPUTE_CSUM: update skb->csum after the store */
  RECOMPUTE_CSUM: 1 << 0,
  /** BPF_F_INVALIDATE_HASH: clear the flow hash after the store */
  INVALIDATE_HASH: 1 << 1,
  /** BPF_F_HDR_FIELD_MASK: the low 4 bits give the size of the changed field (2 or 4, 0 for a diff) */
  HDR_FIELD_MASK: 0xf,
  /** BPF_F_PSEUDO_HDR: the field is part of the pseudo header */
  PSEUDO_HDR: 1 << 4,
  /** BPF_F_MARK_MANGLED_0: a zero UDP checksum becomes CSUM_MANGLED_0 */
  MARK_MANGLED_0: 1 << 5,
  /** BPF_F_MARK_ENFORCE: update the checksum even when it is zero */
  MARK_ENFORCE: 1 << 6,
  /** BPF_F_IPV6: the L4 checksum is over IPv6 */
  IPV6: 1 << 7,
} as const;

/** Checksum-helper flags (prefix `BPF_F_`). */
export const CSUM_FLAGS = defineUapiEnum('checksum helper flags', 'BPF_F_', CSUM_FLAG);

/** Flags of `bpf_redirect`, `bpf_clone_redirect` and `bpf_redirect_map`. */
export const REDIRECT_FLAG = {
  /** BPF_F_INGRESS: deliver to the device's ingress instead of its egress (skb) */
  INGRESS: 1 << 0,
  /** BPF_F_BROADCAST: send to every device of a devmap (XDP) */
  BROADCAST: 1 << 3,
  /** BPF_F_EXCLUDE_INGRESS: with BROADCAST, skip the receiving device (XDP) */
  EXCLUDE_INGRESS: 1 << 4,
} as const;

/** Redirect flags (prefix `BPF_F_`). */
export const REDIRECT_FLAGS = defineUapiEnum('redirect flags', 'BPF_F_', REDIRECT_FLAG);

/** Flags of `bpf_get_stackid` and `bpf_get_stack`. */
export const STACK_FLAG = {
  /** BPF_F_SKIP_FIELD_MASK: the low 8 bits give the number of frames to skip */
  SKIP_FIELD_MASK: 0xff,
  /** BPF_F_USER_STACK: walk the user stack instead of the kernel stack */
  USER_STACK: 1 << 8,
  /** BPF_F_FAST_STACK_CMP: compare stacks by hash only */
  FAST_STACK_CMP: 1 << 9,
  /** BPF_F_REUSE_STACKID: replace an older stack that hashes to the same id */
  REUSE_STACKID: 1 << 10,
  /** BPF_F_USER_BUILD_ID: store build id + offset (bpf_get_stack) */
  USER_BUILD_ID: 1 << 11,
} as const;

/** Stack helper flags (prefix `BPF_F_`). */
export const STACK_FLAGS = defineUapiEnum('stack helper flags', 'BPF_F_', STACK_FLAG);

/** Flags of `bpf_perf_event_output`, `bpf_perf_event_read` and `bpf_perf_event_read_value`. */
export const PERF_EVENT_FLAG = {
  /** BPF_F_INDEX_MASK: the low 32 bits index the perf event array */
  INDEX_MASK: 0xffffffff,
  /** BPF_F_CURRENT_CPU: use the slot of the CPU the program runs on */
  CURRENT_CPU: 0xffffffff,
  /** BPF_F_CTXLEN_MASK: bits 32-51 give how many bytes of the skb/xdp packet to append */
  CTXLEN_MASK: 0xfffff * 2 ** 32,
} as const;

/** Perf event helper flags (prefix `BPF_F_`); `CURRENT_CPU` is the primary name of 0xffffffff. */
export const PERF_EVENT_FLAGS = defineUapiEnum('perf event helper flags', 'BPF_F_', PERF_EVENT_FLAG, ['INDEX_MASK']);

/** Flags of `bpf_ringbuf_output`, `_submit`, `_discard` and their dynptr forms. */
export const RINGBUF_FLAG = {
  /** BPF_RB_NO_WAKEUP: do not wake up the consumer */
  NO_WAKEUP: 1 << 0,
  /** BPF_RB_FORCE_WAKEUP: wake up the consumer even if it is not waiting for this record */
  FORCE_WAKEUP: 1 << 1,
} as const;

/** Ring buffer notification flags (prefix `BPF_RB_`). */
export const RINGBUF_FLAGS = defineUapiEnum('ring buffer flags', 'BPF_RB_', RINGBUF_FLAG);

/** The `flags` argument of `bpf_ringbuf_query`: which property to read. */
export const RINGBUF_QUERY = {
  /** BPF_RB_AVAIL_DATA: bytes not yet consumed */
  AVAIL_DATA: 0,
  /** BPF_RB_RING_SIZE: the size of the data area */
  RING_SIZE: 1,
  /** BPF_RB_CONS_POS: the consumer position */
  CONS_POS: 2,
  /** BPF_RB_PROD_POS: the producer position */
  PROD_POS: 3,
} as const;

/** Ring buffer query selectors (prefix `BPF_RB_`). */
export const RINGBUF_QUERIES = defineUapiEnum('bpf_ringbuf_query flags', 'BPF_RB_', RINGBUF_QUERY);

/** Flags of the `*_storage_get` helpers (socket, inode, task, cgroup storage). */
export const LOCAL_STORAGE_FLAG = {
  /** BPF_LOCAL_STORAGE_GET_F_CREATE: create the storage when absent */
  GET_F_CREATE: 1 << 0,
} as const;

/** Local storage flags (prefix `BPF_LOCAL_STORAGE_`). */
export const LOCAL_STORAGE_FLAGS = defineUapiEnum('local storage flags', 'BPF_LOCAL_STORAGE_', LOCAL_STORAGE_FLAG);

/** Flags of `bpf_timer_start`. */
export const TIMER_FLAG = {
  /** BPF_F_TIMER_ABS: the expiry is an absolute time, not a delay */
  TIMER_ABS: 1 << 0,
  /** BPF_F_TIMER_CPU_PIN: fire on the CPU that started the timer */
  TIMER_CPU_PIN: 1 << 1,
} as const;

/** Timer flags (prefix `BPF_F_`). */
export const TIMER_FLAGS = defineUapiEnum('bpf_timer_start flags', 'BPF_F_', TIMER_FLAG);

/** The `mode` argument of `bpf_skb_adjust_room`. */
export const ADJ_ROOM_MODE = {
  /** BPF_ADJ_ROOM_NET: add or remove room at the network layer */
  NET: 0,
  /** BPF_ADJ_ROOM_MAC: add or remove room at the mac layer */
  MAC: 1,
} as const;

/** `bpf_skb_adjust_room` modes (prefix `BPF_ADJ_ROOM_`). */
export const ADJ_ROOM_MODES = defineUapiEnum('enum bpf_adj_room_mode', 'BPF_ADJ_ROOM_', ADJ_ROOM_MODE);

/** Flags of `bpf_skb_adjust_room` (bits 56-63 carry an L2 header length). */
export const ADJ_ROOM_FLAG = {
  /** BPF_F_ADJ_ROOM_FIXED_GSO: keep the GSO segment size */
  FIXED_GSO: 1 << 0,
  /** BPF_F_ADJ_ROOM_ENCAP_L3_IPV4: the added room is an outer IPv4 header */
  ENCAP_L3_IPV4: 1 << 1,
  /** BPF_F_ADJ_ROOM_ENCAP_L3_IPV6: the added room is an outer IPv6 header */
  ENCAP_L3_IPV6: 1 << 2,
  /** BPF_F_ADJ_ROOM_ENCAP_L4_GRE: the tunnel is GRE */
  ENCAP_L4_GRE: 1 << 3,
  /** BPF_F_ADJ_ROOM_ENCAP_L4_UDP: the tunnel is UDP */
  ENCAP_L4_UDP: 1 << 4,
  /** BPF_F_ADJ_ROOM_NO_CSUM_RESET: keep the checksum state */
  NO_CSUM_RESET: 1 << 5,
  /** BPF_F_ADJ_ROOM_ENCAP_L2_ETH: the inner L2 header is Ethernet */
  ENCAP_L2_ETH: 1 << 6,
  /** BPF_F_ADJ_ROOM_DECAP_L3_IPV4: an outer IPv4 header is removed */
  DECAP_L3_IPV4: 1 << 7,
  /** BPF_F_ADJ_ROOM_DECAP_L3_IPV6: an outer IPv6 header is removed */
  DECAP_L3_IPV6: 1 << 8,
} as const;

/** `bpf_skb_adjust_room` flags (prefix `BPF_F_ADJ_ROOM_`). */
export const ADJ_ROOM_FLAGS = defineUapiEnum('bpf_skb_adjust_room flags', 'BPF_F_ADJ_ROOM_', ADJ_ROOM_FLAG);

/** Flags of `bpf_fib_lookup`. */
export const FIB_LOOKUP_FLAG = {
  /** BPF_FIB_LOOKUP_DIRECT: look up the table of the ingress device directly, skipping rules */
  DIRECT: 1 << 0,
  /** BPF_FIB_LOOKUP_OUTPUT: do an output lookup (from the egress side) */
  OUTPUT: 1 << 1,
  /** BPF_FIB_LOOKUP_SKIP_NEIGH: do not resolve the neighbour */
  SKIP_NEIGH: 1 << 2,
  /** BPF_FIB_LOOKUP_TBID: `tbid` names the table to use */
  TBID: 1 << 3,
  /** BPF_FIB_LOOKUP_SRC: fill in the source address */
  SRC: 1 << 4,
  /** BPF_FIB_LOOKUP_MARK: use the `mark` field in the lookup */
  MARK: 1 << 5,
} as const;

/** `bpf_fib_lookup` flags (prefix `BPF_FIB_LOOKUP_`). */
export const FIB_LOOKUP_FLAGS = defineUapiEnum('bpf_fib_lookup flags', 'BPF_FIB_LOOKUP_', FIB_LOOKUP_FLAG);

/** Non-negative results of `bpf_fib_lookup`. */
export const FIB_LKUP_RET = {
  /** BPF_FIB_LKUP_RET_SUCCESS: forward; the params hold the next hop */
  SUCCESS: 0,
  /** BPF_FIB_LKUP_RET_BLACKHOLE: the destination is a blackhole route */
  BLACKHOLE: 1,
  /** BPF_FIB_LKUP_RET_UNREACHABLE: the destination is unreachable */
  UNREACHABLE: 2,
  /** BPF_FIB_LKUP_RET_PROHIBIT: the destination is prohibited */
  PROHIBIT: 3,
  /** BPF_FIB_LKUP_RET_NOT_FWDED: the packet is for this host or not routed */
  NOT_FWDED: 4,
  /** BPF_FIB_LKUP_RET_FWD_DISABLED: forwarding is off on the ingress device */
  FWD_DISABLED: 5,
  /** BPF_FIB_LKUP_RET_UNSUPP_LWT: the route needs an encapsulation */
  UNSUPP_LWT: 6,
  /** BPF_FIB_LKUP_RET_NO_NEIGH: no neighbour entry for the next hop */
  NO_NEIGH: 7,
  /** BPF_FIB_LKUP_RET_FRAG_NEEDED: the packet exceeds the MTU */
  FRAG_NEEDED: 8,
  /** BPF_FIB_LKUP_RET_NO_SRC_ADDR: no source address could be chosen */
  NO_SRC_ADDR: 9,
} as const;

/** `bpf_fib_lookup` results (prefix `BPF_FIB_LKUP_RET_`). */
export const FIB_LKUP_RETS = defineUapiEnum('bpf_fib_lookup results', 'BPF_FIB_LKUP_RET_', FIB_LKUP_RET);
