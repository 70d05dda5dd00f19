import { ERRNO, MAP_FLAG, MAP_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import { checkMapDef, MapError, type DevMap, type MapDef } from '../src/index';
import { code, readU32, setup, u32, value } from './support';

function devmap(type: number = MAP_TYPE.DEVMAP, valueSize = 4, maxEntries = 4) {
  const env = setup();
  const map = env.store.create({ type, name: 'tx_ports', keySize: 4, valueSize, maxEntries }) as DevMap;
  return { ...env, map };
}

/** A `struct bpf_devmap_val`: ifindex, then a program fd. */
function devVal(ifindex: number, fd: number): Uint8Array {
  const b = new Uint8Array(8);
  b.set(u32(ifindex));
  b.set(u32(fd), 4);
  return b;
}

// dev_map_init_map (Linux 6.18)
describe('devmap definitions', () => {
  const base = { keySize: 4, valueSize: 4, maxEntries: 4 };
  it.each<[string, Partial<MapDef> & { readonly type: number }, number, string]>([
    ['a devmap of ifindexes', { type: MAP_TYPE.DEVMAP }, 0, ''],
    ['a devmap of struct bpf_devmap_val', { type: MAP_TYPE.DEVMAP, valueSize: 8 }, 0, ''],
    ['a devmap_hash', { type: MAP_TYPE.DEVMAP_HASH }, 0, ''],
    ['a read-only (for user space) devmap', { type: MAP_TYPE.DEVMAP, flags: MAP_FLAG.RDONLY }, 0, ''],
    ['max_entries 0', { type: MAP_TYPE.DEVMAP, maxEntries: 0 }, ERRNO.EINVAL, 'max_entries must not be 0'],
    ['key_size 8', { type: MAP_TYPE.DEVMAP, keySize: 8 }, ERRNO.EINVAL, 'key_size must be 4 (a u32) for BPF_MAP_TYPE_DEVMAP, is 8'],
    ['value_size 6', { type: MAP_TYPE.DEVMAP_HASH, valueSize: 6 }, ERRNO.EINVAL, 'value_size must be 4 (a u32 ifindex) or 8'],
    ['value_size 16', { type: MAP_TYPE.DEVMAP, valueSize: 16 }, ERRNO.EINVAL, 'value_size must be 4 (a u32 ifindex) or 8'],
    ['BPF_F_NO_PREALLOC', { type: MAP_TYPE.DEVMAP, flags: MAP_FLAG.NO_PREALLOC }, ERRNO.EINVAL, 'does not take map_flags BPF_F_NO_PREALLOC'],
    ['BPF_F_RDONLY_PROG (the kernel adds it itself)', { type: MAP_TYPE.DEVMAP, flags: MAP_FLAG.RDONLY_PROG }, ERRNO.EINVAL, 'does not take map_flags BPF_F_RDONLY_PROG'],
    ['a devmap_hash above 2^31 entries', { type: MAP_TYPE.DEVMAP_HASH, maxEntries: 2 ** 31 + 1 }, ERRNO.EINVAL, 'is above 2^31'],
  ])('%s', (_name, def, errno, message) => {
    const r = checkMapDef({ ...base, ...def }, 1);
    if (errno === 0) {
      expect(r.ok).toBe(true);
      // programs only read a devmap
      if (r.ok) expect(r.value.flags & MAP_FLAG.RDONLY_PROG).toBe(MAP_FLAG.RDONLY_PROG);
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.errno).toBe(errno);
        expect(r.message).toContain(message);
      }
    }
  });

  it('reports its kind and the effective flags', () => {
    const { map } = devmap(MAP_TYPE.DEVMAP_HASH);
    expect(map.kind).toBe('devmap_hash');
    expect(map.info.flags).toBe(MAP_FLAG.RDONLY_PROG);
  });
});

