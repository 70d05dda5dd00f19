import { assembleLlvm, assembleLlvmProgram, IsaError, type Insn } from '../src/index';

describe('assembleLlvm', () => {
  it.each<[string, string, Insn[]]>([
    ['alu64 immediate', 'r1 += 5', [{ kind: 'alu', op: 'add', wide: true, dst: 1, src: { imm: 5 } }]],
    ['alu32 register', 'w1 s>>= w2', [{ kind: 'alu', op: 'arsh', wide: false, dst: 1, src: { reg: 2 } }]],
    ['hex and negative', 'w1 &= -0x10', [{ kind: 'alu', op: 'and', wide: false, dst: 1, src: { imm: -16 } }]],
    ['32-bit move of an unsigned constant', 'w1 = 0xffffffff', [{ kind: 'alu', op: 'mov', wide: false, dst: 1, src: { imm: -1 } }]],
    ['signed division', 'r1 s/= -3', [{ kind: 'alu', op: 'sdiv', wide: true, dst: 1, src: { imm: -3 } }]],
    ['signed modulo', 'w1 s%= w2', [{ kind: 'alu', op: 'smod', wide: false, dst: 1, src: { reg: 2 } }]],
    ['negation', 'w2 = -w2', [{ kind: 'neg', wide: false, dst: 2 }]],
    ['move of a negative constant', 'r2 = -7', [{ kind: 'alu', op: 'mov', wide: true, dst: 2, src: { imm: -7 } }]],
    ['sign-extending move', 'r1 = (s32)r2', [{ kind: 'movsx', wide: true, dst: 1, src: 2, bits: 32 }]],
    ['byte swap', 'r3 = bswap64 r3', [{ kind: 'endian', order: 'swap', bits: 64, dst: 3 }]],
    ['to big endian', 'r3 = be16 r3', [{ kind: 'endian', order: 'be', bits: 16, dst: 3 }]],
    ['load', 'r0 = *(u32 *)(r1 + 4)', [{ kind: 'load', size: 4, signed: false, dst: 0, base: 1, off: 4 }]],
    ['load into w', 'w0 = *(u16 *)(r1 - 0x2)', [{ kind: 'load', size: 2, signed: false, dst: 0, base: 1, off: -2 }]],
    ['load without spaces or offset', 'r0=*(u64*)(r1)', [{ kind: 'load', size: 8, signed: false, dst: 0, base: 1, off: 0 }]],
    ['sign-extending load', 'r0 = *(s8 *)(r1 + 0)', [{ kind: 'load', size: 1, signed: true, dst: 0, base: 1, off: 0 }]],
    ['store register', '*(u64 *)(r10 - 8) = r1', [{ kind: 'store', size: 8, base: 10, off: -8, src: { reg: 1 } }]],
    ['store w register', '*(u8 *)(r10 - 1) = w1', [{ kind: 'store', size: 1, base: 10, off: -1, src: { reg: 1 } }]],
    ['store immediate', '*(u32 *)(r10 - 4) = 0xffffffff', [{ kind: 'store', size: 4, base: 10, off: -4, src: { imm: -1 } }]],
    [
      'lock add as llvm-objdump prints it',
      'lock *(u32 *)(r10 - 0x8) += r1',
      [{ kind: 'atomic', op: 'add', fetch: false, size: 4, base: 10, off: -8, src: 1 }],
    ],
    [
      'fetching atomic',
      'r0 = atomic_fetch_xor((u64 *)(r10 - 8), r0)',
      [{ kind: 'atomic', op: 'xor', fetch: true, size: 8, base: 10, off: -8, src: 0 }],
    ],
    ['exchange', 'w2 = xchg32_32(r10 - 4, w2)', [{ kind: 'atomic', op: 'xchg', fetch: true, size: 4, base: 10, off: -4, src: 2 }]],
    [
      'compare and exchange',
      'r0 = cmpxchg_64(r10 - 8, r0, r3)',
      [{ kind: 'atomic', op: 'cmpxchg', fetch: true, size: 8, base: 10, off: -8, src: 3 }],
    ],
    ['64-bit constant', 'r1 = 0x123456789abcdef ll', [{ kind: 'lddw', dst: 1, pseudo: 'imm64', value: 0x123456789abcdefn }]],
    ['64-bit -1', 'r1 = -1 ll', [{ kind: 'lddw', dst: 1, pseudo: 'imm64', value: 0xffffffffffffffffn }]],
    ['pseudo lddw', 'ld_pseudo\tr1, 2, 4294967295', [{ kind: 'lddw', dst: 1, pseudo: 'map_value', value: 0xffffffffn }]],
    ['packet load absolute', 'r0 = *(u16 *)skb[0xc]', [{ kind: 'ld_abs', size: 2, imm: 12 }]],
    ['packet load indirect', 'r0 = *(u8 *)skb[r3]', [{ kind: 'ld_ind', size: 1, src: 3, imm: 0 }]],
    ['helper call', 'call 6', [{ kind: 'call', helper: 6 }]],
    ['indirect call', 'callx r5', [{ kind: 'callx', reg: 5 }]],
    [
      'jumps by offset',
      'if r1 > r2 goto +1\nif w1 s< 5 goto -2\ngoto 0\ngotol -3',
      [
        { kind: 'jump', op: 'jgt', wide: true, dst: 1, src: { reg: 2 }, off: 1 },
        { kind: 'jump', op: 'jslt', wide: false, dst: 1, src: { imm: 5 }, off: -2 },
        { kind: 'ja', off: 0, long: false },
        { kind: 'ja', off: -3, long: true },
      ],
    ],
    [
      'jumps and calls to labels, an lddw counting two slots',
      'start:\n  if r1 & 0x10 goto out\n  r2 = 0 ll\n  call sub\n  goto start\nout: exit\nsub:\n  exit',
      [
        { kind: 'jump', op: 'jset', wide: true, dst: 1, src: { imm: 16 }, off: 4 },
        { kind: 'lddw', dst: 2, pseudo: 'imm64', value: 0n },
        { kind: 'call_local', off: 2 },
        { kind: 'ja', off: -5, long: false },
        { kind: 'exit' },
        { kind: 'exit' },
      ],
    ],
    [
      'comments and blank lines',
      '# a comment\n\nr0 = 0 ; semicolon\n// slashes\nexit # trailing\n',
      [{ kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 0 } }, { kind: 'exit' }],
    ],
    [
      'llvm-objdump listing lines',
      [
        '0000000000000000 <f>:',
        '       0:\t15 01 01 00 00 00 00 00\tif r1 == 0x0 goto +0x1 <LBB0_2>',
        '       1:\tb7 00 00 00 01 00 00 00\tr0 = 0x1',
        '',
        '0000000000000010 <LBB0_2>:',
        '       2:\t95 00 00 00 00 00 00 00\texit',
      ].join('\n'),
      [
        { kind: 'jump', op: 'jeq', wide: true, dst: 1, src: { imm: 0 }, off: 1 },
        { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 1 } },
        { kind: 'exit' },
      ],
    ],
    [
      'a whole llvm-objdump output of one section',
      '\nprog.o:\tfile format elf64-bpf\n\nDisassembly of section xdp:\n\n0000000000000000 <f>:\n       0:\t95 00 00 00 00 00 00 00\texit\n',
      [{ kind: 'exit' }],
    ],
    [
      'jump annotations with an offset from a symbol',
      'f:\n  goto +1 <f+0x10>\n  exit\n  goto -3 <f>',
      [{ kind: 'ja', off: 1, long: false }, { kind: 'exit' }, { kind: 'ja', off: -3, long: false }],
    ],
  ])('%s', (_name, have, want) => {
    expect(assembleLlvm(have)).toEqual(want);
  });

  it('reports labels and where each instruction was written', () => {
    const program = assembleLlvmProgram('a: b:\n  r0 = 1 ll\nc:\n  exit\n', { file: 'p.s' });
    expect([...program.labels]).toEqual([
      ['a', 0],
      ['b', 0],
      ['c', 2],
    ]);
    expect([...program.labelsBySlot]).toEqual([
      [0, 'a'],
      [2, 'c'],
    ]);
    expect(program.sources).toEqual([
      { file: 'p.s', line: 2, column: 3 },
      { file: 'p.s', line: 4, column: 3 },
    ]);
  });

  it('reaches 32767 slots forward with goto and further with gotol', () => {
    const body = 'exit\n'.repeat(32767);
    expect(assembleLlvm(`goto end\n${body}end: exit`)[0]).toEqual({ kind: 'ja', off: 32767, long: false });
    expect(assembleLlvm(`gotol end\n${body}exit\nend: exit`)[0]).toEqual({ kind: 'ja', off: 32768, long: true });
    expect(() => assembleLlvm(`goto end\n${body}exit\nend: exit`, { file: 'far.s' })).toThrow(
      "far.s:1:6: goto to 'end' is 32768 slots away, out of range -32768..32767: use gotol for long jumps",
    );
  });
});

