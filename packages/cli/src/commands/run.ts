import { extname } from 'node:path';
import { runProgram, VmError } from '@bpflab/vm';
import { CliError } from '../errors';
import { readInput, readProgram, type Syntax } from '../input';
import type { Io } from '../io';
import { isElf } from '../object-input';
import { refuseObjectOptions, runObjectCommand, type RunObjectOptions } from './run-object';

function parseHex(text: string, what: string): Uint8Array {
  const clean = text.replace(/#[^\n]*/g, '').replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (!/^[0-9a-f]*$/i.test(clean) || clean.length % 2 !== 0) {
    throw new CliError('bad-input', `${what}: expected hex bytes like 'de ad be ef', got '${text.slice(0, 40)}'`);
  }
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/**
 * `bpflab run FILE [--mem HEX | --mem-file F] [--trace] [--budget N]`; an
 * ELF object (or C source, compiled first) goes to `runObjectCommand`.
 */
export async function runCommand(
  io: Io,
  file: string,
  opts: { syntax?: Syntax; mem?: string; memFile?: string; trace?: boolean; budget?: number } & RunObjectOptions,
): Promise<void> {
  if (extname(file).toLowerCase() === '.c' || isElf(readInput(file, io.cwd))) {
    await runObjectCommand(io, file, opts);
    return;
  }
  refuseObjectOptions(opts);
  const input = readProgram(file, io.cwd, opts.syntax);
  let mem = input.mem;
  if (opts.mem !== undefined) mem = parseHex(opts.mem, '--mem');
  if (opts.memFile !== undefined) mem = readInput(opts.memFile, io.cwd);
  try {
    const result = runProgram(input.insns, {
      mem,
      budget: opts.budget,
      trace: opts.trace === true ? (line: string) => io.out(`${line}\n`) : undefined,
    });
    const r0 = result.r0;
    const signed = BigInt.asIntN(64, r0);
    const dec = signed < 0n ? `${r0} = ${signed}` : `${r0}`;
    io.out(`r0 = 0x${r0.toString(16)} (${dec})\n`);
    io.out(`executed ${result.executed} instructions\n`);
    if (input.expected !== undefined && input.expected !== r0) {
      io.err(`note: ${file} expects r0 = 0x${input.expected.toString(16)}\n`);
    }
  } catch (e) {
    if (e instanceof VmError) throw new CliError('program-failed', `${file}: ${e.message}`);
    throw e;
  }
}
