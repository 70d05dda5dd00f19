/**
 * Property tests: the interpreter's arithmetic on 32-bit halves against the
 * naive bigint model of tests/reference.ts, for random and edge operands.
 */
import fc from 'fast-check';
import type { AluOp, AtomicOp, Insn, JumpOp, Reg } from '@bpflab/isa';
import { AddressSpace, Interpreter } from '../src/index';
import { aluRef, bswapRef, jumpRef, s32, u32, u64 } from './reference';

const memory = new AddressSpace();

/** Runs `insns` with r1.. = args; returns r0 and the other registers. */
function exec(insns: readonly Insn[], args: readonly bigint[] = []): bigint[] {
  const vm = new Interpreter(insns, { memory });
  try {
    vm.run({ args });
    return vm.registers();
  } finally {
    vm.dispose();
  }
}

const EDGES = [
  0n,
  1n,
  2n,
  3n,
  31n,
  32n,
  33n,
  63n,
  64n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x1ffffffffn,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xfffffffffffffffen,
  0xffffffffffffffffn,
  0xffffffff80000000n,
  0xffffffff7fffffffn,
];
const word = fc.oneof(
  fc.constantFrom(...EDGES),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 0n, max: 0xffffffffn }),
  fc.bigInt({ min: -(2n ** 31n), max: 2n ** 31n - 1n }).map(u64),
  fc.bigInt({ min: -64n, max: 64n }).map(u64),
);
const imm32 = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 31, 32, 63, 64, 0x7fffffff, -0x80000000, -2),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
);
const hex = (v: bigint): string => `0x${v.toString(16)}`;

const ALU_OPS: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh'];
const WIDTHS: readonly [string, boolean][] = [
  ['64', true],
  ['32', false],
];
const aluCases = ALU_OPS.flatMap((op) => WIDTHS.map(([w, wide]) => [`${op}${w}`, op, wide] as const));

const mov0 = (src: Reg): Insn => ({ kind: 'alu', op: 'mov', wide: true, dst: 0, src: { reg: src } });
const EXIT: Insn = { kind: 'exit' };

describe('ALU against the bigint model', () => {
  it.each(aluCases)('%s with a register operand', (_name, op, wide) => {
    const vm = new Interpreter([{ kind: 'alu', op, wide, dst: 1, src: { reg: 2 } }, mov0(1), EXIT], { memory });
    try {
      fc.assert(
        fc.property(word, word, (a, b) => {
          const have = vm.run({ args: [a, b] }).r0;
          const want = aluRef(op, wide, a, b);
          if (have !== want) throw new Error(`${hex(a)} ${op} ${hex(b)}: have ${hex(have)}, want ${hex(want)}`);
        }),
      );
    } finally {
      vm.dispose();
    }
  });

  it.each(aluCases)('%s with an immediate operand', (_name, op, wide) => {
    fc.assert(
      fc.property(word, imm32, (a, imm) => {
        const [have] = exec([{ kind: 'alu', op, wide, dst: 1, src: { imm } }, mov0(1), EXIT], [a]);
        const want = aluRef(op, wide, a, u64(BigInt(imm)));
        if (have !== want) throw new Error(`${hex(a)} ${op} imm ${imm}: have ${hex(have!)}, want ${hex(want)}`);
      }),
    );
  });

  it.each(aluCases)('%s with the same register on both sides', (_name, op, wide) => {
    const vm = new Interpreter([{ kind: 'alu', op, wide, dst: 3, src: { reg: 3 } }, mov0(3), EXIT], { memory });
    try {
      fc.assert(
        fc.property(word, (a) => {
          const have = vm.run({ args: [0n, 0n, a] }).r0;
          const want = aluRef(op, wide, a, a);
          if (have !== want) throw new Error(`r3 = ${hex(a)}; r3 ${op}= r3: have ${hex(have)}, want ${hex(want)}`);
        }),
      );
    } finally {
      vm.dispose();
    }
  });

  it.each(WIDTHS)('neg%s', (_w, wide) => {
    const vm = new Interpreter([{ kind: 'neg', wide, dst: 1 }, mov0(1), EXIT], { memory });
    try {
      fc.assert(
        fc.property(word, (a) => {
          const have = vm.run({ args: [a] }).r0;
          expect(hex(have)).toBe(hex(wide ? u64(-a) : u32(-a)));
        }),
      );
    } finally {
      vm.dispose();
    }
  });

  it.each([
    [true, 8],
    [true, 16],
    [true, 32],
    [false, 8],
    [false, 16],
  ] as const)('movsx wide=%s from %i bits', (wide, bits) => {
    const vm = new Interpreter([{ kind: 'movsx', wide, bits, dst: 0, src: 1 }, EXIT], { memory });
    try {
      fc.assert(
        fc.property(word, (a) => {
          const v = BigInt.asIntN(bits, a);
          expect(hex(vm.run({ args: [a] }).r0)).toBe(hex(wide ? u64(v) : u32(v)));
        }),
      );
    } finally {
      vm.dispose();
    }
  });

  it.each([
    ['le', 16],
    ['le', 32],
    ['le', 64],
    ['be', 16],
    ['be', 32],
    ['be', 64],
    ['swap', 16],
    ['swap', 32],
    ['swap', 64],
  ] as const)('%s%i', (order, bits) => {
    const vm = new Interpreter([{ kind: 'endian', order, bits, dst: 1 }, mov0(1), EXIT], { memory });
    try {
      fc.assert(
        fc.property(word, (a) => {
          const want = order === 'le' ? BigInt.asUintN(bits, a) : bswapRef(a, bits);
          expect(hex(vm.run({ args: [a] }).r0)).toBe(hex(want));
        }),
      );
    } finally {
      vm.dispose();
    }
  });
});

