import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleCase, findConformanceDir, IsaError, parseDataFile, readDataFile, type ConformanceCase, type Insn } from '../src/index';

const bytes = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
const lines = (...l: string[]): string => l.join('\n');

function refusal(f: () => unknown): IsaError {
  try {
    f();
  } catch (e) {
    if (e instanceof IsaError) return e;
    throw e;
  }
  throw new Error('expected an IsaError, but nothing was thrown');
}

const MOV1_EXIT: readonly Insn[] = [{ kind: 'alu', op: 'mov', wide: false, dst: 0, src: { imm: 1 } }, { kind: 'exit' }];

describe('parseDataFile', () => {
  it.each<[string, string, ConformanceCase]>([
    [
      'asm and result, with header comments',
      lines('# Copyright', '# SPDX-License-Identifier: MIT', '-- asm', 'mov32 %r0, 1', 'exit', '-- result', '0x1'),
      { asm: { text: 'mov32 %r0, 1\nexit', line: 4 }, result: 1n },
    ],
    [
      'decimal result and mem over several lines',
      lines('-- asm', 'exit', '-- mem', '00 01 02', '0a 0B ff', '-- result', '42'),
      { asm: { text: 'exit', line: 2 }, mem: bytes('00 01 02 0a 0b ff'), result: 42n },
    ],
    [
      'a full 64-bit result',
      lines('-- asm', 'exit', '-- result', '0xffffffffffffffff'),
      { asm: { text: 'exit', line: 2 }, result: 0xffffffffffffffffn },
    ],
    [
      'a negative decimal result as its unsigned 64-bit value',
      lines('-- asm', 'exit', '-- result', '-1'),
      { asm: { text: 'exit', line: 2 }, result: 0xffffffffffffffffn },
    ],
    [
      'an empty mem section',
      lines('-- asm', 'exit', '-- mem', '-- result', '0'),
      { asm: { text: 'exit', line: 2 }, mem: new Uint8Array(0), result: 0n },
    ],
    [
      'raw as little-endian 64-bit words',
      lines('-- raw', '0x00000001000000b4', '0x0000000000000095', '-- result', '0x1'),
      { raw: bytes('b4 00 00 00 01 00 00 00 95 00 00 00 00 00 00 00'), rawLines: [2, 3], result: 1n },
    ],
    [
      'raw as bytes in memory order',
      lines('# a comment', '-- raw', 'b4 00 00 00 01 00 00 00', '', '95 00 00 00', '00 00 00 00 # the exit', '-- error'),
      { raw: bytes('b4 00 00 00 01 00 00 00 95 00 00 00 00 00 00 00'), rawLines: [3, 5], error: { line: 7 } },
    ],
    [
      'an error with expected text',
      lines('-- asm', 'lock', '-- error', 'Invalid number of operands for lock'),
      { asm: { text: 'lock', line: 2 }, error: { line: 3, text: 'Invalid number of operands for lock' } },
    ],
    [
      'ignored sections and their contents',
      lines('-- c', 'int main() { return 1; }', '-- asm', 'exit', '-- no register offset', 'call instruction', '-- result', '0x0'),
      { asm: { text: 'exit', line: 4 }, result: 0n },
    ],
    [
      'Windows line endings',
      '-- asm\r\nexit\r\n-- result\r\n0x2\r\n',
      { asm: { text: 'exit', line: 2 }, result: 2n },
    ],
  ])('%s', (_name, have, want) => {
    expect(parseDataFile(have)).toEqual(want);
  });

  it('keeps the file name', () => {
    expect(parseDataFile(lines('-- asm', 'exit', '-- result', '0'), { file: 'a.data' }).file).toBe('a.data');
  });

  it.each<[string, string, string, number, number]>([
    ['an unknown section', lines('-- asm', '-- Unknown directive', '-- error'), "unknown section '-- Unknown directive'", 2, 1],
    ['a repeated section', lines('-- asm', 'exit', '-- asm', 'exit', '-- result', '0'), "repeated section '-- asm': first at line 1", 3, 1],
    ['text outside a section', lines('# ok', '  mov %r0, 1', '-- asm', 'exit'), "text outside any section: 'mov %r0, 1'", 2, 3],
    ['no program', lines('# nothing', '-- result', '0x0'), 'no program', 1, 1],
    ['an empty file', '', 'no program', 1, 1],
    ['no expectation', lines('-- asm', 'exit'), "no expectation: the file needs a '-- result' or an '-- error' section", 1, 1],
    ['both result and error', lines('-- asm', 'exit', '-- result', '0', '-- error'), "both '-- result' (line 3) and '-- error'", 5, 1],
    ['a bad mem byte', lines('-- asm', 'exit', '-- mem', '00 1 02', '-- result', '0'), "invalid byte '1' in -- mem: expected two hex digits per byte", 4, 4],
    ['a 0x word in mem', lines('-- asm', 'exit', '-- mem', '0x00', '-- result', '0'), "invalid byte '0x00' in -- mem", 4, 1],
    ['a bad raw word', lines('-- raw', '0x00000000000000950', '-- result', '0'), "invalid byte '0x00000000000000950' in -- raw", 2, 1],
    ['raw not a multiple of 8 bytes', lines('-- raw', '95 00 00 00', '-- result', '0'), '-- raw has 4 bytes, not a multiple of 8', 1, 1],
    ['an empty raw section', lines('-- raw', '-- result', '0'), '-- raw has no bytes', 1, 1],
    ['a bad result', lines('-- asm', 'exit', '-- result', '0x1g'), "invalid -- result '0x1g'", 4, 1],
    ['two results', lines('-- asm', 'exit', '-- result', '1', '2'), "-- result has more than one value: unexpected '2'", 5, 1],
    ['an empty result', lines('-- asm', 'exit', '-- result'), '-- result has no value', 3, 1],
    ['a result over 64 bits', lines('-- asm', 'exit', '-- result', '0x10000000000000000'), 'does not fit in 64 bits', 4, 1],
  ])('refuses %s', (_name, have, message, line, column) => {
    const e = refusal(() => parseDataFile(have, { file: 't.data' }));
    expect(e.code).toBe('bad-data-file');
    expect(e.message).toContain(message);
    expect(e.message.startsWith(`t.data:${line}:${column}: `)).toBe(true);
    expect(e.source).toEqual({ file: 't.data', line, column });
  });
});

