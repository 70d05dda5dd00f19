import { dumpBtfExt, encodeBtfExt, parseBtf, parseBtfExt, type BtfErrorCode, type BtfExt } from '../src/index';
import { allKindsBtf, catchBtfError } from './support';

// Ids of allKindsBtf(): 7 struct node, 16 enum e, 20 func f (see support.ts).
const ext: BtfExt = {
  funcInfo: [{ section: 'xdp', records: [{ insnOff: 0, typeId: 20 }] }],
  lineInfo: [
    {
      section: 'xdp',
      records: [
        { insnOff: 0, fileName: 'prog.c', line: 'int f(int x, ...) {', lineNum: 3, column: 5 },
        { insnOff: 8, fileName: 'prog.c', line: '\treturn x;', lineNum: 4, column: 1023 },
      ],
    },
  ],
  coreRelos: [
    {
      section: 'xdp',
      records: [
        { insnOff: 8, typeId: 7, access: '0:3', kind: 'field_byte_offset' },
        { insnOff: 16, typeId: 16, access: '1', kind: 'enumval_value' },
      ],
    },
  ],
};

// The layout encodeBtfExt gives `ext`:
//   0  header (32 bytes)
//  32  func_info: rec_size, sec_name_off @36, num_info @40, record @44 (insn_off @44, type_id @48)
//  52  line_info: rec_size, sec_name_off @56, num_info @60, records @64 and @80 (file @68, line @72, line_col @76)
//  96  core_relo: rec_size, sec_name_off @100, num_info @104, records @108 (type_id @112, access @116, kind @120) and @124
function encoded() {
  const btf = allKindsBtf();
  const out = encodeBtfExt(btf, ext);
  return { btf: parseBtf(out.btf), bytes: out.ext };
}

function patched(edits: readonly [number, number][], size: 16 | 32 = 32): ReturnType<typeof encoded> {
  const e = encoded();
  const bytes = e.bytes.slice();
  const v = new DataView(bytes.buffer);
  for (const [off, val] of edits) {
    if (size === 16) v.setUint16(off, val, true);
    else v.setUint32(off, val, true);
  }
  return { btf: e.btf, bytes };
}