const JUMP_OPS: readonly JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const jumpCases = JUMP_OPS.flatMap((op) => WIDTHS.map(([w, wide]) => [`${op}${w === '32' ? '32' : ''}`, op, wide] as const));

/** r0 = 1 when the jump at pc 0 is taken, else 0. */
const jumpProgram = (jump: Insn): Insn[] => [
  jump,
  { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 0 } },
  EXIT,
  { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 1 } },
  EXIT,
];

describe('conditional jumps against the bigint model', () => {
  it.each(jumpCases)('%s with a register operand', (_name, op, wide) => {
    const vm = new Interpreter(jumpProgram({ kind: 'jump', op, wide, dst: 1, src: { reg: 2 }, off: 2 }), { memory });
    try {
      fc.assert(
        fc.property(word, word, (a, b) => {
          const taken = vm.run({ args: [a, b] }).r0 === 1n;
          if (taken !== jumpRef(op, wide, a, b)) throw new Error(`${op} ${hex(a)}, ${hex(b)}: taken=${taken}`);
        }),
      );
    } finally {
      vm.dispose();
    }
  });

  it.each(jumpCases)('%s with an immediate operand', (_name, op, wide) => {
    fc.assert(
      fc.property(word, imm32, (a, imm) => {
        const [r0] = exec(jumpProgram({ kind: 'jump', op, wide, dst: 1, src: { imm }, off: 2 }), [a]);
        const want = jumpRef(op, wide, a, u64(BigInt(imm)));
        if ((r0 === 1n) !== want) throw new Error(`${op} ${hex(a)}, imm ${imm}: taken=${r0 === 1n}, want ${want}`);
      }),
    );
  });
});

describe('loads and stores against a byte model', () => {
  const SIZES = [1, 2, 4, 8] as const;
  it.each(SIZES.flatMap((size) => [false, true].filter((s) => !(s && size === 8)).map((signed) => [size, signed] as const)))(
    'a %i-byte load (signed=%s) at every offset of a stored u64',
    (size, signed) => {
      fc.assert(
        fc.property(word, fc.integer({ min: 0, max: 8 - size }), (v, at) => {
          const [r0] = exec(
            [
              { kind: 'store', size: 8, base: 10, off: -8, src: { reg: 1 } },
              { kind: 'load', size, signed, dst: 0, base: 10, off: -8 + at },
              EXIT,
            ],
            [v],
          );
          const bits = BigInt(size * 8);
          const raw = (v >> BigInt(at * 8)) & ((1n << bits) - 1n);
          expect(hex(r0!)).toBe(hex(signed ? u64(BigInt.asIntN(size * 8, raw)) : raw));
        }),
      );
    },
  );

  it.each(SIZES)('a %i-byte store of a register and of an immediate writes only its bytes', (size) => {
    fc.assert(
      fc.property(word, word, imm32, (background, v, imm) => {
        const mask = (1n << BigInt(size * 8)) - 1n;
        const [r0, r1] = exec(
          [
            { kind: 'store', size: 8, base: 10, off: -8, src: { reg: 1 } },
            { kind: 'store', size: 8, base: 10, off: -16, src: { reg: 1 } },
            { kind: 'store', size, base: 10, off: -8, src: { reg: 2 } },
            { kind: 'store', size, base: 10, off: -16, src: { imm } },
            { kind: 'load', size: 8, signed: false, dst: 0, base: 10, off: -8 },
            { kind: 'load', size: 8, signed: false, dst: 1, base: 10, off: -16 },
            EXIT,
          ],
          [background, v],
        );
        expect(hex(r0!)).toBe(hex((background & ~mask) | (v & mask)));
        expect(hex(r1!)).toBe(hex((background & ~mask) | (u64(BigInt(imm)) & mask)));
      }),
    );
  });
});

