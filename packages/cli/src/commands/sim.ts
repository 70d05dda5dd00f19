/**
 * `bpflab sim FILE.(c|o) STEPS.yaml [--json] [--pcap-out F]`: loads the
 * object into a fresh simulated kernel with every shipped hook plugin,
 * attaches each program by its section (as a libbpf skeleton's attach
 * does), runs the scenario's steps, and prints what happened: each step's
 * observations, the plugins' summaries (syscall counts...), the trace pipe,
 * and the maps at the end (per-CPU maps summed, and per CPU). The kernel's
 * loader runs the verifier: a rejected program never runs (exit code 1, its
 * log and the explained error on stderr); programs of a type the verifier
 * cannot check (LSM...) load "not verified", which the report says.
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  KernelError,
  type AttachOutcome,
  type BpfObject,
  type HookRegistry,
  type HookSummaryInfo,
  type StepResult,
} from '@bpflab/kernel';
import { pcapPacketSteps, XdpError } from '@bpflab/hooks-xdp';
import { attachRequests, dumpMap, showJson, type SimMapDump } from '@bpflab/grader';
import { CliError } from '../errors';
import { readInput } from '../input';
import type { Io } from '../io';
import { createCliKernel, loadFailure, notVerifiedNotes, objectBytes, VERIFIER_EXIT_NOTE } from '../kernel-session';
import { objectFromBytes } from '../object-input';
import { formatPos, readScenarioFile, type ScenarioFile } from '../scenario-file';
import { shippedHookRegistry } from '../shipped-hooks';

/** Options of `bpflab sim`. */
export interface SimOptions {
  /** print one JSON document instead of text */
  readonly json?: boolean;
  /** write the packets the plugins captured as a pcap file */
  readonly pcapOut?: string;
  /** deliver the frames of this pcap file, after the scenario's steps */
  readonly pcapIn?: string;
  /** the interface the `pcapIn` frames arrive on (default eth0) */
  readonly pcapDev?: string;
  /** verify as a loader without CAP_BPF / CAP_PERFMON */
  readonly unprivileged?: boolean;
}

export type { SimJson, SimMapDump, SimMapEntry } from '@bpflab/grader';
export { dumpMap, toJson } from '@bpflab/grader';

/** What `bpflab sim --json` prints. */
export interface SimReport {
  readonly object: string;
  readonly scenario: string;
  readonly cpus: number;
  readonly attached: readonly AttachOutcome[];
  readonly steps: readonly (StepResult & { readonly index: number; readonly line: number })[];
  readonly summaries: readonly HookSummaryInfo[];
  readonly trace_pipe: readonly string[];
  readonly maps: readonly SimMapDump[];
  /** programs loaded without verification (a type the verifier cannot check), each with why */
  readonly not_verified?: readonly string[];
}

function attachProblems(io: Io, file: string, scenario: ScenarioFile, obj: BpfObject, registry: HookRegistry, outcomes: readonly AttachOutcome[]): void {
  for (const o of outcomes) {
    switch (o.kind) {
      case 'attached':
      case 'not-loaded':
        break;
      case 'no-hook':
        io.err(`bpflab: warning: ${file}: program ${o.program}: ${o.reason}; it will not run\n`);
        break;
      case 'manual': {
        const type = obj.program(o.program).type;
        const example = registry.points().find((p) => p.hook === o.hook && p.progType === type)?.name ?? '<target>';
        throw new CliError('bad-input', `${file}: program ${o.program}: ${o.reason}: name its target in ${scenario.file}, e.g.\n  attach:\n    ${o.program}: ${example}`);
      }
      case 'failed': {
        const key = scenario.attach[o.program] !== undefined ? o.program : scenario.attach[o.section] !== undefined ? o.section : undefined;
        const where = key !== undefined ? `${scenario.file}: attach.${key}` : `${file}: program ${o.program} (SEC("${o.section}"))`;
        throw new CliError('bad-input', `${where}: cannot attach: ${o.message}`);
      }
    }
  }
}

