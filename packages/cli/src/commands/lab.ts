/**
 * `bpflab lab list` and `bpflab lab check [LAB...]`: the labs the kit ships,
 * and a lab's own regression test for the instructor writing it. `check`
 * grades the lab's reference solution (it must get full marks), its
 * starter (the score the lab says, when it says one) and every wrong
 * variant (exactly its score), and prints a table per lab. Exit code 0
 * when every submission scored as the lab says, 1 otherwise, 2 for a lab
 * that cannot be read.
 */
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { checkLab, prebuildLab, type LabCheck } from '@bpflab/grader';
import { ToolchainError } from '@bpflab/toolchain';
import { CliError, CliExit, EXIT } from '../errors';
import type { Io } from '../io';
import { shownPath } from './test';
import { BUNDLED_LABS_DIR, bundledLabIds, readLab } from '../lab-path';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A lab check in words: one row per submission, and each surprise scenario by scenario (hidden ones too). */
export function formatLabCheck(c: LabCheck): string {
  const out = [`lab ${c.lab}: ${c.title} (${c.maxScore} points)`];
  const width = Math.max(10, ...c.submissions.map((s) => s.file.length));
  out.push(`  ${pad('submission', width)}  expected  got  `);
  for (const s of c.submissions) {
    const expected = s.checked ? String(s.expected) : '-';
    const verdict = !s.checked ? '' : s.ok ? 'ok' : 'WRONG';
    const note = s.role === 'variant' ? `  ${s.why ?? ''}` : s.role === 'solution' ? '  reference solution' : '  starter';
    out.push(`  ${pad(s.file, width)}  ${pad(expected, 8)}  ${pad(String(s.result.score), 4)} ${pad(verdict, 5)}${note}`);
  }
  for (const s of c.submissions.filter((x) => !x.ok)) {
    out.push('', `  ${s.file} scored ${s.result.score}, the lab says ${s.expected}:`);
    if (s.result.problem !== undefined) out.push(`    ${s.result.problem}: ${(s.result.message ?? '').split('\n').join('\n    ')}`);
    for (const sc of s.result.scenarios) {
      out.push(`    ${sc.status === 'passed' ? 'passed ' : sc.status === 'failed' ? 'FAILED ' : 'skipped'} ${sc.points}/${sc.maxPoints}  ${sc.name}${sc.hidden ? ' (hidden)' : ''}${sc.status === 'passed' ? '' : `: ${sc.message}`}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** `bpflab lab check [LAB...] [--json]` */
export async function labCheckCommand(io: Io, labs: readonly string[], opts: { json?: boolean }): Promise<void> {
  const names = labs.length > 0 ? labs : bundledLabIds();
  if (names.length === 0) throw new CliError('bad-input', `no labs to check: name a lab folder (the kit's labs are in ${BUNDLED_LABS_DIR}, which has none)`);
  const loaded = names.map((n) => readLab(n, io.cwd));
  const checks: LabCheck[] = [];
  for (const lab of loaded) {
    const c = await checkLab(lab);
    checks.push(c);
    if (opts.json !== true) io.out(`${formatLabCheck(c)}\n`);
  }
  const subs = checks.flatMap((c) => c.submissions);
  const bad = subs.filter((s) => !s.ok).length;
  if (opts.json === true) io.out(`${JSON.stringify(checks, null, 2)}\n`);
  else io.out(`lab check: ${checks.length} lab${checks.length === 1 ? '' : 's'}, ${subs.length} submissions graded: ${subs.length - bad} scored as the lab says, ${bad} did not\n`);
  if (bad > 0) throw new CliExit(EXIT.programFailed);
}

/** `bpflab lab prebuild [LAB...]` */
export async function labPrebuildCommand(io: Io, labs: readonly string[]): Promise<void> {
  const names = labs.length > 0 ? labs : bundledLabIds();
  for (const lab of names.map((n) => readLab(n, io.cwd))) {
    let r;
    try {
      r = await prebuildLab(lab);
    } catch (e) {
      if (e instanceof ToolchainError) throw new CliError('bad-input', e.message);
      throw e;
    }
    const rel = (f: string): string => shownPath(io.cwd, f);
    io.out(`lab ${lab.id}: ${r.written.length} written, ${r.kept.length} up to date, ${r.removed.length} stale removed, ${r.failed.length} do not compile\n`);
    for (const f of r.written) io.out(`  wrote ${rel(f)}\n`);
    for (const f of r.removed) io.out(`  removed ${rel(f)}\n`);
    for (const f of r.failed) io.out(`  ${rel(f.file)} does not compile (graded as such):\n${f.diagnostics.replace(/^/gm, '    ')}\n`);
  }
}

/** `bpflab lab list` */
export function labListCommand(io: Io): void {
  const ids = bundledLabIds();
  if (ids.length === 0) {
    io.out('(no labs shipped)\n');
    return;
  }
  const labs = ids.map((id) => readLab(join(BUNDLED_LABS_DIR, id), io.cwd));
  const w = Math.max(...labs.map((l) => l.id.length));
  for (const l of labs) {
    const hidden = l.scenarios.filter((s) => s.hidden).length;
    io.out(`${pad(l.id, w)}  ${pad(l.hook, 10)}  ${l.title} (${l.scenarios.length} scenarios${hidden > 0 ? `, ${hidden} hidden` : ''}, ${l.maxScore} points; submit ${l.submission})\n`);
  }
  io.out(`\nlabs folder: ${shownPath(io.cwd, BUNDLED_LABS_DIR)}\n`);
}

const LAB_EXIT_HELP = `
Exit codes:
  0   every submission scored what the lab says
  1   some submission did not (the table shows which scenarios differ)
  2   bad input (no such lab, a broken lab.yaml)
  70  a bug in bpflab (please report it with the input that caused it)`;

/** Adds `bpflab lab` to the command tree. */
export function registerLabCommands(program: Command, io: Io): void {
  const lab = program.command('lab').description("the labs: list the shipped ones, check a lab's solution and wrong variants");
  lab
    .command('list')
    .description('list the labs the kit ships')
    .action(() => labListCommand(io));
  lab
    .command('check')
    .description("a lab's own regression test: its solution must get full marks, each wrong variant exactly its score")
    .argument('[labs...]', "lab folders (or lab.yaml files, or ids of shipped labs); default: every shipped lab")
    .option('--json', 'print the results as JSON')
    .addHelpText('after', LAB_EXIT_HELP)
    .action((labs: string[], opts: { json?: boolean }) => labCheckCommand(io, labs, opts));
  lab
    .command('prebuild')
    .description("compile a lab's own C files (solution, starter, variants) into its prebuilt/ folder, for machines without clang")
    .argument('[labs...]', 'lab folders (or ids of shipped labs); default: every shipped lab')
    .action((labs: string[]) => labPrebuildCommand(io, labs));
}
