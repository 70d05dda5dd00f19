import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBtf, dumpC, dumpRaw, type BtfErrorCode, type BtfTypeInput, type TypeId } from '../src/index';
import { allKindsBtf, allKindsTypes, anyClang, catchBtfError, layoutChecks, run, skipNote, tempDir } from './support';

// Ids of allKindsBtf(): see allKindsTypes() in support.ts.
const btf = allKindsBtf();

describe('typeName', () => {
  it.each<[TypeId, string, string]>([
    [0, '', 'void'],
    [1, '', 'int'],
    [6, '', 'struct node *'],
    [7, '', 'struct node'],
    [8, '', 'union (anon)'],
    [10, '', 'char[4]'],
    [10, 'name', 'char name[4]'],
    [11, '', 'volatile const int'],
    [13, '', 'volatile const int *'],
    [14, '', 'volatile const int * restrict'],
    [15, 'p', 'cvp_t p'],
    [16, '', 'enum e'],
    [17, '', 'enum e64'],
    [18, '', 'union u'],
    [19, '', 'int(int x, ...)'],
    [20, 'f', 'int f(int x, ...)'],
    [21, '', 'int'],
    [22, '', "datasec '.data'"],
    [23, '', "decl_tag 'tagged'"],
    [25, 'buf', 'char __attribute__((btf_type_tag("user"))) *buf'],
    [29, '', 'void (*)(union u *, cvp_t)'],
    [29, 'cb', 'void (*cb)(union u *, cvp_t)'],
    [30, '', 'cb_t'],
  ])('[%i] %j', (id, declarator, want) => {
    expect(btf.typeName(id, declarator)).toBe(want);
  });
});