describe('assembleLlvm refuses', () => {
  it.each<[string, string, string]>([
    ['a register beyond r10', 'r0 = 1\nr0 += r11', "prog.s:2:7: unknown register 'r11': BPF has r0-r10"],
    ['mixed register widths', 'r1 += w2', "prog.s:1:7: 'w2' does not match 'r1': use r registers on both sides (w for 32-bit)"],
    ['an unknown instruction', '  nop', "prog.s:1:3: unknown instruction 'nop'"],
    [
      'the conformance syntax',
      'mov %r0, 1',
      "prog.s:1:1: unknown instruction 'mov': this looks like the conformance syntax ('mov %r0, ...'); LLVM syntax writes 'r0 = 1', 'r0 += r1', 'if r0 > 1 goto +2'",
    ],
    ['an undefined label', 'goto nowhere', "prog.s:1:6: undefined label 'nowhere'"],
    ['a label defined twice', 'a:\nexit\n a: exit', "prog.s:3:2: label 'a' is already defined on line 1"],
    ['a register as a label', 'r1: exit', "prog.s:1:1: 'r1' is a register and cannot be a label"],
    [
      'a 64-bit move of a 32-bit unsigned constant',
      'r1 = 4294967295',
      "prog.s:1:6: immediate 4294967295 is out of range -2147483648..2147483647 (a signed 32-bit field): write 'r1 = 4294967295 ll' for a 64-bit constant",
    ],
    [
      'a 64-bit compare with a 32-bit unsigned constant',
      'if r1 == 0xffffffff goto +1',
      'prog.s:1:10: immediate 0xffffffff is out of range -2147483648..2147483647 (a signed 32-bit field)',
    ],
    ['a 33-bit 32-bit constant', 'w1 = 0x100000000', 'prog.s:1:6: immediate 0x100000000 is out of range -2147483648..4294967295'],
    ['an offset beyond 16 bits', 'r0 = *(u64 *)(r1 + 40000)', 'prog.s:1:18: offset 40000 is out of range -32768..32767'],
    ['a jump offset beyond 16 bits', 'goto -40000', 'prog.s:1:6: goto offset -40000 is out of range -32768..32767'],
    ['a missing goto', 'if r1 > r2 +3', "prog.s:1:12: expected 'goto', found '+'"],
    [
      'a missing comparison',
      'if r1 r2 goto +3',
      "prog.s:1:7: expected a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &), found 'r2'",
    ],
    ['a missing operand', 'r1 +=', "prog.s:1:6: expected a register or a number after '+=', found the end of the line"],
    ['trailing words', 'exit now', "prog.s:1:6: unexpected 'now' after the instruction"],
    [
      "llvm-objdump's <unknown>",
      '<unknown>',
      "prog.s:1:1: '<unknown>' is what llvm-objdump prints for bytes it cannot decode: write the instruction itself",
    ],
    ['a directive', '.section xdp', "prog.s:1:1: directive '.section' is not supported: write instructions and labels only"],
    [
      'a symbol operand',
      'r1 = counts ll',
      "prog.s:1:6: unknown operand 'counts': symbols need a relocation, which this assembler does not make; write a number or a register",
    ],
    ['a 64-bit constant into w', 'w1 = 1 ll', 'prog.s:1:1: a 64-bit constant (ll) takes 64-bit registers: write r1, not w1'],
    ['an unknown type', 'r0 = *(u128 *)(r1 + 0)', "prog.s:1:8: unknown type 'u128': expected u8, u16, u32, u64, s8, s16 or s32"],
    ['a signed store', '*(s32 *)(r10 - 4) = r1', 'prog.s:1:3: stores take an unsigned type: write u32, not s32'],
    ['a 64-bit store of w', '*(u64 *)(r10 - 8) = w1', 'prog.s:1:21: a 64-bit store takes 64-bit registers: write r1, not w1'],
    ['a 64-bit load into w', 'w0 = *(u64 *)(r1 + 0)', 'prog.s:1:1: a 64-bit load takes 64-bit registers: write r0, not w0'],
    ['a sign-extending load into w', 'w0 = *(s8 *)(r1 + 0)', 'prog.s:1:1: a sign-extending load takes 64-bit registers: write r0, not w0'],
    ['a w base register', 'r0 = *(u8 *)(w1 + 0)', 'prog.s:1:14: a memory address takes 64-bit registers: write r1, not w1'],
    ['a packet load into r1', 'r1 = *(u8 *)skb[12]', 'prog.s:1:1: packet loads (skb[...]) always write r0, not r1'],
    ['a 64-bit packet load', 'r0 = *(u64 *)skb[12]', 'prog.s:1:8: packet loads (skb[...]) are u8, u16 or u32, not u64'],
    ['negation of another register', 'r1 = -r2', 'prog.s:1:7: negation must name the same register on both sides: r1, found r2'],
    [
      'a fetch into another register',
      'r1 = atomic_fetch_add((u64 *)(r10 - 8), r2)',
      'prog.s:1:41: atomic_fetch_add must name the same register on both sides: r1, found r2',
    ],
    ['cmpxchg into r1', 'r1 = cmpxchg_64(r10 - 8, r1, r2)', 'prog.s:1:1: cmpxchg_64 always writes r0, not r1'],
    ['a 16-bit atomic', 'lock *(u16 *)(r10 - 8) += r1', 'prog.s:1:8: atomic operations are u32 or u64, not u16'],
    ['a 32-bit exchange on r', 'r1 = xchg32_32(r10 - 4, r1)', 'prog.s:1:1: xchg32_32 is 32-bit: write w1, not r1'],
    ['(s32) on 32-bit registers', 'w1 = (s32)w2', 'prog.s:1:7: (s32) needs 64-bit registers: a 32-bit move already is 32 bits'],
    ['a byte swap of another register', 'r1 = be16 r2', 'prog.s:1:11: a byte swap must name the same register on both sides: r1, found r2'],
    ['a pseudo source beyond 6', 'ld_pseudo r1, 7, 0', 'prog.s:1:15: pseudo source 7 is out of range 0..6 (BPF_PSEUDO_*)'],
    [
      'a second section of a listing',
      'Disassembly of section xdp:\nexit\n\nDisassembly of section tc:\nexit',
      "prog.s:4:1: section 'tc' starts here, after section 'xdp': assemble one section at a time",
    ],
    [
      'an annotation that disagrees with the offset',
      'f:\n  goto +1 <f>\n  exit\n  exit',
      'prog.s:2:11: goto lands on slot 2, but its annotation <f> points to slot 0',
    ],
  ])('%s', (_name, have, want) => {
    let err: unknown;
    try {
      assembleLlvm(have, { file: 'prog.s' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IsaError);
    const e = err as IsaError;
    expect(e.message).toBe(want);
    expect(e.code).toBe('bad-asm');
    const [, line, column] = /^prog\.s:(\d+):(\d+): /.exec(want) ?? [];
    expect(e.source).toEqual({ file: 'prog.s', line: Number(line), column: Number(column) });
  });

  it('names <input> when no file is given', () => {
    expect(() => assembleLlvm('exit\nr12 = 1')).toThrow("<input>:2:1: unknown register 'r12': BPF has r0-r10");
  });
});
