import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-cli-'));

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: PKG };
  const code = await main(['node', 'bpflab', ...args], io);
  return { code, out, err };
}

function file(name: string, text: string | Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('bpflab run', () => {
  it('runs the bundled example (the demo) and prints r0', async () => {
    const r = await bpflab('run', 'examples/sum-squares.s');
    expect(r).toEqual({ code: 0, out: 'r0 = 0x181 (385)\nexecuted 94 instructions\n', err: '' });
  });

  it('runs a conformance .data file with its memory', async () => {
    const r = await bpflab('run', 'examples/checksum.data');
    expect(r.code).toBe(0);
    expect(r.out).toContain('r0 = 0xb861 (47201)');
  });

  it('passes --mem as r1/r2', async () => {
    const prog = file('len.s', 'r0 = r2\nexit\n');
    expect((await bpflab('run', prog, '--mem', 'de ad be ef 01')).out).toContain('r0 = 0x5 (5)');
    const mem = file('mem.bin', new Uint8Array([7, 0, 0, 0]));
    const load = file('load.s', 'r0 = *(u32 *)(r1 + 0)\nexit\n');
    expect((await bpflab('run', load, '--mem-file', mem)).out).toContain('r0 = 0x7 (7)');
  });

  it('prints negative results in decimal too', async () => {
    const prog = file('neg.s', 'r0 = -2\nexit\n');
    expect((await bpflab('run', prog)).out).toContain('r0 = 0xfffffffffffffffe (18446744073709551614 = -2)');
  });

  it('traces every executed instruction', async () => {
    const r = await bpflab('run', 'examples/sum-squares.s', '--trace');
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^ +0: r6 = 0x1 +; r6 = 0x1$/);
    expect(lines.filter((l) => /^ +\d+: /.test(l))).toHaveLength(94);
  });

  it.each<[string, string, string[], number, RegExp]>([
    ['a runaway loop', 'loop.s', ['--budget', '500'], 1, /pc 0: instruction budget of 500 exhausted/],
    ['a NULL dereference', 'null.s', [], 1, /pc 1: read of 4 bytes at 0x4 \(NULL\+4\)/],
    ['bad assembly', 'bad.s', [], 2, /bad\.s:2:15: unknown register 'r11'/],
  ])('reports %s with its exit code', async (_name, name, extra, code, message) => {
    const text: Record<string, string> = {
      'loop.s': 'LBB0_1:\n\tr0 += 1\n\tgoto LBB0_1\n',
      'null.s': 'r1 = 0\nr0 = *(u32 *)(r1 + 4)\nexit\n',
      'bad.s': 'r0 = 1\nr0 = *(u32 *)(r11 + 4)\nexit\n',
    };
    const r = await bpflab('run', file(name, text[name]!), ...extra);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('refuses a missing file and bad options with exit code 2', async () => {
    expect(await bpflab('run', join(tmp, 'nope.s'))).toMatchObject({ code: 2, err: expect.stringContaining('no such file') });
    expect(await bpflab('run', 'examples/sum-squares.s', '--budget', '-3')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--budget must be a positive integer'),
    });
    expect(await bpflab('run', 'examples/sum-squares.s', '--mem', 'xyz')).toMatchObject({
      code: 2,
      err: expect.stringContaining("--mem: expected hex bytes"),
    });
    expect((await bpflab('frobnicate')).code).toBe(2);
  });
});

describe('bpflab asm and disasm', () => {
  it('prints hex slots, writes raw bytes, and disassembles them back', async () => {
    const src = file('two.s', 'r1 = 0x1122334455667788 ll\nr0 = r1\nexit\n');
    const hex = await bpflab('asm', src);
    expect(hex.out).toBe(
      ['18 01 00 00 88 77 66 55', '00 00 00 00 44 33 22 11', 'bf 10 00 00 00 00 00 00', '95 00 00 00 00 00 00 00', ''].join('\n'),
    );
    const bin = join(tmp, 'two.bin');
    expect((await bpflab('asm', src, '-o', bin)).code).toBe(0);
    expect(readFileSync(bin)).toHaveLength(32);
    const dis = await bpflab('disasm', bin, '--no-bytes');
    expect(dis.out).toBe('r1 = 0x1122334455667788 ll\nr0 = r1\nexit\n');
    const conf = await bpflab('disasm', bin, '--syntax', 'conformance');
    expect(conf.out).toBe('lddw %r1, 0x1122334455667788\nmov %r0, %r1\nexit\n');
  });

  it('lists like llvm-objdump, with labels from the assembly', async () => {
    const r = await bpflab('disasm', 'examples/sum-squares.s');
    expect(r.out).toContain('0000000000000010 <LBB0_1>:');
    expect(r.out).toContain('       7:\tb5 06 fa ff 0a 00 00 00\tif r6 <= 0xa goto -0x6 <LBB0_1>');
  });

  it('refuses bytes that do not decode, naming the byte offset', async () => {
    const bin = file('bad.bin', new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 1, 0, 1, 0, 0, 0]));
    const r = await bpflab('disasm', bin);
    expect(r.code).toBe(2);
    expect(r.err).toContain('byte offset 8');
  });

  it('reads ELF objects with the object reader, refusing a truncated one with a clear message', async () => {
    const elf = file('prog.o', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    const r = await bpflab('disasm', elf);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/prog\.o: elf header: 8 bytes: too short/);
  });

  it('refuses an ELF object where raw bytes are needed (asm output)', async () => {
    const elf = file('prog2.o', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    const r = await bpflab('asm', elf);
    expect(r.code).toBe(2);
    expect(r.err).toContain('this is an ELF object file');
  });
});

describe('bpflab inspect and btf dump on bad input', () => {
  it.each<[string, string[], Uint8Array, string]>([
    ['an assembly file given to inspect', ['inspect'], new TextEncoder().encode('r0 = 0\nexit\n'), 'not an ELF object file'],
    ['a truncated ELF header', ['inspect'], new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'ELF'],
    ['a truncated ELF header to btf dump', ['btf', 'dump'], new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'ELF'],
    ['a bad raw BTF file', ['btf', 'dump'], new Uint8Array([0x9f, 0xeb, 1, 0, 24, 0, 0, 0]), 'btf'],
  ])('refuses %s with exit code 2', async (_name, cmd, bytes, message) => {
    const r = await bpflab(...cmd, file('input.bin', bytes));
    expect(r.code).toBe(2);
    expect(r.err.toLowerCase()).toContain(message.toLowerCase());
    expect(r.err).not.toContain('internal error');
  });
});

describe('bpflab --help', () => {
  it.each([[[]], [['run']], [['asm']], [['disasm']], [['build']], [['inspect']], [['btf', 'dump']]])('documents exit codes (%j)', async (cmd) => {
    const r = await bpflab(...cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Exit codes:');
    expect(r.out).toContain('bad input');
  });
});
