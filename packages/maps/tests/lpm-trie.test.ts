import { ERRNO, MAP_FLAG, MAP_TYPE, UPDATE_FLAG } from '@bpflab/uapi';
import type { LpmTrieMap } from '../src/index';
import { code, keys, put, readU32, setup, u32, value } from './support';

/** `struct bpf_lpm_trie_key` for an IPv4 prefix: `'10.1.0.0/16'`. */
function prefix(text: string): Uint8Array {
  const [addr, len] = text.split('/');
  return new Uint8Array([...u32(Number(len)), ...addr!.split('.').map(Number)]);
}

function show(key: Uint8Array): string {
  return `${[...key.subarray(4)].join('.')}/${readU32(key)}`;
}

function trie(maxEntries = 16) {
  const env = setup();
  const map = env.store.create({
    type: MAP_TYPE.LPM_TRIE,
    name: 'routes',
    keySize: 8,
    valueSize: 4,
    maxEntries,
    flags: MAP_FLAG.NO_PREALLOC,
  }) as LpmTrieMap;
  return { ...env, map };
}

const ROUTES = ['192.168.0.0/16', '192.168.0.0/24', '192.168.1.0/24', '192.168.128.0/24', '10.0.0.0/8', '0.0.0.0/0', '10.1.1.1/32', '192.168.0.7/32'];

function routes() {
  const env = trie();
  ROUTES.forEach((r, i) => expect(code(env.map.update(prefix(r), u32(i)))).toBe(0));
  return env;
}

describe('longest-prefix match', () => {
  it.each<[string, number | undefined]>([
    ['192.168.0.7/32', 7],
    ['192.168.0.200/32', 1],
    ['192.168.0.200/17', 0],
    ['192.168.1.1/32', 2],
    ['192.168.200.1/32', 0],
    ['192.168.128.9/32', 3],
    ['10.1.1.1/32', 6],
    ['10.1.1.2/32', 4],
    ['11.0.0.1/32', 5],
    ['10.1.1.1/7', 5],
    ['10.1.1.1/33', undefined],
  ])('%s', (addr, want) => {
    const { map, memory, scratch } = routes();
    const r = map.lookup(prefix(addr));
    expect(r.ok ? readU32(r.value) : undefined).toBe(want);
    const at = map.lookupElem(put(memory, scratch, 0, prefix(addr)), 0);
    expect(at === 0 ? undefined : memory.readU32(at)).toBe(want);
  });

  it('finds nothing in a trie without a covering prefix', () => {
    const { map } = trie();
    map.update(prefix('192.168.0.0/24'), u32(1));
    map.update(prefix('192.168.0.0/16'), u32(2));
    expect(map.lookup(prefix('10.0.0.1/32'))).toEqual({ ok: false, errno: ERRNO.ENOENT, message: 'map routes: lookup: no prefix matches 10.0.0.1/32' });
    expect(code(map.lookup(prefix('192.168.0.0/8')))).toBe(-ERRNO.ENOENT);
  });
});

describe('get_next_key walks the trie in postorder', () => {
  it('puts more specific prefixes first and the 0 branch before the 1 branch (the order Linux prints)', () => {
    expect(keys(routes().map).map(show)).toEqual([
      '10.1.1.1/32',
      '10.0.0.0/8',
      '192.168.0.7/32',
      '192.168.0.0/24',
      '192.168.1.0/24',
      '192.168.128.0/24',
      '192.168.0.0/16',
      '0.0.0.0/0',
    ]);
  });

  it.each<[string, string | null, string | undefined]>([
    ['NULL gives the first prefix', null, '10.1.1.1/32'],
    ['a prefix gives the next one', '192.168.1.0/24', '192.168.128.0/24'],
    ['bits past the prefix length are ignored', '192.168.0.99/24', '192.168.1.0/24'],
    ['a missing prefix restarts from the first', '192.168.0.0/20', '10.1.1.1/32'],
    ['an impossible prefix length restarts from the first', '192.168.0.0/33', '10.1.1.1/32'],
    ['the last prefix ends the walk', '0.0.0.0/0', undefined],
  ])('%s', (_name, from, want) => {
    const r = routes().map.getNextKey(from === null ? null : prefix(from));
    expect(r.ok ? show(r.value) : undefined).toBe(want);
    if (!r.ok) expect(r.errno).toBe(ERRNO.ENOENT);
  });

  it('returns a stored key as it was last written, stray bits included', () => {
    const { map } = trie();
    map.update(prefix('10.0.0.0/8'), u32(1));
    map.update(prefix('10.9.9.9/8'), u32(2));
    expect(keys(map).map(show)).toEqual(['10.9.9.9/8']);
    expect(readU32(value(map.lookup(prefix('10.0.0.1/32'))))).toBe(2);
    expect(code(trie().map.getNextKey(null))).toBe(-ERRNO.ENOENT);
  });
});

