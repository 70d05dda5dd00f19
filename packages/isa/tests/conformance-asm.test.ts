import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  assembleCase,
  assembleConformance,
  CONFORMANCE_MNEMONICS,
  disassembleConformance,
  encode,
  findConformanceDir,
  formatConformanceInsn,
  IsaError,
  readDataFile,
  type Insn,
} from '../src/index';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/** Runs `f`, which must throw an IsaError, and returns it. */
function refusal(f: () => unknown): IsaError {
  try {
    f();
  } catch (e) {
    if (e instanceof IsaError) return e;
    throw e;
  }
  throw new Error('expected an IsaError, but nothing was thrown');
}

describe('assembleConformance', () => {
  it.each<[string, Insn]>([
    ['mov %r0, 1', { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 1 } }],
    ['mov32 %r1, %r2', { kind: 'alu', op: 'mov', wide: false, dst: 1, src: { reg: 2 } }],
    ['add %r10, -5', { kind: 'alu', op: 'add', wide: true, dst: 10, src: { imm: -5 } }],
    ['sub32 %r3, 0x10', { kind: 'alu', op: 'sub', wide: false, dst: 3, src: { imm: 16 } }],
    ['mul %r1, %r9', { kind: 'alu', op: 'mul', wide: true, dst: 1, src: { reg: 9 } }],
    ['div32 %r1, 3', { kind: 'alu', op: 'div', wide: false, dst: 1, src: { imm: 3 } }],
    ['sdiv %r1, -3', { kind: 'alu', op: 'sdiv', wide: true, dst: 1, src: { imm: -3 } }],
    ['sdiv32 %r1, %r2', { kind: 'alu', op: 'sdiv', wide: false, dst: 1, src: { reg: 2 } }],
    ['mod %r1, 7', { kind: 'alu', op: 'mod', wide: true, dst: 1, src: { imm: 7 } }],
    ['smod32 %r1, %r2', { kind: 'alu', op: 'smod', wide: false, dst: 1, src: { reg: 2 } }],
    ['or %r0, 0xffffffff', { kind: 'alu', op: 'or', wide: true, dst: 0, src: { imm: -1 } }],
    ['and32 %r0, 0x80000000', { kind: 'alu', op: 'and', wide: false, dst: 0, src: { imm: -2147483648 } }],
    ['xor %r0, -2147483648', { kind: 'alu', op: 'xor', wide: true, dst: 0, src: { imm: -2147483648 } }],
    ['lsh %r0, 2147483647', { kind: 'alu', op: 'lsh', wide: true, dst: 0, src: { imm: 2147483647 } }],
    ['rsh32 %r0, %r1', { kind: 'alu', op: 'rsh', wide: false, dst: 0, src: { reg: 1 } }],
    ['arsh32 %r0, -0x80000000', { kind: 'alu', op: 'arsh', wide: false, dst: 0, src: { imm: -2147483648 } }],
    ['neg %r2', { kind: 'neg', wide: true, dst: 2 }],
    ['neg32 %r2', { kind: 'neg', wide: false, dst: 2 }],
    ['movsx832 %r0, %r1', { kind: 'movsx', wide: false, bits: 8, dst: 0, src: 1 }],
    ['movsx1632 %r0, %r1', { kind: 'movsx', wide: false, bits: 16, dst: 0, src: 1 }],
    ['movsx864 %r0, %r1', { kind: 'movsx', wide: true, bits: 8, dst: 0, src: 1 }],
    ['movsx1664 %r0, %r1', { kind: 'movsx', wide: true, bits: 16, dst: 0, src: 1 }],
    ['movsx3264 %r0, %r1', { kind: 'movsx', wide: true, bits: 32, dst: 0, src: 1 }],
    ['be16 %r3', { kind: 'endian', order: 'be', bits: 16, dst: 3 }],
    ['le64 %r3', { kind: 'endian', order: 'le', bits: 64, dst: 3 }],
    ['swap32 %r3', { kind: 'endian', order: 'swap', bits: 32, dst: 3 }],
    ['bswap32 %r3', { kind: 'endian', order: 'swap', bits: 32, dst: 3 }],
    ['ldxb %r0, [%r1]', { kind: 'load', size: 1, signed: false, dst: 0, base: 1, off: 0 }],
    ['ldxh %r0, [%r1+2]', { kind: 'load', size: 2, signed: false, dst: 0, base: 1, off: 2 }],
    ['ldxw %r0, [%r10-4]', { kind: 'load', size: 4, signed: false, dst: 0, base: 10, off: -4 }],
    ['ldxdw %r0, [ %r1 + 0x7fff ]', { kind: 'load', size: 8, signed: false, dst: 0, base: 1, off: 32767 }],
    ['ldxsb %r0, [%r1-32768]', { kind: 'load', size: 1, signed: true, dst: 0, base: 1, off: -32768 }],
    ['ldxsh %r0, [%r1+6]', { kind: 'load', size: 2, signed: true, dst: 0, base: 1, off: 6 }],
    ['ldxsw %r0, [%r1+8]', { kind: 'load', size: 4, signed: true, dst: 0, base: 1, off: 8 }],
    ['stb [%r10-1], 0x11', { kind: 'store', size: 1, base: 10, off: -1, src: { imm: 17 } }],
    ['sth [%r1], -1', { kind: 'store', size: 2, base: 1, off: 0, src: { imm: -1 } }],
    ['stw [%r1+4], 7', { kind: 'store', size: 4, base: 1, off: 4, src: { imm: 7 } }],
    ['stdw [%r10-8], 0xfffffffe', { kind: 'store', size: 8, base: 10, off: -8, src: { imm: -2 } }],
    ['stxb [%r1+1], %r2', { kind: 'store', size: 1, base: 1, off: 1, src: { reg: 2 } }],
    ['stxh [%r1+2], %r2', { kind: 'store', size: 2, base: 1, off: 2, src: { reg: 2 } }],
    ['stxw [%r1+4], %r2', { kind: 'store', size: 4, base: 1, off: 4, src: { reg: 2 } }],
    ['stxdw [%r10-8], %r1', { kind: 'store', size: 8, base: 10, off: -8, src: { reg: 1 } }],
    ['lddw %r0, 0x1122334455667788', { kind: 'lddw', dst: 0, pseudo: 'imm64', value: 0x1122334455667788n }],
    ['lddw %r0, -1', { kind: 'lddw', dst: 0, pseudo: 'imm64', value: 0xffffffffffffffffn }],
    ['lddw %r0, 18446744073709551615', { kind: 'lddw', dst: 0, pseudo: 'imm64', value: 0xffffffffffffffffn }],
    ['lddw %r0, -9223372036854775808', { kind: 'lddw', dst: 0, pseudo: 'imm64', value: 0x8000000000000000n }],
    ['lddw %r1, map_fd 4', { kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 4n }],
    ['lddw %r1, map_value 0x1000000004', { kind: 'lddw', dst: 1, pseudo: 'map_value', value: 0x1000000004n }],
    ['lock add [%r10-8], %r1', { kind: 'atomic', op: 'add', fetch: false, size: 8, base: 10, off: -8, src: 1 }],
    ['lock fetch add32 [%r10-8], %r1', { kind: 'atomic', op: 'add', fetch: true, size: 4, base: 10, off: -8, src: 1 }],
    ['lock or32 [%r1], %r2', { kind: 'atomic', op: 'or', fetch: false, size: 4, base: 1, off: 0, src: 2 }],
    ['lock fetch and [%r1+8], %r2', { kind: 'atomic', op: 'and', fetch: true, size: 8, base: 1, off: 8, src: 2 }],
    ['lock fetch xor32 [%r1+8], %r2', { kind: 'atomic', op: 'xor', fetch: true, size: 4, base: 1, off: 8, src: 2 }],
    ['lock xchg [%r10-8], %r1', { kind: 'atomic', op: 'xchg', fetch: true, size: 8, base: 10, off: -8, src: 1 }],
    ['lock xchg32 [%r10-8], %r1', { kind: 'atomic', op: 'xchg', fetch: true, size: 4, base: 10, off: -8, src: 1 }],
    ['lock fetch xchg [%r10-8], %r1', { kind: 'atomic', op: 'xchg', fetch: true, size: 8, base: 10, off: -8, src: 1 }],
    ['lock cmpxchg [%r10-8], %r1', { kind: 'atomic', op: 'cmpxchg', fetch: true, size: 8, base: 10, off: -8, src: 1 }],
    ['lock cmpxchg32 [%r10-8], %r1', { kind: 'atomic', op: 'cmpxchg', fetch: true, size: 4, base: 10, off: -8, src: 1 }],
    ['ja +3', { kind: 'ja', long: false, off: 3 }],
    ['ja -1', { kind: 'ja', long: false, off: -1 }],
    ['ja32 +100000', { kind: 'ja', long: true, off: 100000 }],
    ['jeq %r1, 0xb, +1', { kind: 'jump', op: 'jeq', wide: true, dst: 1, src: { imm: 11 }, off: 1 }],
    ['jne32 %r1, %r2, -2', { kind: 'jump', op: 'jne', wide: false, dst: 1, src: { reg: 2 }, off: -2 }],
    ['jset %r1, 0x80000000, +0', { kind: 'jump', op: 'jset', wide: true, dst: 1, src: { imm: -2147483648 }, off: 0 }],
    ['jsle32 %r1, -1, +0x10', { kind: 'jump', op: 'jsle', wide: false, dst: 1, src: { imm: -1 }, off: 16 }],
    ['call 5', { kind: 'call', helper: 5 }],
    ['call helper 0x10', { kind: 'call', helper: 16 }],
    ['call %r2', { kind: 'callx', reg: 2 }],
    ['call local +4', { kind: 'call_local', off: 4 }],
    ['call runtime 1234', { kind: 'call_kfunc', btfId: 1234, module: 0 }],
    ['call runtime 1234, 2', { kind: 'call_kfunc', btfId: 1234, module: 2 }],
    ['ldabsh 12', { kind: 'ld_abs', size: 2, imm: 12 }],
    ['ldindw %r3, -4', { kind: 'ld_ind', size: 4, src: 3, imm: -4 }],
    ['exit', { kind: 'exit' }],
    ['exit # with a comment', { kind: 'exit' }],
    ['  \tmov %r0,1  ', { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 1 } }],
  ])('%s', (have, want) => {
    expect(assembleConformance(have)).toEqual([want]);
    expect(assembleConformance(formatConformanceInsn(want))).toEqual([want]);
  });

  it.each<[string, string, string]>([
    ['mov imm', 'mov %r1, 5', 'b7 01 00 00 05 00 00 00'],
    ['sdiv32 reg', 'sdiv32 %r1, %r2', '3c 21 01 00 00 00 00 00'],
    ['smod imm', 'smod %r1, 3', '97 01 01 00 03 00 00 00'],
    ['movsx1664', 'movsx1664 %r1, %r2', 'bf 21 10 00 00 00 00 00'],
    ['be16', 'be16 %r1', 'dc 01 00 00 10 00 00 00'],
    ['le32', 'le32 %r1', 'd4 01 00 00 20 00 00 00'],
    ['bswap64 is the ALU64 END form', 'bswap64 %r1', 'd7 01 00 00 40 00 00 00'],
    ['swap64 is the same instruction', 'swap64 %r1', 'd7 01 00 00 40 00 00 00'],
    ['ldxsb', 'ldxsb %r1, [%r2-4]', '91 21 fc ff 00 00 00 00'],
    ['lock fetch add', 'lock fetch add [%r10-8], %r1', 'db 1a f8 ff 01 00 00 00'],
    ['lock cmpxchg32', 'lock cmpxchg32 [%r10-8], %r1', 'c3 1a f8 ff f1 00 00 00'],
    ['ja32 imm offset', 'ja32 +16', '06 00 00 00 10 00 00 00'],
    ['callx register in dst', 'call %r2', '8d 02 00 00 00 00 00 00'],
    ['call local', 'call local +3', '85 10 00 00 03 00 00 00'],
    ['lddw', 'lddw %r0, 0x1122334455667788', '18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11'],
  ])('encodes %s', (_name, have, want) => {
    expect(encode(assembleConformance(have))).toEqual(hex(want));
  });

  it.each<[string, string, readonly Insn[]]>([
    [
      'a forward label',
      'jeq %r1, 0, L1\nmov %r0, 1\nL1:\nexit',
      [{ kind: 'jump', op: 'jeq', wide: true, dst: 1, src: { imm: 0 }, off: 1 }, { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 1 } }, { kind: 'exit' }],
    ],
    [
      'a backward label counts lddw as two slots',
      'L0: lddw %r0, 1\nja L0',
      [{ kind: 'lddw', dst: 0, pseudo: 'imm64', value: 1n }, { kind: 'ja', long: false, off: -3 }],
    ],
    [
      'exit names the first exit instruction',
      'ja exit\nmov %r0, 1\nexit\nexit',
      [{ kind: 'ja', long: false, off: 1 }, { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 1 } }, { kind: 'exit' }, { kind: 'exit' }],
    ],
    [
      'a label named exit wins over the first exit',
      'ja exit\nexit\nexit:\nexit',
      [{ kind: 'ja', long: false, off: 1 }, { kind: 'exit' }, { kind: 'exit' }],
    ],
    [
      'ja32 and call local take labels',
      'ja32 f\ncall local f\nf:\nexit',
      [{ kind: 'ja', long: true, off: 1 }, { kind: 'call_local', off: 0 }, { kind: 'exit' }],
    ],
    ['a label at the end of the program', 'ja end\nend:', [{ kind: 'ja', long: false, off: 0 }]],
    ['blank lines and comments only', '\n# nothing\n   \n', []],
  ])('%s', (_name, have, want) => {
    expect(assembleConformance(have)).toEqual(want);
  });

  it('knows every mnemonic it documents', () => {
    for (const m of ['mov', 'mov32', 'arsh32', 'neg32', 'smod32', 'movsx3264', 'bswap16', 'swap64', 'ldxsw', 'stdw', 'stxdw', 'lddw', 'ja32', 'jsle32', 'call', 'lock', 'exit']) {
      expect(CONFORMANCE_MNEMONICS).toContain(m);
    }
  });
});

