import { BtfError, encodeBtf, parseBtf, type BtfErrorCode, type BtfType } from '../src/index';
import { allKindsBtf, catchBtfError } from './support';
import { INT, info, intData, K, rawBtf } from './raw';

// Byte layout of the cases: header 0..23, first type at 24 (name_off 24,
// info 28, size/type 32, kind data from 36), the INT record ends at 40.

describe('parseBtf decodes', () => {
  it.each<[string, Uint8Array, number, Partial<BtfType> & Record<string, unknown>]>([
    ['a char int', rawBtf([1, info(K.int), 1, intData(2, 0, 8)]), 1, { kind: 'int', name: 'int', size: 1, encoding: 'char', bits: 8 }],
    ['a bool int', rawBtf([1, info(K.int), 1, intData(4, 0, 8)]), 1, { kind: 'int', encoding: 'bool' }],
    ['a legacy bitfield int', rawBtf([1, info(K.int), 1, intData(0, 3, 5)]), 1, { kind: 'int', encoding: 'none', offset: 3, bits: 5 }],
    [
      'kind_flag bitfield members',
      rawBtf([...INT, 5, info(K.struct, 2, true), 8, 7, 1, (3 << 24) | 5, 9, 1, 32], '\0int\0s\0a\0b\0'),
      2,
      {
        kind: 'struct',
        name: 's',
        size: 8,
        members: [
          { name: 'a', type: 1, bitOffset: 5, bitSize: 3 },
          { name: 'b', type: 1, bitOffset: 32, bitSize: 0 },
        ],
      },
    ],
    [
      'plain members',
      rawBtf([...INT, 5, info(K.union, 1), 4, 7, 1, 0], '\0int\0u\0a\0'),
      2,
      { kind: 'union', name: 'u', members: [{ name: 'a', type: 1, bitOffset: 0, bitSize: 0 }] },
    ],
    [
      'a signed enum',
      rawBtf([5, info(K.enum, 1, true), 4, 7, 0xfffffffe], '\0int\0e\0A\0'),
      1,
      { kind: 'enum', name: 'e', signed: true, values: [{ name: 'A', value: -2 }] },
    ],
    [
      'an unsigned enum',
      rawBtf([5, info(K.enum, 1), 4, 7, 0xfffffffe], '\0int\0e\0A\0'),
      1,
      { kind: 'enum', signed: false, values: [{ name: 'A', value: 4294967294 }] },
    ],
    [
      'an unsigned enum64',
      rawBtf([5, info(K.enum64, 1), 8, 7, 1, 2], '\0int\0e\0A\0'),
      1,
      { kind: 'enum64', signed: false, values: [{ name: 'A', value: 0x200000001n }] },
    ],
    [
      'a signed enum64',
      rawBtf([5, info(K.enum64, 1, true), 8, 7, 0xffffffff, 0xffffffff], '\0int\0e\0A\0'),
      1,
      { kind: 'enum64', signed: true, values: [{ name: 'A', value: -1n }] },
    ],
    ['a union fwd', rawBtf([5, info(K.fwd, 0, true), 0], '\0int\0u\0'), 1, { kind: 'fwd', name: 'u', fwdKind: 'union' }],
    [
      'a variadic func_proto',
      rawBtf([...INT, 0, info(K.func_proto, 2), 1, 5, 1, 0, 0], '\0int\0x\0'),
      2,
      { kind: 'func_proto', returnType: 1, params: [{ name: 'x', type: 1 }], variadic: true },
    ],
    [
      'an extern func',
      rawBtf([...INT, 0, info(K.func_proto), 1, 5, info(K.func, 2), 2], '\0int\0f\0'),
      3,
      { kind: 'func', name: 'f', type: 2, linkage: 'extern' },
    ],
    ['a static var', rawBtf([...INT, 5, info(K.var), 1, 0], '\0int\0v\0'), 2, { kind: 'var', name: 'v', linkage: 'static' }],
    [
      'a datasec',
      rawBtf([...INT, 5, info(K.var), 1, 1, 7, info(K.datasec, 1), 8, 2, 4, 4], '\0int\0v\0.data\0'),
      3,
      { kind: 'datasec', name: '.data', size: 8, vars: [{ type: 2, offset: 4, size: 4 }] },
    ],
    [
      'a decl_tag on a whole declaration',
      rawBtf([...INT, 5, info(K.var), 1, 1, 7, info(K.decl_tag), 2, 0xffffffff], '\0int\0v\0tag\0'),
      3,
      { kind: 'decl_tag', name: 'tag', type: 2, componentIdx: -1, attr: false },
    ],
    [
      'an attribute type_tag',
      rawBtf([...INT, 5, info(K.type_tag, 0, true), 1], '\0int\0user\0'),
      2,
      { kind: 'type_tag', name: 'user', type: 1, attr: true },
    ],
    ['a float', rawBtf([5, info(K.float), 8], '\0int\0double\0'), 1, { kind: 'float', name: 'double', size: 8 }],
    ['an array', rawBtf([...INT, 0, info(K.array), 0, 1, 1, 16]), 2, { kind: 'array', type: 1, indexType: 1, length: 16 }],
    ['a header with zeroed extra fields', rawBtf(INT, undefined, { headerTail: [0, 0, 0, 0] }), 1, { kind: 'int' }],
    ['big-endian BTF', rawBtf(INT, undefined, { bigEndian: true }), 1, { kind: 'int', name: 'int', size: 4, bits: 32 }],
  ])('%s', (_name, have, id, want) => {
    const btf = parseBtf(have);
    expect(btf.types[id]).toMatchObject({ id, ...want });
    // and back: the model survives encoding, in the same byte order
    const again = parseBtf(encodeBtf(btf));
    expect(again.types).toEqual(btf.types);
    expect(again.endianness).toBe(btf.endianness);
  });

  it('reads and writes both byte orders', () => {
    const btf = allKindsBtf();
    const big = encodeBtf(btf, { endianness: 'big' });
    expect([big[0], big[1]]).toEqual([0xeb, 0x9f]);
    const little = encodeBtf(btf);
    expect([little[0], little[1]]).toEqual([0x9f, 0xeb]);
    expect(parseBtf(big).types).toEqual(btf.types);
    expect(parseBtf(big).endianness).toBe('big');
    expect(encodeBtf(parseBtf(big))).toEqual(big);
  });
});

