/**
 * Source lines of instructions: a line info record applies from its pc up
 * to the next record, as the kernel's verifier log and llvm-objdump use it.
 */
import type { ProgramSpec, SourceLine } from './spec';

/**
 * The C source line of the instruction at slot `pc` of a linked program:
 * the last line info record at or before `pc`, or `undefined` before the
 * first record (or without line info).
 *
 * @example sourceLineAt(spec.programs[0], 26)?.text // '\t__u64 *count = bpf_map_lookup_elem(&dropped, &key);'
 */
export function sourceLineAt(program: Pick<ProgramSpec, 'lineInfo'>, pc: number): SourceLine | undefined {
  const lines = program.lineInfo;
  let lo = 0;
  let hi = lines.length - 1;
  let found: SourceLine | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = lines[mid]!;
    if (l.pc <= pc) {
      found = l;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
