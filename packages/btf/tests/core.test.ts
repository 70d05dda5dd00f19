// CO-RE relocation resolution: a program's ("local") BTF against a target
// ("kernel") BTF laid out differently, for every relocation kind, with
// flavors, anonymous members, arrays, bitfields, missing fields, types and
// enumerators, ambiguity and the candidate narrowing libbpf does.
import {
  coreEssentialName,
  createBtf,
  findCoreCandidates,
  resolveCoreRelocation,
  type BtfTypeInput,
  type CoreErrorCode,
  type CoreReloKind,
  type CoreRelocationResult,
  type TypeId,
} from '../src/index';

const INTS: BtfTypeInput[] = [
  /* 1 */ { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
  /* 2 */ { kind: 'int', name: 'unsigned int', size: 4, encoding: 'none', offset: 0, bits: 32 },
  /* 3 */ { kind: 'int', name: 'long', size: 8, encoding: 'signed', offset: 0, bits: 64 },
  /* 4 */ { kind: 'int', name: 'char', size: 1, encoding: 'char', offset: 0, bits: 8 },
  /* 5 */ { kind: 'int', name: 'unsigned long', size: 8, encoding: 'none', offset: 0, bits: 64 },
];

const m = (name: string, type: TypeId, bitOffset: number, bitSize = 0) => ({ name, type, bitOffset, bitSize });

/** The "kernel". */
const target = createBtf([
  ...INTS,
  /* 6 */ { kind: 'ptr', name: '', type: 7 },
  /* 7 */ {
    kind: 'struct',
    name: 'task_struct',
    size: 72,
    members: [
      m('state', 3, 0),
      m('pid', 1, 64),
      m('tgid', 1, 96),
      m('flags', 2, 128, 4),
      m('prio', 1, 132, 7),
      m('big', 2, 150, 20),
      m('parent', 6, 192),
      m('', 9, 256),
      m('nr', 2, 384),
      m('sprio', 1, 416),
      m('vals', 10, 448),
      m('tail', 11, 576),
    ],
  },
  /* 8 */ { kind: 'array', name: '', type: 4, indexType: 2, length: 16 },
  /* 9 */ { kind: 'struct', name: '', size: 16, members: [m('comm', 8, 0)] },
  /* 10 */ { kind: 'array', name: '', type: 1, indexType: 2, length: 4 },
  /* 11 */ { kind: 'array', name: '', type: 1, indexType: 2, length: 0 },
  /* 12 */ { kind: 'typedef', name: 'task_t', type: 7 },
  /* 13 */ {
    kind: 'enum',
    name: 'task_state',
    size: 4,
    signed: false,
    values: [
      { name: 'TASK_RUNNING', value: 0 },
      { name: 'TASK_NEW', value: 4 },
      { name: 'TASK_DEAD', value: 0x80 },
      { name: 'TASK_BIG', value: 0x80000000 },
    ],
  },
  /* 14 */ { kind: 'enum64', name: 'big_enum', size: 8, signed: false, values: [{ name: 'HUGE', value: 1n << 40n }] },
  /* 15 */ { kind: 'struct', name: 'file', size: 8, members: [m('f_flags', 2, 0), m('f_mode', 2, 32)] },
  /* 16 */ { kind: 'struct', name: 'file___2', size: 8, members: [m('pad', 2, 0), m('f_flags', 2, 32)] },
  /* 17 */ { kind: 'union', name: 'u', size: 4, members: [m('x', 1, 0)] },
  /* 18 */ { kind: 'struct', name: 'skewed', size: 16, members: [m('pad', 4, 0), m('x', 5, 8, 60)] },
  /* 19 */ { kind: 'func_proto', name: '', returnType: 1, params: [{ name: 'a', type: 1 }], variadic: false },
  /* 20 */ { kind: 'ptr', name: '', type: 19 },
  /* 21 */ { kind: 'typedef', name: 'handler_t', type: 20 },
  /* 22 */ { kind: 'func_proto', name: '', returnType: 1, params: [{ name: 'a', type: 1 }, { name: 'b', type: 1 }], variadic: false },
  /* 23 */ { kind: 'ptr', name: '', type: 22 },
  /* 24 */ { kind: 'typedef', name: 'handler2_t', type: 23 },
]);

/** The program's view. */
const local = createBtf([
  ...INTS,
  /* 6 */ { kind: 'ptr', name: '', type: 7 },
  /* 7 */ {
    kind: 'struct',
    name: 'task_struct___local',
    size: 104,
    members: [
      /* 0 */ m('pid', 1, 0),
      /* 1 */ m('tgid', 1, 32),
      /* 2 */ m('flags', 2, 64, 4),
      /* 3 */ m('prio', 1, 68, 7),
      /* 4 */ m('big', 2, 75, 20),
      /* 5 */ m('parent', 6, 128),
      /* 6 */ m('comm', 8, 192),
      /* 7 */ m('nr', 5, 320),
      /* 8 */ m('sprio', 3, 384),
      /* 9 */ m('vals', 10, 512),
      /* 10 */ m('pidx', 1, 768),
      /* 11 */ m('tail', 11, 800),
    ],
  },
  /* 8 */ { kind: 'array', name: '', type: 4, indexType: 2, length: 16 },
  /* 9 */ {
    kind: 'enum',
    name: 'task_state___local',
    size: 4,
    signed: false,
    values: [
      { name: 'TASK_NEW', value: 3 },
      { name: 'TASK_DEAD', value: 0x80 },
      { name: 'TASK_GONE', value: 5 },
      { name: 'TASK_BIG', value: 0x80000000 },
    ],
  },
  /* 10 */ { kind: 'array', name: '', type: 1, indexType: 2, length: 8 },
  /* 11 */ { kind: 'array', name: '', type: 1, indexType: 2, length: 0 },
  /* 12 */ { kind: 'typedef', name: 'task_t', type: 7 },
  /* 13 */ { kind: 'enum64', name: 'big_enum', size: 8, signed: false, values: [{ name: 'HUGE', value: 7n }] },
  /* 14 */ { kind: 'struct', name: 'file', size: 8, members: [m('f_flags', 2, 0), m('f_mode', 2, 32)] },
  /* 15 */ { kind: 'struct', name: 'u', size: 4, members: [m('x', 1, 0)] },
  /* 16 */ { kind: 'struct', name: 'missing_thing', size: 4, members: [m('a', 1, 0)] },
  /* 17 */ { kind: 'struct', name: '', size: 4, members: [m('a', 1, 0)] },
  /* 18 */ { kind: 'struct', name: 'file___m', size: 4, members: [m('f_flags', 2, 0)] },
  /* 19 */ { kind: 'struct', name: 'file___wrong', size: 8, members: [m('f_flags', 3, 0)] },
  /* 20 */ { kind: 'struct', name: 'skewed', size: 8, members: [m('x', 5, 0, 60)] },
  /* 21 */ { kind: 'func_proto', name: '', returnType: 1, params: [{ name: 'a', type: 2 }], variadic: false },
  /* 22 */ { kind: 'ptr', name: '', type: 21 },
  /* 23 */ { kind: 'typedef', name: 'handler_t', type: 22 },
  /* 24 */ { kind: 'typedef', name: 'handler2_t', type: 22 },
  /* 25 */ { kind: 'struct', name: 'task_struct___bad', size: 8, members: [m('pid', 14, 0)] },
]);

const TASK = 7;
const ENUM = 9;

function resolve(typeId: TypeId, access: string, kind: CoreReloKind, candidates?: readonly TypeId[]): CoreRelocationResult {
  return resolveCoreRelocation(local, target, { typeId, access, kind }, candidates === undefined ? {} : { candidates });
}

describe('coreEssentialName', () => {
  it.each([
    ['task_struct___old', 'task_struct'],
    ['task_struct___2', 'task_struct'],
    ['a___b___c', 'a___b'],
    ['task_struct', 'task_struct'],
    ['a____b', 'a____b'],
    ['___x', '___x'],
    ['x___', 'x___'],
    ['', ''],
  ])('%s -> %s', (have, want) => {
    expect(coreEssentialName(have)).toBe(want);
  });
});

describe('findCoreCandidates', () => {
  it.each<[string, TypeId, readonly TypeId[]]>([
    ['a flavor finds the plain name', TASK, [7]],
    ['a plain name finds the target flavors too, in id order', 14, [15, 16]],
    ['a typedef finds typedefs', 12, [12]],
    ['enum finds enum (of another width too)', 13, [14]],
    ['a struct does not find a union of the same name', 15, []],
    ['an anonymous type finds nothing', 17, []],
  ])('%s', (_what, id, want) => {
    expect(findCoreCandidates(local.type(id), target)).toEqual(want);
  });
});

describe('resolveCoreRelocation: fields', () => {
  it.each<[string, string, CoreReloKind, Partial<Extract<CoreRelocationResult, { kind: 'ok' }>>]>([
    ['pid', '0:0', 'field_byte_offset', { localValue: 0n, value: 8n, candidateId: 7, localSize: 4, size: 4, validate: true, target: '[7] struct task_struct.pid (0:1 @ offset 8)' }],
    ['tgid', '0:1', 'field_byte_offset', { localValue: 4n, value: 12n }],
    ['parent', '0:5', 'field_byte_offset', { localValue: 16n, value: 24n, localSize: 8, size: 8, sizeMismatch: undefined }],
    ['comm[3], through an anonymous struct', '0:6:3', 'field_byte_offset', { localValue: 27n, value: 35n, target: '[7] struct task_struct.comm[3] (0:7:0:3 @ offset 35)' }],
    ['comm[3] element size', '0:6:3', 'field_byte_size', { localValue: 1n, value: 1n }],
    ['comm size', '0:6', 'field_byte_size', { localValue: 16n, value: 16n }],
    ['vals[2]', '0:9:2', 'field_byte_offset', { localValue: 72n, value: 64n, localSize: 4, size: 4 }],
    ['task[1].pid', '1:0', 'field_byte_offset', { localValue: 104n, value: 80n }],
    ['tail[5] of a flexible array', '0:11:5', 'field_byte_offset', { localValue: 120n, value: 92n }],
    ['an existing field exists', '0:0', 'field_exists', { localValue: 1n, value: 1n }],
    ['a missing field does not exist', '0:10', 'field_exists', { localValue: 1n, value: 0n, candidateId: undefined }],
    ['an unsigned field is not signed', '0:7', 'field_signed', { localValue: 0n, value: 0n }],
    ['a signed field is signed', '0:8', 'field_signed', { localValue: 1n, value: 1n }],
    ['an unsigned integer read at a smaller size', '0:7', 'field_byte_offset', { localValue: 40n, value: 48n, localSize: 8, size: 4, sizeMismatch: undefined }],
    [
      'a signed integer read at a smaller size',
      '0:8',
      'field_byte_offset',
      {
        localValue: 48n,
        value: 52n,
        localSize: 8,
        size: 4,
        sizeMismatch: "field 'task_struct___local.sprio' is 8 bytes in the program's BTF and 4 in the target BTF: only pointers and unsigned integers can be read or written at another size",
      },
    ],
    ['a field wider than 8 bytes: shifts wrap in 32 bits', '0:6', 'field_lshift_u64', { localValue: 0xffffffc0n, value: 0xffffffc0n }],
  ])('%s (%s %s)', (_what, access, kind, want) => {
    const r = resolve(TASK, access, kind);
    expect(r).toMatchObject({ kind: 'ok', ...want });
  });

  // flags: 4 unsigned bits, prio: 7 signed bits, big: 20 unsigned bits that
  // straddle a 4-byte boundary in the kernel and need an 8-byte load there
  it.each<[string, string, CoreReloKind, bigint, bigint, boolean]>([
    ['flags', '0:2', 'field_byte_offset', 8n, 16n, false],
    ['flags', '0:2', 'field_byte_size', 4n, 4n, false],
    ['flags', '0:2', 'field_signed', 0n, 0n, true],
    ['flags', '0:2', 'field_lshift_u64', 60n, 60n, false],
    ['flags', '0:2', 'field_rshift_u64', 60n, 60n, true],
    ['prio', '0:3', 'field_byte_offset', 8n, 16n, false],
    ['prio', '0:3', 'field_signed', 1n, 1n, true],
    ['prio', '0:3', 'field_lshift_u64', 53n, 53n, false],
    ['prio', '0:3', 'field_rshift_u64', 57n, 57n, true],
    ['big', '0:4', 'field_byte_offset', 8n, 16n, false],
    ['big', '0:4', 'field_byte_size', 4n, 8n, false],
    ['big', '0:4', 'field_lshift_u64', 33n, 22n, false],
    ['big', '0:4', 'field_rshift_u64', 44n, 44n, true],
  ])('bitfield %s: %s %s', (_field, access, kind, localValue, value, validate) => {
    const r = resolve(TASK, access, kind);
    expect(r).toMatchObject({ kind: 'ok', localValue, value, validate, localSize: 0, size: 0 });
  });

  it('reads a bitfield in big-endian order when the target is big-endian', () => {
    const be = createBtf(
      target.types.slice(1).map((t) => {
        const { id: _id, ...rest } = t as typeof t & { id: number };
        return rest as BtfTypeInput;
      }),
      { endianness: 'big' },
    );
    const r = resolveCoreRelocation(local, be, { typeId: TASK, access: '0:3', kind: 'field_lshift_u64' });
    // prio: bit 132 of the struct, 4 bits into the 4-byte word at 16: (8 - 4) * 8 + 4
    expect(r).toMatchObject({ kind: 'ok', value: 36n });
  });
});

describe('resolveCoreRelocation: types and enumerators', () => {
  it.each<[string, TypeId, string, CoreReloKind, Partial<Extract<CoreRelocationResult, { kind: 'ok' }>>]>([
    ['a typedef exists', 12, '0', 'type_exists', { localValue: 1n, value: 1n, candidateId: 12 }],
    ['its size', 12, '0', 'type_size', { localValue: 104n, value: 72n }],
    ['its target id (never validated)', 12, '0', 'type_id_target', { localValue: 12n, value: 12n, validate: false }],
    ['its local id (no search)', 12, '0', 'type_id_local', { localValue: 12n, value: 12n, validate: false, candidateId: undefined }],
    ['a missing struct does not exist', 16, '0', 'type_exists', { localValue: 1n, value: 0n, candidateId: undefined }],
    ['its size is 0', 16, '0', 'type_size', { localValue: 4n, value: 0n }],
    ['its target id is 0', 16, '0', 'type_id_target', { value: 0n }],
    ['a struct is not a union of the same name', 15, '0', 'type_exists', { value: 0n }],
    ['a layout that matches both flavors', 18, '0', 'type_matches', { localValue: 1n, value: 1n, candidateId: 15, candidates: [15, 16] }],
    ['a layout that matches neither', 19, '0', 'type_matches', { localValue: 1n, value: 0n }],
    ['a function pointer typedef with compatible parameters', 23, '0', 'type_exists', { value: 1n, candidateId: 21 }],
    ['whose parameter signedness differs', 23, '0', 'type_matches', { value: 0n }],
    ['a function pointer with another parameter count', 24, '0', 'type_exists', { value: 0n }],
    ['an enumerator value', ENUM, '0', 'enumval_value', { localValue: 3n, value: 4n, candidateId: 13 }],
    ['an unchanged one', ENUM, '1', 'enumval_value', { localValue: 0x80n, value: 0x80n }],
    ['a 32-bit enumerator widens with its sign bit', ENUM, '3', 'enumval_value', { localValue: 0xffffffff80000000n, value: 0xffffffff80000000n }],
    ['an enumerator exists', ENUM, '0', 'enumval_exists', { localValue: 1n, value: 1n }],
    ['a missing one does not', ENUM, '2', 'enumval_exists', { localValue: 1n, value: 0n }],
    ['a 64-bit enumerator', 13, '0', 'enumval_value', { localValue: 7n, value: 1n << 40n, candidateId: 14 }],
  ])('%s', (_what, id, access, kind, want) => {
    expect(resolve(id, access, kind)).toMatchObject({ kind: 'ok', ...want });
  });
});

describe('resolveCoreRelocation: poisoned instructions', () => {
  it.each<[string, TypeId, string, CoreReloKind, 'field' | 'enumerator', string]>([
    ['a field the target lacks', TASK, '0:10', 'field_byte_offset', 'field', "field 'task_struct___local.pidx' not found in the target BTF"],
    ['an index past the target array', TASK, '0:9:6', 'field_byte_offset', 'field', "field 'task_struct___local.vals[6]' not found in the target BTF"],
    ['a field of an incompatible type', 25, '0:0', 'field_byte_size', 'field', "field 'task_struct___bad.pid' not found in the target BTF"],
    [
      'a struct the target lacks',
      16,
      '0:0',
      'field_byte_offset',
      'field',
      "field 'missing_thing.a' not found in the target BTF: it has no struct named 'missing_thing'",
    ],
    ['a struct whose name is a union in the target', 15, '0:0', 'field_signed', 'field', "field 'u.x' not found in the target BTF: it has no struct named 'u'"],
    ['an enumerator the target lacks', ENUM, '2', 'enumval_value', 'enumerator', "enumerator 'task_state___local::TASK_GONE' not found in the target BTF"],
  ])('%s', (_what, id, access, kind, missing, reason) => {
    expect(resolve(id, access, kind)).toMatchObject({ kind: 'poison', missing, reason });
  });

  it('names the target as asked', () => {
    const r = resolveCoreRelocation(local, target, { typeId: TASK, access: '0:10', kind: 'field_byte_offset' }, { targetName: "the kernel's BTF" });
    expect(r).toMatchObject({ kind: 'poison', reason: "field 'task_struct___local.pidx' not found in the kernel's BTF", path: 'task_struct___local.pidx', localValue: 96n });
  });
});

describe('resolveCoreRelocation: errors', () => {
  it.each<[string, TypeId, string, CoreReloKind, CoreErrorCode, RegExp]>([
    ['an anonymous root', 17, '0:0', 'field_byte_offset', 'anonymous', /anonymous root type has no name to look for in the target BTF/],
    ['a member index past the struct', TASK, '0:99', 'field_byte_offset', 'bad-access', /index 99 at step 1: \[7\] struct 'task_struct___local' has 12 members/],
    ['a type relocation with a field access', 12, '1', 'type_size', 'bad-access', /a type relocation's access is '0'/],
    ['an enumerator index past the enum', ENUM, '4', 'enumval_value', 'bad-access', /has 4 enumerators/],
    ['an enum relocation on a struct', TASK, '0', 'enumval_exists', 'bad-access', /is not an enum/],
    ['signedness of an array element', TASK, '0:9:2', 'field_signed', 'array-access', /field_signed cannot be applied to an array element/],
    ['a bitfield no 64-bit load reads', 20, '0:0', 'field_byte_offset', 'bitfield', /^in the target BTF: bitfield 'x' of \[18\] struct 'skewed' cannot be read with a 64-bit load$/],
    [
      'two candidates placing a field differently',
      14,
      '0:0',
      'field_byte_offset',
      'ambiguous',
      /\[14\] struct file\.f_flags \(0:0 @ offset 0\): ambiguous: candidates \[15\] struct 'file' and \[16\] struct 'file___2' place it at offsets 0 and 4/,
    ],
    ['two candidates with different type ids', 14, '0', 'type_id_target', 'ambiguous', /candidates \[15\] struct 'file' and \[16\] struct 'file___2' give 15 and 16/],
  ])('%s', (_what, id, access, kind, code, message) => {
    const r = resolve(id, access, kind);
    expect(r).toMatchObject({ kind: 'error', code });
    expect(r.kind === 'error' ? r.message : '').toMatch(message);
  });

  it('narrows the candidates as libbpf does, which settles a later ambiguity', () => {
    // f_mode only exists in `file`: the list narrows to it
    const first = resolve(14, '0:1', 'field_byte_offset');
    expect(first).toMatchObject({ kind: 'ok', value: 4n, candidates: [15] });
    const second = resolve(14, '0:0', 'field_byte_offset', first.kind === 'ok' ? first.candidates : undefined);
    expect(second).toMatchObject({ kind: 'ok', value: 0n, candidateId: 15, candidates: [15] });
    // a relocation nothing matches leaves the list as it was
    const none = resolve(TASK, '0:10', 'field_exists', [7]);
    expect(none).toMatchObject({ kind: 'ok', value: 0n, candidates: [7] });
  });

  it('throws for a root type id the program BTF does not have', () => {
    expect(() => resolve(999, '0', 'type_exists')).toThrow(/type id 999 does not exist/);
  });
});
