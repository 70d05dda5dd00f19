import { ERRNO, MAP_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import type { QueueStackMap } from '../src/index';
import { code, put, readU32, setup, u32, value } from './support';

function queueStack(kind: 'queue' | 'stack', maxEntries: number) {
  const env = setup();
  const map = env.store.create({
    type: kind === 'queue' ? MAP_TYPE.QUEUE : MAP_TYPE.STACK,
    name: kind,
    keySize: 0,
    valueSize: 4,
    maxEntries,
  }) as QueueStackMap;
  return { ...env, map };
}

// Linux 6.18 gives the same results and pop orders for these pushes.
describe('push and pop', () => {
  it.each<[string, 'queue' | 'stack', number, readonly (readonly [number, number, number])[], readonly number[]]>([
    ['a queue pops in push order', 'queue', 3, [[1, 0, 0], [2, 0, 0], [3, 0, 0]], [1, 2, 3]],
    ['a stack pops in reverse order', 'stack', 3, [[1, 0, 0], [2, 0, 0], [3, 0, 0]], [3, 2, 1]],
    ['a full queue refuses a push with E2BIG', 'queue', 2, [[1, 0, 0], [2, 0, 0], [3, 0, -ERRNO.E2BIG]], [1, 2]],
    ['BPF_EXIST on a full queue drops the oldest', 'queue', 2, [[1, 0, 0], [2, 0, 0], [3, UPDATE_FLAG.EXIST, 0]], [2, 3]],
    ['BPF_EXIST on a full stack drops the bottom', 'stack', 3, [[1, 0, 0], [2, 0, 0], [3, 0, 0], [4, UPDATE_FLAG.EXIST, 0]], [4, 3, 2]],
    ['BPF_EXIST with room just pushes', 'queue', 3, [[1, UPDATE_FLAG.EXIST, 0]], [1]],
    ['BPF_NOEXIST is EINVAL', 'stack', 2, [[1, UPDATE_FLAG.NOEXIST, -ERRNO.EINVAL]], []],
    ['BPF_F_LOCK is EINVAL', 'queue', 2, [[1, UPDATE_FLAG.F_LOCK, -ERRNO.EINVAL]], []],
  ])('%s', (_name, kind, maxEntries, pushes, pops) => {
    const user = queueStack(kind, maxEntries);
    const prog = queueStack(kind, maxEntries);
    for (const [v, flags, want] of pushes) {
      expect(code(user.map.update(null, u32(v), flags))).toBe(want);
      expect(prog.map.pushElem(put(prog.memory, prog.scratch, 0, u32(v)), flags, 0)).toBe(want);
    }
    const userPops: number[] = [];
    for (let r = user.map.lookupAndDelete(null); r.ok; r = user.map.lookupAndDelete(null)) userPops.push(readU32(r.value));
    expect(userPops).toEqual(pops);
    const progPops: number[] = [];
    const buf = prog.scratch.start + 16;
    while (prog.map.popElem(buf, 0) === 0) progPops.push(prog.memory.readU32(buf));
    expect(progPops).toEqual(pops);
  });

  it('peeks without removing and fails on an empty map with ENOENT, zeroing a program buffer', () => {
    const { memory, scratch, map } = queueStack('queue', 4);
    const buf = put(memory, scratch, 0, u32(0xffffffff));
    expect(map.peekElem(buf, 0)).toBe(-ERRNO.ENOENT);
    expect(memory.readU32(buf)).toBe(0);
    map.update(null, u32(5));
    map.update(null, u32(6));
    expect(map.peekElem(buf, 0)).toBe(0);
    expect(memory.readU32(buf)).toBe(5);
    expect(value(map.lookup(null))).toEqual(u32(5));
    expect(map.size).toBe(2);
    expect(map.lookupAndDelete(null, 0).ok).toBe(true);
    expect(map.lookupAndDelete(null, 0).ok).toBe(true);
    expect(map.lookupAndDelete(null)).toEqual({ ok: false, errno: ERRNO.ENOENT, message: 'map queue: pop: the queue is empty' });
    expect(code(map.lookup(null))).toBe(-ERRNO.ENOENT);
  });

  it.each<[string, (m: QueueStackMap) => number, number]>([
    ['a lookup with a key', (m) => code(m.lookup(u32(0))), -ERRNO.EINVAL],
    ['a delete', (m) => code(m.delete(null)), -ERRNO.EINVAL],
    ['get_next_key', (m) => code(m.getNextKey(null)), -ERRNO.EINVAL],
    ['a pop with flags', (m) => code(m.lookupAndDelete(null, UPDATE_FLAG.F_LOCK)), -ERRNO.EINVAL],
    ['a lookup batch', (m) => -m.lookupBatch({ count: 2 }).errno, -ERRNO.ENOTSUPP],
    ['an update batch', (m) => -m.updateBatch([], []).errno, -ERRNO.ENOTSUPP],
  ])('refuses %s', (_name, f, want) => {
    expect(f(queueStack('stack', 2).map)).toBe(want);
  });

  it('refuses map helpers the verifier never allows on a queue', () => {
    const { map } = queueStack('queue', 2);
    expect(() => map.lookupElem(0, 0)).toThrow('map queue: bpf_map_lookup_elem on a queue map: the verifier never allows this helper with this map type');
  });
});