// dev_map_update_elem / dev_map_delete_elem / dev_map_lookup_elem
describe('devmap from user space', () => {
  it.each<[string, number, number, number, number]>([
    ['an ifindex', 0, 3, UPDATE_FLAG.ANY, 0],
    ['BPF_EXIST on an empty slot', 1, 3, UPDATE_FLAG.EXIST, 0],
    ['the last slot', 3, 3, UPDATE_FLAG.ANY, 0],
    ['an index past max_entries', 4, 3, UPDATE_FLAG.ANY, -ERRNO.E2BIG],
    ['BPF_NOEXIST', 0, 3, UPDATE_FLAG.NOEXIST, -ERRNO.EEXIST],
    ['unknown flags', 0, 3, 3, -ERRNO.EINVAL],
    ['BPF_F_LOCK', 0, 3, UPDATE_FLAG.F_LOCK, -ERRNO.EINVAL],
  ])('update with %s', (_name, index, ifindex, flags, want) => {
    const { map } = devmap();
    expect(code(map.update(u32(index), u32(ifindex), flags))).toBe(want);
    expect(map.redirectTarget(index)).toBe(want === 0 ? ifindex : undefined);
  });

  it('looks up stored ifindexes, ENOENT for empty slots', () => {
    const { map } = devmap();
    map.update(u32(1), u32(7));
    expect(readU32(value(map.lookup(u32(1))))).toBe(7);
    expect(map.lookup(u32(0))).toEqual({ ok: false, errno: ERRNO.ENOENT, message: 'map tx_ports: lookup: slot 0 is empty' });
    expect(code(map.lookup(u32(9)))).toBe(-ERRNO.ENOENT);
  });

  it('empties a slot by delete or by storing ifindex 0', () => {
    const { map } = devmap();
    map.update(u32(1), u32(7));
    map.update(u32(2), u32(8));
    expect(map.size).toBe(2);
    expect(code(map.delete(u32(1)))).toBe(0);
    expect(code(map.lookup(u32(1)))).toBe(-ERRNO.ENOENT);
    expect(code(map.update(u32(2), u32(0)))).toBe(0);
    expect(code(map.lookup(u32(2)))).toBe(-ERRNO.ENOENT);
    expect(map.size).toBe(0);
    // an empty slot deletes fine; an index past the end is EINVAL
    expect(code(map.delete(u32(1)))).toBe(0);
    expect(code(map.delete(u32(4)))).toBe(-ERRNO.EINVAL);
  });

  it('walks keys like an array', () => {
    const { map } = devmap();
    expect(readU32(value(map.getNextKey(null)))).toBe(0);
    expect(readU32(value(map.getNextKey(u32(2))))).toBe(3);
    expect(code(map.getNextKey(u32(3)))).toBe(-ERRNO.ENOENT);
  });

  it('takes a struct bpf_devmap_val without a program', () => {
    const { map } = devmap(MAP_TYPE.DEVMAP, 8);
    expect(code(map.update(u32(0), devVal(5, 0)))).toBe(0);
    expect(value(map.lookup(u32(0)))).toEqual(devVal(5, 0));
    // ifindex 0 empties the slot and cannot carry a program
    expect(code(map.update(u32(0), devVal(0, 3)))).toBe(-ERRNO.EINVAL);
    expect(map.redirectTarget(0)).toBe(5);
  });

  it('refuses a program in an entry as not modelled', () => {
    const { map } = devmap(MAP_TYPE.DEVMAP, 8);
    let err: unknown;
    try {
      map.update(u32(0), devVal(5, 3));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MapError);
    expect(err).toMatchObject({ code: 'unsupported', errno: ERRNO.EOPNOTSUPP });
    expect((err as Error).message).toMatch(/^map tx_ports: update: an XDP program in a devmap entry .* is not modelled by bpflab/);
    expect(map.redirectTarget(0)).toBeUndefined();
  });

  it('has no batch operations', () => {
    const { map } = devmap();
    expect(map.lookupBatch({ count: 4 }).errno).toBe(ERRNO.ENOTSUPP);
  });
});

describe('devmap_hash from user space', () => {
  it('keys by any u32, up to max_entries of them', () => {
    const { map } = devmap(MAP_TYPE.DEVMAP_HASH, 4, 2);
    expect(code(map.update(u32(1000), u32(3)))).toBe(0);
    expect(code(map.update(u32(7), u32(4), UPDATE_FLAG.NOEXIST))).toBe(0);
    expect(code(map.update(u32(7), u32(5), UPDATE_FLAG.NOEXIST))).toBe(-ERRNO.EEXIST);
    expect(code(map.update(u32(7), u32(5)))).toBe(0);
    expect(code(map.update(u32(8), u32(5)))).toBe(-ERRNO.E2BIG);
    expect(code(map.update(u32(1000), u32(0)))).toBe(-ERRNO.EINVAL);
    expect(map.redirectTarget(1000)).toBe(3);
    expect(map.redirectTarget(7)).toBe(5);
    expect(readU32(value(map.lookup(u32(7))))).toBe(5);
    expect(code(map.lookup(u32(8)))).toBe(-ERRNO.ENOENT);
  });

  it('deletes keys, ENOENT for a missing one, and reuses the room', () => {
    const { map } = devmap(MAP_TYPE.DEVMAP_HASH, 4, 1);
    map.update(u32(5), u32(3));
    expect(code(map.delete(u32(5)))).toBe(0);
    expect(code(map.delete(u32(5)))).toBe(-ERRNO.ENOENT);
    expect(code(map.update(u32(6), u32(4)))).toBe(0);
    expect(map.redirectTarget(6)).toBe(4);
  });

  it('walks its keys, starting over from a missing one', () => {
    const { map } = devmap(MAP_TYPE.DEVMAP_HASH);
    expect(code(map.getNextKey(null))).toBe(-ERRNO.ENOENT);
    map.update(u32(10), u32(3));
    map.update(u32(20), u32(3));
    const first = readU32(value(map.getNextKey(null)));
    const second = readU32(value(map.getNextKey(u32(first))));
    expect([first, second].sort()).toEqual([10, 20]);
    expect(code(map.getNextKey(u32(second)))).toBe(-ERRNO.ENOENT);
    expect(readU32(value(map.getNextKey(u32(99))))).toBe(first);
  });
});

describe('devmap from programs', () => {
  it('looks up a read-only value or NULL, and cannot change the map', () => {
    const { map, memory, scratch } = devmap();
    map.update(u32(2), u32(9));
    memory.writeBytes(scratch.start, u32(2));
    const p = map.lookupElem(scratch.start, 0);
    expect(p).not.toBe(0);
    expect(memory.readU32(p)).toBe(9);
    expect(() => memory.writeBytes(p, u32(1))).toThrow();
    memory.writeBytes(scratch.start, u32(1));
    expect(map.lookupElem(scratch.start, 0)).toBe(0);
    expect(map.updateElem(scratch.start, scratch.start + 8, 0, 0)).toBe(-ERRNO.EOPNOTSUPP);
    expect(map.deleteElem(scratch.start, 0)).toBe(-ERRNO.EOPNOTSUPP);
  });

  it('truncates redirect keys to a u32', () => {
    const { map } = devmap();
    map.update(u32(1), u32(4));
    expect(map.redirectTarget(2n ** 32n + 1n)).toBe(4);
    expect(map.redirectTarget(-1)).toBeUndefined();
  });
});
