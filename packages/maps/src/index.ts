// @bpflab/maps: BPF map types with the kernel's semantics, their values
// living in the VM's address space.
export { MapError } from './errors';
export type { MapErrorCode } from './errors';
export type { BatchLookupResult, BatchOptions, BatchWriteResult, MapResult } from './result';
export {
  checkMapDef,
  isFdKind,
  isPercpuKind,
  KMALLOC_MAX_SIZE,
  LPM_KEY_SIZE_MAX,
  LPM_KEY_SIZE_MIN,
  MAP_KINDS,
  mapKindOf,
  PCPU_MIN_UNIT_SIZE,
  RINGBUF_PAGE_SIZE,
  roundUp8,
  userValueSize,
} from './def';
export type { CheckedMapDef, MapDef, MapInfo, MapKind } from './def';
export { NO_FDS } from './fd';
export type { FdObject, FdTable, ProgramRef } from './fd';
export { joinPerCpuValues, splitPerCpuValues } from './percpu';
export { DEFAULT_MAP_STORE_OPTIONS, MapStore, MAX_CPUS } from './store';
export type { BpfMap, MapStoreOptions } from './store';
export { ArrayMap } from './array';
export { HashMap } from './hash';
export { QueueStackMap } from './queue-stack';
export { RINGBUF_BUSY_BIT, RINGBUF_DISCARD_BIT, RINGBUF_HDR_SZ, RINGBUF_MAX_RECORD_SZ, RingBufMap } from './ringbuf';
export type { RingBufHeader, RingBufRecord } from './ringbuf';
export { PerfEventArray, PerfEventBuffer } from './perf-event-array';
export type { PerfEventBufferOptions, PerfRecord } from './perf-event-array';
export { ProgArrayMap } from './prog-array';
export { LpmTrieMap } from './lpm-trie';
export { DevMap } from './devmap';
export { ArrayOfMaps, HashOfMaps, innerMapCompatible } from './map-in-map';
export { jhash, jhash2, htabHash } from './jhash';
