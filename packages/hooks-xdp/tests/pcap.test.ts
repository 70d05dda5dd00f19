// Classic pcap files: what writePcap writes, byte for byte; round trips;
// files of the other byte order and nanosecond resolution; truncation;
// and the errors for what is not a pcap file.
import fc from 'fast-check';
import { buildPacket, formatHex, readPcap, writePcap, XdpError } from '../src/index';

describe('writePcap', () => {
  it('writes a little-endian microsecond Ethernet file', () => {
    const frame = Uint8Array.of(1, 2, 3);
    const file = writePcap([{ data: frame, timestampNs: 1_500_000_001_234_567_891n }]);
    expect(formatHex(file.subarray(0, 24))).toBe('d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 00 00 04 00 01 00 00 00');
    // ts_sec 1500000001 = 0x5968_2f01, ts_usec 234567 = 0x0003_9447, incl 3, orig 3
    expect(formatHex(file.subarray(24))).toBe('01 2f 68 59 47 94 03 00 03 00 00 00 03 00 00 00 01 02 03');
  });

  it('cuts packets to the snapshot length and keeps the wire length', () => {
    const file = readPcap(writePcap([{ data: new Uint8Array(100).fill(7), originalLength: 1500 }], { snaplen: 64 }));
    expect(file.snaplen).toBe(64);
    expect(file.packets[0]!.data).toEqual(new Uint8Array(64).fill(7));
    expect(file.packets[0]!.originalLength).toBe(1500);
  });

  it.each([
    { name: 'a negative timestamp', packets: [{ data: new Uint8Array(1), timestampNs: -1n }], message: 'packet 1: timestamp -1 ns does not fit a pcap record' },
    { name: 'a short wire length', packets: [{ data: new Uint8Array(10), originalLength: 5 }], message: 'packet 1: original length 5 is below its 10 bytes' },
  ])('refuses $name', ({ packets, message }) => {
    expect(() => writePcap(packets)).toThrow(new XdpError('bad-call', message));
  });
});

describe('readPcap', () => {
  it('round-trips frames, times and lengths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ data: fc.uint8Array({ maxLength: 200 }), sec: fc.integer({ min: 0, max: 0xffffffff }), usec: fc.integer({ min: 0, max: 999_999 }) }), { maxLength: 20 }),
        (packets) => {
          const input = packets.map((p) => ({ data: p.data, timestampNs: BigInt(p.sec) * 1_000_000_000n + BigInt(p.usec) * 1000n }));
          const file = readPcap(writePcap(input));
          expect(file).toMatchObject({ linktype: 1, precision: 'micro', byteOrder: 'little' });
          expect(file.packets).toEqual(input.map((p) => ({ data: p.data, timestampNs: p.timestampNs, originalLength: p.data.length })));
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it('reads big-endian nanosecond files', () => {
    const b = new Uint8Array(24 + 16 + 2);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0xa1b23c4d, false);
    v.setUint16(4, 2, false);
    v.setUint16(6, 4, false);
    v.setUint32(16, 65535, false);
    v.setUint32(20, 1, false);
    v.setUint32(24, 10, false);
    v.setUint32(28, 123_456_789, false);
    v.setUint32(32, 2, false);
    v.setUint32(36, 60, false);
    b.set([0xaa, 0xbb], 40);
    expect(readPcap(b)).toEqual({
      linktype: 1,
      snaplen: 65535,
      precision: 'nano',
      byteOrder: 'big',
      packets: [{ timestampNs: 10_123_456_789n, data: Uint8Array.of(0xaa, 0xbb), originalLength: 60 }],
    });
  });

  it('reads a file tcpdump would write (one ARP request)', () => {
    const arp = buildPacket({ arp: {} });
    const file = readPcap(writePcap([{ data: arp, timestampNs: 5_000_000_000n }]));
    expect(file.packets[0]!.data).toEqual(arp);
  });

  const good = writePcap([{ data: Uint8Array.of(1, 2, 3, 4) }, { data: Uint8Array.of(5, 6) }]);
  it.each([
    { name: 'an empty file', bytes: new Uint8Array(0), offset: 0, message: 'not a pcap file: 0 bytes, shorter than the 24-byte file header' },
    { name: 'pcapng', bytes: Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(28).fill(0)), offset: 0, message: /pcapng file; bpflab reads classic pcap \(convert it: editcap -F pcap/ },
    { name: 'a text file', bytes: new TextEncoder().encode('hello, this is not a capture'), offset: 0, message: 'not a pcap file: magic 0x68656c6c (want a1b2c3d4 or a1b23c4d)' },
    { name: 'a cut record header', bytes: good.subarray(0, 30), offset: 24, message: 'packet 1: the record header at offset 24 is cut short (6 of 16 bytes)' },
    { name: 'a cut packet', bytes: good.subarray(0, 42), offset: 40, message: 'packet 1: 4 bytes announced at offset 40, only 2 left in the file' },
    { name: 'a cut second packet', bytes: good.subarray(0, good.length - 1), offset: 60, message: 'packet 2: 2 bytes announced at offset 60, only 1 left in the file' },
    {
      name: 'an absurd length',
      bytes: (() => {
        const b = Uint8Array.from(good);
        new DataView(b.buffer).setUint32(32, 0x7fffffff, true);
        return b;
      })(),
      offset: 32,
      message: 'packet 1: incl_len 2147483647 at offset 32 exceeds the snapshot length 262144',
    },
    {
      name: 'microseconds past a second',
      bytes: (() => {
        const b = Uint8Array.from(good);
        new DataView(b.buffer).setUint32(28, 1_000_000, true);
        return b;
      })(),
      offset: 28,
      message: 'packet 1: ts_usec 1000000 at offset 28 is not below one second',
    },
  ])('refuses $name', ({ bytes, offset, message }) => {
    let err: unknown;
    try {
      readPcap(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XdpError);
    expect((err as XdpError).code).toBe('bad-pcap');
    expect((err as XdpError).offset).toBe(offset);
    if (typeof message === 'string') expect((err as Error).message).toBe(message);
    else expect((err as Error).message).toMatch(message);
  });
});
