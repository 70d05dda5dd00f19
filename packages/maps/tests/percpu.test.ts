import { MAP_TYPE } from '@bpflab/uapi';
import { joinPerCpuValues, splitPerCpuValues } from '../src/index';
import { mapError, readU64, setup, u32, u64, value } from './support';

describe('per-CPU values in user space', () => {
  it.each<[string, number, readonly Uint8Array[], readonly number[]]>([
    ['u64 values on 2 CPUs', 8, [u64(3), u64(4)], [3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]],
    ['u32 values padded to 8 bytes', 4, [u32(1), u32(2)], [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]],
    ['12-byte values padded to 16', 12, [new Uint8Array(12).fill(7)], [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 0]],
  ])('%s', (_name, valueSize, values, want) => {
    const joined = joinPerCpuValues(values, valueSize);
    expect([...joined]).toEqual(want);
    expect(splitPerCpuValues(joined, valueSize)).toEqual(values);
  });

  it.each<[string, () => unknown, string]>([
    ['a buffer that is not whole slots', () => splitPerCpuValues(new Uint8Array(12), 4), 'per-CPU buffer of 12 bytes is not a whole number of 8-byte slots (value_size 4)'],
    ['a value of the wrong size', () => joinPerCpuValues([u32(1), u64(1)], 4), 'value of cpu 1 is 8 bytes, the map\'s value_size is 4'],
  ])('refuses %s', (_name, f, message) => {
    expect(mapError(f).message).toBe(message);
  });

  it('sums a per-CPU hash over CPUs after updates from every CPU and from user space', () => {
    const { store, memory, scratch } = setup({ cpus: 4 });
    const m = store.create({ type: MAP_TYPE.PERCPU_HASH, name: 'counts', keySize: 4, valueSize: 8, maxEntries: 8 });
    expect(m.userValueSize).toBe(32);
    expect(m.update(u32(1), joinPerCpuValues([u64(1), u64(2), u64(3), u64(4)], 8)).ok).toBe(true);
    const key = scratch.start;
    memory.writeU32(key, 1);
    for (let cpu = 0; cpu < 4; cpu++) {
      const at = m.lookupElem(key, cpu);
      memory.writeU64(at, memory.readU64(at) + 10n);
    }
    const perCpu = splitPerCpuValues(value(m.lookup(u32(1))), 8).map((v) => readU64(v));
    expect(perCpu).toEqual([11n, 12n, 13n, 14n]);
    // a program's update on a new key sets its CPU's value and zeroes the others
    memory.writeU32(key, 2);
    memory.writeU64(scratch.start + 8, 5n);
    expect(m.updateElem(key, scratch.start + 8, 0, 2)).toBe(0);
    expect(splitPerCpuValues(value(m.lookup(u32(2))), 8).map((v) => readU64(v))).toEqual([0n, 0n, 5n, 0n]);
  });
});
