import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encode } from '@bpflab/isa';
import { CliError } from '../errors';
import { readProgram, type Syntax } from '../input';
import type { Io } from '../io';

/** `bpflab asm FILE [--syntax S] [-o OUT]` */
export function asmCommand(io: Io, file: string, opts: { syntax?: Syntax; output?: string }): void {
  const { insns } = readProgram(file, io.cwd, opts.syntax);
  const bytes = encode(insns);
  if (opts.output !== undefined) {
    try {
      writeFileSync(resolve(io.cwd, opts.output), bytes);
    } catch (e) {
      throw new CliError('bad-input', `${opts.output}: cannot write: ${(e as Error).message}`);
    }
    io.err(`${file}: ${bytes.length / 8} slots, ${bytes.length} bytes written to ${opts.output}\n`);
    return;
  }
  for (let at = 0; at < bytes.length; at += 8) {
    io.out(`${Array.from(bytes.subarray(at, at + 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}\n`);
  }
}