describe('atomics against the bigint model', () => {
  const cases: [string, AtomicOp, boolean, 4 | 8][] = [];
  for (const size of [4, 8] as const) {
    for (const op of ['add', 'or', 'and', 'xor'] as const) {
      cases.push([`${op}${size * 8}`, op, false, size], [`fetch_${op}${size * 8}`, op, true, size]);
    }
    cases.push([`xchg${size * 8}`, 'xchg', true, size], [`cmpxchg${size * 8}`, 'cmpxchg', true, size]);
  }

  it.each(cases)('%s', (_name, op, fetch, size) => {
    const arb = fc.tuple(word, word, word, fc.boolean());
    fc.assert(
      fc.property(arb, ([mem, src, r0, sameAsMem]) => {
        // For cmpxchg, half of the cases make r0 equal to memory so the exchange happens.
        const expected = op === 'cmpxchg' && sameAsMem ? (size === 8 ? mem : (r0 & ~0xffffffffn) | u32(mem)) : r0;
        const regs = exec(
          [
            { kind: 'store', size: 8, base: 10, off: -8, src: { reg: 1 } },
            { kind: 'alu', op: 'mov', wide: true, dst: 0, src: { reg: 3 } },
            { kind: 'atomic', op, fetch, size, base: 10, off: -8, src: 2 },
            { kind: 'load', size: 8, signed: false, dst: 4, base: 10, off: -8 },
            EXIT,
          ],
          [mem, src, expected],
        );
        const width = size === 8 ? 64 : 32;
        const old = BigInt.asUintN(width, mem);
        const s = BigInt.asUintN(width, src);
        const fresh =
          op === 'add'
            ? BigInt.asUintN(width, old + s)
            : op === 'or'
              ? old | s
              : op === 'and'
                ? old & s
                : op === 'xor'
                  ? old ^ s
                  : op === 'xchg'
                    ? s
                    : BigInt.asUintN(width, expected) === old
                      ? s
                      : old;
        const memAfter = size === 8 ? fresh : (mem & ~0xffffffffn) | fresh;
        expect(hex(regs[4]!)).toBe(hex(memAfter));
        if (op === 'cmpxchg') {
          expect(hex(regs[0]!)).toBe(hex(old));
          expect(hex(regs[2]!)).toBe(hex(src));
        } else {
          expect(hex(regs[0]!)).toBe(hex(expected));
          expect(hex(regs[2]!)).toBe(hex(fetch ? old : src));
        }
      }),
    );
  });
});

describe('the bigint model itself, on RFC 9669 corner cases', () => {
  it.each([
    ['div by zero is 0', aluRef('div', true, 7n, 0n), 0n],
    ['mod by zero leaves dst', aluRef('mod', true, 7n, 0n), 7n],
    ['32-bit mod by zero truncates dst', aluRef('mod', false, 0x100000007n, 0n), 7n],
    ['INT64_MIN s/ -1', aluRef('sdiv', true, 1n << 63n, u64(-1n)), 1n << 63n],
    ['INT64_MIN s% -1', aluRef('smod', true, 1n << 63n, u64(-1n)), 0n],
    ['INT32_MIN s/ -1 (32-bit)', aluRef('sdiv', false, 0x80000000n, 0xffffffffn), 0x80000000n],
    ['-7 s% 2 keeps the dividend sign', aluRef('smod', true, u64(-7n), 2n), u64(-1n)],
    ['shift counts are masked', aluRef('lsh', true, 1n, 65n), 2n],
    ['32-bit shift counts are masked', aluRef('lsh', false, 1n, 33n), 2n],
    ['s32 helper', s32(0xffffffffn), -1n],
  ])('%s', (_name, have, want) => {
    expect(have).toBe(want);
  });
});
