// Objects built byte by byte (no clang needed): a small well-formed one,
// read and linked as libbpf would; then one defect at a time, each refused
// with an ObjectError of the right code that names the section and offset.
import type { Insn } from '@bpflab/isa';
import { formatSourceListing, ObjectError, readObject, type ObjectErrorCode } from '../src/index';
import { buildElf, callLocal, CODE, DATA, lddw, R, RETURN_0, SHT, type ElfInput, type ElfLayout, type SymbolInput } from './elf-builder';
import { catchObjectError } from './support';

/** `lddw r1, map; call helper; lddw r1, &value; r0 = 0; exit` in `xdp`. */
const PROG: readonly Insn[] = [lddw(1), callLocal(-1), lddw(1), ...RETURN_0];

function mapDef(type: number, key: number, value: number, max: number, flags = 0): Uint8Array {
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  [type, key, value, max, flags].forEach((x, i) => v.setUint32(i * 4, x, true));
  return b;
}

const BASE_SYMBOLS: readonly SymbolInput[] = [
  { name: '.data', section: '.data', type: 'section', bind: 'local' },
  { name: 'helper', section: '.text', value: 0, size: 16, type: 'func' },
  { name: 'prog', section: 'xdp', value: 0, size: PROG.length * 8 + 16, type: 'func' },
  { name: 'counts', section: 'maps', value: 0, size: 20, type: 'object' },
  { name: 'value', section: '.data', value: 8, size: 8, type: 'object' },
  { name: 'LICENSE', section: 'license', value: 0, size: 4, type: 'object' },
];

function base(): ElfInput {
  return {
    sections: [
      { name: '.text', flags: CODE, data: RETURN_0 },
      { name: 'xdp', flags: CODE, data: PROG },
      { name: 'maps', flags: DATA, data: mapDef(2, 4, 8, 16) },
      { name: '.data', flags: DATA, data: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]) },
      { name: 'license', flags: DATA, data: new TextEncoder().encode('GPL\0') },
    ],
    symbols: BASE_SYMBOLS,
    relocations: [
      { section: 'xdp', offset: 0, symbol: 'counts', type: R['64_64'] },
      { section: 'xdp', offset: 16, symbol: 'helper', type: R['64_32'] },
      { section: 'xdp', offset: 24, symbol: 'value', type: R['64_64'] },
    ],
  };
}

function withSymbols(input: ElfInput, f: (s: readonly SymbolInput[]) => readonly SymbolInput[]): ElfInput {
  return { ...input, symbols: f(input.symbols ?? []) };
}

describe('a well-formed object built by hand', () => {
  const { bytes } = buildElf(base());
  const spec = readObject(bytes, { name: 'handmade.o' });

  it('has one program, linked with its subprogram', () => {
    expect(spec.name).toBe('handmade');
    expect(spec.license).toBe('GPL');
    expect(spec.programs.map((p) => [p.name, p.type, p.section])).toEqual([['prog', 'XDP', 'xdp']]);
    const p = spec.programs[0]!;
    expect(p.functions).toEqual([
      { name: 'prog', pc: 0, slots: 7, section: 'xdp', sectionOffset: 0 },
      { name: 'helper', pc: 7, slots: 2, section: '.text', sectionOffset: 0 },
    ]);
    expect(p.insns).toEqual([
      { kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 0n },
      { kind: 'call_local', off: 4 },
      { kind: 'lddw', dst: 1, pseudo: 'map_value', value: 8n << 32n },
      ...RETURN_0,
      ...RETURN_0,
    ]);
    expect(p.relocations).toEqual([
      { insn: 0, pc: 0, ref: { kind: 'map', map: 'counts' } },
      { insn: 1, pc: 2, ref: { kind: 'subprog', name: 'helper', pc: 7 } },
      { insn: 2, pc: 3, ref: { kind: 'global', map: 'handmade.data', section: '.data', offset: 8, variable: 'value' } },
    ]);
  });

  it('has the legacy map and the .data map, with a diagnostic for the legacy one', () => {
    expect(spec.maps.map((m) => [m.kind, m.name, m.type, m.keySize, m.valueSize, m.maxEntries])).toEqual([
      ['legacy', 'counts', 'ARRAY', 4, 8, 16],
      ['data', 'handmade.data', 'ARRAY', 4, 16, 1],
    ]);
    expect(spec.diagnostics.map((d) => d.code)).toEqual(['legacy-maps']);
    expect(spec.subprograms).toEqual([{ name: 'helper', sectionOffset: 0, slots: 2, global: true, hidden: false }]);
  });

  it('refuses to list a program it does not have', () => {
    const e = catchObjectError(() => formatSourceListing(spec, 'nope'));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe(`object 'handmade': no program named 'nope' (programs: prog)`);
  });
});

