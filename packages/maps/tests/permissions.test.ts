import { ERRNO, MAP_FLAG, MAP_TYPE } from '@bpflab/uapi';
import type { BpfMap } from '../src/index';
import { code, put, setup, u32 } from './support';

type Op = (m: BpfMap) => number;
const OPS: Record<string, Op> = {
  lookup: (m) => code(m.lookup(u32(1))),
  update: (m) => code(m.update(u32(1), u32(2))),
  delete: (m) => code(m.delete(u32(1))),
  get_next_key: (m) => code(m.getNextKey(null)),
  lookup_and_delete: (m) => code(m.lookupAndDelete(u32(1))),
  freeze: (m) => code(m.freeze()),
  lookup_batch: (m) => -m.lookupBatch({ count: 4 }).errno,
  update_batch: (m) => -m.updateBatch([u32(3)], [u32(3)]).errno,
  delete_batch: (m) => -m.deleteBatch([u32(1)]).errno,
};

function hashWith(flags: number, frozen: boolean): BpfMap {
  const { store, memory, scratch } = setup();
  const m = store.create({ type: MAP_TYPE.HASH, name: 'h', keySize: 4, valueSize: 4, maxEntries: 4, flags });
  expect(m.updateElem(put(memory, scratch, 0, u32(1)), put(memory, scratch, 8, u32(1)), 0, 0)).toBe(0);
  if (frozen) expect(code(m.freeze())).toBe(0);
  return m;
}

// Linux 6.18 answers EPERM exactly where these rows say so.
describe('user-space permissions', () => {
  it.each<[string, string, number, boolean, number]>([
    ['a frozen map', 'lookup', 0, true, 0],
    ['a frozen map', 'update', 0, true, -ERRNO.EPERM],
    ['a frozen map', 'delete', 0, true, -ERRNO.EPERM],
    ['a frozen map', 'lookup_and_delete', 0, true, -ERRNO.EPERM],
    ['a frozen map', 'freeze', 0, true, -ERRNO.EPERM],
    ['a frozen map', 'update_batch', 0, true, -ERRNO.EPERM],
    ['a frozen map', 'lookup_batch', 0, true, -ERRNO.ENOENT],
    ['a BPF_F_RDONLY map', 'update', MAP_FLAG.RDONLY, false, -ERRNO.EPERM],
    ['a BPF_F_RDONLY map', 'delete', MAP_FLAG.RDONLY, false, -ERRNO.EPERM],
    ['a BPF_F_RDONLY map', 'freeze', MAP_FLAG.RDONLY, false, -ERRNO.EPERM],
    ['a BPF_F_RDONLY map', 'lookup', MAP_FLAG.RDONLY, false, 0],
    ['a BPF_F_RDONLY map', 'get_next_key', MAP_FLAG.RDONLY, false, 0],
    ['a BPF_F_WRONLY map', 'lookup', MAP_FLAG.WRONLY, false, -ERRNO.EPERM],
    ['a BPF_F_WRONLY map', 'get_next_key', MAP_FLAG.WRONLY, false, -ERRNO.EPERM],
    ['a BPF_F_WRONLY map', 'lookup_and_delete', MAP_FLAG.WRONLY, false, -ERRNO.EPERM],
    ['a BPF_F_WRONLY map', 'lookup_batch', MAP_FLAG.WRONLY, false, -ERRNO.EPERM],
    ['a BPF_F_WRONLY map', 'update', MAP_FLAG.WRONLY, false, 0],
    ['a BPF_F_WRONLY map', 'delete', MAP_FLAG.WRONLY, false, 0],
  ])('%s: %s', (_name, op, flags, frozen, want) => {
    expect(OPS[op]!(hashWith(flags, frozen))).toBe(want);
  });

  it('checks permissions before the type says it has no such command', () => {
    const { store } = setup();
    const a = store.create({ type: MAP_TYPE.ARRAY, name: 'a', keySize: 4, valueSize: 4, maxEntries: 2 });
    a.freeze();
    expect(a.deleteBatch([u32(0)])).toEqual({ errno: ERRNO.EPERM, message: 'map a: delete_batch: the map is frozen: user space may no longer write it', count: 0 });
    expect(a.lookupBatch({ count: 1 }).errno).toBe(0);
  });

  it('leaves programs free to write a frozen map (only BPF_F_RDONLY_PROG stops them)', () => {
    const { store, memory, scratch } = setup();
    const m = store.create({ type: MAP_TYPE.HASH, name: 'h', keySize: 4, valueSize: 4, maxEntries: 4 });
    m.freeze();
    expect(m.frozen).toBe(true);
    expect(m.updateElem(put(memory, scratch, 0, u32(5)), put(memory, scratch, 8, u32(6)), 0, 0)).toBe(0);
    memory.writeU32(m.lookupElem(put(memory, scratch, 0, u32(5)), 0), 9);
    expect(m.lookup(u32(5))).toEqual({ ok: true, value: u32(9) });
    const ro = store.create({ type: MAP_TYPE.HASH, name: 'ro', keySize: 4, valueSize: 4, maxEntries: 4, flags: MAP_FLAG.RDONLY_PROG });
    ro.update(u32(1), u32(1));
    expect(() => memory.writeU32(ro.lookupElem(put(memory, scratch, 0, u32(1)), 0), 2)).toThrow('is read-only');
  });
});
