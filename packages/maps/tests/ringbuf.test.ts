import { ERRNO, MAP_TYPE, RINGBUF_FLAG, RINGBUF_QUERY } from '@bpflab/uapi';
import { VmError } from '@bpflab/vm';
import { RINGBUF_BUSY_BIT, type RingBufMap } from '../src/index';
import { code, setup } from './support';

function ring(size = 8192) {
  const env = setup();
  const rb = env.store.create({ type: MAP_TYPE.RINGBUF, name: 'rb', keySize: 0, valueSize: 0, maxEntries: size }) as RingBufMap;
  const sample = (n: number, fill: number) => {
    const r = env.memory.allocate({ name: 'src', kind: 'mem', size: Math.max(n, 1), init: new Uint8Array(n).fill(fill) });
    return r.start;
  };
  return { ...env, rb, sample };
}

describe('ring buffer output, as Linux lays it out', () => {
  // Positions, page offsets and EAGAIN points printed by Linux 6.18 for the same outputs.
  it('writes headers with the length and the page offset, and refuses a record the consumer has not made room for', () => {
    const { rb, sample } = ring();
    expect(rb.output(sample(3, 0x31), 3, 0)).toBe(0);
    expect(rb.producerPosition).toBe(16);
    const big = sample(488, 0x28);
    const positions: number[] = [];
    for (let i = 0; i < 17; i++) {
      const r = rb.output(big, 488, 0);
      if (r !== 0) {
        expect(r).toBe(-ERRNO.EAGAIN);
        break;
      }
      positions.push(rb.producerPosition);
    }
    expect(positions.length).toBe(16);
    expect(positions.at(-1)).toBe(7952);
    expect(rb.headerAt(0)).toEqual({ length: 3, busy: false, discarded: false, pageOffset: 3 });
    expect(rb.headerAt(3984)).toEqual({ length: 488, busy: false, discarded: false, pageOffset: 3 });
    expect(rb.headerAt(4480)).toEqual({ length: 488, busy: false, discarded: false, pageOffset: 4 });
  });

  it('wraps a record that straddles the end of the data area and reads it back whole', () => {
    const { rb, sample, memory } = ring();
    rb.output(sample(3, 0x31), 3, 0);
    const big = sample(488, 0x28);
    for (let i = 0; i < 16; i++) expect(rb.output(big, 488, 0)).toBe(0);
    expect(rb.consume(4).map((r) => r.position)).toEqual([0, 16, 512, 1008]);
    expect(rb.consumerPosition).toBe(1504);
    const marked = sample(488, 0);
    const bytes = Uint8Array.from({ length: 488 }, (_, i) => i & 0xff);
    memory.writeBytes(marked, bytes);
    expect(rb.output(marked, 488, 0)).toBe(0);
    expect(rb.output(big, 488, 0)).toBe(0);
    expect(rb.output(big, 488, 0)).toBe(0);
    expect(rb.output(big, 488, 0)).toBe(-ERRNO.EAGAIN);
    expect(rb.producerPosition).toBe(9440);
    const records = rb.consume();
    const straddling = records.find((r) => r.position === 7952)!;
    expect(7952 % 8192 + 8 + 488).toBeGreaterThan(8192);
    expect(straddling.data).toEqual(bytes);
    expect(records.map((r) => r.position)).toEqual([1504, 2000, 2496, 2992, 3488, 3984, 4480, 4976, 5472, 5968, 6464, 6960, 7456, 7952, 8448, 8944]);
    expect(rb.headerAt(8448)).toEqual({ length: 488, busy: false, discarded: false, pageOffset: 3 });
  });

  it.each<[string, number | bigint, number]>([
    ['BPF_RB_NO_WAKEUP', RINGBUF_FLAG.NO_WAKEUP, 0],
    ['BPF_RB_FORCE_WAKEUP', RINGBUF_FLAG.FORCE_WAKEUP, 0],
    ['an unknown flag', 4, -ERRNO.EINVAL],
    ['a flag above bit 31', 1n << 40n, -ERRNO.EINVAL],
  ])('output with %s', (_name, flags, want) => {
    const { rb, sample } = ring(4096);
    expect(rb.output(sample(8, 1), 8, flags)).toBe(want);
  });

  it('refuses a record that would fill the whole ring', () => {
    const { rb, sample } = ring(4096);
    expect(rb.output(sample(4096, 1), 4096, 0)).toBe(-ERRNO.EAGAIN);
    expect(rb.reserve(4081, 0)).toBe(0);
    expect(rb.reserve(4080, 0)).not.toBe(0);
  });
});

