// Subprogram rules that depend on BTF function info, beyond the fixtures
// (subprog/*-btf.s, loaded with BTF by the kernel oracle): the `btf` option
// and line info (clang -g writes both) both count as BTF, the 16-byte
// rounding of the frames below a tail call, and private stacks turned off
// by a tail call. Verdicts follow the kernel's check_max_stack_depth_subprog
// and check_abnormal_return.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleLlvm } from '@bpflab/isa';
import { TEST_PROG_TYPE, TRACEPOINT, verify, type LineInfo, type ProgramTypeDescription } from '../src/index';
import { readFixture } from './support/fixture-file';

const FIXTURES = fileURLToPath(new URL('./fixtures/subprog', import.meta.url));
const fixtureAsm = (file: string): string => readFixture(join(FIXTURES, file), file).asm;
const PROG_ARRAY = { type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 };

/** main spills at fp-`depth`, then calls a subprogram that tail-calls (the no-BTF fixture, with another depth). */
const tailCallFromSubprog = (depth: number): string => fixtureAsm('_error_/tail-call-in-subprog-no-btf.s').replace('(r10 - 264)', `(r10 - ${depth})`);

type Btf = 'none' | 'option' | 'line info';

function run(asm: string, btf: Btf, type: ProgramTypeDescription = TEST_PROG_TYPE) {
  const insns = assembleLlvm(asm);
  const lineInfo: (LineInfo | undefined)[] | undefined = btf === 'line info' ? insns.map((_, i) => ({ line: `line ${i}`, lineNumber: i + 1 })) : undefined;
  return verify({ insns, license: 'GPL', ...(lineInfo ? { lineInfo } : {}) }, type, { maps: [PROG_ARRAY], btf: btf === 'option' });
}

describe('tail calls from subprograms', () => {
  it.each([
    { name: 'no BTF', depth: 8, btf: 'none' as const, want: 'tail_call is not allowed in subprogs without BTF', processed: 0 },
    { name: 'BTF from line info, 264 bytes below (272 rounded)', depth: 264, btf: 'line info' as const, want: 'tail_calls are not allowed when call stack of previous frames is 272 bytes. Too large', processed: 13 },
    { name: 'BTF option, 248 bytes below (256 rounded)', depth: 248, btf: 'option' as const, want: 'tail_calls are not allowed when call stack of previous frames is 256 bytes. Too large', processed: 13 },
    { name: 'BTF option, 240 bytes below', depth: 240, btf: 'option' as const, want: undefined, processed: 13 },
  ])('$name', ({ depth, btf, want, processed }) => {
    const have = run(tailCallFromSubprog(depth), btf);
    expect({ error: have.errors[0]?.message, processed: have.stats.processed }).toEqual({ error: want, processed });
  });

  it('a tail call in the main program turns private stacks off: the frames add up again', () => {
    // private-stack-tracepoint.s is accepted; with a tail call first it is not
    const asm = `ld_pseudo r2, 1, 0\nr3 = 0\ncall 12\n${fixtureAsm('private-stack-tracepoint.s')}`;
    expect(run(asm, 'none', TRACEPOINT).errors[0]?.message).toBe('combined stack size of 2 calls is 544. Too large');
  });
});
