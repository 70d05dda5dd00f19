import fc from 'fast-check';
import { AddressSpace, type Region } from '../src/index';

type Op = { kind: 'alloc'; size: number; align: number } | { kind: 'free'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('alloc' as const),
    size: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 65, max: 5000 })),
    align: fc.constantFrom(1, 8, 64, 4096),
  }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
);

describe('AddressSpace allocation', () => {
  it('keeps regions sorted, apart by the gap, aligned, inside the memory, findable by id and address', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const mem = new AddressSpace({ initialBytes: 1 << 16, maxBytes: 1 << 24 });
        const live: Region[] = [];
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const r = mem.allocate({ name: 'r', kind: 'mem', size: o.size, align: o.align });
            expect(r.start % o.align).toBe(0);
            live.push(r);
          } else if (live.length > 0) {
            const [r] = live.splice(o.pick % live.length, 1);
            mem.free(r!);
          }
          const regions = mem.regions();
          expect(regions.map((r) => r.id).sort()).toEqual(live.map((r) => r.id).sort());
          for (let i = 0; i < regions.length; i++) {
            const r = regions[i]!;
            expect(r.start).toBeGreaterThanOrEqual(mem.options.guardBytes);
            expect(r.start + r.size).toBeLessThanOrEqual(mem.byteLength);
            expect(mem.region(r.id)).toBe(r);
            if (r.size > 0) expect(mem.regionAt(r.start + r.size - 1)).toBe(r);
            const next = regions[i + 1];
            if (next) expect(r.start + r.size + mem.options.gapBytes).toBeLessThanOrEqual(next.start);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reuses the space of freed regions', () => {
    const mem = new AddressSpace();
    const a = mem.allocate({ name: 'a', kind: 'mem', size: 256 });
    mem.allocate({ name: 'b', kind: 'mem', size: 256 });
    mem.free(a);
    expect(mem.allocate({ name: 'c', kind: 'mem', size: 128 }).start).toBe(a.start);
  });
});
