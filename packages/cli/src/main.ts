import { Command, CommanderError, Option } from 'commander';
import { asmCommand } from './commands/asm';
import { buildCommand } from './commands/build';
import { disasmCommand } from './commands/disasm';
import { registerGenCommand } from './commands/gen';
import { registerGradeCommand } from './commands/grade';
import { registerHooksCommand } from './commands/hooks';
import { btfDumpCommand, inspectCommand } from './commands/inspect';
import { registerLoadCommand } from './commands/load';
import { registerMapCommands } from './commands/map';
import { runCommand } from './commands/run';
import { addRunObjectOptions } from './commands/run-object';
import { registerLabCommands } from './commands/lab';
import { registerSimCommand } from './commands/sim';
import { registerTestCommand } from './commands/test';
import { registerVerifyCommand } from './commands/verify';
import { CliError, CliExit, EXIT } from './errors';
import { processIo, type Io } from './io';

const EXIT_HELP = `
Exit codes:
  0   success
  1   the BPF program failed at run time (memory fault, budget exhausted, call depth)
  2   bad input (unreadable file, bad assembly, bad instruction bytes, C that does not
      compile, clang missing, bad option)
  70  a bug in bpflab (please report it with the input that caused it)`;

const syntaxOption = (what: string): Option =>
  new Option('--syntax <syntax>', what).choices(['llvm', 'conformance']);

/** Builds the `bpflab` command tree, writing through `io`. */
export function buildProgram(io: Io): Command {
  const program = new Command('bpflab')
    .description('an eBPF lab kit: build, verify and run BPF programs on a simulated kernel, and grade labs (bpflab test, bpflab grade)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText('after', EXIT_HELP)
    .exitOverride();

  program
    .command('asm')
    .description('assemble a BPF program into instruction bytes')
    .argument('<file>', 'assembly file (LLVM syntax as llvm-objdump prints it, or the conformance suite syntax)')
    .addOption(syntaxOption('assembly syntax (default: guessed: `%r1` registers mean conformance)'))
    .option('-o, --output <file>', 'write the raw bytes to this file (default: print them as hex, one instruction a line)')
    .addHelpText('after', EXIT_HELP)
    .action((file: string, opts: { syntax?: 'llvm' | 'conformance'; output?: string }) => asmCommand(io, file, opts));

  program
    .command('build')
    .description('compile a C eBPF program with clang (-O2 -g -target bpf) and the kit\'s headers')
    .argument('<file>', 'C source, e.g. prog.bpf.c')
    .option('-o, --output <file>', 'object file to write (default: the source name with .o, e.g. prog.bpf.o)')
    .addOption(new Option('--cpu <cpu>', 'BPF instruction set version (-mcpu)').choices(['v1', 'v2', 'v3', 'v4']))
    .option('-D, --define <name[=value]>', 'define a macro (repeatable)', collect, [])
    .option('-I, --include <dir>', 'add an include directory (repeatable)', collect, [])
    .addHelpText('after', EXIT_HELP)
    .action(
      (
        file: string,
        opts: { output?: string; cpu?: 'v1' | 'v2' | 'v3' | 'v4'; define: string[]; include: string[] },
      ) => buildCommand(io, file, opts),
    );

  program
    .command('disasm')
    .description('disassemble an object file or raw instruction bytes, as llvm-objdump -d prints them')
    .argument('<file>', 'an ELF object (.o), raw instruction bytes (e.g. written by `bpflab asm -o`), or an assembly or .data file')
    .addOption(syntaxOption('output syntax (raw bytes and assembly)').default('llvm'))
    .option('--no-bytes', 'leave out the address and byte columns (raw bytes and assembly)')
    .option('-S, --source', 'show the C source line above its instructions, as llvm-objdump -d -S (objects built with -g)')
    .option('--prog <name>', 'only this program of the object')
    .addHelpText('after', EXIT_HELP)
    .action((file: string, opts: { syntax: 'llvm' | 'conformance'; bytes: boolean; source?: boolean; prog?: string }) =>
      disasmCommand(io, file, opts),
    );

  program
    .command('inspect')
    .description('show what an object file holds: programs, maps, global data, license, relocations, externs')
    .argument('<file>', 'an ELF object file built by clang -target bpf')
    .option('--json', 'print the whole object spec as JSON')
    .addHelpText('after', EXIT_HELP)
    .action((file: string, opts: { json?: boolean }) => inspectCommand(io, file, opts));

  program
    .command('btf')
    .description('BPF Type Format tools')
    .command('dump')
    .description('print the BTF of an object file (or a raw BTF file such as /sys/kernel/btf/vmlinux)')
    .argument('<file>', 'an ELF object file built with -g, or a raw BTF file')
    .addOption(new Option('--format <format>', 'C header or the raw type list (as bpftool btf dump)').choices(['c', 'raw']).default('c'))
    .addHelpText('after', EXIT_HELP)
    .action((file: string, opts: { format: 'c' | 'raw' }) => btfDumpCommand(io, file, opts));

  const run = program
    .command('run')
    .description('run a BPF program once and print r0 (an object\'s program: in a simulated kernel, with its trace lines and map changes)')
    .argument('<file>', 'assembly, a conformance .data file (with its memory), raw instruction bytes, or an object (.o, or .c compiled first)')
    .addOption(syntaxOption('assembly syntax (default: guessed)'))
    .addOption(new Option('--mem <hex>', 'memory given to the program: r1 = its address, r2 = its length').conflicts('memFile'))
    .option('--mem-file <file>', 'read the memory given to the program from a file')
    .option('--trace', 'print every executed instruction with the registers it changed')
    .option('--budget <n>', 'stop the program after this many instructions', (v) => parsePositive(v, '--budget'))
    .addHelpText('after', EXIT_HELP)
    .action(
      (
        file: string,
        opts: { syntax?: 'llvm' | 'conformance'; mem?: string; memFile?: string; trace?: boolean; budget?: number },
      ) => runCommand(io, file, opts),
    );
  addRunObjectOptions(run);

  registerLoadCommand(program, io, EXIT_HELP);
  registerMapCommands(program, io, EXIT_HELP);
  registerGenCommand(program, io, EXIT_HELP);
  registerSimCommand(program, io, EXIT_HELP);
  registerHooksCommand(program, io, EXIT_HELP);
  registerVerifyCommand(program, io);
  registerTestCommand(program, io);
  registerLabCommands(program, io);
  registerGradeCommand(program, io, EXIT_HELP);

  return program;
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

function parsePositive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new CliError('bad-input', `${name} must be a positive integer, got '${v}'`);
  return n;
}

/** Runs `bpflab` with `argv` (as `process.argv`), returning the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (e instanceof CliError) {
      io.err(`bpflab: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof CliExit) return e.exitCode;
    io.err(`bpflab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.internal;
  }
}
