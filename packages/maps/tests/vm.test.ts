// Maps driven by real BPF programs on the reference interpreter: the
// address a lookup returns is where the program's stores land.
import { assembleLlvm } from '@bpflab/isa';
import { defineFastHelper, Interpreter, VmError, type HelperContext, type HelperTable } from '@bpflab/vm';
import { HELPER, MAP_TYPE } from '@bpflab/uapi';
import { splitPerCpuValues, type BpfMap, type MapStore, type RingBufMap } from '../src/index';
import { readU64, setup, u32 } from './support';

/** Map helpers as the simulated kernel will wire them: r1 is a map address, the event runs on `cpu.now`. */
function mapHelpers(store: MapStore, cpu: { now: number }): HelperTable {
  const map = (ctx: HelperContext): BpfMap => {
    const m = store.at(ctx.arg(1));
    if (m === undefined) throw new Error(`r1 is not a map`);
    return m;
  };
  const ringbuf = (ctx: HelperContext): RingBufMap => {
    const m = map(ctx);
    if (m.kind !== 'ringbuf') throw new Error('not a ring buffer');
    return m;
  };
  return new Map([
    [HELPER.map_lookup_elem, defineFastHelper('map_lookup_elem', (ctx) => map(ctx).lookupElem(ctx.argNumber(2), cpu.now))],
    [HELPER.map_update_elem, defineFastHelper('map_update_elem', (ctx) => map(ctx).updateElem(ctx.argNumber(2), ctx.argNumber(3), ctx.arg(4), cpu.now))],
    [HELPER.map_delete_elem, defineFastHelper('map_delete_elem', (ctx) => map(ctx).deleteElem(ctx.argNumber(2), cpu.now))],
    [HELPER.ringbuf_reserve, defineFastHelper('ringbuf_reserve', (ctx) => ringbuf(ctx).reserve(ctx.arg(2), ctx.arg(3)))],
    [
      HELPER.ringbuf_submit,
      defineFastHelper('ringbuf_submit', (ctx) => {
        store.ringBufOf(ctx.argNumber(1))!.submit(ctx.argNumber(1), ctx.arg(2));
        return 0;
      }),
    ],
  ]);
}

describe('maps under the interpreter', () => {
  it('counts per CPU like the seed syscount example, and user space sums the CPUs', () => {
    const { memory, store } = setup({ cpus: 2 });
    const counts = store.create({ type: MAP_TYPE.PERCPU_HASH, name: 'counts', keySize: 4, valueSize: 8, maxEntries: 64 });
    const cpu = { now: 0 };
    const prog = assembleLlvm(`
      r1 = ${counts.address} ll
      *(u32 *)(r10 - 4) = 7
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto init
      r1 = *(u64 *)(r0 + 0)
      r1 += 1
      *(u64 *)(r0 + 0) = r1
      goto out
    init:
      *(u64 *)(r10 - 16) = 1
      r1 = ${counts.address} ll
      r2 = r10
      r2 += -4
      r3 = r10
      r3 += -16
      r4 = 1
      call 2
    out:
      r0 = 0
      exit
    `);
    const vm = new Interpreter(prog, { memory, helpers: mapHelpers(store, cpu) });
    for (const c of [0, 0, 1, 0, 1]) {
      cpu.now = c;
      vm.run();
    }
    const perCpu = splitPerCpuValues((counts.lookup(u32(7)) as { value: Uint8Array }).value, 8).map((v) => readU64(v));
    expect(perCpu).toEqual([3n, 2n]);
    expect(perCpu.reduce((a, b) => a + b)).toBe(5n);
  });

  it('faults when a program writes through a value pointer after deleting the element', () => {
    const { memory, store } = setup();
    const m = store.create({ type: MAP_TYPE.HASH, name: 'h', keySize: 4, valueSize: 8, maxEntries: 4 });
    m.update(u32(1), new Uint8Array(8));
    const prog = assembleLlvm(`
      *(u32 *)(r10 - 4) = 1
      r1 = ${m.address} ll
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto out
      r6 = r0
      r1 = ${m.address} ll
      r2 = r10
      r2 += -4
      call 3
      *(u64 *)(r6 + 0) = 1
    out:
      r0 = 0
      exit
    `);
    const vm = new Interpreter(prog, { memory, helpers: mapHelpers(store, { now: 0 }) });
    let error: unknown;
    try {
      vm.run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VmError);
    expect((error as VmError).code).toBe('fault');
    expect((error as VmError).pc).toBe(13);
    expect((error as VmError).message).toMatch(/^pc 13: write of 8 bytes at 0x[0-9a-f]+ /);
  });

  it('reaches an inner map through an array of maps', () => {
    const { memory, store, fds } = setup();
    const template = store.create({ type: MAP_TYPE.ARRAY, name: 'tmpl', keySize: 4, valueSize: 8, maxEntries: 1 });
    const inner = store.create({ type: MAP_TYPE.ARRAY, name: 'inner', keySize: 4, valueSize: 8, maxEntries: 1 });
    const outer = store.create({ type: MAP_TYPE.ARRAY_OF_MAPS, name: 'outer', keySize: 4, valueSize: 4, maxEntries: 2, innerMap: template });
    fds.set(5, { kind: 'map', map: inner });
    expect(outer.update(u32(1), u32(5)).ok).toBe(true);
    const prog = assembleLlvm(`
      *(u32 *)(r10 - 4) = 1
      r1 = ${outer.address} ll
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto out
      *(u32 *)(r10 - 4) = 0
      r1 = r0
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto out
      r1 = 42
      *(u64 *)(r0 + 0) = r1
    out:
      r0 = 0
      exit
    `);
    new Interpreter(prog, { memory, helpers: mapHelpers(store, { now: 0 }) }).run();
    expect(readU64((inner.lookup(u32(0)) as { value: Uint8Array }).value)).toBe(42n);
  });

  it('carries a reserved ring buffer record to the consumer', () => {
    const { memory, store } = setup();
    const rb = store.create({ type: MAP_TYPE.RINGBUF, name: 'events', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
    const prog = assembleLlvm(`
      r1 = ${rb.address} ll
      r2 = 12
      r3 = 0
      call 131
      if r0 == 0 goto out
      r1 = 0x04030201
      *(u32 *)(r0 + 0) = r1
      *(u64 *)(r0 + 4) = r1
      r1 = r0
      r2 = 0
      call 132
    out:
      r0 = 0
      exit
    `);
    new Interpreter(prog, { memory, helpers: mapHelpers(store, { now: 0 }) }).run();
    expect(rb.consume()).toEqual([{ position: 0, data: Uint8Array.of(1, 2, 3, 4, 1, 2, 3, 4, 0, 0, 0, 0) }]);
  });
});
