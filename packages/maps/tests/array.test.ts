import { VmError } from '@bpflab/vm';
import { ERRNO, MAP_FLAG, MAP_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import type { ArrayMap } from '../src/index';
import { code, keys, put, readU32, setup, u32, u64, value } from './support';

function arrayMap(maxEntries = 3, flags = 0) {
  const env = setup({ cpus: 2 });
  const map = env.store.create({ type: MAP_TYPE.ARRAY, name: 'arr', keySize: 4, valueSize: 4, maxEntries, flags }) as ArrayMap;
  return { ...env, map };
}

// Errno values as Linux 6.18 returns them for a 3-element array.
describe('array updates', () => {
  it.each<[string, number, number, number]>([
    ['BPF_ANY', 0, UPDATE_FLAG.ANY, 0],
    ['BPF_EXIST', 2, UPDATE_FLAG.EXIST, 0],
    ['BPF_NOEXIST: every element exists', 0, UPDATE_FLAG.NOEXIST, -ERRNO.EEXIST],
    ['NOEXIST|EXIST', 0, 3, -ERRNO.EINVAL],
    ['an unknown flag', 0, 8, -ERRNO.EINVAL],
    ['BPF_F_LOCK without a spin lock', 0, UPDATE_FLAG.F_LOCK, -ERRNO.EINVAL],
    ['an index past max_entries', 5, UPDATE_FLAG.ANY, -ERRNO.E2BIG],
    ['an index past max_entries with BPF_NOEXIST', 5, UPDATE_FLAG.NOEXIST, -ERRNO.E2BIG],
  ])('%s', (_name, index, flags, want) => {
    const { memory, scratch, map } = arrayMap();
    expect(code(map.update(u32(index), u32(7), flags))).toBe(want);
    const k = put(memory, scratch, 0, u32(index));
    const v = put(memory, scratch, 8, u32(9));
    expect(map.updateElem(k, v, flags, 1)).toBe(want);
  });
});

describe('array lookups, deletes and iteration', () => {
  it('reads zeroes until written and refuses out-of-range indices with ENOENT', () => {
    const { map } = arrayMap();
    expect(value(map.lookup(u32(1)))).toEqual(u32(0));
    expect(code(map.update(u32(1), u32(0xabcd)))).toBe(0);
    expect(value(map.lookup(u32(1)))).toEqual(u32(0xabcd));
    expect(map.lookup(u32(3))).toEqual({ ok: false, errno: ERRNO.ENOENT, message: 'map arr: lookup: index 3 is out of range (max_entries 3)' });
    expect(map.lookup(null)).toEqual({ ok: false, errno: ERRNO.EFAULT, message: 'map arr: lookup: the key is NULL (key_size is 4)' });
  });

  it.each<[string, Uint8Array | null, number | undefined, number]>([
    ['NULL gives the first index', null, 0, 0],
    ['an index past the end restarts at 0', u32(77), 0, 0],
    ['the next index', u32(1), 2, 0],
    ['after the last index', u32(2), undefined, -ERRNO.ENOENT],
  ])('get_next_key: %s', (_name, key, want, wantCode) => {
    const { map } = arrayMap();
    const r = map.getNextKey(key);
    expect(code(r)).toBe(wantCode);
    if (r.ok) expect(readU32(r.value)).toBe(want);
  });

  it('walks every index', () => {
    expect(keys(arrayMap(4).map).map(readU32)).toEqual([0, 1, 2, 3]);
  });

  it.each<[string, (m: ArrayMap) => number, number]>([
    ['delete (elements always exist)', (m) => code(m.delete(u32(0))), -ERRNO.EINVAL],
    ['lookup_and_delete', (m) => code(m.lookupAndDelete(u32(0))), -ERRNO.ENOTSUPP],
    ['lookup with BPF_F_LOCK', (m) => code(m.lookup(u32(0), UPDATE_FLAG.F_LOCK)), -ERRNO.EINVAL],
    ['lookup with flags 2', (m) => code(m.lookup(u32(0), 2)), -ERRNO.EINVAL],
  ])('refuses %s', (_name, f, want) => {
    expect(f(arrayMap().map)).toBe(want);
  });

  it('refuses a program delete with EINVAL', () => {
    const { memory, scratch, map } = arrayMap();
    expect(map.deleteElem(put(memory, scratch, 0, u32(0)), 0)).toBe(-ERRNO.EINVAL);
  });
});

describe('array values live in the address space', () => {
  it('hands programs element addresses, and what they write user space reads', () => {
    const { memory, scratch, map } = arrayMap();
    const k = put(memory, scratch, 0, u32(2));
    const addr = map.lookupElem(k, 0);
    expect(addr).toBe(map.elementAddress(2));
    expect(addr - map.lookupElem(put(memory, scratch, 0, u32(1)), 0)).toBe(8);
    memory.writeU32(addr, memory.readU32(addr) + 5);
    expect(value(map.lookup(u32(2)))).toEqual(u32(5));
    expect(map.lookupElem(put(memory, scratch, 0, u32(3)), 0)).toBe(0);
  });

  it('makes values read-only to programs with BPF_F_RDONLY_PROG, while user space still writes', () => {
    const { memory, scratch, map } = arrayMap(1, MAP_FLAG.RDONLY_PROG);
    const addr = map.lookupElem(put(memory, scratch, 0, u32(0)), 0);
    expect(code(map.update(u32(0), u32(42)))).toBe(0);
    expect(memory.readU32(addr)).toBe(42);
    expect(() => memory.writeU32(addr, 1)).toThrow(VmError);
    expect(() => memory.writeU32(addr, 1)).toThrow('the region map:arr [');
  });

  it.each<[string, number, number, number, number | undefined]>([
    ['offset 2 of a one-element array', 1, 2, 0, 2],
    ['an offset past the value', 1, 4, -ERRNO.EINVAL, undefined],
    ['an array of three elements', 3, 0, -ERRNO.ENOTSUPP, undefined],
  ])('direct value access: %s', (_name, maxEntries, offset, wantCode, wantOff) => {
    const { map } = arrayMap(maxEntries);
    const r = map.directValueAddress(offset);
    expect(code(r)).toBe(wantCode);
    if (r.ok) expect(r.value).toBe(map.elementAddress(0) + wantOff!);
  });
});

describe('array batches', () => {
  it('walks keys like generic_map_lookup_batch: out_batch is the last key, ENOENT at the end', () => {
    const { map } = arrayMap();
    map.update(u32(0), u32(10));
    map.update(u32(2), u32(12));
    const first = map.lookupBatch({ count: 2 });
    expect(first).toEqual({ errno: 0, message: '', count: 2, keys: [u32(0), u32(1)], values: [u32(10), u32(0)], outBatch: u32(1) });
    const second = map.lookupBatch({ inBatch: first.outBatch!, count: 2 });
    expect({ errno: second.errno, count: second.count, keys: second.keys, outBatch: second.outBatch }).toEqual({
      errno: ERRNO.ENOENT,
      count: 1,
      keys: [u32(2)],
      outBatch: u32(2),
    });
    expect(map.lookupBatch({ count: 0 })).toEqual({ errno: 0, message: '', count: 0, keys: [], values: [], outBatch: undefined });
  });

  it.each<[string, (m: ArrayMap) => { errno: number; count: number }, number, number]>([
    ['update with BPF_ANY', (m) => m.updateBatch([u32(0), u32(1)], [u32(1), u32(2)]), 0, 2],
    ['update stopping at an index past the end', (m) => m.updateBatch([u32(0), u32(9), u32(1)], [u32(1), u32(2), u32(3)]), ERRNO.E2BIG, 1],
    ['update with elem_flags BPF_EXIST', (m) => m.updateBatch([u32(0)], [u32(1)], { elemFlags: UPDATE_FLAG.EXIST }), ERRNO.EINVAL, 0],
    ['delete', (m) => m.deleteBatch([u32(0)]), ERRNO.ENOTSUPP, 0],
    ['lookup_and_delete', (m) => m.lookupAndDeleteBatch({ count: 2 }), ERRNO.ENOTSUPP, 0],
  ])('%s', (_name, f, errno, count) => {
    const have = f(arrayMap().map);
    expect({ errno: have.errno, count: have.count }).toEqual({ errno, count });
  });
});

describe('per-CPU arrays', () => {
  it('gives each CPU its own slot and user space every CPU value, each rounded up to 8 bytes', () => {
    const { memory, scratch, store } = setup({ cpus: 2 });
    const map = store.create({ type: MAP_TYPE.PERCPU_ARRAY, name: 'pc', keySize: 4, valueSize: 4, maxEntries: 2 }) as ArrayMap;
    expect(map.userValueSize).toBe(16);
    const k = put(memory, scratch, 0, u32(1));
    memory.writeU32(map.lookupElem(k, 0), 3);
    memory.writeU32(map.lookupElem(k, 1), 4);
    expect(value(map.lookup(u32(1)))).toEqual(Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0));
    expect(code(map.update(u32(0), new Uint8Array([...u64(5), ...u64(6)])))).toBe(0);
    expect(memory.readU32(map.lookupElem(put(memory, scratch, 0, u32(0)), 1))).toBe(6);
    const v = put(memory, scratch, 8, u32(9));
    expect(map.updateElem(put(memory, scratch, 0, u32(0)), v, 0, 1)).toBe(0);
    expect(value(map.lookup(u32(0)))).toEqual(new Uint8Array([...u64(5), ...u64(9)]));
    expect(code(map.update(u32(0), new Uint8Array(16), UPDATE_FLAG.NOEXIST))).toBe(-ERRNO.EEXIST);
    expect(code(map.update(u32(7), new Uint8Array(16)))).toBe(-ERRNO.E2BIG);
    expect(map.directValueAddress(0)).toEqual({ ok: false, errno: ERRNO.EINVAL, message: 'map pc: direct value access: a per-CPU array has no direct value access' });
  });
});