function runSteps(scenario: ScenarioFile, run: (step: Readonly<Record<string, unknown>>) => StepResult): SimReport['steps'] {
  return scenario.steps.map((step, i) => {
    const pos = scenario.stepPositions[i];
    try {
      return { index: i, line: pos?.line ?? 0, ...run(step) };
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      const where = `${formatPos(scenario.file, pos)}: steps[${i}] (${scenario.stepKinds[i] ?? 'step'})`;
      if (e.code === 'run-fault' || e.code === 'recursion') throw new CliError('program-failed', `${where}: ${e.message}`);
      throw new CliError('bad-input', `${where}: ${e.message}`);
    }
  });
}

/** The frames of `--pcap-in`, each delivered as a `packet` step after the scenario's own steps. */
function runPcapSteps(
  io: Io,
  opts: SimOptions,
  first: number,
  run: (step: Readonly<Record<string, unknown>>) => StepResult,
): SimReport['steps'] {
  if (opts.pcapIn === undefined) return [];
  const bytes = new Uint8Array(readInput(opts.pcapIn, io.cwd));
  let steps;
  try {
    steps = pcapPacketSteps(bytes, { dev: opts.pcapDev ?? 'eth0' });
  } catch (e) {
    if (e instanceof XdpError) throw new CliError('bad-input', `${opts.pcapIn}: ${e.message}`);
    throw e;
  }
  return steps.map((step, k) => {
    try {
      return { index: first + k, line: 0, ...run(step as unknown as Readonly<Record<string, unknown>>), name: `${opts.pcapIn} frame ${k + 1}` };
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      const where = `${opts.pcapIn}: frame ${k + 1}`;
      if (e.code === 'run-fault' || e.code === 'recursion') throw new CliError('program-failed', `${where}: ${e.message}`);
      throw new CliError('bad-input', `${where}: ${e.message}`);
    }
  });
}

function indent(lines: readonly string[], by = '  '): string[] {
  return lines.map((l) => `${by}${l}`);
}