describe('assembleCase', () => {
  it.each<[string, string, readonly Insn[]]>([
    ['assembles -- asm', lines('-- asm', 'mov32 %r0, 1', 'exit', '-- result', '1'), MOV1_EXIT],
    ['decodes -- raw', lines('-- raw', '0x00000001000000b4', '0x0000000000000095', '-- result', '1'), MOV1_EXIT],
    [
      'checks -- asm against a matching -- raw',
      lines('-- asm', 'mov32 %r0, 1', 'exit', '-- raw', 'b4 00 00 00 01 00 00 00', '95 00 00 00 00 00 00 00', '-- result', '1'),
      MOV1_EXIT,
    ],
  ])('%s', (_name, have, want) => {
    expect(assembleCase(parseDataFile(have))).toEqual(want);
  });

  it.each<[string, string, 'bad-asm' | 'bad-data-file' | 'bad-encoding', string, number]>([
    ['an assembly error at the file line', lines('# header', '-- asm', 'mov32 %r0, 1', 'or %r0, %r50', '-- result', '1'), 'bad-asm', "c.data:4:9: Invalid register '%r50': the registers are %r0 to %r10", 4],
    ['an asm section without instructions', lines('-- asm', '# only a comment', '-- result', '1'), 'bad-data-file', 'c.data:1:1: -- asm has no instructions', 1],
    [
      'raw that does not decode, at the line of the bad slot',
      lines('-- raw', '95 00 00 00 00 00 00 00', '07 00 01 00 01 00 00 00', '-- error'),
      'bad-encoding',
      'c.data:3:1: invalid instruction at byte offset 8 (opcode 0x07): reserved off field must be zero, is 1',
      3,
    ],
    [
      'asm and raw that disagree',
      lines('-- asm', 'mov32 %r0, 1', 'exit', '-- raw', '0x00000002000000b4', '0x0000000000000095', '-- result', '1'),
      'bad-data-file',
      "c.data:2:1: -- asm and -- raw disagree at slot 0: the assembly encodes 'b4 00 00 00 01 00 00 00', -- raw (line 5) has 'b4 00 00 00 02 00 00 00'",
      2,
    ],
    [
      'asm shorter than raw',
      lines('-- asm', 'exit', '-- raw', '0x0000000000000095', '0x0000000000000095', '-- result', '1'),
      'bad-data-file',
      "c.data:2:1: -- asm and -- raw disagree at slot 1: the assembly encodes nothing, -- raw (line 5) has '95 00 00 00 00 00 00 00'",
      2,
    ],
  ])('refuses %s', (_name, have, code, message, line) => {
    const e = refusal(() => assembleCase(parseDataFile(have, { file: 'c.data' })));
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
    expect(e.source?.line).toBe(line);
    expect(e.source?.file).toBe('c.data');
  });
});

describe('readDataFile and findConformanceDir', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpflab-data-'));
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests', 'one.data'), lines('-- asm', 'mov32 %r0, 1', 'exit', '-- result', '0x1', ''));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it by its path', () => {
    const path = join(dir, 'tests', 'one.data');
    const c = readDataFile(path);
    expect(c.file).toBe(path);
    expect(assembleCase(c)).toEqual(MOV1_EXIT);
    expect(readDataFile(path, { file: 'one.data' }).file).toBe('one.data');
  });

  it('uses BPFLAB_CONFORMANCE_DIR when set', () => {
    expect(findConformanceDir({ env: { BPFLAB_CONFORMANCE_DIR: dir } })).toBe(dir);
  });

  it('gives undefined when BPFLAB_CONFORMANCE_DIR does not exist', () => {
    expect(findConformanceDir({ env: { BPFLAB_CONFORMANCE_DIR: join(dir, 'missing') } })).toBeUndefined();
  });

  it('looks for ../shared/conformance next to the repository root', () => {
    // A fake repository: <dir>/ws/pnpm-workspace.yaml and <dir>/shared/conformance.
    mkdirSync(join(dir, 'ws', 'packages', 'isa'), { recursive: true });
    writeFileSync(join(dir, 'ws', 'pnpm-workspace.yaml'), 'packages: []\n');
    const from = join(dir, 'ws', 'packages', 'isa');
    expect(findConformanceDir({ env: {}, from })).toBeUndefined();
    mkdirSync(join(dir, 'shared', 'conformance'), { recursive: true });
    expect(findConformanceDir({ env: {}, from })).toBe(join(dir, 'shared', 'conformance'));
  });

  it('gives undefined outside any repository', () => {
    expect(findConformanceDir({ env: {}, from: tmpdir() })).toBeUndefined();
  });
});
