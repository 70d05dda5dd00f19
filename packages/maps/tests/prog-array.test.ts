import { ERRNO, MAP_TYPE, PROG_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import type { ProgArrayMap, ProgramRef } from '../src/index';
import { code, readU32, setup, u32, value } from './support';

const xdpA: ProgramRef = { id: 101, type: PROG_TYPE.XDP };
const xdpB: ProgramRef = { id: 102, type: PROG_TYPE.XDP };
const kprobe: ProgramRef = { id: 103, type: PROG_TYPE.KPROBE };

function progArray() {
  const env = setup();
  const map = env.store.create({ type: MAP_TYPE.PROG_ARRAY, name: 'jmp', keySize: 4, valueSize: 4, maxEntries: 4 }) as ProgArrayMap;
  env.fds.set(3, { kind: 'prog', prog: xdpA });
  env.fds.set(4, { kind: 'prog', prog: xdpB });
  env.fds.set(5, { kind: 'prog', prog: kprobe });
  env.fds.set(6, { kind: 'map', map });
  env.fds.set(7, { kind: 'other' });
  return { ...env, map };
}

// Linux 6.18 answers these the same way.
describe('prog array updates', () => {
  it.each<[string, number, number, number, number]>([
    ['a program fd', 0, 3, UPDATE_FLAG.ANY, 0],
    ['a map fd', 0, 6, UPDATE_FLAG.ANY, -ERRNO.EINVAL],
    ['a file that is no program', 0, 7, UPDATE_FLAG.ANY, -ERRNO.EINVAL],
    ['a closed fd', 0, 99, UPDATE_FLAG.ANY, -ERRNO.EBADF],
    ['BPF_NOEXIST', 0, 3, UPDATE_FLAG.NOEXIST, -ERRNO.EINVAL],
    ['BPF_EXIST', 0, 3, UPDATE_FLAG.EXIST, -ERRNO.EINVAL],
    ['an index past max_entries, before the fd is looked at', 9, 99, UPDATE_FLAG.ANY, -ERRNO.E2BIG],
  ])('%s', (_name, index, fd, flags, want) => {
    expect(code(progArray().map.update(u32(index), u32(fd), flags))).toBe(want);
  });

  it('keeps every program in the array of one type, set by the first', () => {
    const { map } = progArray();
    expect(map.ownerType).toBeUndefined();
    expect(code(map.update(u32(0), u32(3)))).toBe(0);
    expect(map.ownerType).toBe(PROG_TYPE.XDP);
    expect(code(map.update(u32(1), u32(4)))).toBe(0);
    expect(map.update(u32(2), u32(5))).toEqual({
      ok: false,
      errno: ERRNO.EINVAL,
      message: 'map jmp: update: fd 5: program type BPF_PROG_TYPE_KPROBE differs from the array\'s BPF_PROG_TYPE_XDP',
    });
    expect(map.checkOwner(kprobe)).toBe(false);
    expect(map.checkOwner(xdpB)).toBe(true);
  });
});

describe('prog array lookups and tail calls', () => {
  it('reads back program ids and finds tail call targets', () => {
    const { map } = progArray();
    map.update(u32(2), u32(4));
    expect(readU32(value(map.lookup(u32(2))))).toBe(102);
    expect(map.tailCallTarget(2)).toBe(xdpB);
    expect(map.tailCallTarget(1)).toBeUndefined();
    expect(map.tailCallTarget(4)).toBeUndefined();
    expect(map.tailCallTarget(-1)).toBeUndefined();
    expect(map.tailCallTarget(2n ** 32n + 2n)).toBe(xdpB);
  });

  it.each<[string, (m: ProgArrayMap) => number, number]>([
    ['lookup of an empty slot', (m) => code(m.lookup(u32(1))), -ERRNO.ENOENT],
    ['lookup past max_entries', (m) => code(m.lookup(u32(9))), -ERRNO.ENOENT],
    ['delete of an empty slot', (m) => code(m.delete(u32(1))), -ERRNO.ENOENT],
    ['delete past max_entries', (m) => code(m.delete(u32(9))), -ERRNO.E2BIG],
    ['delete', (m) => code(m.delete(u32(0))), 0],
    ['get_next_key', (m) => readU32(value(m.getNextKey(u32(0)))), 1],
    ['a lookup batch', (m) => -m.lookupBatch({ count: 1 }).errno, -ERRNO.ENOTSUPP],
  ])('%s', (_name, f, want) => {
    const { map } = progArray();
    map.update(u32(0), u32(3));
    expect(f(map)).toBe(want);
  });
});
