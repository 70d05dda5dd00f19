/**
 * `bpflab gen vmlinux [-o FILE]`: the simulated kernel's `vmlinux.h`, the
 * header `bpftool btf dump file /sys/kernel/btf/vmlinux format c` makes
 * from a real kernel.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { generateVmlinuxH } from '@bpflab/toolchain';
import { CliError } from '../errors';
import type { Io } from '../io';

/** `bpflab gen vmlinux [-o FILE]` */
export function genVmlinuxCommand(io: Io, opts: { readonly output?: string }): void {
  const text = generateVmlinuxH();
  if (opts.output === undefined) {
    io.out(text);
    return;
  }
  try {
    writeFileSync(resolve(io.cwd, opts.output), text);
  } catch (e) {
    throw new CliError('bad-input', `${opts.output}: cannot write: ${(e as Error).message}`);
  }
  io.err(`vmlinux.h of the simulated kernel written to ${opts.output} (${Buffer.byteLength(text)} bytes)\n`);
}

/** Adds `bpflab gen vmlinux` to `program`. */
export function registerGenCommand(program: Command, io: Io, exitHelp: string): void {
  program
    .command('gen')
    .description('generate files from the simulated kernel')
    .addHelpText('after', exitHelp)
    .command('vmlinux')
    .description("write the simulated kernel's vmlinux.h (its BTF as C, as bpftool btf dump ... format c prints a kernel's)")
    .option('-o, --output <file>', 'write to this file (default: standard output)')
    .addHelpText('after', exitHelp)
    .action((opts: { output?: string }) => genVmlinuxCommand(io, opts));
}
