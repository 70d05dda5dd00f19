/**
 * `bpflab verify FILE.(c|o) [--prog NAME] [--log-level 1|2] [--unprivileged]
 * [--states] [--states-html FILE]`:
 * loads an object into a fresh simulated kernel whose loader runs the
 * verifier (`@bpflab/verifier` through the kernel's verification seam, with
 * the shipped hook plugins' context layouts), as `bpftool -d prog loadall`
 * would on Linux, and prints for each program the verdict and the
 * kernel-style verifier log; for a rejection, the explained error follows:
 * the C source line of the failing instruction, what went wrong, and a hint.
 * `--states` adds, between the log and the explanation, the register and
 * stack state the verifier had at each instruction it processed, path by
 * path; `--states-html FILE` writes them as a page for a browser.
 *
 * Exit codes: 0 every program was accepted (or bpflab cannot verify its
 * type, which the output says), 1 the verifier rejected a program, 2 bad
 * input (unreadable file, C that does not compile, a load the kernel
 * refuses before verification, no such program).
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelVerifierReport } from '@bpflab/kernel';
import { formatStateTrace, renderStatesHtml, type StatesPage } from '@bpflab/verifier';
import { CliError } from '../errors';
import type { Io } from '../io';
import {
  createCliKernel,
  DEFAULT_CLI_CPUS,
  errnoWords,
  formatVerifyReport,
  loadFailure,
  objectBytes,
  verdictWord,
  withObjectNames,
} from '../kernel-session';
import { objectFromBytes } from '../object-input';

export { formatVerifyReport } from '../kernel-session';

/** Options of `bpflab verify`. */
export interface VerifyCommandOptions {
  readonly prog?: string;
  /** `--log-level`: 1 the failing path (default), 2 every path with states */
  readonly logLevel?: 1 | 2;
  /** `--unprivileged`: the rules for loaders without CAP_BPF / CAP_PERFMON */
  readonly unprivileged?: boolean;
  /** `--states`: print the register and stack state at each processed instruction, per path */
  readonly states?: boolean;
  /** `--states-html FILE`: write the states as an HTML page */
  readonly statesHtml?: string;
}

/** The states of a verified program as text, or '' when none were recorded. */
function statesText(r: KernelVerifierReport): string {
  const trace = r.verdict.result?.states;
  return trace === undefined ? '' : formatStateTrace(trace);
}

/** The HTML page of the programs' states. */
function statesPages(reports: readonly KernelVerifierReport[]): StatesPage[] {
  return reports.flatMap((r): StatesPage[] => {
    const trace = r.verdict.result?.states;
    if (trace === undefined) return [];
    const e = r.verdict.explanation;
    return [{ program: r.program, verdict: `${verdictWord(r)} (program type ${r.progType.toLowerCase()})`, ok: r.verdict.ok, trace, ...(e === undefined ? {} : { explanation: e }) }];
  });
}

function writeStatesHtml(io: Io, file: string, name: string, reports: readonly KernelVerifierReport[]): void {
  const pages = statesPages(reports);
  if (pages.length === 0) {
    io.err(`bpflab: --states-html: no program was verified (bpflab has no verifier description of their types); ${file} not written\n`);
    return;
  }
  try {
    writeFileSync(resolve(io.cwd, file), renderStatesHtml(pages, { title: name }));
  } catch (e) {
    throw new CliError('bad-input', `--states-html ${file}: cannot write: ${(e as Error).message}`);
  }
}

/** `bpflab verify FILE [--prog NAME] [--log-level 1|2] [--unprivileged] [--states] [--states-html FILE]` */
export async function verifyCommand(io: Io, file: string, opts: VerifyCommandOptions): Promise<void> {
  const { bytes, name } = await objectBytes(io, file);
  const spec = objectFromBytes(name, bytes);
  const { kernel, reports } = createCliKernel(
    { cpus: DEFAULT_CLI_CPUS },
    { unprivileged: opts.unprivileged === true, logLevel: opts.logLevel ?? 1, states: opts.states === true || opts.statesHtml !== undefined },
  );
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
  const named = withObjectNames(reports, object);
  for (const report of named) io.out(formatVerifyReport(report, opts.states === true ? statesText(report) : ''));
  if (opts.statesHtml !== undefined) writeStatesHtml(io, opts.statesHtml, file, named);
  if (r.ok) return;
  if (r.reason === 'verifier') {
    throw new CliError('program-failed', `${file}: program ${r.program ?? '?'} was rejected by the verifier: ${errnoWords(r.errno)}`);
  }
  // the reports are on stdout already: only a log they do not hold goes to stderr
  throw loadFailure(io, file, r, reports);
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
    .option('--states', 'also print the registers and stack at each processed instruction, path by path')
    .option('--states-html <file>', 'write those states as an HTML page to open in a browser (hover over an instruction to see them)')
    .addHelpText('after', VERIFY_EXIT_HELP)
    .action((file: string, opts: VerifyCommandOptions) => verifyCommand(io, file, opts));
}