describe('assembleConformance refuses', () => {
  it.each<[string, string, string, number, number]>([
    ['an unknown mnemonic, with a suggestion', 'exit\nldxq %r0, %r1', "unknown mnemonic 'ldxq': did you mean ldxb, ldxh or ldxw?", 2, 1],
    ['a register out of range', 'or %r0, %r50', "Invalid register '%r50'", 1, 9],
    ['r11', 'mov %r11, 1', "Invalid register '%r11'", 1, 5],
    ['a register without %', 'mov r1, 1', "Invalid register 'r1': registers are written with a '%'", 1, 5],
    ['a number where a register goes', 'neg 1', "expected a register like %r1, got '1'", 1, 5],
    ['lock without operands', 'lock', 'Invalid number of operands for lock', 1, 5],
    ['lock without a source', 'lock or [%r10-8]', 'Invalid number of operands for lock', 1, 6],
    ['lock with fetch only', 'lock fetch', 'Invalid number of operands for lock', 1, 11],
    ['lock without an operation', 'lock [%r10-8], %r1', "expected an atomic operation after 'lock'", 1, 6],
    ['an unknown atomic operation', 'lock sub [%r10-8], %r1', "unknown atomic operation 'sub'", 1, 6],
    ['too few operands', 'lddw %r0', "'lddw' takes 2 operands (lddw %rD, imm64), got 1", 1, 1],
    ['too many operands', 'exit %r0', "'exit' takes 0 operands (exit), got 1", 1, 6],
    ['a missing operand', 'mov %r0,', "missing operand after ','", 1, 9],
    ['an empty operand', 'jeq %r0, , +1', "missing operand before ','", 1, 10],
    ['a decimal immediate over s32', 'mov32 %r0, 2147483648', 'immediate 2147483648 does not fit in 32 bits', 1, 12],
    ['a decimal immediate under s32', 'mov32 %r0, -2147483649', 'immediate -2147483649 does not fit in 32 bits', 1, 12],
    ['a hex immediate over u32', 'mov32 %r0, 0x100000000', 'immediate 0x100000000 does not fit in 32 bits', 1, 12],
    ['a lddw value over u64', 'lddw %r0, 0x10000000000000000', 'does not fit in 64 bits', 1, 11],
    ['a bad number', 'mov %r0, 0x1g', "invalid number '0x1g'", 1, 10],
    ['a label where an immediate goes', 'mov %r0, L1', "expected an immediate, got 'L1'", 1, 10],
    ['a memory offset over s16', 'ldxb %r0, [%r1+0x10000]', 'offset +0x10000 does not fit in 16 bits (-32768 to 32767)', 1, 15],
    ['an unsigned-pattern memory offset', 'ldxb %r0, [%r1+0xffff]', 'offset +0xffff does not fit in 16 bits', 1, 15],
    ['a memory operand without brackets', 'ldxb %r0, %r1', "expected a memory operand like [%r1+4], got '%r1'", 1, 11],
    ['a memory operand without ]', 'stxb [%r1+4, %r2', "missing ']'", 1, 12],
    ['text after a memory operand', 'ldxb %r0, [%r1+4] %r2', "unexpected '%r2' after ']': separate operands with ','", 1, 19],
    ['a missing comma between registers', 'mov %r0 %r1', "unexpected '%r1' after '%r0': separate operands with ','", 1, 9],
    ['a missing comma after a number', 'jeq %r0, 1 +1', "unexpected '+' after '1': separate operands with ','", 1, 12],
    ['a memory offset without sign', 'ldxb %r0, [%r1 4]', 'write the offset as +N or -N', 1, 16],
    ['a jump offset over s16', 'ja +32768', 'jump offset +32768 does not fit in 16 bits', 1, 4],
    ['a jump offset without sign', 'ja 3', "expected a label or an offset like +2 or -3, got '3'", 1, 4],
    ['an unknown label', 'ja NOT_A_LABEL\nexit', "unknown label 'NOT_A_LABEL'", 1, 4],
    ['exit as a label with no exit', 'ja exit', "unknown label 'exit': the program has no exit instruction", 1, 4],
    ['a duplicate label', 'L1:\nexit\nL1: exit', "duplicate label 'L1': first defined at line 1", 3, 1],
    ['a label that is a number', '1: exit', "invalid label name '1'", 1, 1],
    ['a call to a label without local', 'call func1', "to call a label write 'call local func1'", 1, 6],
    ['call local without a target', 'call local', "'call local' takes 1 operand", 1, 1],
    ['an unexpected character', 'mov %r0, $1', "unexpected character '$'", 1, 10],
    ['a line that starts with a number', '5', "expected a mnemonic or a label, got '5'", 1, 1],
    ['a bad lddw source', 'lddw %r1, map 4', "unknown lddw source 'map'", 1, 11],
  ])('%s', (_name, have, message, line, column) => {
    const e = refusal(() => assembleConformance(have, { file: 'prog.s' }));
    expect(e.code).toBe('bad-asm');
    expect(e.message).toContain(message);
    expect(e.message.startsWith(`prog.s:${line}:${column}: `)).toBe(true);
    expect(e.source).toEqual({ file: 'prog.s', line, column });
  });

  it('counts lines from firstLine', () => {
    const e = refusal(() => assembleConformance('exit\n\nfoo %r0', { file: 'x.data', firstLine: 10 }));
    expect(e.source).toEqual({ file: 'x.data', line: 12, column: 1 });
    expect(e.message).toMatch(/^x\.data:12:1: unknown mnemonic 'foo'/);
  });

  it('names <input> when no file is given', () => {
    expect(refusal(() => assembleConformance('bad')).message).toMatch(/^<input>:1:1: unknown mnemonic 'bad'$/);
  });
});