// Errno values as Linux 6.18 returns them for a trie of at most 2 prefixes.
describe('LPM updates and deletes', () => {
  it.each<[string, (m: LpmTrieMap) => number, number]>([
    ['BPF_NOEXIST on an existing prefix', (m) => code(m.update(prefix('10.1.2.0/24'), u32(0), UPDATE_FLAG.NOEXIST)), -ERRNO.EEXIST],
    ['BPF_EXIST on a missing prefix', (m) => code(m.update(prefix('10.1.0.0/16'), u32(0), UPDATE_FLAG.EXIST)), -ERRNO.ENOENT],
    ['a new prefix in a full trie', (m) => (m.update(prefix('10.1.0.0/16'), u32(0)), code(m.update(prefix('10.0.0.0/8'), u32(0)))), -ERRNO.ENOSPC],
    ['replacing in a full trie', (m) => (m.update(prefix('10.1.0.0/16'), u32(0)), code(m.update(prefix('10.1.2.0/24'), u32(5)))), 0],
    ['a prefix longer than the key', (m) => code(m.update(prefix('10.1.2.0/33'), u32(0))), -ERRNO.EINVAL],
    ['deleting a prefix longer than the key', (m) => code(m.delete(prefix('10.1.2.0/33'))), -ERRNO.EINVAL],
    ['BPF_F_LOCK', (m) => code(m.update(prefix('10.1.2.0/24'), u32(0), UPDATE_FLAG.F_LOCK)), -ERRNO.EINVAL],
    ['deleting a missing prefix', (m) => code(m.delete(prefix('10.0.0.0/8'))), -ERRNO.ENOENT],
    ['deleting', (m) => code(m.delete(prefix('10.1.2.0/24'))), 0],
    ['lookup_and_delete', (m) => code(m.lookupAndDelete(prefix('10.1.2.0/24'))), -ERRNO.ENOTSUPP],
    ['lookup_and_delete batch', (m) => -m.lookupAndDeleteBatch({ count: 1 }).errno, -ERRNO.ENOTSUPP],
  ])('%s', (_name, f, want) => {
    const { map } = trie(2);
    map.update(prefix('10.1.2.0/24'), u32(1));
    expect(f(map)).toBe(want);
  });

  it('updates and deletes from programs, freeing the value', () => {
    const { map, memory, scratch } = trie();
    const k = put(memory, scratch, 0, prefix('10.0.0.0/8'));
    const v = put(memory, scratch, 16, u32(77));
    expect(map.updateElem(k, v, UPDATE_FLAG.NOEXIST, 0)).toBe(0);
    expect(map.updateElem(k, v, UPDATE_FLAG.NOEXIST, 0)).toBe(-ERRNO.EEXIST);
    const q = put(memory, scratch, 32, prefix('10.2.3.4/32'));
    const at = map.lookupElem(q, 0);
    expect(memory.readU32(at)).toBe(77);
    expect(map.deleteElem(k, 0)).toBe(0);
    expect(map.deleteElem(k, 0)).toBe(-ERRNO.ENOENT);
    expect(map.lookupElem(q, 0)).toBe(0);
    expect(() => memory.readU32(at)).toThrow('read of 4 bytes');
  });

  it('batches through get_next_key: out_batch is the last prefix', () => {
    const { map } = routes();
    const r = map.lookupBatch({ count: 2 });
    expect({ errno: r.errno, keys: r.keys.map(show), values: r.values.map(readU32), out: show(r.outBatch!) }).toEqual({
      errno: 0,
      keys: ['10.1.1.1/32', '10.0.0.0/8'],
      values: [6, 4],
      out: '10.0.0.0/8',
    });
    const d = map.deleteBatch([prefix('10.0.0.0/8'), prefix('1.0.0.0/8')]);
    expect({ errno: d.errno, count: d.count }).toEqual({ errno: ERRNO.ENOENT, count: 1 });
    const u = map.updateBatch([prefix('1.0.0.0/8')], [u32(9)]);
    expect({ errno: u.errno, count: u.count, size: map.size }).toEqual({ errno: 0, count: 1, size: 8 });
  });
});
