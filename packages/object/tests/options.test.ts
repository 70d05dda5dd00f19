// How compile options and the object name change what is read: objects
// without debug info (no BTF, no line info), big-endian objects (refused),
// the object name internal maps are named after, and long initial values.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatInspect, formatSourceListing, readObject, type DataMapSpec } from '../src/index';
import { buildElf, CODE, DATA, RETURN_0 } from './elf-builder';
import { catchObjectError, findClang, FIXTURES, run, skipNote } from './support';

const clang = findClang();
if (!clang) skipNote('compile option tests: no clang');
const withClang = clang ? it : it.skip;

function compile(fixture: string, flags: readonly string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bpflab-object-opts-'));
  try {
    const out = join(dir, 'out.o');
    run(clang!.cmd, [...flags, '-c', fixture, '-o', out], FIXTURES);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('compile options', () => {
  withClang('without -g: no BTF and no line info, variables from the symbol table', () => {
    const spec = readObject(compile('globals.bpf.c', ['-O2', '-target', 'bpf']), { name: 'globals.o' });
    expect(spec.btf).toBeUndefined();
    expect(spec.programs.map((p) => p.name)).toEqual(['on_read', 'on_read_again', 'on_switch']);
    for (const p of spec.programs) {
      expect(p.lineInfo).toEqual([]);
      expect(p.funcInfo).toEqual([]);
    }
    const data = spec.maps.find((m): m is DataMapSpec => m.kind === 'data' && m.section === '.data')!;
    expect(data.valueType).toBeUndefined();
    expect(data.variables.map((v) => [v.name, v.offset, v.linkage])).toEqual([
      ['counter', 0, 'global'],
      ['counter_ptr', 8, 'global'],
      ['hits', 16, 'static'],
    ]);
    // Linking does not need BTF: the same code as with -g.
    const withG = readObject(compile('globals.bpf.c', ['-O2', '-g', '-target', 'bpf']), { name: 'globals.o' });
    expect(spec.programs.map((p) => p.insns)).toEqual(withG.programs.map((p) => p.insns));
    expect(formatSourceListing(spec)).not.toContain('; ');
  });

  withClang('-target bpfeb: refused, naming the byte order', () => {
    const e = catchObjectError(() => readObject(compile('hello.bpf.c', ['-O2', '-g', '-target', 'bpfeb'])));
    expect(e.code).toBe('unsupported');
    expect(e.message).toBe(
      'elf header: big-endian object (EI_DATA 2, ELFDATA2MSB): only little-endian BPF objects are supported (compile with -target bpf or bpfel)',
    );
    expect(e.offset).toBe(5);
  });
});

describe('the object name', () => {
  const { bytes } = buildElf({
    sections: [
      { name: 'xdp', flags: CODE, data: RETURN_0 },
      { name: '.rodata', flags: 2, data: new Uint8Array(4) },
      { name: '.data.very_long_section_name', flags: DATA, data: new Uint8Array(4) },
    ],
    symbols: [{ name: 'prog', section: 'xdp', value: 0, size: 16, type: 'func' }],
  });

  it.each([
    [undefined, 'object', 'object.rodata'],
    ['firewall.bpf.o', 'firewall', 'firewall.rodata'],
    ['/labs/3/my-firewall.o', 'my-firewall', 'my_firew.rodata'],
  ])('%s names the object %s and .rodata %s', (name, object, rodata) => {
    const spec = readObject(bytes, name === undefined ? {} : { name });
    expect(spec.name).toBe(object);
    expect(spec.maps.map((m) => m.name)).toEqual([rodata, '.data.very_long']);
    expect(spec.license).toBeUndefined();
    expect(spec.kernelVersion).toBeUndefined();
  });
});

describe('inspect of a large data section', () => {
  it('shows the first 256 bytes of an initial value', () => {
    const data = new Uint8Array(1000).map((_, i) => i & 0xff);
    const { bytes } = buildElf({
      sections: [
        { name: 'xdp', flags: CODE, data: RETURN_0 },
        { name: '.data', flags: DATA, data },
      ],
      symbols: [{ name: 'prog', section: 'xdp', value: 0, size: 16, type: 'func' }],
    });
    const text = formatInspect(readObject(bytes, { name: 'big' }));
    expect(text).toContain('      0xf0  f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe ff\n      ... 744 more bytes\n');
    expect(text).not.toContain('0x100  ');
  });
});