describe('parseBtfExt', () => {
  it('reads back what encodeBtfExt wrote', () => {
    const { btf, bytes } = encoded();
    expect(bytes.length).toBe(140);
    expect(new DataView(bytes.buffer).getUint32(76, true)).toBe((3 << 10) | 5);
    expect(new DataView(bytes.buffer).getUint32(92, true)).toBe((4 << 10) | 1023);
    expect(parseBtfExt(bytes, btf)).toEqual(ext);
  });

  it('reads an older header without CO-RE relocations', () => {
    const { btf, bytes } = encoded();
    const old = new Uint8Array(24 + 64);
    old.set(bytes.subarray(0, 24));
    old.set(bytes.subarray(32, 96), 24);
    new DataView(old.buffer).setUint32(4, 24, true);
    expect(parseBtfExt(old, btf)).toEqual({ ...ext, coreRelos: [] });
  });

  it('dumps records with what their access strings reach', () => {
    const { btf, bytes } = encoded();
    expect(dumpBtfExt(btf, parseBtfExt(bytes, btf))).toBe(
      [
        'func_info:',
        "\tsection 'xdp': 1 records",
        "\t\tinsn_off=0 type_id=20 func 'f'",
        'line_info:',
        "\tsection 'xdp': 2 records",
        '\t\tinsn_off=0 prog.c:3:5: int f(int x, ...) {',
        '\t\tinsn_off=8 prog.c:4:1023: \treturn x;',
        'core_relo:',
        "\tsection 'xdp': 2 records",
        '\t\tinsn_off=8 field_byte_offset type_id=7 access=0:3: [7] struct node.v (0:3 @ offset 16)',
        '\t\tinsn_off=16 enumval_value type_id=16 access=1: [16] enum e::E2 = 7',
        '',
      ].join('\n'),
    );
  });

  const e = encoded();
  const access = new DataView(e.bytes.buffer).getUint32(100, true); // the offset of "xdp"
  it.each<[string, () => ReturnType<typeof encoded>, BtfErrorCode, string, number]>([
    ['a bad magic', () => patched([[0, 0x1234]], 16), 'bad-header', 'bad magic 0x1234', 0],
    ['another version', () => patched([[2, 2]], 16), 'bad-header', 'unsupported version 2', 2],
    ['a short hdr_len', () => patched([[4, 8]]), 'bad-header', 'hdr_len 8', 4],
    ['hdr_len past the end', () => patched([[4, 1000]]), 'truncated', 'hdr_len 1000', 4],
    ['a block past the end', () => patched([[12, 1000]]), 'truncated', 'func_info (offset 0, length 1000)', 8],
    ['a misaligned block', () => patched([[8, 2]]), 'bad-ext', 'func_info: offset 2 is not 4-byte aligned', 8],
    ['a record size too small', () => patched([[32, 4]]), 'bad-ext', 'func_info: record size 4', 32],
    ['a record size not in words', () => patched([[52, 18]]), 'bad-ext', 'line_info: record size 18', 52],
    ['a section without records', () => patched([[40, 0]]), 'bad-ext', "section 'xdp' at byte 36 has no records", 40],
    ['records past the block', () => patched([[104, 5]]), 'truncated', '5 records of 16 bytes run past the end', 104],
    ['a section name past the strings', () => patched([[36, 99999]]), 'bad-string', 'string offset 99999', 36],
    ['a func_info type that is no func', () => patched([[48, 1]]), 'bad-ext', 'type id 1 is not a func', 48],
    ['an insn_off inside an instruction', () => patched([[44, 3]]), 'bad-ext', 'insn_off 3 is not a multiple of 8', 44],
    ['a file name past the strings', () => patched([[68, 99999]]), 'bad-string', 'file name at byte 68', 68],
    ['a relocation of a missing type', () => patched([[112, 999]]), 'bad-ext', 'type id 999 does not exist', 112],
    ['an unknown relocation kind', () => patched([[120, 13]]), 'bad-ext', 'unknown kind 13', 120],
    ['a bad access string', () => patched([[116, access]]), 'bad-ext', "bad access string 'xdp'", 116],
    [
      'a truncated section',
      () => ({ btf: e.btf, bytes: e.bytes.slice(0, 130) }),
      'truncated',
      'core_relo (offset 64, length 44) runs past the end',
      24,
    ],
    ['a header cut short', () => ({ btf: e.btf, bytes: e.bytes.slice(0, 10) }), 'truncated', 'header: 10 bytes', 0],
  ])('refuses %s', (_name, make, code, message, byteOffset) => {
    const { btf, bytes } = make();
    const err = catchBtfError(() => parseBtfExt(bytes, btf));
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
    expect(err.byteOffset).toBe(byteOffset);
  });
});

describe('encodeBtfExt refuses', () => {
  const btf = allKindsBtf();
  const func = (r: Partial<BtfExt['funcInfo'][number]['records'][number]>): BtfExt => ({
    ...ext,
    funcInfo: [{ section: 'xdp', records: [{ insnOff: 0, typeId: 20, ...r }] }],
  });
  const line = (r: Partial<BtfExt['lineInfo'][number]['records'][number]>): BtfExt => ({
    ...ext,
    lineInfo: [{ section: 'xdp', records: [{ insnOff: 0, fileName: 'a.c', line: '', lineNum: 1, column: 0, ...r }] }],
  });
  const core = (r: Partial<BtfExt['coreRelos'][number]['records'][number]>): BtfExt => ({
    ...ext,
    coreRelos: [{ section: 'xdp', records: [{ insnOff: 0, typeId: 7, access: '0', kind: 'type_size', ...r }] }],
  });
  it.each<[string, BtfExt, string]>([
    ['an insn_off inside an instruction', func({ insnOff: 4 }), 'insn_off 4 is not a u32 multiple of 8'],
    ['a func_info of a non-func', func({ typeId: 7 }), 'type id 7 is not a func'],
    ['a line past 22 bits', line({ lineNum: 1 << 22 }), 'line 4194304 out of range'],
    ['a column past 10 bits', line({ column: 1024 }), 'column 1024 out of range'],
    ['a missing type', core({ typeId: 500 }), 'type id 500 does not exist'],
    ['a bad access string', core({ access: '0:a' }), "bad access string '0:a'"],
    ['an unknown kind', core({ kind: 'field_weight' as 'type_size' }), 'unknown kind field_weight'],
    ['a section without records', { ...ext, funcInfo: [{ section: 'xdp', records: [] }] }, "func_info 'xdp': no records"],
  ])('%s', (_name, have, message) => {
    const err = catchBtfError(() => encodeBtfExt(btf, have));
    expect(err.code).toBe('bad-ext');
    expect(err.message).toContain(message);
  });
});