describe('parseBtf refuses', () => {
  const s4 = '\0int\0s\0a\0b\0'; // 1 int, 5 s, 7 a, 9 b
  it.each<[string, Uint8Array, BtfErrorCode, string, number | undefined, number | undefined]>([
    // name, bytes, code, message part, byte offset, type id
    ['empty input', new Uint8Array(0), 'truncated', 'too short', 0, undefined],
    ['a bad magic', rawBtf(INT, undefined, { magic: 0x1234 }), 'bad-header', 'bad magic 0x1234', 0, undefined],
    ['a short header', rawBtf(INT).subarray(0, 20), 'truncated', 'header: 20 bytes', 0, undefined],
    ['another version', rawBtf(INT, undefined, { version: 2 }), 'bad-header', 'unsupported version 2', 2, undefined],
    ['flags', rawBtf(INT, undefined, { flags: 1 }), 'bad-header', 'unsupported flags 0x1', 3, undefined],
    ['a small hdr_len', rawBtf(INT, undefined, { hdrLen: 16 }), 'bad-header', 'hdr_len 16', 4, undefined],
    ['hdr_len past the end', rawBtf(INT, undefined, { hdrLen: 1000 }), 'truncated', 'hdr_len 1000', 4, undefined],
    ['unknown header fields', rawBtf(INT, undefined, { headerTail: [0, 0, 0, 1] }), 'bad-header', 'byte 27 is not zero', 27, undefined],
    ['a type section past the end', rawBtf(INT, undefined, { typeLen: 64 }), 'truncated', 'type section (offset 0, length 64)', 8, undefined],
    ['a string section past the end', rawBtf(INT, undefined, { strLen: 100 }), 'truncated', 'string section', 16, undefined],
    ['a misaligned type section', rawBtf(INT, undefined, { typeOff: 2, typeLen: 8 }), 'bad-header', 'not 4-byte aligned', 8, undefined],
    ['a type length not in words', rawBtf(INT, undefined, { typeLen: 6 }), 'bad-header', 'not a multiple of 4', 12, undefined],
    ['overlapping sections', rawBtf(INT, undefined, { strOff: 0 }), 'bad-header', 'overlap', 8, undefined],
    ['a truncated record', rawBtf([1, info(K.int)]), 'truncated', 'record runs past the end', 24, 1],
    ['a vlen overrun', rawBtf([...INT, 5, info(K.struct, 2), 8, 7, 1, 0], s4), 'truncated', '24 bytes of kind data (vlen 2)', 40, 2],
    ['kind 0', rawBtf([0, info(0), 0]), 'bad-kind', 'unknown kind 0', 28, 1],
    ['kind 20', rawBtf([0, info(20), 0]), 'bad-kind', 'unknown kind 20', 28, 1],
    ['reserved info bits', rawBtf([1, info(K.int) | 0x10000, 4, intData(1, 0, 32)]), 'bad-kind', 'reserved bits set in info', 28, 1],
    ['kind_flag on a ptr', rawBtf([...INT, 0, info(K.ptr, 0, true), 1]), 'bad-kind', 'kind_flag is set', 44, 2],
    ['vlen on an int', rawBtf([1, info(K.int, 1), 4, intData(1, 0, 32)]), 'bad-kind', 'vlen 1 is set', 28, 1],
    ['reserved int bits', rawBtf([1, info(K.int), 4, intData(1, 0, 32) | 0x100]), 'bad-kind', 'reserved bits set in int data', 36, 1],
    ['an unknown int encoding', rawBtf([1, info(K.int), 4, intData(3, 0, 32)]), 'bad-kind', 'unsupported int encoding 3', 36, 1],
    ['a fwd with a type', rawBtf([5, info(K.fwd), 1], s4), 'bad-kind', 'type 1 is not 0', 32, 1],
    ['an array with a size', rawBtf([...INT, 0, info(K.array), 4, 1, 1, 1]), 'bad-kind', 'size 4 is not 0', 48, 2],
    ['an unknown func linkage', rawBtf([...INT, 0, info(K.func_proto), 1, 5, info(K.func, 3), 2], s4), 'bad-kind', 'unknown linkage 3', 56, 3],
    ['an unknown var linkage', rawBtf([...INT, 5, info(K.var), 1, 7], s4), 'bad-kind', 'unknown linkage 7', 52, 2],
    ['a name past the strings', rawBtf([99, info(K.int), 4, intData(1, 0, 32)]), 'bad-string', 'string offset 99 is past the end', 24, 1],
    ['a member name past the strings', rawBtf([...INT, 5, info(K.struct, 1), 4, 77, 1, 0], s4), 'bad-string', 'string offset 77', 52, 2],
    ['strings without a final NUL', rawBtf(INT, '\0int'), 'bad-string', 'not NUL-terminated', 43, undefined],
    ['strings not starting empty', rawBtf(INT, 'xint\0'), 'bad-string', 'does not start with an empty string', 40, undefined],
    ['a missing type', rawBtf([0, info(K.ptr), 99]), 'bad-id', 'type id 99 does not exist', 24, 1],
    ['a void member', rawBtf([5, info(K.struct, 1), 4, 7, 0, 0], s4), 'bad-id', "member 0 'a': type id 0 (void)", 24, 1],
    ['a void parameter before the last', rawBtf([...INT, 0, info(K.func_proto, 2), 1, 0, 0, 0, 1]), 'bad-id', 'parameter 0', 40, 2],
    ['a func of an int', rawBtf([...INT, 5, info(K.func, 1), 1], s4), 'bad-type', 'is not a func_proto', 40, 2],
    ['a struct containing itself', rawBtf([5, info(K.struct, 1), 4, 7, 1, 0], s4), 'loop', 'contains itself by value', 24, 1],
    [
      'a struct containing itself through an array',
      rawBtf([...INT, 5, info(K.struct, 1), 4, 7, 3, 0, 0, info(K.array), 0, 2, 1, 1], s4),
      'loop',
      "[2] struct 's' -> [3] array '' -> [2] struct 's'",
      40,
      2,
    ],
    ['a typedef loop', rawBtf([7, info(K.typedef), 2, 9, info(K.typedef), 1], s4), 'loop', 'typedef/qualifier/pointer loop', 24, 1],
    ['a const/pointer loop', rawBtf([0, info(K.const), 2, 0, info(K.ptr), 1]), 'loop', "[1] const '' -> [2] ptr '' -> [1] const ''", 24, 1],
    ['a pointer to itself', rawBtf([0, info(K.ptr), 1]), 'loop', "[1] ptr '' -> [1] ptr ''", 24, 1],
    ['an array of void', rawBtf([...INT, 0, info(K.array), 0, 0, 1, 4]), 'bad-id', 'element type: type id 0', 40, 2],
    [
      'an array of functions',
      rawBtf([...INT, 0, info(K.func_proto), 1, 0, info(K.array), 0, 2, 1, 4]),
      'bad-type',
      "element type: [2] func_proto '' has no size",
      52,
      3,
    ],
    ['an index type that is no int', rawBtf([...INT, 0, info(K.ptr), 1, 0, info(K.array), 0, 1, 2, 4]), 'bad-type', 'index type', 52, 3],
    ['an array over 4 GiB', rawBtf([...INT, 0, info(K.array), 0, 1, 1, 0x80000000]), 'bad-type', 'larger than 4 GiB', 40, 2],
    ['a member past the end', rawBtf([...INT, 5, info(K.struct, 1), 2, 7, 1, 0], s4), 'bad-type', 'past the 2-byte struct', 40, 2],
    ['a union member off zero', rawBtf([...INT, 5, info(K.union, 1), 8, 7, 1, 32], s4), 'bad-type', 'union member at bit offset 32', 40, 2],
    [
      'members out of order',
      rawBtf([...INT, 5, info(K.struct, 2), 8, 7, 1, 32, 9, 1, 0], s4),
      'bad-type',
      "member 1 'b': bit offset 0 is before",
      40,
      2,
    ],
    [
      'a bitfield of a struct',
      rawBtf([...INT, 5, info(K.struct, 1), 4, 7, 1, 0, 9, info(K.struct, 1, true), 4, 7, 2, 3 << 24], s4),
      'bad-type',
      'only ints and enums can be bitfields',
      64,
      3,
    ],
    [
      'a decl_tag past the members',
      rawBtf([...INT, 5, info(K.struct, 1), 4, 7, 1, 0, 9, info(K.decl_tag), 2, 3], s4),
      'bad-type',
      'component_idx 3 is past the 1 components',
      64,
      3,
    ],
    ['a datasec of an int', rawBtf([...INT, 5, info(K.datasec, 1), 4, 1, 0, 4], s4), 'bad-type', 'is not a var or func', 40, 2],
    ['an int of 3 bytes', rawBtf([1, info(K.int), 3, intData(1, 0, 24)]), 'bad-type', 'size 3 is not 1, 2, 4, 8 or 16', 24, 1],
    ['an int of no bits', rawBtf([1, info(K.int), 4, intData(1, 0, 0)]), 'bad-type', 'nr_bits 0', 24, 1],
    ['an int wider than its size', rawBtf([1, info(K.int), 4, intData(1, 8, 32)]), 'bad-type', 'exceed size 4', 24, 1],
    ['an enum of 3 bytes', rawBtf([5, info(K.enum), 3], s4), 'bad-type', 'size 3 is not 1, 2, 4 or 8', 24, 1],
    ['a named pointer', rawBtf([...INT, 5, info(K.ptr), 1], s4), 'bad-type', 'a ptr cannot have a name', 40, 2],
    ['an anonymous typedef', rawBtf([...INT, 0, info(K.typedef), 1]), 'bad-type', 'a typedef needs a name', 40, 2],
    ['an unnamed enumerator', rawBtf([5, info(K.enum, 1), 4, 0, 1], s4), 'bad-type', 'enumerator 0: has no name', 24, 1],
  ])('%s', (_name, have, code, message, byteOffset, typeId) => {
    const err = catchBtfError(() => parseBtf(have));
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
    expect(err.byteOffset).toBe(byteOffset);
    expect(err.typeId).toBe(typeId);
    expect(err).toBeInstanceOf(BtfError);
  });
});