describe('sizeof and alignof', () => {
  it.each<[TypeId, number, number | 'unsized']>([
    // id, sizeof, alignof
    [1, 4, 4],
    [3, 8, 8],
    [5, 1, 1],
    [6, 8, 8],
    [7, 32, 8],
    [8, 4, 4],
    [10, 4, 1],
    [15, 8, 8],
    [16, 4, 4],
    [17, 8, 8],
    [21, 4, 4],
    [22, 4, 'unsized'],
    [26, 8, 8],
    [32, 8, 8],
  ])('[%i] is %i bytes aligned to %s', (id, size, align) => {
    expect(btf.sizeof(id)).toBe(size);
    if (align === 'unsized') expect(catchBtfError(() => btf.alignof(id)).code).toBe('unsized');
    else expect(btf.alignof(id)).toBe(align);
  });

  it.each<[TypeId, string]>([
    [0, 'void'],
    [18, 'fwd'],
    [19, 'func_proto'],
    [20, 'func'],
    [23, 'decl_tag'],
  ])('[%i] (%s) has no size', (id, kind) => {
    const err = catchBtfError(() => btf.sizeof(id));
    expect(err.code).toBe('unsized');
    expect(err.typeId).toBe(id);
    expect(err.message).toContain(kind);
  });

  it.each<[string, BtfTypeInput[], number, number]>([
    [
      'a packed struct aligns to 1',
      [
        { kind: 'int', name: 'char', size: 1, encoding: 'signed', offset: 0, bits: 8 },
        { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
        {
          kind: 'struct',
          name: 'p',
          size: 5,
          members: [
            { name: 'c', type: 1, bitOffset: 0, bitSize: 0 },
            { name: 'i', type: 2, bitOffset: 8, bitSize: 0 },
          ],
        },
      ],
      3,
      1,
    ],
    [
      'a 32-bit long makes pointers 4 bytes',
      [
        { kind: 'int', name: 'long int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
        { kind: 'ptr', name: '', type: 1 },
      ],
      2,
      4,
    ],
    [
      'a float of 16 bytes aligns to the pointer size',
      [{ kind: 'float', name: 'long double', size: 16 }],
      1,
      8,
    ],
  ])('%s', (_name, types, id, align) => {
    expect(createBtf(types).alignof(id)).toBe(align);
  });
});

describe('lookups', () => {
  it('finds types by name and kind', () => {
    expect(btf.find('node', 'struct')?.id).toBe(7);
    expect(btf.find('node', 'union')).toBeUndefined();
    expect(btf.byName('cvp_t').map((t) => t.id)).toEqual([15]);
    expect(btf.byName('u', 'fwd').map((t) => t.fwdKind)).toEqual(['union']);
    expect(btf.byName('nothing')).toEqual([]);
    expect(btf.typeOf(7, 'struct').members).toHaveLength(6);
  });

  it.each<[string, () => unknown, BtfErrorCode, string]>([
    ['an id past the end', () => btf.type(999), 'bad-id', 'type id 999 does not exist'],
    ['a negative id', () => btf.type(-1), 'bad-id', 'type id -1'],
    ['a fractional id', () => btf.type(1.5), 'bad-id', 'type id 1.5'],
    ['the wrong kind', () => btf.typeOf(7, 'union'), 'bad-type', "[7] struct 'node': is not a union"],
  ])('refuses %s', (_name, f, code, message) => {
    const err = catchBtfError(f);
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
  });

  it('resolves typedefs, qualifiers and type tags', () => {
    expect(btf.resolve(15)).toMatchObject({ id: 13, kind: 'ptr' });
    expect(btf.resolve(11)).toMatchObject({ id: 1, kind: 'int' });
    expect(btf.resolve(24)).toMatchObject({ id: 4, name: 'char' });
    expect(btf.resolve(7).id).toBe(7);
  });

  it('gives member offsets in bits and bitfield sizes', () => {
    const node = btf.typeOf(7, 'struct');
    expect(node.members.map((m) => [m.name, m.bitOffset, m.bitSize])).toEqual([
      ['next', 0, 0],
      ['a', 64, 3],
      ['b', 67, 5],
      ['v', 128, 0],
      ['', 192, 0],
      ['name', 224, 0],
    ]);
  });
});

describe('createBtf refuses', () => {
  const base = allKindsTypes();
  const replace = (id: number, t: BtfTypeInput): BtfTypeInput[] => base.map((x, i) => (i === id - 1 ? t : x));
  it.each<[string, BtfTypeInput[], BtfErrorCode, string, number]>([
    [
      'an unsigned enum with a negative value',
      replace(16, { kind: 'enum', name: 'e', size: 4, signed: false, values: [{ name: 'A', value: -1 }] }),
      'bad-type',
      'does not fit a unsigned 32-bit enum',
      16,
    ],
    [
      'an enum64 value past 64 bits',
      replace(17, { kind: 'enum64', name: 'e', size: 8, signed: false, values: [{ name: 'A', value: 1n << 64n }] }),
      'bad-type',
      'does not fit a unsigned 64-bit enum',
      17,
    ],
    ['a NUL in a name', replace(9, { kind: 'float', name: 'fl\0at', size: 4 }), 'bad-type', 'contains a NUL', 9],
    [
      'a bitfield of 200 bits',
      replace(8, { kind: 'union', name: '', size: 4, members: [{ name: 'i', type: 1, bitOffset: 0, bitSize: 200 }] }),
      'bad-type',
      'bitfield size 200',
      8,
    ],
    [
      'a bitfield struct with an offset past 24 bits',
      replace(8, {
        kind: 'struct',
        name: 'big',
        size: 0x300000,
        members: [
          { name: 'a', type: 1, bitOffset: 0, bitSize: 1 },
          { name: 'b', type: 1, bitOffset: 0x1000000, bitSize: 0 },
        ],
      }),
      'bad-type',
      'bit offset 16777216 out of range',
      8,
    ],
    [
      'a negative datasec offset',
      replace(22, { kind: 'datasec', name: '.data', size: 4, vars: [{ type: 21, offset: -1, size: 4 }] }),
      'bad-type',
      'offset -1 is not a 32-bit unsigned integer',
      22,
    ],
    [
      'an unknown int encoding',
      replace(1, { kind: 'int', name: 'int', size: 4, encoding: 'weird' as 'none', offset: 0, bits: 32 }),
      'bad-type',
      'unknown encoding weird',
      1,
    ],
    ['an unknown kind', replace(9, { kind: 'blob', name: 'x' } as unknown as BtfTypeInput), 'bad-type', 'unknown kind blob', 9],
    ['a void in the list', replace(2, { kind: 'void', name: '' } as unknown as BtfTypeInput), 'bad-type', 'void is id 0 only', 2],
    ['a fractional type id', replace(6, { kind: 'ptr', name: '', type: 7.5 }), 'bad-id', 'type id 7.5 does not exist', 6],
    ['a decl_tag on an int', replace(23, { kind: 'decl_tag', name: 't', type: 1, componentIdx: -1, attr: false }), 'bad-type', 'tagged type', 23],
    ['a var of a function type', replace(21, { kind: 'var', name: 'g', type: 19, linkage: 'global' }), 'bad-type', 'has no size', 21],
    [
      'a parameter that is a var',
      replace(19, { kind: 'func_proto', name: '', returnType: 1, params: [{ name: 'x', type: 21 }], variadic: false }),
      'bad-type',
      'is not a data type',
      19,
    ],
    ['an unknown linkage', replace(20, { kind: 'func', name: 'f', type: 19, linkage: 'weak' as 'static' }), 'bad-type', 'unknown linkage weak', 20],
  ])('%s', (_name, types, code, message, id) => {
    const err = catchBtfError(() => createBtf(types));
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
    expect(err.typeId).toBe(id);
    expect(err.byteOffset).toBeUndefined();
  });
});

describe('extern variables', () => {
  const base = allKindsTypes();
  const replace = (id: number, t: BtfTypeInput): BtfTypeInput[] => base.map((x, i) => (i === id - 1 ? t : x));
  it('may have a type without a size (`extern const void sym __ksym;`), as libbpf accepts', () => {
    const btf = createBtf(replace(21, { kind: 'var', name: 'sym', type: 19, linkage: 'extern' }));
    expect(btf.type(21)).toMatchObject({ kind: 'var', name: 'sym', linkage: 'extern' });
  });

  it('must still name a data type', () => {
    const err = catchBtfError(() => createBtf(replace(21, { kind: 'var', name: 'sym', type: 20, linkage: 'extern' })));
    expect(err.message).toContain('is not a data type');
  });
});

describe('dumpC refuses what C cannot say', () => {
  const int: BtfTypeInput = { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 };
  const nestedArrays = (n: number): BtfTypeInput[] => [
    int,
    ...Array.from({ length: n }, (_, i): BtfTypeInput => ({ kind: 'array', name: '', type: i + 1, indexType: 1, length: 1 })),
    { kind: 'typedef', name: 'deep', type: n + 1 },
  ];
  it.each<[string, BtfTypeInput[], BtfErrorCode, string]>([
    [
      'an anonymous struct reaching itself through a pointer',
      [
        { kind: 'struct', name: '', size: 8, members: [{ name: 'self', type: 2, bitOffset: 0, bitSize: 0 }] },
        { kind: 'ptr', name: '', type: 1 },
        { kind: 'typedef', name: 'loop_t', type: 1 },
      ],
      'loop',
      'unsatisfiable type cycle',
    ],
    [
      'a function pointer returning itself',
      [
        { kind: 'func_proto', name: '', returnType: 2, params: [], variadic: false },
        { kind: 'ptr', name: '', type: 1 },
        { kind: 'typedef', name: 'fn_t', type: 2 },
      ],
      'loop',
      'refers to itself',
    ],
    ['arrays nested 300 deep', nestedArrays(300), 'too-deep', 'deeper than 256 levels'],
    [
      'a pointer to an array of itself',
      [int, { kind: 'ptr', name: '', type: 3 }, { kind: 'array', name: '', type: 2, indexType: 1, length: 2 }, { kind: 'typedef', name: 't', type: 2 }],
      'loop',
      'refers to itself: cannot print as C',
    ],
    [
      'a typedef chain 5000 long',
      // typedef t1 -> t2 -> ... -> t5000 -> int: ids 1..5000, then the int at 5001
      [...Array.from({ length: 5000 }, (_, i): BtfTypeInput => ({ kind: 'typedef', name: `t${i + 1}`, type: i + 2 })), int],
      'too-deep',
      'deeper than 1000 levels',
    ],
  ])('%s', (_name, types, code, message) => {
    const b = createBtf(types);
    const err = catchBtfError(() => dumpC(b));
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
    expect(dumpRaw(b)).toContain('[1]');
  });

  it('prints arrays nested 100 deep', () => {
    const b = createBtf(nestedArrays(100));
    expect(b.typeName(102)).toBe('deep');
    expect(b.typeName(101)).toBe(`int${'[1]'.repeat(100)}`);
    expect(dumpC(b, { header: false })).toBe(`typedef int deep${'[1]'.repeat(100)};\n\n`);
  });
});

describe('dumpC', () => {
  it('prints only the requested roots and what they need, without the guard', () => {
    expect(dumpC(btf, { rootTypes: [15], header: false })).toBe('typedef volatile const int * restrict cvp_t;\n\n');
    expect(dumpC(btf, { rootTypes: [30], header: false })).toBe(
      'union u;\n\ntypedef volatile const int * restrict cvp_t;\n\ntypedef void (*cb_t)(union u *, cvp_t);\n\n',
    );
  });

  it('suffixes names used by two types, as libbpf does', () => {
    const b = createBtf([
      { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
      { kind: 'struct', name: 'dup', size: 4, members: [{ name: 'a', type: 1, bitOffset: 0, bitSize: 0 }] },
      { kind: 'struct', name: 'dup', size: 8, members: [{ name: 'b', type: 1, bitOffset: 32, bitSize: 0 }] },
      { kind: 'enum', name: 'k', size: 4, signed: false, values: [{ name: 'A', value: 1 }] },
      { kind: 'enum', name: 'k2', size: 4, signed: false, values: [{ name: 'A', value: 2 }] },
    ]);
    expect(dumpC(b, { header: false })).toBe(
      'struct dup {\n\tint a;\n};\n\nstruct dup___2 {\n\tint: 32;\n\tint b;\n};\n\n' +
        'enum k {\n\tA = 1,\n};\n\nenum k2 {\n\tA___2 = 2,\n};\n\n',
    );
  });

  const clang = anyClang();
  (clang ? it : it.skip)('prints every kind as a header clang compiles with the same layout', () => {
    const tmp = tempDir();
    try {
      const header = join(tmp.dir, 'all.h');
      writeFileSync(header, dumpC(btf));
      const checks = layoutChecks(btf, header);
      const source = join(tmp.dir, 'all.c');
      writeFileSync(source, checks.source);
      run(clang!, ['-target', 'bpf', '-fsyntax-only', '-Werror', source]);
      expect(checks.count).toBe(4);
    } finally {
      tmp.cleanup();
    }
  });
  if (!clang) skipNote('header compilation: clang not installed');
});
