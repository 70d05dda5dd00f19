import { ERRNO, MAP_FLAG, MAP_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import type { HashMap } from '../src/index';
import { code, keys, put, readU32, setup, u32, u64, value } from './support';

function lru(options: { maxEntries?: number; cpus?: number; flags?: number; type?: number } = {}) {
  const env = setup({ cpus: options.cpus ?? 1 });
  const map = env.store.create({
    type: options.type ?? MAP_TYPE.LRU_HASH,
    name: 'lru',
    keySize: 4,
    valueSize: 8,
    maxEntries: options.maxEntries ?? 4,
    flags: options.flags ?? 0,
  }) as HashMap;
  const progLookup = (k: number, cpu = 0) => map.lookupElem(put(env.memory, env.scratch, 0, u32(k)), cpu);
  const progUpdate = (k: number, cpu = 0, flags = 0) =>
    map.updateElem(put(env.memory, env.scratch, 0, u32(k)), put(env.memory, env.scratch, 8, u64(k)), flags, cpu);
  const present = () => keys(map).map(readU32).sort((a, b) => a - b);
  return { ...env, map, progLookup, progUpdate, present };
}

describe('LRU eviction', () => {
  type Step = readonly ['insert' | 'lookup' | 'user-lookup' | 'update', number];
  it.each<[string, readonly Step[], readonly number[]]>([
    ['a new key in a full map evicts the oldest', [['insert', 5]], [2, 3, 4, 5]],
    ['a program lookup makes an element the most recent', [['lookup', 1], ['insert', 5]], [1, 3, 4, 5]],
    ['two lookups protect two elements', [['lookup', 1], ['lookup', 2], ['insert', 5], ['insert', 6]], [1, 2, 5, 6]],
    ['a user-space lookup does not count as a use', [['user-lookup', 1], ['insert', 5]], [2, 3, 4, 5]],
    ['an update makes an element the most recent and evicts nothing', [['update', 1], ['insert', 5]], [1, 3, 4, 5]],
    ['eviction follows use order, not key order', [['lookup', 3], ['lookup', 1], ['insert', 5], ['insert', 6], ['insert', 7]], [1, 5, 6, 7]],
  ])('%s', (_name, steps, want) => {
    const m = lru();
    for (const k of [1, 2, 3, 4]) expect(m.progUpdate(k)).toBe(0);
    for (const [op, k] of steps) {
      if (op === 'insert' || op === 'update') expect(m.progUpdate(k)).toBe(0);
      else if (op === 'lookup') expect(m.progLookup(k)).not.toBe(0);
      else expect(code(m.map.lookup(u32(k)))).toBe(0);
    }
    expect(m.present()).toEqual(want);
  });

  it('never fails for lack of room, and recycles the evicted value for the new element', () => {
    const m = lru({ maxEntries: 2 });
    m.progUpdate(1);
    const addr = m.progLookup(1);
    m.progUpdate(2);
    expect(m.progUpdate(3)).toBe(0);
    expect(m.present()).toEqual([2, 3]);
    expect(m.progLookup(3)).toBe(addr);
    expect(m.memory.readU64(addr)).toBe(3n);
  });

  it.each<[string, number, number, number]>([
    ['BPF_NOEXIST on an existing key', 1, UPDATE_FLAG.NOEXIST, -ERRNO.EEXIST],
    ['BPF_EXIST on a missing key', 9, UPDATE_FLAG.EXIST, -ERRNO.ENOENT],
    ['BPF_F_LOCK', 9, UPDATE_FLAG.F_LOCK, -ERRNO.EINVAL],
  ])('refuses %s without evicting', (_name, k, flags, want) => {
    const m = lru();
    for (const i of [1, 2, 3, 4]) m.progUpdate(i);
    expect(m.progUpdate(k, 0, flags)).toBe(want);
    expect(m.present()).toEqual([1, 2, 3, 4]);
  });

  it('keeps one list per CPU with BPF_F_NO_COMMON_LRU', () => {
    const m = lru({ cpus: 2, maxEntries: 4, flags: MAP_FLAG.NO_COMMON_LRU });
    m.progUpdate(1, 0);
    m.progUpdate(2, 0);
    m.progUpdate(10, 1);
    m.progUpdate(3, 0);
    // CPU 0's list holds two elements: 1 goes, while CPU 1's element and its free slot stay
    expect(m.present()).toEqual([2, 3, 10]);
    m.progUpdate(11, 1);
    m.progUpdate(12, 1);
    expect(m.present()).toEqual([2, 3, 11, 12]);
  });

  it('evicts from an LRU per-CPU hash too, with per-CPU values', () => {
    const m = lru({ type: MAP_TYPE.LRU_PERCPU_HASH, cpus: 2, maxEntries: 2 });
    m.progUpdate(1, 1);
    m.progUpdate(2, 0);
    expect(m.map.userValueSize).toBe(16);
    expect(value(m.map.lookup(u32(1)))).toEqual(new Uint8Array([...u64(0), ...u64(1)]));
    m.progLookup(1, 0);
    m.progUpdate(3, 1);
    expect(m.present()).toEqual([1, 3]);
  });
});
