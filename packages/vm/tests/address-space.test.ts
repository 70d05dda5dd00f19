import { AddressSpace, VmError, type Region } from '../src/index';

function refusal(f: () => unknown): VmError {
  try {
    f();
  } catch (e) {
    if (e instanceof VmError) return e;
    throw e;
  }
  throw new Error('expected a VmError, but nothing was thrown');
}

describe('AddressSpace allocation', () => {
  it('maps the first region above the NULL guard, and the next after a gap', () => {
    const as = new AddressSpace();
    const a = as.allocate({ name: 'a', kind: 'ctx', size: 12 });
    const b = as.allocate({ name: 'b', kind: 'mem', size: 100, align: 16 });
    expect(a).toEqual({ id: a.id, name: 'a', kind: 'ctx', start: 0x10000, size: 12, writable: true });
    // 0x1000c + 64-byte gap = 0x1004c, aligned up to 16.
    expect(b.start).toBe(0x10050);
    expect(as.regions().map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('fills a freed hole first-fit and zeroes reused memory', () => {
    const as = new AddressSpace({ gapBytes: 0 });
    const a = as.allocate({ name: 'a', kind: 'mem', size: 64, init: new Uint8Array(64).fill(0xaa) });
    as.allocate({ name: 'b', kind: 'mem', size: 64 });
    as.free(a);
    const c = as.allocate({ name: 'c', kind: 'mem', size: 32 });
    expect(c.start).toBe(a.start);
    expect([...as.readBytes(c.start, 32)].every((x) => x === 0)).toBe(true);
    expect(as.regions().map((r) => r.name)).toEqual(['c', 'b']);
  });

  it('copies initial contents and zeroes the rest', () => {
    const as = new AddressSpace();
    const r = as.allocate({ name: 'g', kind: 'global', size: 6, init: Uint8Array.of(1, 2, 3) });
    expect([...as.readBytes(r.start, 6)]).toEqual([1, 2, 3, 0, 0, 0]);
  });

  it('grows the memory for large regions and keeps old contents', () => {
    const as = new AddressSpace({ initialBytes: 65536 * 2, maxBytes: 8 * 1024 * 1024 });
    const small = as.allocate({ name: 'small', kind: 'mem', size: 8, init: Uint8Array.of(9, 8, 7) });
    const before = as.byteLength;
    const big = as.allocate({ name: 'big', kind: 'map_value', size: 3 * 1024 * 1024 });
    expect(as.byteLength).toBeGreaterThan(before);
    expect(big.start + big.size).toBeLessThanOrEqual(as.byteLength);
    expect(as.readU8(small.start)).toBe(9);
    as.writeU32(big.start + big.size - 4, 0xdeadbeef);
    expect(as.readU32(big.start + big.size - 4)).toBe(0xdeadbeef);
  });

  it('refuses to grow past its maximum, naming the region and the option', () => {
    const as = new AddressSpace({ maxBytes: 1024 * 1024 });
    const e = refusal(() => as.allocate({ name: 'huge', kind: 'map_value', size: 2 * 1024 * 1024 }));
    expect(e.code).toBe('out-of-memory');
    expect(e.message).toBe(
      'cannot map 2097152 bytes for region huge: the address space would need 2112 KiB, ' +
        'more than its maximum of 1 MiB (AddressSpaceOptions.maxBytes)',
    );
  });

  it.each<[string, () => unknown, string]>([
    ['a negative size', () => new AddressSpace().allocate({ name: 'x', kind: 'mem', size: -1 }), 'size of region x must be an integer'],
    ['an alignment that is not a power of two', () => new AddressSpace().allocate({ name: 'x', kind: 'mem', size: 1, align: 3 }), 'alignment of region x must be a power of two up to 65536, is 3'],
    ['init larger than the region', () => new AddressSpace().allocate({ name: 'x', kind: 'mem', size: 1, init: new Uint8Array(2) }), 'initial contents of region x are 2 bytes, more than its size of 1'],
    ['a maximum below one page', () => new AddressSpace({ maxBytes: 100 }), 'maxBytes must be an integer in [65536, 4294967296], is 100'],
    ['a zero guard', () => new AddressSpace({ guardBytes: 0 }), 'guardBytes must be an integer'],
    ['freeing twice', () => { const as = new AddressSpace(); const r = as.allocate({ name: 'x', kind: 'mem', size: 1 }); as.free(r); as.free(r); }, 'cannot free region #1: it is not mapped (freed twice?)'],
    ['protecting an unmapped region', () => new AddressSpace().protect(42, false), 'cannot protect region #42: it is not mapped'],
  ])('refuses %s', (_name, f, message) => {
    const e = refusal(f);
    expect(e.code).toBe('bad-call');
    expect(e.message).toContain(message);
  });
});

describe('AddressSpace lookups and faults', () => {
  const as = new AddressSpace();
  const ctx = as.allocate({ name: 'ctx', kind: 'ctx', size: 12 });
  const ro = as.allocate({ name: '.rodata', kind: 'global', size: 16, writable: false });

  it('finds regions by address', () => {
    expect(as.regionAt(ctx.start)?.name).toBe('ctx');
    expect(as.regionAt(ctx.start + 11)?.name).toBe('ctx');
    expect(as.regionAt(ctx.start + 12)).toBeUndefined();
    expect(as.regionAt(BigInt(ro.start) + 3n)?.name).toBe('.rodata');
    expect(as.regionAt(-1)).toBeUndefined();
    expect(as.regionAt(2n ** 40n)).toBeUndefined();
  });

  it.each<[string, number | bigint, string]>([
    ['NULL', 0, 'NULL+0'],
    ['a small offset from NULL', 24, 'NULL+24'],
    ['inside a region', 0x10004, 'ctx+4'],
    ['just past a region', 0x1000c, 'ctx+12'],
    ['just before a region', 0x10050 - 8, '.rodata-8'],
    ['beyond 4 GiB', 2n ** 33n, '0x200000000'],
  ])('describes an address %s', (_name, address, want) => {
    expect(as.describe(address)).toBe(want);
  });

  it.each<[string, 'read' | 'write', number, bigint, string]>([
    ['a NULL read', 'read', 4, 0n, 'read of 4 bytes at 0x0 (NULL+0): null pointer dereference (nothing is mapped below 0x10000)'],
    ['a read running past the end', 'read', 8, 0x10008n, 'read of 8 bytes at 0x10008 (ctx+8): runs 4 bytes past the end of the region ctx [0x10000, 0x1000c)'],
    ['a write just after a region', 'write', 8, 0x10010n, 'write of 8 bytes at 0x10010 (ctx+16): outside the region ctx [0x10000, 0x1000c)'],
    ['an access starting before a region', 'read', 8, 0x1004cn, 'read of 8 bytes at 0x1004c (.rodata-4): starts 4 bytes before the region .rodata [0x10050, 0x10060)'],
    ['a write to a read-only region', 'write', 1, 0x10050n, 'write of 1 byte at 0x10050 (.rodata+0): the region .rodata [0x10050, 0x10060) is read-only'],
    ['an address beyond 4 GiB', 'read', 8, 0xfffffffffffffff8n, 'read of 8 bytes at 0xfffffffffffffff8: outside the address space (addresses end at 0x100000000; a bad pointer or a negative offset?)'],
  ])('explains %s', (_name, access, size, address, message) => {
    const e = refusal(() => as.check(address, size, access));
    expect(e.code).toBe('fault');
    expect(e.message).toBe(message);
    expect(e.fault).toMatchObject({ access, size, address });
    expect(e.pc).toBeUndefined();
  });

  it('puts the pc in front when given one', () => {
    const e = as.fault('read', 2, 0n, 7);
    expect(e.message).toMatch(/^pc 7: read of 2 bytes at 0x0 /);
    expect(e.pc).toBe(7);
  });

  it('explains an access when nothing is mapped', () => {
    const empty = new AddressSpace();
    expect(refusal(() => empty.readU8(0x20000)).message).toBe(
      'read of 1 byte at 0x20000: nothing is mapped there (the address space has no regions)',
    );
  });

  it('allows reads but not writes of a read-only region, until it is made writable', () => {
    const space = new AddressSpace();
    let r: Region = space.allocate({ name: 'ro', kind: 'global', size: 4, writable: false });
    expect(space.readU32(r.start)).toBe(0);
    expect(refusal(() => space.writeU8(r.start, 1)).code).toBe('fault');
    r = space.protect(r, true);
    space.writeU8(r.start, 1);
    expect(space.readU8(r.start)).toBe(1);
    expect(space.accessible(r.start, 4, 'write')).toEqual(r);
  });

  it('faults on a freed region', () => {
    const space = new AddressSpace();
    const r = space.allocate({ name: 'gone', kind: 'map_value', size: 8 });
    space.free(r);
    expect(refusal(() => space.readU8(r.start)).message).toContain('nothing is mapped there');
  });
});

describe('AddressSpace typed access', () => {
  const as = new AddressSpace();
  const r = as.allocate({ name: 'm', kind: 'mem', size: 32 });

  it('round-trips every width, little-endian, modulo its size', () => {
    as.writeU8(r.start, 0x1ff);
    as.writeU16(r.start + 2, 0x12345);
    as.writeU32(r.start + 4, -1);
    as.writeU64(r.start + 8, -2n);
    expect(as.readU8(r.start)).toBe(0xff);
    expect(as.readU16(r.start + 2)).toBe(0x2345);
    expect(as.readU32(r.start + 4)).toBe(0xffffffff);
    expect(as.readU64(r.start + 8)).toBe(0xfffffffffffffffen);
    expect([...as.readBytes(r.start + 2, 2)]).toEqual([0x45, 0x23]);
  });

  it('copies byte ranges in and out, including empty ones', () => {
    as.writeBytes(r.start + 16, Uint8Array.of(104, 105, 0));
    expect(as.readCString(r.start + 16)).toBe('hi');
    expect(as.cStringLength(BigInt(r.start + 16))).toBe(2);
    expect(as.readBytes(0, 0)).toEqual(new Uint8Array(0));
    as.writeBytes(0, new Uint8Array(0));
  });

  it('faults on a string without a NUL before the end of its region', () => {
    as.writeBytes(r.start + 24, new Uint8Array(8).fill(65));
    const e = refusal(() => as.readCString(r.start + 24));
    expect(e.message).toBe(`read of 9 bytes at 0x${(r.start + 24).toString(16)} (m+24): runs 1 byte past the end of the region m [0x10000, 0x10020)`);
  });

  it('faults on a string longer than the limit', () => {
    expect(refusal(() => as.cStringLength(r.start + 24, 4)).message).toBe('string at 0x10018 (m+24) has no NUL within 4 bytes');
  });

  it('gives unchecked views of the whole memory', () => {
    as.writeU32(r.start, 0x01020304);
    expect(as.bytes()[r.start]).toBe(4);
    expect(as.view().getUint32(r.start, true)).toBe(0x01020304);
    expect(as.memory.buffer.byteLength).toBe(as.byteLength);
  });
});
