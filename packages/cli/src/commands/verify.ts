/**
 * `bpflab verify FILE.(c|o) [--prog NAME] [--log-level 1|2] [--unprivileged]`:
 * loads an object into a fresh simulated kernel whose loader runs the
 * verifier (`@bpflab/verifier` through the kernel's verification seam, with
 * the shipped hook plugins' context layouts), as `bpftool -d prog loadall`
 * would on Linux, and prints for each program the verdict and the
 * kernel-style verifier log; for a rejection, the explained error follows:
 * the C source line of the failing instruction, what went wrong, and a hint.
 *
 * Exit codes: 0 every program was accepted (or bpflab cannot verify its
 * type, which the output says), 1 the verifier rejected a program, 2 bad
 * input (unreadable file, C that does not compile, a load the kernel
 * refuses before verification, no such program).
 */
import type { Command } from 'commander';
import { createKernelVerifier, Kernel, KernelError, type KernelVerifierReport } from '@bpflab/kernel';
import { CliError } from '../errors';
import type { Io } from '../io';
import { DEFAULT_CLI_CPUS, errnoWords, objectBytes } from '../kernel-session';
import { objectFromBytes } from '../object-input';
import { shippedHookRegistry } from '../shipped-hooks';

/** Options of `bpflab verify`. */
export interface VerifyCommandOptions {
  readonly prog?: string;
  /** `--log-level`: 1 the failing path (default), 2 every path with states */
  readonly logLevel?: 1 | 2;
  /** `--unprivileged`: the rules for loaders without CAP_BPF / CAP_PERFMON */
  readonly unprivileged?: boolean;
}

/** One program's verdict in words: `accepted`, `rejected` or `not verified`. */
function verdictWord(r: KernelVerifierReport): 'accepted' | 'rejected' | 'not verified' {
  if (r.verdict.verified === false) return 'not verified';
  return r.verdict.ok ? 'accepted' : 'rejected';
}

/** How the verifier knew the program type: `xdp, built-in description` or `tracepoint, from hook plugin tracepoint`. */
function describedBy(r: KernelVerifierReport): string {
  const l = r.verdict.lookup;
  if (l.kind === 'none') return l.reason;
  return l.source === 'hook' ? `context from hook plugin ${l.hook}` : "the verifier's built-in description";
}

/** The text printed for one program. */
export function formatVerifyReport(r: KernelVerifierReport): string {
  const word = verdictWord(r);
  const log = r.verdict.log.endsWith('\n') ? r.verdict.log : `${r.verdict.log}\n`;
  let out = `${r.program}: ${word} (program type ${r.progType.toLowerCase()}; ${describedBy(r)})\n`;
  if (word === 'not verified') return `${out}${log}`;
  out += `--- verifier log ---\n${log}--- end of log ---\n`;
  const e = r.verdict.explanation;
  if (e !== undefined) out += `${e.text}\n`;
  return out;
}

/** `bpflab verify FILE [--prog NAME] [--log-level 1|2] [--unprivileged]` */
export async function verifyCommand(io: Io, file: string, opts: VerifyCommandOptions): Promise<void> {
  const { bytes, name } = await objectBytes(io, file);
  const spec = objectFromBytes(name, bytes);
  const reports: KernelVerifierReport[] = [];
  const registry = shippedHookRegistry();
  let kernel: Kernel;
  try {
    kernel = new Kernel({
      cpus: DEFAULT_CLI_CPUS,
      verifier: createKernelVerifier({
        registry,
        privileged: opts.unprivileged !== true,
        logLevel: opts.logLevel ?? 1,
        onVerdict: (r) => reports.push(r),
      }),
    });
  } catch (e) {
    if (e instanceof KernelError) throw new CliError('bad-input', e.message);
    throw e;
  }
  registry.install(kernel);
  const object = kernel.openObject(spec);
  const programs = object.programs();
  if (opts.prog !== undefined) {
    if (!programs.some((p) => p.name === opts.prog)) {
      throw new CliError('bad-input', `${file}: no program ${opts.prog} (programs: ${programs.map((p) => p.name).join(', ') || 'none'})`);
    }
    for (const p of programs) p.setAutoload(p.name === opts.prog);
  }
  if (!programs.some((p) => p.autoload)) throw new CliError('bad-input', `${file}: no program to verify`);
  const r = object.load();
  for (const report of reports) io.out(formatVerifyReport(report));
  if (r.ok) return;
  if (r.reason === 'verifier') {
    throw new CliError('program-failed', `${file}: program ${r.program ?? '?'} was rejected by the verifier: ${errnoWords(r.errno)}`);
  }
  if (r.log !== undefined && r.log.trim() !== '' && !reports.some((x) => x.verdict.log === r.log)) io.err(r.log.endsWith('\n') ? r.log : `${r.log}\n`);
  throw new CliError('bad-input', `${file}: ${r.message}`);
}

const VERIFY_EXIT_HELP = `
Exit codes:
  0   every program was accepted (or bpflab has no verifier description of its type: it says so)
  1   the verifier rejected a program (its log and an explanation are printed)
  2   bad input (unreadable file, C that does not compile, a load the kernel refuses
      before verification, no such program, bad option)
  70  a bug in bpflab (please report it with the input that caused it)`;

function logLevelOption(value: string): 1 | 2 {
  if (value === '1' || value === '2') return Number(value) as 1 | 2;
  throw new CliError('bad-input', `--log-level must be 1 or 2, got '${value}'`);
}

/** Adds `bpflab verify` to `program`. */
export function registerVerifyCommand(program: Command, io: Io): void {
  program
    .command('verify')
    .description('verify the programs of an object as the Linux verifier does: verdict, verifier log, and the explained error')
    .argument('<file>', 'an object file (.o), or C source (.c) compiled first')
    .option('--prog <name>', 'only this program of the object')
    .option('--log-level <level>', 'verifier log level: 1 the failing path (default), 2 every path with states', logLevelOption)
    .option('--unprivileged', 'load without CAP_BPF / CAP_PERFMON (no loops, no pointer leaks, ...)')
    .addHelpText('after', VERIFY_EXIT_HELP)
    .action((file: string, opts: VerifyCommandOptions) => verifyCommand(io, file, opts));
}