describe('static calls and callbacks without symbols', () => {
  it('links a call against the .text section symbol (static function) and an lddw of a callback', () => {
    // .text: f0 (2 slots) then cb (2 slots); the program calls .text+16 and loads &cb.
    const code: Insn[] = [callLocal(1), lddw(2, 16n), ...RETURN_0];
    const { bytes } = buildElf({
      sections: [
        { name: '.text', flags: CODE, data: [...RETURN_0, ...RETURN_0] },
        { name: 'tc', flags: CODE, data: code },
        { name: 'license', flags: DATA, data: new TextEncoder().encode('GPL\0') },
      ],
      symbols: [
        { name: '.text', section: '.text', type: 'section', bind: 'local' },
        { name: 'f0', section: '.text', value: 0, size: 16, type: 'func', bind: 'local' },
        { name: 'cb', section: '.text', value: 16, size: 16, type: 'func', bind: 'local' },
        { name: 'main', section: 'tc', value: 0, size: 40, type: 'func' },
      ],
      relocations: [
        // call: slot = sym_off / 8 + imm + 1 = 0 + 1 + 1 = 2 (cb)
        { section: 'tc', offset: 0, symbol: '.text', type: R['64_32'] },
        // lddw: slot = (sym_off + imm) / 8 = 16 / 8 = 2 (cb)
        { section: 'tc', offset: 8, symbol: '.text', type: R['64_64'] },
      ],
    });
    const p = readObject(bytes).programs[0]!;
    expect(p.type).toBe('SCHED_CLS');
    expect(p.functions.map((f) => [f.name, f.pc])).toEqual([['main', 0], ['cb', 5]]);
    expect(p.insns[0]).toEqual({ kind: 'call_local', off: 4 });
    expect(p.insns[1]).toEqual({ kind: 'lddw', dst: 2, pseudo: 'func', value: 3n });
    expect(p.relocations.map((r) => r.ref)).toEqual([
      { kind: 'subprog', name: 'cb', pc: 5 },
      { kind: 'subprog', name: 'cb', pc: 5 },
    ]);
  });
});

interface Case {
  readonly name: string;
  readonly make: () => Uint8Array;
  readonly code: ObjectErrorCode;
  /** The section the error names (`undefined` for the ELF header). */
  readonly section: string | undefined;
  readonly message: RegExp;
}

function poke(layout: ElfLayout, at: number, bytes: readonly number[]): Uint8Array {
  const b = layout.bytes.slice();
  b.set(bytes, at);
  return b;
}
function poke64(layout: ElfLayout, at: number, value: bigint): Uint8Array {
  const b = layout.bytes.slice();
  new DataView(b.buffer).setBigUint64(at, value, true);
  return b;
}
function poke32(layout: ElfLayout, at: number, value: number): Uint8Array {
  const b = layout.bytes.slice();
  new DataView(b.buffer).setUint32(at, value, true);
  return b;
}
function poke16(layout: ElfLayout, at: number, value: number): Uint8Array {
  const b = layout.bytes.slice();
  new DataView(b.buffer).setUint16(at, value, true);
  return b;
}
const built = (): ElfLayout => buildElf(base());
const relocAt = (l: ElfLayout, i: number): number => l.dataOffset.get('.relxdp')! + i * 16;
const symAt = (l: ElfLayout, name: string): number => l.dataOffset.get('.symtab')! + l.symbolIndex.get(name)! * 24;
const withRel = (offset: number, symbol: string, type: number): ElfInput => ({
  ...base(),
  relocations: [{ section: 'xdp', offset, symbol, type }],
});

