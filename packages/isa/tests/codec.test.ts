import { decode, encode, IsaError, type Insn } from '../src/index';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

describe('decode', () => {
  it.each<[string, string, Insn]>([
    ['mov64 imm', 'b7 01 00 00 05 00 00 00', { kind: 'alu', op: 'mov', wide: true, dst: 1, src: { imm: 5 } }],
    ['add32 reg', '0c 21 00 00 00 00 00 00', { kind: 'alu', op: 'add', wide: false, dst: 1, src: { reg: 2 } }],
    ['sdiv64 imm', '37 01 01 00 03 00 00 00', { kind: 'alu', op: 'sdiv', wide: true, dst: 1, src: { imm: 3 } }],
    ['movsx 64 from 8', 'bf 21 08 00 00 00 00 00', { kind: 'movsx', wide: true, dst: 1, src: 2, bits: 8 }],
    ['be16', 'dc 01 00 00 10 00 00 00', { kind: 'endian', order: 'be', bits: 16, dst: 1 }],
    ['bswap64', 'd7 01 00 00 40 00 00 00', { kind: 'endian', order: 'swap', bits: 64, dst: 1 }],
    ['ldxw', '61 21 04 00 00 00 00 00', { kind: 'load', size: 4, signed: false, dst: 1, base: 2, off: 4 }],
    ['ldxsb', '91 21 fc ff 00 00 00 00', { kind: 'load', size: 1, signed: true, dst: 1, base: 2, off: -4 }],
    ['stw imm', '62 0a f8 ff 07 00 00 00', { kind: 'store', size: 4, base: 10, off: -8, src: { imm: 7 } }],
    ['stxdw', '7b 1a f8 ff 00 00 00 00', { kind: 'store', size: 8, base: 10, off: -8, src: { reg: 1 } }],
    ['lock add', 'db 1a f8 ff 00 00 00 00', { kind: 'atomic', op: 'add', fetch: false, size: 8, base: 10, off: -8, src: 1 }],
    ['cmpxchg32', 'c3 1a f8 ff f1 00 00 00', { kind: 'atomic', op: 'cmpxchg', fetch: true, size: 4, base: 10, off: -8, src: 1 }],
    ['jeq imm', '15 01 02 00 2a 00 00 00', { kind: 'jump', op: 'jeq', wide: true, dst: 1, src: { imm: 42 }, off: 2 }],
    ['jlt32 reg', 'ae 21 ff ff 00 00 00 00', { kind: 'jump', op: 'jlt', wide: false, dst: 1, src: { reg: 2 }, off: -1 }],
    ['gotol', '06 00 00 00 10 00 00 00', { kind: 'ja', off: 16, long: true }],
    ['call helper', '85 00 00 00 06 00 00 00', { kind: 'call', helper: 6 }],
    ['call local', '85 10 00 00 03 00 00 00', { kind: 'call_local', off: 3 }],
    ['callx', '8d 02 00 00 00 00 00 00', { kind: 'callx', reg: 2 }],
    ['exit', '95 00 00 00 00 00 00 00', { kind: 'exit' }],
    [
      'lddw map_fd',
      '18 11 00 00 04 00 00 00 00 00 00 00 00 00 00 00',
      { kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 4n },
    ],
    [
      'lddw imm64',
      '18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11',
      { kind: 'lddw', dst: 0, pseudo: 'imm64', value: 0x1122334455667788n },
    ],
  ])('%s', (_name, have, want) => {
    const bytes = hex(have);
    expect(decode(bytes)).toEqual([want]);
    expect(encode([want])).toEqual(bytes);
  });
});

describe('decode refuses', () => {
  it.each<[string, string, string]>([
    ['reserved offset on add', '07 00 01 00 01 00 00 00 95 00 00 00 00 00 00 00', 'byte offset 0'],
    ['src set on exit', '95 00 00 00 00 00 00 00 95 10 00 00 00 00 00 00', 'byte offset 8'],
    ['register r11', 'b7 0b 00 00 00 00 00 00', 'r11'],
    ['truncated lddw', '18 01 00 00 00 00 00 00', 'second 8-byte slot'],
    ['trailing bytes', '95 00 00 00 00 00 00 00 95', 'not a multiple of 8'],
    ['unknown class op', 'f7 01 00 00 00 00 00 00', 'unknown ALU operation'],
  ])('%s', (_name, have, want) => {
    let err: unknown;
    try {
      decode(hex(have));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IsaError);
    expect((err as IsaError).message).toContain(want);
    expect((err as IsaError).byteOffset).toEqual(expect.any(Number));
  });
});