describe('disassembleConformance', () => {
  it('prints one instruction per line in the suite syntax', () => {
    const program = assembleConformance(
      [
        'lddw %r1, 0x1122334455667788',
        'ldxh %r0, [%r1+2]',
        'stw [%r10-8], -1',
        'lock fetch or32 [%r10-8], %r1',
        'lock xchg [%r10], %r1',
        'jgt32 %r0, 0xffffffff, exit',
        'swap16 %r0',
        'call local +0',
        'exit',
      ].join('\n'),
    );
    expect(disassembleConformance(program)).toBe(
      [
        'lddw %r1, 0x1122334455667788',
        'ldxh %r0, [%r1+2]',
        'stw [%r10-8], -1',
        'lock fetch or32 [%r10-8], %r1',
        'lock xchg [%r10], %r1',
        'jgt32 %r0, -1, +2',
        'bswap16 %r0',
        'call local +0',
        'exit',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for an empty program', () => {
    expect(disassembleConformance([])).toBe('');
  });
});

/* ----------------------------------------------- the bpf_conformance suite */

const SUITE = findConformanceDir();
if (SUITE === undefined) {
  const env = process.env['BPFLAB_CONFORMANCE_DIR'];
  console.warn(
    env !== undefined && env !== ''
      ? `bpf_conformance data not found: BPFLAB_CONFORMANCE_DIR=${env} is not a folder: skipping the suite tests`
      : 'bpf_conformance data not found: skipping the suite tests (put it at ../shared/conformance next to the repository, or set BPFLAB_CONFORMANCE_DIR)',
  );
}
const list = (sub: string): string[] =>
  SUITE === undefined
    ? []
    : readdirSync(join(SUITE, sub))
        .filter((f) => f.endsWith('.data'))
        .sort();
const TESTS = list('tests');
const NEGATIVE = list('negative');
const describeSuite = SUITE === undefined ? describe.skip : describe;

describeSuite('the bpf_conformance suite', () => {
  it('has its test files', () => {
    expect(TESTS.length).toBeGreaterThan(300);
    expect(NEGATIVE.length).toBeGreaterThan(50);
  });

  it.each(TESTS.length > 0 ? TESTS : ['(none)'])('tests/%s assembles (matching -- raw) and round trips', (name) => {
    const c = readDataFile(join(SUITE!, 'tests', name), { file: name });
    expect(c.result).toEqual(expect.any(BigInt));
    // assembleCase checks the assembly against -- raw when both are given.
    const insns = assembleCase(c);
    expect(insns.length).toBeGreaterThan(0);
    const text = disassembleConformance(insns);
    expect(assembleConformance(text)).toEqual(insns);
    expect(disassembleConformance(assembleConformance(text))).toBe(text);
  });

  it('checks -- raw where the suite gives it', () => {
    const withRaw = TESTS.map((n) => readDataFile(join(SUITE!, 'tests', n), { file: n })).filter((c) => c.raw !== undefined);
    expect(withRaw.length).toBeGreaterThan(0);
    for (const c of withRaw) expect(encode(assembleCase(c))).toEqual(c.raw);
  });

  /**
   * Who refuses each negative file: the .data parser, the assembler, the
   * decoder, or (for a program that runs but gives the wrong answer or does
   * not fail as `-- error` says) the runner. `has` is text the refusal names.
   */
  const REFUSED_BY: Readonly<Record<string, { readonly by: 'parser' | 'assembler' | 'runner'; readonly has?: string }>> = {
    'empty.data': { by: 'parser', has: 'no program' },
    'empty_instructions.data': { by: 'parser', has: 'no program' },
    'error.data': { by: 'runner' },
    'incorrect_return_value_high_bits.data': { by: 'runner' },
    'invalid_imm32_dec_range.data': { by: 'assembler', has: 'immediate 2147483648 does not fit in 32 bits' },
    'invalid_imm32_hex_range.data': { by: 'assembler', has: 'immediate 0x100000000 does not fit in 32 bits' },
    'invalid_label.data': { by: 'assembler', has: "unknown label 'NOT_A_LABEL'" },
    'invalid_lock.data': { by: 'assembler' },
    'invalid_lock2.data': { by: 'assembler' },
    'invalid_mnemonic.data': { by: 'assembler', has: "unknown mnemonic 'ldxq'" },
    'invalid_offset.data': { by: 'assembler', has: 'expected a memory operand' },
    'invalid_offset_range.data': { by: 'assembler', has: 'does not fit in 16 bits' },
    'invalid_operand_count.data': { by: 'assembler', has: "'lddw' takes 2 operands" },
    'invalid_register.data': { by: 'assembler' },
    'invalid_unknown_directive.data': { by: 'parser', has: "unknown section '-- Unknown directive'" },
  };

  it.each(NEGATIVE.length > 0 ? NEGATIVE : ['(none)'])('negative/%s is refused', (name) => {
    const path = join(SUITE!, 'negative', name);
    const expected = name.startsWith('unused-') ? { by: 'decoder' as const } : REFUSED_BY[name];
    if (expected === undefined) throw new Error(`negative/${name} is new: add it to REFUSED_BY with who refuses it`);
    if (expected.by === 'parser') {
      const e = refusal(() => readDataFile(path, { file: name }));
      expect(e.message).toContain(expected.has);
      expect(e.source?.file).toBe(name);
      return;
    }
    const c = readDataFile(path, { file: name });
    if (expected.by === 'runner') {
      // Parses and assembles; the runner sees the wrong result, or no error where -- error wants one.
      expect(assembleCase(c).length).toBeGreaterThan(0);
      expect(c.result !== undefined || c.error !== undefined).toBe(true);
      return;
    }
    const e = refusal(() => assembleCase(c));
    expect(e.code).toBe(expected.by === 'decoder' ? 'bad-encoding' : 'bad-asm');
    expect(e.source?.file).toBe(name);
    if ('has' in expected && expected.has !== undefined) expect(e.message).toContain(expected.has);
    // Where the file says what the error must contain, it does.
    if (c.error?.text !== undefined) expect(e.message).toContain(c.error.text);
  });

  it('names the .data file line of an assembly error', () => {
    const e = refusal(() => assembleCase(readDataFile(join(SUITE!, 'negative', 'invalid_register.data'), { file: 'invalid_register.data' })));
    expect(e.message).toMatch(/^invalid_register\.data:4:9: Invalid register '%r50'/);
  });

  it('covers every mnemonic the suite uses', () => {
    const used = new Set<string>();
    for (const name of TESTS) {
      const c = readDataFile(join(SUITE!, 'tests', name));
      for (const line of c.asm?.text.split('\n') ?? []) {
        const m = /^\s*(?:[A-Za-z_][\w.]*:\s*)?([a-z][a-z0-9]*)(?![\w:])/.exec(line.replace(/#.*/, ''));
        if (m !== null) used.add(m[1]!);
      }
    }
    expect([...used].filter((m) => !CONFORMANCE_MNEMONICS.includes(m))).toEqual([]);
    expect(used.size).toBeGreaterThan(80);
  });
});