const cases: Case[] = [
  { name: 'empty file', make: () => new Uint8Array(0), code: 'truncated', section: undefined, message: /^elf header: 0 bytes: too short for e_ident/ },
  { name: 'not ELF', make: () => new TextEncoder().encode('#!/bin/sh\necho not an object file\n'), code: 'bad-elf', section: undefined, message: /bad magic/ },
  { name: 'truncated header', make: () => built().bytes.slice(0, 40), code: 'truncated', section: undefined, message: /too short for the ELF64 header/ },
  { name: 'ELF32', make: () => poke(built(), 4, [1]), code: 'bad-elf', section: undefined, message: /EI_CLASS 1: want 2/ },
  { name: 'big-endian', make: () => poke(built(), 5, [2]), code: 'unsupported', section: undefined, message: /big-endian object.*-target bpf or bpfel/ },
  { name: 'executable, not relocatable', make: () => poke16(built(), 16, 2), code: 'bad-elf', section: undefined, message: /e_type 2: want 1 \(ET_REL/ },
  { name: 'x86-64 object', make: () => poke16(built(), 18, 62), code: 'bad-elf', section: undefined, message: /e_machine 62: want 247 \(EM_BPF\)/ },
  { name: 'section headers past the end', make: () => poke64(built(), 40, 1n << 40n), code: 'truncated', section: undefined, message: /section header table at 0x10000000000 is past the end/ },
  { name: 'section header size', make: () => poke16(built(), 58, 40), code: 'bad-elf', section: undefined, message: /e_shentsize 40: want 64/ },
  { name: 'too many section headers', make: () => poke16(built(), 60, 500), code: 'truncated', section: undefined, message: /500 headers of 64 bytes\) runs past the end/ },
  { name: 'section name table index', make: () => poke16(built(), 62, 99), code: 'bad-elf', section: undefined, message: /e_shstrndx 99: not a section/ },
  {
    name: 'section data past the end',
    make: () => {
      const l = built();
      return poke64(l, l.headerOffset.get('xdp')! + 24, 0xfffff0n);
    },
    code: 'truncated',
    section: 'xdp',
    message: /section 'xdp' \(#2\) at file offset 0x[0-9a-f]+: data at 0xfffff0 \(56 bytes\) runs past the end of the file/,
  },
  {
    name: 'section name offset',
    make: () => {
      const l = built();
      return poke32(l, l.headerOffset.get('xdp')!, 0x7fff);
    },
    code: 'bad-string',
    section: '.shstrtab',
    message: /section header #2 name: string offset 32767 is past the end of the string table/,
  },
  {
    name: 'no symbol table',
    make: () => {
      const l = built();
      return poke32(l, l.headerOffset.get('.symtab')! + 4, SHT.PROGBITS);
    },
    code: 'bad-symbol',
    section: undefined,
    message: /no symbol table \(SHT_SYMTAB\): stripped object file\?/,
  },
  {
    name: 'symbol entry size',
    make: () => {
      const l = built();
      return poke64(l, l.headerOffset.get('.symtab')! + 56, 16n);
    },
    code: 'bad-symbol',
    section: '.symtab',
    message: /sh_entsize 16: want 24/,
  },
  {
    name: 'symbol name offset',
    make: () => {
      const l = built();
      return poke32(l, symAt(l, 'prog'), 0xffff);
    },
    code: 'bad-string',
    section: '.strtab',
    message: /symbol #\d+ name: string offset 65535 is past the end of the string table/,
  },
  {
    name: 'relocation symbol index',
    make: () => {
      const l = built();
      return poke32(l, relocAt(l, 1) + 12, 999);
    },
    code: 'bad-relocation',
    section: '.relxdp',
    message: /relocation #1: symbol #999 does not exist \(7 symbols\)/,
  },
  {
    name: 'relocation past its section',
    make: () => buildElf(withRel(0x1000, 'counts', R['64_64'])).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /relocation #0 against 'counts': invalid offset 0x1000 in section 'xdp' \(56 bytes\)/,
  },
  {
    name: 'relocation inside an lddw',
    make: () => buildElf(withRel(8, 'counts', R['64_64'])).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /offset 0x8 is the second half of an lddw in 'prog'/,
  },
  {
    name: 'relocation of an ALU instruction',
    make: () => buildElf(withRel(40, 'counts', R['64_64'])).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /invalid relo for insns\[3\] of 'prog': a alu instruction, want a call or lddw/,
  },
  {
    name: 'relocation type',
    make: () => buildElf(withRel(0, 'counts', R.ABS64)).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /R_BPF_64_ABS64 on the lddw at insns\[0\] of 'prog': want R_BPF_64_64/,
  },
  {
    name: 'call of a function outside .text',
    make: () => buildElf(withRel(16, 'prog', R['64_32'])).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /bad call relo: 'prog' is in section 'xdp', subprograms must be in \.text/,
  },
  {
    name: 'lddw of an undefined symbol',
    make: () =>
      buildElf({
        ...withSymbols(base(), (s) => [...s, { name: 'ghost', section: 0, type: 'object' }]),
        relocations: [{ section: 'xdp', offset: 0, symbol: 'ghost', type: R['64_64'] }],
      }).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /invalid relo in special section 0x0; forgot to initialize global var\?/,
  },
  {
    name: 'lddw of a variable in a section that is not a map',
    make: () => buildElf(withRel(0, 'LICENSE', R['64_64'])).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /bad map relo against 'LICENSE' in section 'license'/,
  },
  {
    name: 'extern without BTF',
    make: () =>
      buildElf({
        ...withSymbols(base(), (s) => [...s, { name: 'CONFIG_HZ', section: 0, type: 'notype' }]),
      }).bytes,
    code: 'bad-extern',
    section: '.symtab',
    message: /extern 'CONFIG_HZ': the object has no \.BTF to describe it \(compile with -g\)/,
  },
  {
    name: 'program crossing its section',
    make: () => buildElf(withSymbols(base(), (s) => s.map((x) => (x.name === 'prog' ? { ...x, size: 64 } : x)))).bytes,
    code: 'bad-program',
    section: 'xdp',
    message: /function symbol #\d+ 'prog': program at offset 0 \(64 bytes\) crosses the section boundary \(56 bytes\)/,
  },
  {
    name: 'function size',
    make: () => buildElf(withSymbols(base(), (s) => s.map((x) => (x.name === 'helper' ? { ...x, size: 12 } : x)))).bytes,
    code: 'bad-program',
    section: '.text',
    message: /'helper': size 12 is not a multiple of 8/,
  },
  {
    name: 'overlapping functions',
    make: () => buildElf(withSymbols(base(), (s) => [...s, { name: 'inner', section: 'xdp', value: 8, size: 8, type: 'func' }])).bytes,
    code: 'bad-program',
    section: 'xdp',
    message: /'inner': overlaps function 'prog'/,
  },
  {
    name: 'static program',
    make: () => buildElf(withSymbols(base(), (s) => s.map((x) => (x.name === 'prog' ? { ...x, bind: 'local' as const } : x)))).bytes,
    code: 'unsupported',
    section: 'xdp',
    message: /program 'prog' is static and not supported/,
  },
  {
    name: 'undecodable instruction',
    make: () => {
      const l = built();
      return poke(l, l.dataOffset.get('xdp')! + 40, [0xff]);
    },
    code: 'bad-program',
    section: 'xdp',
    message: /function 'prog': invalid instruction at byte offset 40 \(opcode 0xff\)/,
  },
  {
    name: 'version of the wrong size',
    make: () => buildElf({ ...base(), sections: [...base().sections, { name: 'version', flags: DATA, data: new Uint8Array(3) }] }).bytes,
    code: 'bad-section',
    section: 'version',
    message: /invalid kernel version section: size 3, want 4/,
  },
  {
    name: '.maps without BTF',
    make: () => buildElf({ ...base(), sections: [...base().sections, { name: '.maps', flags: DATA, data: new Uint8Array(32) }] }).bytes,
    code: 'bad-btf',
    section: '.maps',
    message: /BTF-defined maps need the object's \.BTF, which is missing/,
  },
  {
    name: 'garbage .BTF',
    make: () => buildElf({ ...base(), sections: [...base().sections, { name: '.BTF', data: new Uint8Array([0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 9]) }] }).bytes,
    code: 'bad-btf',
    section: '.BTF',
    message: /^section '\.BTF' \(#\d+\) at file offset 0x[0-9a-f]+: /,
  },
  {
    name: 'legacy maps that do not divide',
    make: () =>
      buildElf({
        ...withSymbols(base(), (s) => [...s, { name: 'other', section: 'maps', value: 10, size: 10, type: 'object' }]),
        sections: base().sections.map((s) => (s.name === 'maps' ? { ...s, data: new Uint8Array(21) } : s)),
      }).bytes,
    code: 'bad-map',
    section: 'maps',
    message: /unable to determine map definition size: 2 maps in 21 bytes/,
  },
  {
    name: 'legacy map with options libbpf does not know',
    make: () => {
      const def = new Uint8Array(28);
      def.set(mapDef(2, 4, 4, 1));
      def[24] = 1;
      return buildElf({ ...base(), sections: base().sections.map((s) => (s.name === 'maps' ? { ...s, data: def } : s)) }).bytes;
    },
    code: 'bad-map',
    section: 'maps',
    message: /map 'counts': has unrecognized, non-zero options past struct bpf_map_def/,
  },
  {
    name: 'legacy map of an unknown type',
    make: () => buildElf({ ...base(), sections: base().sections.map((s) => (s.name === 'maps' ? { ...s, data: mapDef(999, 4, 4, 1) } : s)) }).bytes,
    code: 'bad-map',
    section: 'maps',
    message: /map 'counts': unknown map type 999/,
  },
  {
    name: 'relocation section for a section that does not exist',
    make: () => {
      const l = built();
      return poke32(l, l.headerOffset.get('.relxdp')! + 44, 77);
    },
    code: 'bad-relocation',
    section: '.relxdp',
    message: /sh_info 77: not a section to relocate/,
  },
  {
    name: 'call into the middle of a function',
    make: () =>
      buildElf({
        ...base(),
        sections: base().sections.map((s) =>
          s.name === '.text' ? { ...s, data: [...RETURN_0, ...RETURN_0] } : s.name === 'xdp' ? { ...s, data: [lddw(1), callLocal(0), lddw(1), ...RETURN_0] } : s,
        ),
        symbols: [...BASE_SYMBOLS.map((x) => (x.name === 'helper' ? { ...x, size: 32 } : x)), { name: '.text', section: '.text', type: 'section', bind: 'local' }],
        // slot = sym_off / 8 + imm + 1 = 0 + 0 + 1: inside 'helper' (slots 0-3)
        relocations: [{ section: 'xdp', offset: 16, symbol: '.text', type: R['64_32'] }],
      }).bytes,
    code: 'bad-relocation',
    section: 'xdp',
    message: /prog 'prog': insns\[1\] of 'prog': the call points into the middle of 'helper' \(slot 1\)/,
  },
  {
    name: 'call of a symbol in a data section',
    make: () => buildElf(withRel(16, 'value', R['64_32'])).bytes,
    code: 'bad-relocation',
    section: '.relxdp',
    message: /bad call relo: 'value' is in section '\.data'/,
  },
  {
    name: 'call without relocation to nowhere',
    make: () => buildElf({ ...base(), relocations: [] }).bytes,
    code: 'bad-relocation',
    section: 'xdp',
    message: /prog 'prog': insns\[1\] of 'prog': no \.text function at slot 2 for this call/,
  },
];

describe.each(cases)('$name', ({ make, code, section, message }) => {
  it(`is refused: ${code}`, () => {
    const e = catchObjectError(() => readObject(make()));
    expect(e).toBeInstanceOf(ObjectError);
    expect(e.message).toMatch(message);
    expect(e.code).toBe(code);
    expect(e.section).toBe(section);
    expect(e.offset).toEqual(expect.any(Number));
    expect(e.message).toMatch(/file offset 0x[0-9a-f]+|^elf header|stripped/);
    expect(e.message).toBe(e.message.trim());
    expect(e.message.endsWith('.')).toBe(false);
  });
});
