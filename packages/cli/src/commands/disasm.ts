import { disassembleConformance, disassembleLlvm, formatLlvmListing } from '@bpflab/isa';
import { readInput, readProgram, type Syntax } from '../input';
import type { Io } from '../io';
import { isElf } from '../object-input';
import { disasmObject } from './inspect';

/** `bpflab disasm FILE [--syntax S] [--no-bytes] [--source] [--prog NAME]` */
export function disasmCommand(
  io: Io,
  file: string,
  opts: { syntax: Syntax; bytes: boolean; source?: boolean; prog?: string },
): void {
  if (isElf(readInput(file, io.cwd))) {
    disasmObject(io, file, opts);
    return;
  }
  const { insns, labels } = readProgram(file, io.cwd);
  if (opts.syntax === 'conformance') {
    io.out(disassembleConformance(insns));
  } else if (!opts.bytes) {
    for (const line of disassembleLlvm(insns, { labels: labels ?? new Map() })) io.out(`${line}\n`);
  } else {
    // llvm-objdump's layout; the "section" of a raw program is its file.
    io.out(`${formatLlvmListing([{ name: file, code: insns, labels: labels ?? new Map() }]).replace(/^\n/, '')}\n`);
  }
}
