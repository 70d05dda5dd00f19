import fc from 'fast-check';
import { decode, encode, IsaError, type Insn } from '../src/index';
import { arbInsn, arbInsnOfKind, arbProgram } from './arbitrary';

const RUNS = 5000;

/**
 * decode either refuses with an IsaError, or gives instructions that encode
 * back to exactly `bytes`. Returns whether it decoded, so that a test can
 * check that both outcomes were exercised.
 */
function decodesExactlyOrRefuses(bytes: Uint8Array): boolean {
  let insns: Insn[];
  try {
    insns = decode(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(IsaError);
    expect((e as IsaError).code).toBe('bad-encoding');
    expect((e as IsaError).byteOffset).toEqual(expect.any(Number));
    return false;
  }
  expect(encode(insns)).toEqual(bytes);
  return true;
}

/** Runs the property and checks that at least `minDecoded` of the inputs decoded and at least one was refused. */
function assertBothOutcomes(arb: fc.Arbitrary<Uint8Array>, numRuns: number, minDecoded: number): void {
  let decoded = 0;
  let refused = 0;
  fc.assert(
    fc.property(arb, (bytes) => {
      if (decodesExactlyOrRefuses(bytes)) decoded++;
      else refused++;
    }),
    { numRuns },
  );
  expect(decoded).toBeGreaterThanOrEqual(minDecoded);
  expect(refused).toBeGreaterThan(0);
}

describe('codec properties', () => {
  it('decode(encode(insn)) = insn for every valid instruction', () => {
    fc.assert(
      fc.property(arbInsn, (insn) => {
        expect(decode(encode([insn]))).toEqual([insn]);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(Object.keys(arbInsnOfKind) as Insn['kind'][])('round trips every %s instruction', (kind) => {
    fc.assert(
      fc.property(arbInsnOfKind[kind] as fc.Arbitrary<Insn>, (insn) => {
        expect(decode(encode([insn]))).toEqual([insn]);
      }),
      { numRuns: 300 },
    );
  });

  it('decode(encode(program)) = program', () => {
    fc.assert(
      fc.property(arbProgram(12), (program) => {
        expect(decode(encode(program))).toEqual(program);
      }),
      { numRuns: 1000 },
    );
  });

  it('random 8-byte words either are refused or re-encode to the same bytes', () => {
    assertBothOutcomes(fc.uint8Array({ minLength: 8, maxLength: 8 }), RUNS, 20);
  });

  it('random words with a plausible opcode either are refused or re-encode to the same bytes', () => {
    // Mostly-valid opcode bytes with small register nibbles reach the decoder's deeper checks.
    const word = fc
      .tuple(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 0, max: 11 }),
        fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 64 })),
        fc.oneof(fc.constant(0), fc.constantFrom(1, 8, 16, 32, 64, 0xe1, 0xf1), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      )
      .map(([opcode, dst, src, off, imm]) => {
        const b = new Uint8Array(8);
        const v = new DataView(b.buffer);
        v.setUint8(0, opcode);
        v.setUint8(1, (src << 4) | dst);
        v.setInt16(2, off, true);
        v.setInt32(4, imm, true);
        return b;
      });
    assertBothOutcomes(word, RUNS, RUNS / 50);
  });

  it('random 16-byte programs starting with lddw either are refused or re-encode to the same bytes', () => {
    // Register nibbles kept small and the second slot's header mostly zero, so that some decode.
    const program = fc
      .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0x7f }), fc.boolean())
      .map(([b, regs, clean]) => {
        const out = Uint8Array.from(b);
        out[0] = 0x18;
        out[1] = regs;
        if (clean) out.fill(0, 2, 4).fill(0, 8, 12);
        return out;
      });
    assertBothOutcomes(program, 2000, 200);
  });
});