/** The report in words. */
export function formatSimReport(r: SimReport): string {
  const out: string[] = [];
  out.push(`${r.object} in a simulated kernel with ${r.cpus} CPU${r.cpus === 1 ? '' : 's'}, scenario ${r.scenario}`);
  out.push('', 'attached:');
  for (const a of r.attached) {
    if (a.kind === 'attached') out.push(`  ${a.program}: SEC("${a.section}") -> ${a.hook} ${a.point}`);
    else if (a.kind === 'not-loaded') out.push(`  ${a.program}: SEC("${a.section}") not loaded (autoload off)`);
    else if (a.kind === 'no-hook') out.push(`  ${a.program}: SEC("${a.section}") not attached: ${a.reason}`);
  }
  out.push('', 'steps:');
  for (const s of r.steps) {
    out.push(`  [${s.index + 1}] line ${s.line}: ${s.kind}${s.name === undefined ? '' : ` (${s.name})`}`);
    out.push(...indent(s.text, '      '));
  }
  for (const s of r.summaries) out.push('', `${s.title}:`, ...indent(s.text));
  if (r.not_verified !== undefined) out.push('', 'not verified:', ...indent(r.not_verified));
  out.push('', `trace pipe (${r.trace_pipe.length} line${r.trace_pipe.length === 1 ? '' : 's'}):`, ...r.trace_pipe);
  out.push('', 'maps:');
  if (r.maps.length === 0) out.push('  (none)');
  for (const m of r.maps) {
    const n = m.entries.length;
    out.push(`  ${m.name} (${m.type}${m.note === undefined ? `, ${n} entr${n === 1 ? 'y' : 'ies'}` : ''})${m.note === undefined ? ':' : `: ${m.note}`}`);
    for (const e of m.entries) {
      if (e.values !== undefined) {
        const per = e.values.map((v, c) => `cpu${c} ${showJson(v)}`).join(', ');
        out.push(`    ${showJson(e.key)}: ${e.total === undefined ? '' : `${showJson(e.total)} `}(${per})`);
      } else {
        out.push(`    ${showJson(e.key)}: ${showJson(e.value ?? null)}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/** `bpflab sim FILE STEPS [--json] [--pcap-out F] [--pcap-in F [--pcap-dev DEV]]` */
export async function simCommand(io: Io, file: string, stepsFile: string, opts: SimOptions): Promise<void> {
  const registry = shippedHookRegistry();
  const scenario = readScenarioFile(stepsFile, io.cwd, registry);
  const { bytes, name } = await objectBytes(io, file);
  const spec = objectFromBytes(name, bytes);
  const { kernel, host, reports } = createCliKernel({ cpus: scenario.cpus ?? 2 }, { unprivileged: opts.unprivileged === true }, registry);
  const obj: BpfObject = kernel.openObject(spec);
  const loaded = obj.load();
  if (!loaded.ok) throw loadFailure(io, file, loaded, reports);
  const { requests, unknown } = attachRequests(obj.programs(), scenario.attach);
  if (unknown.length > 0) {
    const programs = obj.programs().map((p) => `${p.name} (SEC("${p.section}"))`).join(', ');
    throw new CliError('bad-input', `${scenario.file}: attach: ${unknown.map((k) => `'${k}'`).join(', ')} names no program and no section of ${file} (programs: ${programs || 'none'})`);
  }
  let outcomes: readonly AttachOutcome[];
  try {
    outcomes = host.attachObject(obj, requests);
  } catch (e) {
    if (e instanceof KernelError) throw new CliError('bad-input', `${scenario.file}: ${e.message}`);
    throw e;
  }
  attachProblems(io, file, scenario, obj, registry, outcomes);
  const unchecked = notVerifiedNotes(obj);
  const steps = [...runSteps(scenario, (s) => host.runStep(s)), ...runPcapSteps(io, opts, scenario.steps.length, (s) => host.runStep(s))];
  const report: SimReport = {
    object: obj.name,
    scenario: stepsFile,
    cpus: kernel.cpus,
    attached: outcomes,
    steps,
    summaries: host.summaries(),
    trace_pipe: kernel.tracePipe().readLines().map((l) => (l.endsWith('\n') ? l.slice(0, -1) : l)),
    // constants (.rodata, .kconfig) are left out: nothing changes them
    maps: obj.maps().filter((m) => m.spec.kind !== 'rodata' && m.spec.kind !== 'kconfig').map((m) => dumpMap(m, kernel.cpus)),
    ...(unchecked.length === 0 ? {} : { not_verified: unchecked }),
  };
  if (opts.pcapOut !== undefined) {
    if (!host.artifactKinds().includes('pcap')) {
      throw new CliError('bad-input', `--pcap-out: none of the shipped hook plugins (${registry.plugins().map((p) => p.name).join(', ')}) writes pcap files`);
    }
    const art = host.artifact('pcap');
    if (art === undefined) io.err(`bpflab: --pcap-out: no packets were captured; ${opts.pcapOut} not written\n`);
    else {
      try {
        writeFileSync(resolve(io.cwd, opts.pcapOut), art.bytes);
      } catch (e) {
        throw new CliError('bad-input', `${opts.pcapOut}: cannot write: ${(e as Error).message}`);
      }
    }
  }
  io.out(opts.json === true ? `${JSON.stringify(report, jsonReplacer, 2)}\n` : formatSimReport(report));
}

/** bigints (a cookie...) as decimal strings. */
function jsonReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Adds `bpflab sim` to the command tree. */
export function registerSimCommand(program: Command, io: Io, exitHelp: string): void {
  program
    .command('sim')
    .description('run a scenario: load an object into a simulated kernel, attach its programs by section, run the steps, print what happened')
    .argument('<file>', 'an object (.o) built by clang -target bpf, or C (.c) compiled first')
    .argument('<steps>', 'the scenario: YAML (or JSON) with steps (and optionally cpus, attach); see docs/cli.md')
    .option('--json', 'print one JSON document: attachments, every step\'s observations, summaries, trace pipe, maps')
    .option('--pcap-out <file>', 'write the frames that passed, were transmitted or redirected as a pcap file (Wireshark opens it)')
    .option('--pcap-in <file>', 'deliver the frames of a pcap capture (Ethernet), after the scenario\'s steps')
    .option('--pcap-dev <name>', 'the interface the --pcap-in frames arrive on (default eth0)')
    .option('--unprivileged', 'verify as a loader without CAP_BPF / CAP_PERFMON (default: as root)')
    .addHelpText('after', `${exitHelp}\n${VERIFIER_EXIT_NOTE}`)
    .action((file: string, steps: string, opts: SimOptions) => simCommand(io, file, steps, opts));
}
