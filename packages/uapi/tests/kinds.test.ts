import {
  ARG_ALIASES,
  ARG_BASES,
  argTypeName,
  parseArgType,
  parseRetType,
  RET_ALIASES,
  RET_BASES,
  retTypeName,
  TYPE_FLAGS,
  UapiError,
  type ArgBase,
  type RetBase,
  type TypeFlag,
} from '../src/index';

describe('parseArgType', () => {
  it.each<[string, ArgBase, TypeFlag[], string]>([
    ['ARG_ANYTHING', 'ARG_ANYTHING', [], 'ARG_ANYTHING'],
    ['ARG_PTR_TO_UNINIT_MEM', 'ARG_PTR_TO_MEM', ['MEM_UNINIT', 'MEM_WRITE'], 'ARG_PTR_TO_UNINIT_MEM'],
    ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_PTR_TO_MEM', ['MEM_RDONLY'], 'ARG_PTR_TO_MEM | MEM_RDONLY'],
    // the kernel spells csum_diff's buffers this way; the canonical name prefers the alias
    [
      'ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY',
      'ARG_PTR_TO_MEM',
      ['PTR_MAYBE_NULL', 'MEM_RDONLY'],
      'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY',
    ],
    ['ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_PTR_TO_RINGBUF_MEM', ['OBJ_RELEASE'], 'ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE'],
    ['ARG_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_PTR_TO_MAP_VALUE', ['PTR_MAYBE_NULL'], 'ARG_PTR_TO_MAP_VALUE_OR_NULL'],
    [
      'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE',
      'ARG_PTR_TO_MAP_VALUE',
      ['MEM_UNINIT', 'MEM_WRITE'],
      'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE',
    ],
    [
      'ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED',
      'ARG_PTR_TO_MEM',
      ['MEM_UNINIT', 'MEM_FIXED_SIZE', 'MEM_ALIGNED', 'MEM_WRITE'],
      // the alias covering the most flags wins
      'ARG_PTR_TO_UNINIT_MEM | MEM_FIXED_SIZE | MEM_ALIGNED',
    ],
    [
      'ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE',
      'ARG_PTR_TO_DYNPTR',
      ['OBJ_RELEASE', 'DYNPTR_TYPE_RINGBUF'],
      'ARG_PTR_TO_DYNPTR | OBJ_RELEASE | DYNPTR_TYPE_RINGBUF',
    ],
  ])('%s', (have, base, flags, name) => {
    const t = parseArgType(have);
    expect(t.base).toBe(base);
    expect(t.flags).toEqual(flags);
    expect(t.text).toBe(have);
    expect(argTypeName(t)).toBe(name);
    // the canonical name parses back to the same kind
    expect(parseArgType(name)).toMatchObject({ base, flags });
  });

  it.each<[string, string]>([
    ['ARG_PTR_TO_NOTHING', 'unknown_kind'],
    ['ARG_PTR_TO_MEM | MEM_SHINY', 'unknown_kind'],
    ['MEM_RDONLY', 'bad_kind'],
    ['ARG_ANYTHING | ARG_PTR_TO_CTX', 'bad_kind'],
    ['ARG_PTR_TO_UNINIT_MEM | MEM_UNINIT', 'bad_kind'],
    ['RET_INTEGER', 'unknown_kind'],
  ])('rejects %s', (have, code) => {
    expect(() => parseArgType(have)).toThrow(UapiError);
    expect(() => parseArgType(have)).toThrow(expect.objectContaining({ code }));
  });
});

describe('parseRetType', () => {
  it.each<[string, RetBase, TypeFlag[], string]>([
    ['RET_INTEGER', 'RET_INTEGER', [], 'RET_INTEGER'],
    ['RET_VOID', 'RET_VOID', [], 'RET_VOID'],
    ['RET_PTR_TO_MAP_VALUE_OR_NULL', 'RET_PTR_TO_MAP_VALUE', ['PTR_MAYBE_NULL'], 'RET_PTR_TO_MAP_VALUE_OR_NULL'],
    ['RET_PTR_TO_RINGBUF_MEM_OR_NULL', 'RET_PTR_TO_MEM', ['PTR_MAYBE_NULL', 'MEM_RINGBUF'], 'RET_PTR_TO_RINGBUF_MEM_OR_NULL'],
    ['RET_PTR_TO_BTF_ID_TRUSTED', 'RET_PTR_TO_BTF_ID', ['PTR_TRUSTED'], 'RET_PTR_TO_BTF_ID_TRUSTED'],
    [
      'RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY',
      'RET_PTR_TO_MEM_OR_BTF_ID',
      ['PTR_MAYBE_NULL', 'MEM_RDONLY'],
      'RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY',
    ],
  ])('%s', (have, base, flags, name) => {
    const t = parseRetType(have);
    expect(t).toMatchObject({ base, flags, text: have });
    expect(retTypeName(t)).toBe(name);
  });

  it('rejects argument kinds', () => {
    expect(() => parseRetType('ARG_ANYTHING')).toThrow(expect.objectContaining({ code: 'unknown_kind' }));
  });
});

describe('kind tables', () => {
  it.each<[string, readonly string[]]>([
    ['ARG_BASES', ARG_BASES],
    ['RET_BASES', RET_BASES],
    ['TYPE_FLAGS', TYPE_FLAGS],
    ['ARG_ALIASES', Object.keys(ARG_ALIASES)],
    ['RET_ALIASES', Object.keys(RET_ALIASES)],
  ])('%s has no duplicates', (_name, names) => {
    expect(new Set(names).size).toBe(names.length);
  });

  it('aliases are named after kernel conventions and never clash with bases', () => {
    for (const name of Object.keys(ARG_ALIASES)) {
      expect(name).toMatch(/^ARG_/);
      expect(ARG_BASES as readonly string[]).not.toContain(name);
    }
    for (const name of Object.keys(RET_ALIASES)) {
      expect(name).toMatch(/^RET_/);
      expect(RET_BASES as readonly string[]).not.toContain(name);
    }
  });
});
