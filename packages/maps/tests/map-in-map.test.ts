import { ERRNO, MAP_FLAG, MAP_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import { innerMapCompatible, type ArrayOfMaps, type HashOfMaps, type MapDef } from '../src/index';
import { code, mapError, put, readU32, setup, u32, value } from './support';

const arrayDef = (maxEntries: number, flags = 0): MapDef => ({ type: MAP_TYPE.ARRAY, keySize: 4, valueSize: 4, maxEntries, flags });
const hashDef = (maxEntries: number, flags = 0): MapDef => ({ type: MAP_TYPE.HASH, keySize: 4, valueSize: 4, maxEntries, flags });

// Linux 6.18 accepts and refuses the same inner maps.
describe('inner maps must match the template', () => {
  it.each<[string, MapDef, MapDef, number]>([
    ['an array like the template', arrayDef(4), arrayDef(4), 0],
    ['an array of another size', arrayDef(4), arrayDef(8), -ERRNO.EINVAL],
    ['an array of another size, template with BPF_F_INNER_MAP', arrayDef(4, MAP_FLAG.INNER_MAP), arrayDef(8, MAP_FLAG.INNER_MAP), 0],
    ['a plain array, template with BPF_F_INNER_MAP', arrayDef(4, MAP_FLAG.INNER_MAP), arrayDef(4), -ERRNO.EINVAL],
    ['a hash of another size', hashDef(4), hashDef(100), 0],
    ['a hash with other flags', hashDef(4), hashDef(4, MAP_FLAG.NO_PREALLOC), -ERRNO.EINVAL],
    ['a map of another type', arrayDef(4), hashDef(4), -ERRNO.EINVAL],
    ['a map with another value size', arrayDef(4), { ...arrayDef(4), valueSize: 8 }, -ERRNO.EINVAL],
  ])('%s', (_name, templateDef, innerDef, want) => {
    const { store, fds } = setup();
    const template = store.create(templateDef);
    const inner = store.create(innerDef);
    fds.set(3, { kind: 'map', map: inner });
    for (const type of [MAP_TYPE.ARRAY_OF_MAPS, MAP_TYPE.HASH_OF_MAPS]) {
      const outer = store.create({ type, keySize: 4, valueSize: 4, maxEntries: 4, innerMap: template });
      expect(code(outer.update(u32(0), u32(3)))).toBe(want);
    }
    expect(innerMapCompatible(template.info, inner.info)).toBe(want === 0);
  });

  it.each<[string, MapDef, number]>([
    ['a map of maps', { type: MAP_TYPE.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4 }, ERRNO.EINVAL],
    ['a prog array', { type: MAP_TYPE.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }, ERRNO.ENOTSUPP],
  ])('refuses %s as the template', (_name, templateDef, errno) => {
    const { store } = setup();
    const inner = store.create({ type: MAP_TYPE.ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
    const template = templateDef.type === MAP_TYPE.ARRAY_OF_MAPS ? store.create({ ...templateDef, innerMap: inner }) : store.create(templateDef);
    const e = mapError(() => store.create({ type: MAP_TYPE.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4, innerMap: template }));
    expect([e.code, e.errno]).toEqual(['invalid-def', errno]);
  });

  it.each<[string, number, number]>([
    ['a closed fd', 99, -ERRNO.EBADF],
    ['a file that is no map', 7, -ERRNO.EINVAL],
  ])('refuses %s', (_name, fd, want) => {
    const { store, fds } = setup();
    const template = store.create(arrayDef(4));
    fds.set(7, { kind: 'other' });
    const outer = store.create({ type: MAP_TYPE.HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 4, innerMap: template });
    expect(code(outer.update(u32(0), u32(fd), UPDATE_FLAG.NOEXIST))).toBe(want);
  });
});

function outer(type: number, maxEntries = 2) {
  const env = setup();
  const template = env.store.create({ ...arrayDef(1), name: 'tmpl' });
  const inners = [0, 1, 2].map((i) => env.store.create({ ...arrayDef(1), name: `inner${i}` }));
  inners.forEach((m, i) => env.fds.set(10 + i, { kind: 'map', map: m }));
  const map = env.store.create({ type, name: 'outer', keySize: 4, valueSize: 4, maxEntries, innerMap: template });
  return { ...env, map, inners };
}

describe('array of maps', () => {
  it.each<[string, (m: ArrayOfMaps) => number, number]>([
    ['BPF_ANY', (m) => code(m.update(u32(0), u32(10))), 0],
    ['BPF_NOEXIST', (m) => code(m.update(u32(0), u32(10), UPDATE_FLAG.NOEXIST)), -ERRNO.EINVAL],
    ['BPF_EXIST', (m) => code(m.update(u32(0), u32(10), UPDATE_FLAG.EXIST)), -ERRNO.EINVAL],
    ['an index past max_entries', (m) => code(m.update(u32(9), u32(10))), -ERRNO.E2BIG],
    ['lookup of an empty slot', (m) => code(m.lookup(u32(1))), -ERRNO.ENOENT],
    ['delete of an empty slot', (m) => code(m.delete(u32(1))), -ERRNO.ENOENT],
    ['delete past max_entries', (m) => code(m.delete(u32(7))), -ERRNO.E2BIG],
    ['delete batch', (m) => -m.deleteBatch([u32(0)]).errno, -ERRNO.ENOTSUPP],
    ['lookup_and_delete', (m) => code(m.lookupAndDelete(u32(0))), -ERRNO.ENOTSUPP],
  ])('%s', (_name, f, want) => {
    expect(f(outer(MAP_TYPE.ARRAY_OF_MAPS).map as ArrayOfMaps)).toBe(want);
  });

  it('gives programs the inner map and user space its id', () => {
    const { map, inners, memory, scratch, store } = outer(MAP_TYPE.ARRAY_OF_MAPS);
    const aom = map as ArrayOfMaps;
    expect(code(aom.update(u32(1), u32(11)))).toBe(0);
    expect(readU32(value(aom.lookup(u32(1))))).toBe(inners[1]!.id);
    const at = aom.lookupElem(put(memory, scratch, 0, u32(1)), 0);
    expect(at).toBe(inners[1]!.address);
    expect(store.at(at)).toBe(inners[1]);
    expect(aom.lookupElem(put(memory, scratch, 0, u32(0)), 0)).toBe(0);
    expect(aom.lookupElem(put(memory, scratch, 0, u32(5)), 0)).toBe(0);
    expect(aom.innerAt(1)).toBe(inners[1]);
    const batch = aom.lookupBatch({ count: 2 });
    expect({ errno: batch.errno, keys: batch.keys.map(readU32), values: batch.values.map(readU32) }).toEqual({
      errno: ERRNO.ENOENT,
      keys: [1],
      values: [inners[1]!.id],
    });
    expect(() => aom.updateElem(0, 0, 0, 0)).toThrow('bpf_map_update_elem on a array_of_maps map: the verifier never allows');
  });
});

describe('hash of maps', () => {
  it.each<[string, (m: HashOfMaps) => number, number]>([
    ['BPF_NOEXIST on a new key', (m) => code(m.update(u32(5), u32(10), UPDATE_FLAG.NOEXIST)), 0],
    ['BPF_NOEXIST on an existing key', (m) => code(m.update(u32(0), u32(11), UPDATE_FLAG.NOEXIST)), -ERRNO.EEXIST],
    ['BPF_EXIST on a missing key', (m) => code(m.update(u32(5), u32(10), UPDATE_FLAG.EXIST)), -ERRNO.ENOENT],
    ['a closed fd, before the flags are looked at', (m) => code(m.update(u32(5), u32(99), 8)), -ERRNO.EBADF],
    ['a new key in a full map', (m) => (m.update(u32(1), u32(11)), code(m.update(u32(2), u32(12)))), -ERRNO.E2BIG],
    ['lookup_and_delete', (m) => code(m.lookupAndDelete(u32(0))), -ERRNO.ENOTSUPP],
    ['delete of a missing key', (m) => code(m.delete(u32(5))), -ERRNO.ENOENT],
  ])('%s', (_name, f, want) => {
    const m = outer(MAP_TYPE.HASH_OF_MAPS).map as HashOfMaps;
    m.update(u32(0), u32(10));
    expect(f(m)).toBe(want);
  });

  it('gives programs the inner map, user space its id, and batches ids', () => {
    const { map, inners, memory, scratch } = outer(MAP_TYPE.HASH_OF_MAPS, 4);
    const hom = map as HashOfMaps;
    hom.update(u32(7), u32(12));
    hom.update(u32(8), u32(10));
    expect(hom.lookupElem(put(memory, scratch, 0, u32(7)), 0)).toBe(inners[2]!.address);
    expect(hom.lookupElem(put(memory, scratch, 0, u32(9)), 0)).toBe(0);
    expect(readU32(value(hom.lookup(u32(8))))).toBe(inners[0]!.id);
    expect(hom.innerOf(u32(7))).toBe(inners[2]);
    const taken = hom.lookupAndDeleteBatch({ count: 4 });
    expect({ errno: taken.errno, count: taken.count, ids: taken.values.map(readU32).sort() }).toEqual({
      errno: ERRNO.ENOENT,
      count: 2,
      ids: [inners[0]!.id, inners[2]!.id].sort(),
    });
    expect(hom.size).toBe(0);
  });
});