describe('reserve, submit and discard', () => {
  it('gives a program exactly the bytes it asked for, and takes them away on submit', () => {
    const { memory, rb } = ring(4096);
    const p = rb.reserve(12, 0);
    expect(p).not.toBe(0);
    expect(memory.regionAt(p)!.size).toBe(12);
    memory.writeU32(p, 0xaabbccdd);
    expect(() => memory.writeU32(p + 12, 0)).toThrow(VmError);
    expect(rb.headerAt(0)).toEqual({ length: 12, busy: true, discarded: false, pageOffset: 3 });
    expect(rb.consume()).toEqual([]);
    rb.submit(p, 0);
    expect(() => memory.writeU32(p, 0)).toThrow(VmError);
    expect(rb.consume()).toEqual([{ position: 0, data: Uint8Array.of(0xdd, 0xcc, 0xbb, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0) }]);
    expect(() => rb.submit(p, 0)).toThrow('map rb: bpf_ringbuf_submit of');
  });

  it('skips discarded records and stops at a busy one', () => {
    const { rb, memory } = ring(4096);
    const a = rb.reserve(8, 0);
    const b = rb.reserve(8, 0);
    const c = rb.reserve(8, 0);
    memory.writeU8(a, 1);
    memory.writeU8(c, 3);
    rb.discard(b, 0);
    rb.submit(c, 0);
    expect(rb.headerAt(16)).toEqual({ length: 8, busy: false, discarded: true, pageOffset: 3 });
    expect(rb.consume()).toEqual([]);
    rb.submit(a, 0);
    expect(rb.consume().map((r) => [r.position, r.data[0]])).toEqual([[0, 1], [32, 3]]);
    expect(rb.consumerPosition).toBe(48);
  });

  it('stays full while an unsubmitted record holds up the consumer', () => {
    const { rb } = ring(4096);
    const held = rb.reserve(8, 0);
    const rest: number[] = [];
    for (let p = rb.reserve(8, 0); p !== 0; p = rb.reserve(8, 0)) rest.push(p);
    expect(rb.producerPosition).toBe(4080);
    for (const p of rest) rb.submit(p, 0);
    expect(rb.consume()).toEqual([]);
    expect(rb.reserve(8, 0)).toBe(0);
    rb.submit(held, 0);
    expect(rb.consume().length).toBe(255);
    expect(rb.reserve(8, 0)).not.toBe(0);
  });

  it.each<[string, number | bigint, number | bigint]>([
    ['flags', 8, 1],
    ['a size above RINGBUF_MAX_RECORD_SZ', 2n ** 31n, 0],
  ])('returns NULL for %s', (_name, size, flags) => {
    expect(ring(4096).rb.reserve(size, flags)).toBe(0);
  });

  it('wakes the consumer when it waits at the record, unless told otherwise', () => {
    const { rb, sample } = ring(4096);
    const s = sample(8, 1);
    rb.output(s, 8, 0);
    expect(rb.wakeups).toBe(1);
    rb.output(s, 8, 0);
    expect(rb.wakeups).toBe(1);
    rb.output(s, 8, RINGBUF_FLAG.FORCE_WAKEUP);
    expect(rb.wakeups).toBe(2);
    rb.consume();
    rb.output(s, 8, RINGBUF_FLAG.NO_WAKEUP);
    expect(rb.wakeups).toBe(2);
    rb.consume();
    rb.submit(rb.reserve(8, 0), 0);
    expect(rb.wakeups).toBe(3);
  });
});

describe('bpf_ringbuf_query and user space', () => {
  it.each<[string, number, bigint]>([
    ['BPF_RB_AVAIL_DATA', RINGBUF_QUERY.AVAIL_DATA, 32n],
    ['BPF_RB_RING_SIZE', RINGBUF_QUERY.RING_SIZE, 4096n],
    ['BPF_RB_CONS_POS', RINGBUF_QUERY.CONS_POS, 16n],
    ['BPF_RB_PROD_POS', RINGBUF_QUERY.PROD_POS, 48n],
    ['an unknown selector', 9, 0n],
  ])('%s', (_name, flags, want) => {
    const { rb, sample } = ring(4096);
    const s = sample(8, 1);
    for (let i = 0; i < 3; i++) rb.output(s, 8, 0);
    rb.consume(1);
    expect(rb.query(flags)).toBe(want);
  });

  it.each<[string, (rb: RingBufMap) => number, number]>([
    ['lookup', (rb) => code(rb.lookup(null)), -ERRNO.ENOTSUPP],
    ['update', (rb) => code(rb.update(null, new Uint8Array(0))), -ERRNO.ENOTSUPP],
    ['delete', (rb) => code(rb.delete(null)), -ERRNO.ENOTSUPP],
    ['get_next_key', (rb) => code(rb.getNextKey(null)), -ERRNO.ENOTSUPP],
    ['freeze', (rb) => code(rb.freeze()), 0],
  ])('user-space %s', (_name, f, want) => {
    expect(f(ring(4096).rb)).toBe(want);
  });

  it('keeps the BUSY bit in the header word', () => {
    const { rb, memory } = ring(4096);
    rb.reserve(5, 0);
    expect(memory.view().getUint32(rb.dataRegion.start, true)).toBe(RINGBUF_BUSY_BIT + 5);
  });
});
