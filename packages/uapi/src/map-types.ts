/** Map types: the kernel's `enum bpf_map_type` (values are UAPI and never change). */
import { defineUapiEnum } from './enum';

/** Map type by short name: `MAP_TYPE.HASH === 1` (`BPF_MAP_TYPE_HASH`). */
export const MAP_TYPE = {
  /** `BPF_MAP_TYPE_UNSPEC`: no map type */
  UNSPEC: 0,
  /** `BPF_MAP_TYPE_HASH`: hash table */
  HASH: 1,
  /** `BPF_MAP_TYPE_ARRAY`: array indexed by u32, preallocated and zeroed */
  ARRAY: 2,
  /** `BPF_MAP_TYPE_PROG_ARRAY`: program fds for tail calls */
  PROG_ARRAY: 3,
  /** `BPF_MAP_TYPE_PERF_EVENT_ARRAY`: per-CPU perf buffers for bpf_perf_event_output */
  PERF_EVENT_ARRAY: 4,
  /** `BPF_MAP_TYPE_PERCPU_HASH`: hash table with a value per CPU */
  PERCPU_HASH: 5,
  /** `BPF_MAP_TYPE_PERCPU_ARRAY`: array with a value per CPU */
  PERCPU_ARRAY: 6,
  /** `BPF_MAP_TYPE_STACK_TRACE`: stack traces stored by bpf_get_stackid */
  STACK_TRACE: 7,
  /** `BPF_MAP_TYPE_CGROUP_ARRAY`: cgroup fds for cgroup membership tests */
  CGROUP_ARRAY: 8,
  /** `BPF_MAP_TYPE_LRU_HASH`: hash table evicting least recently used entries */
  LRU_HASH: 9,
  /** `BPF_MAP_TYPE_LRU_PERCPU_HASH`: LRU hash table with a value per CPU */
  LRU_PERCPU_HASH: 10,
  /** `BPF_MAP_TYPE_LPM_TRIE`: longest-prefix-match trie (IP prefixes) */
  LPM_TRIE: 11,
  /** `BPF_MAP_TYPE_ARRAY_OF_MAPS`: array of inner map fds */
  ARRAY_OF_MAPS: 12,
  /** `BPF_MAP_TYPE_HASH_OF_MAPS`: hash table of inner map fds */
  HASH_OF_MAPS: 13,
  /** `BPF_MAP_TYPE_DEVMAP`: network devices for bpf_redirect_map */
  DEVMAP: 14,
  /** `BPF_MAP_TYPE_SOCKMAP`: sockets for redirection */
  SOCKMAP: 15,
  /** `BPF_MAP_TYPE_CPUMAP`: CPUs for XDP redirection */
  CPUMAP: 16,
  /** `BPF_MAP_TYPE_XSKMAP`: AF_XDP sockets */
  XSKMAP: 17,
  /** `BPF_MAP_TYPE_SOCKHASH`: sockets by key for redirection */
  SOCKHASH: 18,
  /** `BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED`: older name of CGROUP_STORAGE */
  CGROUP_STORAGE_DEPRECATED: 19,
  /** `BPF_MAP_TYPE_CGROUP_STORAGE`: storage per cgroup attach point (bpf_get_local_storage) */
  CGROUP_STORAGE: 19,
  /** `BPF_MAP_TYPE_REUSEPORT_SOCKARRAY`: sockets of a reuseport group */
  REUSEPORT_SOCKARRAY: 20,
  /** `BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED`: older name of PERCPU_CGROUP_STORAGE */
  PERCPU_CGROUP_STORAGE_DEPRECATED: 21,
  /** `BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE`: per-CPU storage per cgroup attach point */
  PERCPU_CGROUP_STORAGE: 21,
  /** `BPF_MAP_TYPE_QUEUE`: FIFO queue (bpf_map_push/pop/peek_elem) */
  QUEUE: 22,
  /** `BPF_MAP_TYPE_STACK`: LIFO stack (bpf_map_push/pop/peek_elem) */
  STACK: 23,
  /** `BPF_MAP_TYPE_SK_STORAGE`: storage per socket */
  SK_STORAGE: 24,
  /** `BPF_MAP_TYPE_DEVMAP_HASH`: network devices by key for bpf_redirect_map */
  DEVMAP_HASH: 25,
  /** `BPF_MAP_TYPE_STRUCT_OPS`: a kernel ops struct implemented by BPF programs */
  STRUCT_OPS: 26,
  /** `BPF_MAP_TYPE_RINGBUF`: multi-producer ring buffer shared with user space */
  RINGBUF: 27,
  /** `BPF_MAP_TYPE_INODE_STORAGE`: storage per inode */
  INODE_STORAGE: 28,
  /** `BPF_MAP_TYPE_TASK_STORAGE`: storage per task */
  TASK_STORAGE: 29,
  /** `BPF_MAP_TYPE_BLOOM_FILTER`: bloom filter (push to add, peek to test) */
  BLOOM_FILTER: 30,
  /** `BPF_MAP_TYPE_USER_RINGBUF`: ring buffer written by user space, drained by BPF */
  USER_RINGBUF: 31,
  /** `BPF_MAP_TYPE_CGRP_STORAGE`: storage per cgroup */
  CGRP_STORAGE: 32,
  /** `BPF_MAP_TYPE_ARENA`: memory shared between BPF and user space, addressed by pointers */
  ARENA: 33,
} as const;

/** Short name of a map type (`HASH`). */
export type MapTypeName = keyof typeof MAP_TYPE;

/**
 * `enum bpf_map_type` with its reverse lookups. The `_DEPRECATED` names are
 * aliases: `mapTypeName(19) === 'BPF_MAP_TYPE_CGROUP_STORAGE'`.
 */
export const MAP_TYPES = defineUapiEnum('enum bpf_map_type', 'BPF_MAP_TYPE_', MAP_TYPE, [
  'CGROUP_STORAGE_DEPRECATED',
  'PERCPU_CGROUP_STORAGE_DEPRECATED',
]);

/** The kernel name of a map type: `mapTypeName(1) === 'BPF_MAP_TYPE_HASH'`. */
export function mapTypeName(value: number): string | undefined {
  return MAP_TYPES.nameOf(value);
}

/** The short name of a map type: `mapTypeShortName(1) === 'HASH'`. */
export function mapTypeShortName(value: number): MapTypeName | undefined {
  return MAP_TYPES.shortNameOf(value);
}

/** The value of a map type, by kernel or short name (`'BPF_MAP_TYPE_HASH'` or `'HASH'`). */
export function mapTypeValue(name: string): number | undefined {
  return MAP_TYPES.valueOf(name);
}
