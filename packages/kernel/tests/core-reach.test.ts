// Which instructions can run, following constants through registers: how
// the loader tells a poisoned CO-RE instruction in dead code from one the
// program reaches when no verifier is installed.
import { assembleLlvm } from '@bpflab/isa';
import { reachableSlots } from '../src/internal/core-reach';

/** Slots that start an instruction but cannot run. */
function deadStarts(asm: string, entries: readonly number[] = []): number[] {
  const insns = assembleLlvm(asm);
  const live = reachableSlots(insns, entries);
  const starts: number[] = [];
  let pc = 0;
  for (const insn of insns) {
    starts.push(pc);
    pc += insn.kind === 'lddw' ? 2 : 1;
  }
  return starts.filter((s) => !live.has(s));
}

describe('reachableSlots', () => {
  it.each<[string, string, readonly number[], readonly number[]]>([
    ['a relocated existence check of 0 guards dead code', 'r1 = 0\nif r1 == 0 goto +1\ncall 195896080\nexit', [], [2]],
    ['an existence check of 1 does not', 'r1 = 1\nif r1 == 0 goto +1\ncall 195896080\nexit', [], []],
    ['a loaded value may go both ways', 'r1 = *(u32 *)(r1 + 0)\nif r1 == 0 goto +1\nr0 = 1\nexit', [], []],
    ['32-bit arithmetic is followed', 'w2 = 3\nw2 += 2\nif w2 != 5 goto +1\nexit\nr0 = 0\nexit', [], [4, 5]],
    ['a helper call clobbers r1-r5', 'r1 = 0\ncall 5\nif r1 == 0 goto +1\nr0 = 1\nexit', [], []],
    ['and keeps r6-r9', 'r6 = 0\ncall 5\nif r6 != 0 goto +1\nexit\nr0 = 1\nexit', [], [4, 5]],
    ['paths that agree keep the constant', 'r1 = *(u64 *)(r1 + 0)\nr2 = 1\nif r1 == 0 goto +1\nr2 = 1\nif r2 == 3 goto +1\nexit\nr0 = 1\nexit', [], [6, 7]],
    ['paths that disagree lose it', 'r1 = *(u64 *)(r1 + 0)\nr2 = 1\nif r1 == 0 goto +1\nr2 = 2\nif r2 == 3 goto +1\nexit\nr0 = 1\nexit', [], []],
    ['a 64-bit constant and a shift', 'r1 = 4294967296 ll\nr1 >>= 32\nif r1 != 1 goto +1\nexit\ncall 195896080\nexit', [], [5, 6]],
    ['signed 32-bit comparisons', 'w1 = -1\nif w1 s< 0 goto +1\nexit\nexit', [], [2]],
    ['bit tests', 'r1 = 6\nif r1 & 1 goto +1\nexit\nexit', [], [3]],
    ['code after an exit is dead', 'exit\nr0 = 0\nexit', [], [1, 2]],
    ['unless a function starts there', 'exit\nr0 = 0\nexit', [1], []],
  ])('%s', (_what, asm, entries, want) => {
    expect(deadStarts(asm, entries)).toEqual(want);
  });
});
