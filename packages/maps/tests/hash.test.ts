import { VmError } from '@bpflab/vm';
import { ERRNO, MAP_FLAG, MAP_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import { htabHash, jhash, jhash2, type HashMap } from '../src/index';
import { code, keys, put, readU32, setup, u32, value } from './support';

function hashMap(maxEntries: number, keySize = 4, cpus = 1) {
  const env = setup({ cpus });
  const map = env.store.create({ type: MAP_TYPE.HASH, name: 'h', keySize, valueSize: 4, maxEntries, flags: MAP_FLAG.ZERO_SEED }) as HashMap;
  return { ...env, map };
}

// Errno values as Linux 6.18 returns them.
describe('hash updates', () => {
  it.each<[string, readonly number[], number, number, number]>([
    ['a new key', [], 1, UPDATE_FLAG.ANY, 0],
    ['a new key in a full map', [1, 2], 3, UPDATE_FLAG.ANY, -ERRNO.E2BIG],
    ['an existing key in a full map', [1, 2], 1, UPDATE_FLAG.ANY, 0],
    ['BPF_EXIST on an existing key in a full map', [1, 2], 1, UPDATE_FLAG.EXIST, 0],
    ['BPF_NOEXIST on an existing key', [1, 2], 1, UPDATE_FLAG.NOEXIST, -ERRNO.EEXIST],
    ['BPF_NOEXIST on a new key in a full map', [1, 2], 3, UPDATE_FLAG.NOEXIST, -ERRNO.E2BIG],
    ['BPF_EXIST on a missing key', [1], 9, UPDATE_FLAG.EXIST, -ERRNO.ENOENT],
    ['an unknown flag', [], 9, 8, -ERRNO.EINVAL],
    ['BPF_F_LOCK without a spin lock', [], 9, UPDATE_FLAG.F_LOCK, -ERRNO.EINVAL],
  ])('%s', (_name, present, key, flags, want) => {
    const user = hashMap(2);
    for (const k of present) user.map.update(u32(k), u32(k));
    expect(code(user.map.update(u32(key), u32(5), flags))).toBe(want);
    const prog = hashMap(2);
    for (const k of present) prog.map.update(u32(k), u32(k));
    const k = put(prog.memory, prog.scratch, 0, u32(key));
    const v = put(prog.memory, prog.scratch, 8, u32(5));
    expect(prog.map.updateElem(k, v, flags, 0)).toBe(want);
    expect(prog.map.updateElem(k, v, 1n << 40n, 0)).toBe(-ERRNO.EINVAL);
  });

  it('explains a full map', () => {
    const { map } = hashMap(1);
    map.update(u32(1), u32(1));
    expect(map.update(u32(2), u32(2))).toEqual({ ok: false, errno: ERRNO.E2BIG, message: 'map h: update: the map is full (max_entries 1)' });
  });
});

describe('hash lookups and deletes', () => {
  it.each<[string, (m: HashMap) => number, number]>([
    ['lookup of a missing key', (m) => code(m.lookup(u32(7))), -ERRNO.ENOENT],
    ['delete of a missing key', (m) => code(m.delete(u32(7))), -ERRNO.ENOENT],
    ['delete', (m) => code(m.delete(u32(1))), 0],
    ['lookup_and_delete of a missing key', (m) => code(m.lookupAndDelete(u32(7))), -ERRNO.ENOENT],
    ['lookup_and_delete with flags 1', (m) => code(m.lookupAndDelete(u32(1), 1)), -ERRNO.EINVAL],
    ['lookup with flags 2', (m) => code(m.lookup(u32(1), 2)), -ERRNO.EINVAL],
  ])('%s', (_name, f, want) => {
    const { map } = hashMap(4);
    map.update(u32(1), u32(11));
    expect(f(map)).toBe(want);
  });

  it('looks up and deletes in one step', () => {
    const { map } = hashMap(4);
    map.update(u32(1), u32(11));
    expect(value(map.lookupAndDelete(u32(1)))).toEqual(u32(11));
    expect(map.size).toBe(0);
  });

  it('deletes from programs', () => {
    const { memory, scratch, map } = hashMap(4);
    map.update(u32(1), u32(11));
    expect(map.deleteElem(put(memory, scratch, 0, u32(2)), 0)).toBe(-ERRNO.ENOENT);
    expect(map.deleteElem(put(memory, scratch, 0, u32(1)), 0)).toBe(0);
    expect(map.lookupElem(put(memory, scratch, 0, u32(1)), 0)).toBe(0);
  });
});

describe('hash iteration follows the kernel buckets (BPF_F_ZERO_SEED)', () => {
  const bytes = (i: number, size: number) => Uint8Array.from({ length: size }, (_, j) => (i * 31 + j * 7) & 0xff);
  // Orders printed by Linux 6.18 for the same inserts into BPF_F_ZERO_SEED maps.
  it.each<[string, number, number, readonly Uint8Array[], readonly number[]]>([
    ['u32 keys 0..9, 16 buckets', 4, 16, Array.from({ length: 10 }, (_, i) => u32(i)), [4, 5, 0, 7, 2, 1, 8, 9, 6, 3]],
    ['3-byte keys (jhash)', 3, 8, Array.from({ length: 6 }, (_, i) => Uint8Array.of(i, i * 7, 255 - i)), [1, 4, 5, 2, 0, 3]],
    ['16-byte keys (jhash2, one mixing round)', 16, 8, Array.from({ length: 8 }, (_, i) => bytes(i, 16)), [7, 6, 4, 2, 0, 5, 3, 1]],
    ['13-byte keys (jhash, one mixing round)', 13, 8, Array.from({ length: 8 }, (_, i) => bytes(i, 13)), [4, 3, 0, 5, 2, 1, 7, 6]],
    ['20-byte keys', 20, 8, Array.from({ length: 8 }, (_, i) => bytes(i, 20)), [7, 2, 3, 1, 6, 4, 5, 0]],
    ['7-byte keys', 7, 8, Array.from({ length: 8 }, (_, i) => bytes(i, 7)), [4, 6, 7, 3, 2, 1, 0, 5]],
  ])('%s', (_name, keySize, maxEntries, inserted, want) => {
    const { map } = hashMap(maxEntries, keySize);
    for (const k of inserted) expect(code(map.update(k, u32(0)))).toBe(0);
    const have = keys(map).map((k) => inserted.findIndex((i) => i.every((b, j) => b === k[j])));
    expect(have).toEqual(want);
  });

  it('restarts from the first key when the key is missing, and ends with ENOENT', () => {
    const { map } = hashMap(16);
    for (let i = 0; i < 10; i++) map.update(u32(i), u32(i));
    expect(readU32(value(map.getNextKey(u32(1000))))).toBe(4);
    expect(map.getNextKey(u32(3))).toEqual({ ok: false, errno: ERRNO.ENOENT, message: 'map h: get_next_key: no key after this one' });
    expect(code(hashMap(4).map.getNextKey(null))).toBe(-ERRNO.ENOENT);
  });

  it('moves a replaced element to the head of its bucket, as the kernel does', () => {
    const { map } = hashMap(4);
    for (const k of [0, 1, 2, 3]) map.update(u32(k), u32(k));
    // with 4 buckets: 0 -> 0, 2 -> 1, 3 -> 2, 1 -> 3 (one key per bucket), so the order stays
    expect(keys(map).map(readU32)).toEqual([0, 2, 3, 1]);
    const { map: two } = hashMap(2);
    const a = u32(0);
    const b = [1, 2, 3].map(u32).find((k) => (htabHash(k) & 1) === (htabHash(a) & 1))!;
    two.update(a, u32(0));
    two.update(b, u32(1));
    expect(keys(two)).toEqual([b, a]);
    two.update(a, u32(9));
    expect(keys(two)).toEqual([a, b]);
  });

  it('hashes like include/linux/jhash.h', () => {
    expect(jhash(new Uint8Array(0))).toBe(0xdeadbeef);
    expect(jhash2(new Uint8Array(0))).toBe(0xdeadbeef);
    expect(htabHash(u32(4)) & 15).toBe(1);
    expect(htabHash(u32(7)) & 15).toBe(10);
    // one word: both start from the same state and add it to `a`
    expect(jhash(u32(4))).toBe(jhash2(u32(4)));
    expect(jhash(Uint8Array.of(1, 2, 3))).not.toBe(jhash(Uint8Array.of(1, 2, 4)));
  });
});

describe('hash values live in the address space', () => {
  it('keeps a value at one address while its element lives and frees it on delete', () => {
    const { memory, scratch, map } = hashMap(4);
    const k = put(memory, scratch, 0, u32(1));
    const v = put(memory, scratch, 8, u32(1));
    expect(map.updateElem(k, v, UPDATE_FLAG.NOEXIST, 0)).toBe(0);
    const addr = map.lookupElem(k, 0);
    memory.writeU32(addr, memory.readU32(addr) + 1);
    expect(value(map.lookup(u32(1)))).toEqual(u32(2));
    expect(code(map.update(u32(1), u32(40)))).toBe(0);
    expect(map.lookupElem(k, 0)).toBe(addr);
    expect(memory.readU32(addr)).toBe(40);
    expect(map.valueAddress(u32(1))).toBe(addr);
    expect(code(map.delete(u32(1)))).toBe(0);
    expect(() => memory.writeU32(addr, 1)).toThrow(VmError);
    expect(map.valueAddress(u32(1))).toBe(0);
  });
});

describe('hash batches walk whole buckets', () => {
  function full() {
    const env = hashMap(16);
    for (let i = 0; i < 10; i++) env.map.update(u32(i), u32(100 + i));
    return env;
  }

  // Counts, keys and out_batch as Linux 6.18 returns them for the same map.
  it.each<[string, Uint8Array | null, number, number, number, readonly number[] | undefined, number | undefined]>([
    ['three elements stop before the bucket that does not fit', null, 3, 0, 3, [4, 5, 0], 10],
    ['everything ends with ENOENT', null, 16, ERRNO.ENOENT, 10, undefined, 16],
    ['from bucket 3', u32(3), 16, ERRNO.ENOENT, 9, undefined, 16],
    ['from past the last bucket', u32(16), 16, ERRNO.ENOENT, 0, [], undefined],
    ['count 0', null, 0, 0, 0, [], undefined],
  ])('%s', (_name, inBatch, count, errno, wantCount, wantKeys, out) => {
    const { map } = full();
    const r = map.lookupBatch({ inBatch, count });
    expect({ errno: r.errno, count: r.count }).toEqual({ errno, count: wantCount });
    if (wantKeys !== undefined) expect(r.keys.map(readU32)).toEqual(wantKeys);
    expect(r.values.map(readU32)).toEqual(r.keys.map((k) => readU32(k) + 100));
    expect(r.outBatch === undefined ? undefined : readU32(r.outBatch)).toBe(out);
  });

  it('fails with ENOSPC when the first bucket alone does not fit', () => {
    const { map } = hashMap(64);
    for (let i = 0; i < 64; i++) map.update(u32(i), u32(i));
    const r = map.lookupBatch({ count: 1 });
    expect({ errno: r.errno, count: r.count, out: readU32(r.outBatch!) }).toEqual({ errno: ERRNO.ENOSPC, count: 0, out: 0 });
    const all = map.lookupAndDeleteBatch({ count: 64 });
    expect({ errno: all.errno, count: all.count, out: readU32(all.outBatch!) }).toEqual({ errno: ERRNO.ENOENT, count: 64, out: 64 });
    expect(map.size).toBe(0);
  });

  it.each<[string, (m: HashMap) => { errno: number; count: number }, number, number, number]>([
    ['delete stops at a missing key', (m) => m.deleteBatch([u32(1), u32(55), u32(2)]), ERRNO.ENOENT, 1, 9],
    ['delete', (m) => m.deleteBatch([u32(1), u32(2)]), 0, 2, 8],
    ['update adds and replaces', (m) => m.updateBatch([u32(1), u32(12)], [u32(0), u32(0)]), 0, 2, 11],
    ['lookup with elem_flags 1', (m) => m.lookupBatch({ count: 2, elemFlags: 1 }), ERRNO.EINVAL, 0, 10],
  ])('%s', (_name, f, errno, count, size) => {
    const { map } = full();
    const r = f(map);
    expect({ errno: r.errno, count: r.count, size: map.size }).toEqual({ errno, count, size });
  });
});
