import { AddressSpace } from '@bpflab/vm';
import { ERRNO, MAP_FLAG, MAP_TYPE } from '@bpflab/uapi';
import { checkMapDef, MapStore, type MapDef } from '../src/index';
import { mapError, setup } from './support';

const F = MAP_FLAG;
const T = MAP_TYPE;

// Each row was checked against Linux 6.18 (bpf(BPF_MAP_CREATE) as root).
describe('checkMapDef refuses what BPF_MAP_CREATE refuses', () => {
  it.each<[string, MapDef, number]>([
    ['a hash with key_size 0', { type: T.HASH, keySize: 0, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['a hash with value_size 0', { type: T.HASH, keySize: 4, valueSize: 0, maxEntries: 4 }, ERRNO.EINVAL],
    ['a hash with max_entries 0', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 0 }, ERRNO.EINVAL],
    ['a hash whose element passes KMALLOC_MAX_SIZE', { type: T.HASH, keySize: 4, valueSize: 1 << 22, maxEntries: 4 }, ERRNO.E2BIG],
    ['a hash needing 2^28 buckets', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 2 ** 28, flags: F.NO_PREALLOC }, ERRNO.E2BIG],
    ['a hash above 2^31 entries', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 2 ** 31 + 1, flags: F.NO_PREALLOC }, ERRNO.E2BIG],
    ['a hash with BPF_F_NO_COMMON_LRU', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.NO_COMMON_LRU }, ERRNO.EINVAL],
    ['a hash with BPF_F_MMAPABLE', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.MMAPABLE }, ERRNO.EINVAL],
    ['an LRU hash with BPF_F_NO_PREALLOC', { type: T.LRU_HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.NO_PREALLOC }, ERRNO.ENOTSUPP],
    ['an array with key_size 8', { type: T.ARRAY, keySize: 8, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['an array with max_entries 0', { type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 0 }, ERRNO.EINVAL],
    ['an array with BPF_F_NO_PREALLOC', { type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.NO_PREALLOC }, ERRNO.EINVAL],
    ['an array with BPF_F_ZERO_SEED', { type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.ZERO_SEED }, ERRNO.EINVAL],
    ['an array with BPF_F_PRESERVE_ELEMS', { type: T.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.PRESERVE_ELEMS }, ERRNO.EINVAL],
    ['a per-CPU array with BPF_F_INNER_MAP', { type: T.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.INNER_MAP }, ERRNO.EINVAL],
    ['a per-CPU array with a 40000-byte value', { type: T.PERCPU_ARRAY, keySize: 4, valueSize: 40000, maxEntries: 4 }, ERRNO.E2BIG],
    ['a prog array with value_size 8', { type: T.PROG_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, ERRNO.EINVAL],
    ['a prog array with BPF_F_RDONLY_PROG', { type: T.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.RDONLY_PROG }, ERRNO.EINVAL],
    ['a perf event array with value_size 8', { type: T.PERF_EVENT_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, ERRNO.EINVAL],
    ['an LPM trie without BPF_F_NO_PREALLOC', { type: T.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['an LPM trie with key_size 4', { type: T.LPM_TRIE, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.NO_PREALLOC }, ERRNO.EINVAL],
    ['an LPM trie with key_size 261', { type: T.LPM_TRIE, keySize: 261, valueSize: 4, maxEntries: 4, flags: F.NO_PREALLOC }, ERRNO.EINVAL],
    ['an LPM trie with value_size 0', { type: T.LPM_TRIE, keySize: 8, valueSize: 0, maxEntries: 4, flags: F.NO_PREALLOC }, ERRNO.EINVAL],
    ['a queue with key_size 4', { type: T.QUEUE, keySize: 4, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['a queue with value_size 0', { type: T.QUEUE, keySize: 0, valueSize: 0, maxEntries: 4 }, ERRNO.EINVAL],
    ['a queue with a value past KMALLOC_MAX_SIZE', { type: T.QUEUE, keySize: 0, valueSize: (1 << 22) + 1, maxEntries: 4 }, ERRNO.E2BIG],
    ['a stack with max_entries 0', { type: T.STACK, keySize: 0, valueSize: 4, maxEntries: 0 }, ERRNO.EINVAL],
    ['a ring buffer of 5000 bytes', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 5000 }, ERRNO.EINVAL],
    ['a ring buffer of 2048 bytes', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 2048 }, ERRNO.EINVAL],
    ['a ring buffer with value_size 4', { type: T.RINGBUF, keySize: 0, valueSize: 4, maxEntries: 8192 }, ERRNO.EINVAL],
    ['a ring buffer with BPF_F_RDONLY_PROG', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, flags: F.RDONLY_PROG }, ERRNO.EINVAL],
    ['BPF_F_RDONLY with BPF_F_WRONLY', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.RDONLY | F.WRONLY }, ERRNO.EINVAL],
    ['BPF_F_RDONLY_PROG with BPF_F_WRONLY_PROG', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.RDONLY_PROG | F.WRONLY_PROG }, ERRNO.EINVAL],
    ['an unknown map type', { type: 99, keySize: 4, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['a name with a dash', { type: T.ARRAY, name: 'my-map', keySize: 4, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['a name of 16 characters', { type: T.ARRAY, name: 'abcdefghijklmnop', keySize: 4, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['an array of maps without an inner map', { type: T.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 }, ERRNO.EBADF],
    ['a hash of maps with value_size 8', { type: T.HASH_OF_MAPS, keySize: 4, valueSize: 8, maxEntries: 4 }, ERRNO.EINVAL],
  ])('%s', (_name, def, want) => {
    const have = checkMapDef(def, 2);
    expect(have.ok ? 0 : have.errno).toBe(want);
    const e = mapError(() => new MapStore(new AddressSpace(), { cpus: 2 }).create(def));
    expect(e.code).toBe('invalid-def');
    expect(e.errno).toBe(want);
  });

  it.each<[string, MapDef]>([
    ['a hash with a 600-byte key', { type: T.HASH, keySize: 600, valueSize: 4, maxEntries: 4 }],
    ['a hash with BPF_F_ZERO_SEED', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.ZERO_SEED }],
    ['a hash with 2^27 entries, not preallocated', { type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 2 ** 27, flags: F.NO_PREALLOC }],
    ['an LPM trie with key_size 260', { type: T.LPM_TRIE, keySize: 260, valueSize: 4, maxEntries: 4, flags: F.NO_PREALLOC }],
    ['a perf event array with BPF_F_PRESERVE_ELEMS', { type: T.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.PRESERVE_ELEMS }],
    ['a ring buffer bound to a NUMA node', { type: T.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, flags: F.NUMA_NODE }],
    ['a queue with BPF_F_RDONLY_PROG', { type: T.QUEUE, keySize: 0, valueSize: 4, maxEntries: 4, flags: F.RDONLY_PROG }],
    ['an LRU per-CPU hash with BPF_F_NO_COMMON_LRU', { type: T.LRU_PERCPU_HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.NO_COMMON_LRU }],
    ['an mmapable array', { type: T.ARRAY, name: '.bss', keySize: 4, valueSize: 64, maxEntries: 1, flags: F.MMAPABLE }],
  ])('accepts %s', (_name, def) => {
    expect(checkMapDef(def, 2).ok).toBe(true);
  });

  it('rounds max_entries of a per-CPU LRU up to a multiple of the CPU count', () => {
    const { store } = setup({ cpus: 2 });
    const m = store.create({ type: T.LRU_HASH, keySize: 4, valueSize: 4, maxEntries: 3, flags: F.NO_COMMON_LRU });
    expect(m.maxEntries).toBe(4);
    expect(m.info).toEqual({ id: m.id, kind: 'lru_hash', type: T.LRU_HASH, name: '', keySize: 4, valueSize: 4, maxEntries: 4, flags: F.NO_COMMON_LRU });
  });

  it('explains a refusal in words', () => {
    const have = checkMapDef({ type: T.ARRAY, name: 'counts', keySize: 8, valueSize: 4, maxEntries: 4 }, 1);
    expect(have).toEqual({ ok: false, errno: ERRNO.EINVAL, message: 'map counts: key_size must be 4 (a u32 index) for BPF_MAP_TYPE_ARRAY, is 8' });
    const flags = checkMapDef({ type: T.HASH, keySize: 4, valueSize: 4, maxEntries: 4, flags: F.MMAPABLE | F.INNER_MAP }, 1);
    expect(flags.ok ? '' : flags.message).toBe('map: BPF_MAP_TYPE_HASH does not take map_flags BPF_F_MMAPABLE | BPF_F_INNER_MAP');
  });
});

describe('MapStore.create', () => {
  it.each<[string, () => unknown, string, number | undefined, string]>([
    ['a map type bpflab does not model', () => setup().store.create({ type: T.CPUMAP, keySize: 4, valueSize: 4, maxEntries: 4 }), 'unsupported', ERRNO.EINVAL, 'map: BPF_MAP_TYPE_CPUMAP is not modelled by bpflab'],
    ['an array larger than the address space', () => setup().store.create({ type: T.ARRAY, name: 'big', keySize: 4, valueSize: 1 << 30, maxEntries: 4 }), 'no-memory', ERRNO.ENOMEM, 'map big: 4294967296 bytes of values do not fit'],
    ['a second ring buffer the address space cannot grow to', () => { const st = new MapStore(new AddressSpace({ maxBytes: 1 << 20 })); const def = { type: T.RINGBUF, name: 'rb', keySize: 0, valueSize: 0, maxEntries: 1 << 19 }; st.create(def); st.create(def); }, 'no-memory', ERRNO.ENOMEM, 'map rb: cannot map'],
    ['a negative key_size', () => setup().store.create({ type: T.HASH, keySize: -1, valueSize: 4, maxEntries: 4 }), 'bad-call', undefined, 'key_size must be an integer in [0, 4294967295]'],
    ['zero CPUs', () => new MapStore(new AddressSpace(), { cpus: 0 }), 'bad-call', undefined, 'cpus must be an integer in [1, 1024], is 0'],
  ])('refuses %s', (_name, f, code, errno, message) => {
    const e = mapError(f);
    expect(e.code).toBe(code);
    expect(e.errno).toBe(errno);
    expect(e.message).toContain(message);
  });

  it('gives each map an id, an address, and a handle region, and forgets destroyed maps', () => {
    const { memory, store } = setup();
    const a = store.create({ type: T.ARRAY, name: 'a', keySize: 4, valueSize: 8, maxEntries: 2 });
    const b = store.create({ type: T.HASH, name: 'b', keySize: 4, valueSize: 8, maxEntries: 2 });
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(store.at(a.address)).toBe(a);
    expect(store.at(BigInt(b.address))).toBe(b);
    expect(memory.describe(a.address)).toBe('bpf_map:a+0');
    const before = memory.regions().length;
    store.destroy(a);
    expect(memory.regions().length).toBe(before - 2);
    expect(store.get(1)).toBeUndefined();
    expect(store.list()).toEqual([b]);
    expect(mapError(() => a.lookup(new Uint8Array(4))).message).toBe('map a: the map was destroyed');
    const c = store.create({ type: T.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 });
    expect(c.id).toBe(3);
  });
});

describe('MapStore bookkeeping', () => {
  it('forgets a map destroyed directly', () => {
    const { store } = setup();
    const m = store.create({ type: MAP_TYPE.QUEUE, keySize: 0, valueSize: 4, maxEntries: 2 });
    m.destroy();
    expect(store.get(m.id)).toBeUndefined();
    expect(store.at(m.address)).toBeUndefined();
    expect(store.list()).toEqual([]);
    expect(mapError(() => store.destroy(m)).message).toBe(`map #${m.id} is not a live map of this store`);
  });
});
