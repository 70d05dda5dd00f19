import { ERRNO, MAP_TYPE, PERF_EVENT_FLAG, UPDATE_FLAG } from '@bpflab/uapi';
import { PerfEventBuffer, type PerfEventArray } from '../src/index';
import { code, mapError, put, setup, u32 } from './support';

function perf(options: { pages?: number } = {}) {
  const env = setup({ cpus: 2 });
  const map = env.store.create({ type: MAP_TYPE.PERF_EVENT_ARRAY, name: 'events', keySize: 4, valueSize: 4, maxEntries: 2 }) as PerfEventArray;
  const events = [0, 1].map((cpu) => new PerfEventBuffer({ cpu, pages: options.pages ?? 1 }));
  events.forEach((event, cpu) => env.fds.set(10 + cpu, { kind: 'perf_event', event }));
  const data = put(env.memory, env.scratch, 0, Uint8Array.of(1, 2, 3, 4, 5));
  return { ...env, map, events, data };
}

describe('bpf_perf_event_output', () => {
  it.each<[string, readonly number[], number, number | bigint, Uint8Array | undefined, number]>([
    ['to the current CPU', [0, 1], 1, PERF_EVENT_FLAG.CURRENT_CPU, undefined, 0],
    ['to an explicit index on its CPU', [0, 1], 0, 0, undefined, 0],
    ['to an index past max_entries', [0, 1], 0, 5, undefined, -ERRNO.E2BIG],
    ['to an empty slot', [0], 1, PERF_EVENT_FLAG.CURRENT_CPU, undefined, -ERRNO.ENOENT],
    ['to the event of another CPU', [0, 1], 0, 1, undefined, -ERRNO.EOPNOTSUPP],
    ['with BPF_F_CTXLEN_MASK bits from a tracing program', [0, 1], 0, (4n << 32n) | 0xffffffffn, undefined, -ERRNO.EINVAL],
    ['with BPF_F_CTXLEN_MASK bits and packet bytes', [0, 1], 0, (2n << 32n) | 0xffffffffn, Uint8Array.of(9, 9), 0],
    ['with a flag above the context length', [0, 1], 0, 1n << 60n, undefined, -ERRNO.EINVAL],
  ])('%s', (_name, slots, cpu, flags, ctx, want) => {
    const { map, data, events } = perf();
    for (const s of slots) expect(code(map.update(u32(s), u32(10 + s)))).toBe(0);
    expect(map.output(cpu, flags, data, 5, ctx)).toBe(want);
    const delivered = events.flatMap((e) => e.read());
    if (want === 0) {
      expect(delivered).toEqual([{ kind: 'sample', cpu, data: ctx === undefined ? Uint8Array.of(1, 2, 3, 4, 5) : Uint8Array.of(1, 2, 3, 4, 5, 9, 9) }]);
    } else expect(delivered).toEqual([]);
  });

  it('loses samples that do not fit and reports the loss before the next sample', () => {
    const { map, data, events, memory } = perf({ pages: 1 });
    map.update(u32(0), u32(10));
    const big = memory.allocate({ name: 'big', kind: 'mem', size: 2000 }).start;
    expect(map.output(0, 0, big, 2000, undefined)).toBe(0);
    expect(map.output(0, 0, big, 2000, undefined)).toBe(0);
    expect(events[0]!.bytesUsed).toBe(2 * (8 + 2008));
    expect(map.output(0, 0, big, 2000, undefined)).toBe(-ERRNO.ENOSPC);
    expect(map.output(0, 0, data, 5, undefined)).toBe(0);
    expect(events[0]!.lost).toBe(1);
    expect(events[0]!.read().map((r) => (r.kind === 'lost' ? `lost ${r.lost}` : `sample ${r.data.length}`))).toEqual([
      'sample 2000',
      'sample 2000',
      'lost 1',
      'sample 5',
    ]);
    expect(events[0]!.bytesUsed).toBe(0);
  });
});

describe('perf event array from user space', () => {
  it.each<[string, (m: PerfEventArray) => number, number]>([
    ['a lookup', (m) => code(m.lookup(u32(0))), -ERRNO.ENOTSUPP],
    ['storing a map fd', (m) => code(m.update(u32(0), u32(20))), -ERRNO.EBADF],
    ['storing a closed fd', (m) => code(m.update(u32(0), u32(99))), -ERRNO.EBADF],
    ['storing with BPF_NOEXIST', (m) => code(m.update(u32(0), u32(10), UPDATE_FLAG.NOEXIST)), -ERRNO.EINVAL],
    ['storing past max_entries', (m) => code(m.update(u32(2), u32(10))), -ERRNO.E2BIG],
    ['deleting an empty slot', (m) => code(m.delete(u32(1))), -ERRNO.ENOENT],
    ['deleting past max_entries', (m) => code(m.delete(u32(5))), -ERRNO.E2BIG],
    ['a lookup batch', (m) => -m.lookupBatch({ count: 2 }).errno, -ERRNO.ENOTSUPP],
  ])('%s', (_name, f, want) => {
    const env = perf();
    env.fds.set(20, { kind: 'map', map: env.map });
    expect(f(env.map)).toBe(want);
  });

  it('stores and removes events', () => {
    const { map, events } = perf();
    expect(code(map.update(u32(1), u32(11)))).toBe(0);
    expect(map.eventAt(1)).toBe(events[1]);
    expect(code(map.delete(u32(1)))).toBe(0);
    expect(map.eventAt(1)).toBeUndefined();
  });

  it.each<[string, () => unknown, string]>([
    ['a negative CPU', () => new PerfEventBuffer({ cpu: -1 }), 'perf event buffer: cpu must be a non-negative integer, is -1'],
    ['3 pages', () => new PerfEventBuffer({ cpu: 0, pages: 3 }), 'perf event buffer: pages must be a power of 2, is 3'],
    ['a CPU the machine lacks', () => perf().map.output(2, 0, 0, 0), 'map events: cpu 2 is not one of the 2 simulated CPUs'],
  ])('refuses %s', (_name, f, message) => {
    expect(mapError(f).message).toBe(message);
  });
});
