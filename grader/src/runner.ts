/**
 * Grading one submission against a lab, in this process:
 *
 * build (C through the toolchain, or the object handed in) → read the ELF
 * object → load it once with the verifier (the verdicts every scenario
 * shares) → for each scenario a fresh simulated kernel: load, attach by
 * section, setup steps, steps (each observation checked against the step's
 * `expect`), then the end checks (verifier, trace pipe, maps, summaries,
 * budgets) → a result per scenario with points, a message, the
 * differences and a hint.
 *
 * A submission that is missing, not ELF, does not compile, does not load
 * or is rejected by the verifier gets the explained message and zero for
 * every scenario that needs it; it never makes this function throw. The
 * per-event instruction budget is enforced here; wall-clock and memory
 * limits belong to the worker that calls this (see the batch pool).
 *
 * ```ts
 * const result = await gradeSubmission(loadLab('labs/xdp-firewall'), 'submissions/alice');
 * result.score; result.scenarios[0].message;
 * ```
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  createKernelVerifier,
  Kernel,
  KernelError,
  NOT_VERIFIED_LOG,
  type AttachOutcome,
  type BpfObject,
  type HookHost,
  type HookRegistry,
  type KernelVerifierReport,
  type ObjectLoadResult,
  type StepResult,
  type Verifier,
} from '@bpflab/kernel';
import { ObjectError, readObject, type ObjectSpec } from '@bpflab/object';
import { compile, formatDiagnostics, ToolchainError } from '@bpflab/toolchain';
import { attachRequests } from './attach';
import { escapeText, showValue, subsetDifferences } from './match';
import { dumpMap, lookupMapEntry, type SimMapDump, type SimMapEntry } from './observe';
import { prebuiltObject } from './prebuilt';
import { shippedHookRegistry } from './shipped-hooks';
import type { Difference, Expectation, Lab, LabStep, Scenario, ScenarioResult, SubmissionProblem, SubmissionResult } from './types';

/** Options of {@link gradeSubmission}. */
export interface GradeOptions {
  /** the student's name in the result (default: the submission's file or folder name, without extension) */
  readonly student?: string;
  /** where a relative submission path starts (default the process's cwd) */
  readonly cwd?: string;
  /** the hook plugins (default the shipped ones) */
  readonly registry?: HookRegistry;
}

/** The submission file of a path, or why there is none. */
export type SubmissionFile = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly message: string };

const SOURCE_EXT = new Set(['.c', '.o']);

/**
 * The file to grade: the path itself when it is a file; in a folder, the
 * lab's submission file name, else its only `.c` or `.o` file.
 */
export function resolveSubmissionFile(lab: Lab, path: string, cwd = process.cwd()): SubmissionFile {
  const full = resolve(cwd, path);
  let st;
  try {
    st = statSync(full);
  } catch {
    return { ok: false, message: `${path}: no such file or folder` };
  }
  if (st.isFile()) return { ok: true, file: full };
  if (!st.isDirectory()) return { ok: false, message: `${path}: not a file or folder` };
  const names = readdirSync(full).sort();
  if (names.includes(lab.submission)) return { ok: true, file: resolve(full, lab.submission) };
  const candidates = names.filter((n) => SOURCE_EXT.has(extname(n)) && statSync(resolve(full, n)).isFile());
  if (candidates.length === 1) return { ok: true, file: resolve(full, candidates[0]!) };
  if (candidates.length === 0) return { ok: false, message: `${path}: no ${lab.submission} in this folder (and no other .c or .o file to grade)` };
  return { ok: false, message: `${path}: no ${lab.submission} in this folder, and several files could be it (${candidates.join(', ')}): name yours ${lab.submission}` };
}

/** A student's name from a submission path: the folder name, or the file name without its extensions. */
export function studentName(path: string): string {
  const b = basename(resolve(path));
  return b.replace(/(\.bpf)?\.(c|o)$/, '');
}

type Built = { readonly ok: true; readonly spec: ObjectSpec } | { readonly ok: false; readonly problem: SubmissionProblem; readonly message: string };

async function build(lab: Lab, path: string, cwd: string): Promise<Built> {
  const found = resolveSubmissionFile(lab, path, cwd);
  if (!found.ok) return { ok: false, problem: 'bad-submission', message: found.message };
  const file = found.file;
  const shown = basename(file);
  const ext = extname(file).toLowerCase();
  let bytes: Uint8Array;
  if (ext === '.c') {
    let r;
    try {
      r = await compile(file, { cwd: dirname(file) });
    } catch (e) {
      if (!(e instanceof ToolchainError)) throw e;
      // without clang, the lab's own files (solution, variants) have prebuilt objects
      const prebuilt = e.code === 'clang-missing' ? prebuiltOf(lab, file) : undefined;
      if (prebuilt === undefined) return { ok: false, problem: 'build-failed', message: `${shown}: ${e.message}` };
      r = { ok: true as const, object: prebuilt, diagnostics: [] };
    }
    if (!r.ok) {
      const diags = formatDiagnostics(r.diagnostics, { color: false }).trimEnd();
      return { ok: false, problem: 'build-failed', message: `${shown} does not compile:\n${diags}` };
    }
    bytes = r.object;
  } else {
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (e) {
      return { ok: false, problem: 'bad-submission', message: `${shown}: cannot read: ${(e as Error).message}` };
    }
    if (!(bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46)) {
      const what = ext === '.o' ? 'is not an ELF object file' : `is neither C source (.c) nor an ELF object (.o)`;
      return { ok: false, problem: 'bad-submission', message: `${shown} ${what}: hand in ${lab.submission}${lab.submission.endsWith('.c') ? ' (C source, built by the grader)' : " (built with 'bpflab build')"}` };
    }
  }
  try {
    return { ok: true, spec: readObject(bytes, { name: ext === '.c' ? shown.replace(/\.c$/, '.o') : shown }) };
  } catch (e) {
    if (e instanceof ObjectError) return { ok: false, problem: 'bad-submission', message: `${shown}: ${e.message}` };
    throw e;
  }
}

function prebuiltOf(lab: Lab, file: string): Uint8Array | undefined {
  try {
    return prebuiltObject(lab, file, readFileSync(file));
  } catch {
    return undefined;
  }
}

/** A verifier that asks `inner` once per program of the submission and answers later kernels from memory. */
function rememberingVerifier(inner: Verifier): Verifier {
  const seen = new Map<string, ReturnType<Verifier>>();
  return (program, progType, maps) => {
    const key = `${program.name}\0${progType.name}\0${program.expectedAttachType ?? ''}\0${program.insns.length}`;
    let v = seen.get(key);
    if (v === undefined) {
      v = inner(program, progType, maps);
      seen.set(key, v);
    }
    return v;
  };
}

/** The verifier's rejection, for a student: the program, the kernel's log tail, the explanation. */
function rejectionText(r: KernelVerifierReport): string {
  const e = r.verdict.explanation;
  const lines = r.verdict.log.trimEnd().split('\n');
  const tail = lines.slice(-6).join('\n');
  return `program ${r.program} was rejected by the verifier (Linux would refuse to load it too):\n${e?.text.trimEnd() ?? tail}`;
}

interface LoadOutcome {
  readonly reports: readonly KernelVerifierReport[];
  readonly result: ObjectLoadResult;
  readonly verifier: Verifier;
}

function firstLoad(lab: Lab, spec: ObjectSpec, registry: HookRegistry): LoadOutcome {
  const reports: KernelVerifierReport[] = [];
  const verifier = rememberingVerifier(createKernelVerifier({ registry, privileged: lab.privileged, logLevel: 1, onVerdict: (r) => reports.push(r) }));
  const kernel = new Kernel({ cpus: 2, verifier });
  registry.install(kernel);
  const result = kernel.openObject(spec).load();
  return { reports, result, verifier };
}

function loadProblem(load: LoadOutcome): { problem: SubmissionProblem; message: string } | undefined {
  const r = load.result;
  if (r.ok) return undefined;
  if (r.reason === 'verifier') {
    const report = load.reports.find((x) => x.program === r.program && !x.verdict.ok);
    return { problem: 'rejected', message: report === undefined ? `program ${r.program ?? '?'} was rejected by the verifier:\n${r.log ?? ''}` : rejectionText(report) };
  }
  const log = r.log !== undefined && r.log.trim() !== '' && r.log !== NOT_VERIFIED_LOG ? `\n${r.log.trimEnd()}` : '';
  return { problem: 'load-failed', message: `the kernel refused to load the object: ${r.message}${log}` };
}

/** One failed check: its differences and hint. */
interface Failure {
  readonly differences: readonly Difference[];
  readonly hint: string | undefined;
  /** a message that says more than the differences (a fault, a missing map) */
  readonly message?: string;
}

function stepLabel(list: 'setup' | 'steps', i: number, s: LabStep): string {
  const name = s.step.name;
  return `${list}[${i}] (${s.kind}${typeof name === 'string' ? `: ${name}` : ''})`;
}

/** Where a scenario stopped early, and why. */
class ScenarioStop extends Error {}

function attachFailures(outcomes: readonly AttachOutcome[]): { failures: Failure[]; notes: string[] } {
  const failures: Failure[] = [];
  const notes: string[] = [];
  for (const o of outcomes) {
    if (o.kind === 'failed') failures.push({ differences: [], hint: undefined, message: `program ${o.program} (SEC("${o.section}")) cannot attach: ${o.message}` });
    else if (o.kind === 'manual') failures.push({ differences: [], hint: undefined, message: `program ${o.program}: ${o.reason} (the lab must name its target under attach:)` });
    else if (o.kind === 'no-hook') notes.push(`program ${o.program} (SEC("${o.section}")) was not attached anywhere: ${o.reason}`);
  }
  return { failures, notes };
}

function runStep(host: HookHost, s: LabStep, label: string): StepResult {
  try {
    return host.runStep(s.step);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    // the budget is the lab's, not an option the student can change
    const message = e.message.replace(/ ?\(an endless loop\?[^)]*\)/, " (the lab's limit per event: an endless loop, or a loop too long?)");
    throw new ScenarioStop(`${label}: ${message}`);
  }
}

function traceFailure(e: Extract<Expectation, { kind: 'trace' }>, lines: readonly string[]): Failure | undefined {
  const hint = e.hint;
  const shown = (ls: readonly string[]): string => (ls.length === 0 ? '(no lines)' : ls.map((l) => `"${escapeText(l)}"`).join(', '));
  if (e.lines !== undefined || e.match !== undefined) {
    const want = e.lines ?? e.match!;
    const ok = (i: number): boolean => (e.lines !== undefined ? lines[i] === want[i] : new RegExp(want[i]!).test(lines[i] ?? ''));
    const kind = e.lines !== undefined ? 'line' : 'line matching';
    for (let i = 0; i < Math.max(want.length, lines.length); i++) {
      if (i >= want.length) return { hint, differences: [{ where: `trace pipe line ${i + 1}`, expected: '(no more lines)', actual: `"${escapeText(lines[i]!)}" (${lines.length} lines in all)` }] };
      if (i >= lines.length) return { hint, differences: [{ where: `trace pipe line ${i + 1}`, expected: `a ${kind} "${escapeText(want[i]!)}"`, actual: `(no line: the trace pipe has ${lines.length})` }] };
      if (!ok(i)) return { hint, differences: [{ where: `trace pipe line ${i + 1}`, expected: `${e.lines !== undefined ? '' : 'a line matching '}"${escapeText(want[i]!)}"`, actual: `"${escapeText(lines[i]!)}"` }] };
    }
    return undefined;
  }
  const n = lines.filter((l) => l.includes(e.contains!)).length;
  if (e.count === undefined ? n > 0 : n === e.count) return undefined;
  return {
    hint,
    differences: [
      {
        where: `trace pipe lines containing "${escapeText(e.contains!)}"`,
        expected: e.count === undefined ? 'at least 1' : String(e.count),
        actual: `${n}${n === 0 ? ` (the trace pipe has ${lines.length} line${lines.length === 1 ? '' : 's'}${lines.length > 0 ? `: ${shown(lines.slice(0, 3))}${lines.length > 3 ? ', ...' : ''}` : ''})` : ''}`,
      },
    ],
  };
}

function entryValue(entry: SimMapEntry, percpu: boolean, want: 'value' | 'total'): unknown {
  if (want === 'total') return percpu ? entry.total : entry.value;
  return percpu ? entry.values : entry.value;
}

function mapFailure(
  e: Extract<Expectation, { kind: 'map' }>,
  dump: SimMapDump | undefined,
  names: readonly string[],
  lookup: (key: unknown) => SimMapEntry | undefined,
): Failure | undefined {
  const hint = e.hint;
  const where = `map ${e.map}`;
  if (dump === undefined) return { hint, differences: [], message: `${where}: your object has no map named ${e.map} (its maps: ${names.join(', ') || 'none'})` };
  if (dump.note !== undefined) return { hint, differences: [], message: `${where}: ${dump.note}` };
  // listed elements first; then a lookup by key (an array's all-zero elements are not listed)
  const find = (key: unknown): SimMapEntry | undefined => dump.entries.find((x) => subsetDifferences(key, x.key, '').length === 0) ?? lookup(key);
  if (e.entries !== undefined) {
    const differences: Difference[] = [];
    for (const want of e.entries) {
      const got = find(want.key);
      const kind = want.total !== undefined ? 'total' : 'value';
      const expected = want.total ?? want.value;
      if (got === undefined) differences.push({ where: `${where} key ${showValue(want.key)}`, expected: expected === undefined ? 'present' : showValue(expected), actual: '(no such element)' });
      else if (expected !== undefined) differences.push(...subsetDifferences(expected, entryValue(got, dump.percpu, kind), `${where} key ${showValue(want.key)}${kind === 'total' ? ' (sum over CPUs)' : ''}`));
    }
    for (const got of dump.entries) {
      if (!e.entries.some((w) => subsetDifferences(w.key, got.key, '').length === 0)) {
        differences.push({ where: `${where} key ${showValue(got.key)}`, expected: '(no such element)', actual: showValue(dump.percpu ? got.total ?? got.values : got.value) });
      }
    }
    return differences.length === 0 ? undefined : { hint, differences };
  }
  const got = find(e.key);
  const at = `${where} key ${showValue(e.key)}`;
  if (e.absent === true) return got === undefined ? undefined : { hint, differences: [{ where: at, expected: '(no such element)', actual: showValue(dump.percpu ? got.total ?? got.values : got.value) }] };
  const kind = e.total !== undefined ? 'total' : 'value';
  const expected = e.total ?? e.value;
  if (got === undefined) return { hint, differences: [{ where: at, expected: showValue(expected), actual: `(no such element; the map has ${dump.entries.length})` }] };
  const differences = subsetDifferences(expected, entryValue(got, dump.percpu, kind), `${at}${kind === 'total' && dump.percpu ? ' (sum over CPUs)' : ''}`);
  return differences.length === 0 ? undefined : { hint, differences };
}

function verifierFailure(e: Extract<Expectation, { kind: 'verifier' }>, load: LoadOutcome): Failure | undefined {
  const hint = e.hint;
  const reports = load.reports.filter((r) => e.program === undefined || r.program === e.program);
  if (e.program !== undefined && reports.length === 0) {
    const r = load.result;
    // the load stopped before this program, or the object has no such program
    const rejectedOther = !r.ok && r.reason === 'verifier' ? `; the verifier stopped at program ${r.program ?? '?'}` : '';
    return { hint, differences: [], message: `the verifier never saw a program named ${e.program}${rejectedOther}` };
  }
  const rejected = reports.find((r) => !r.verdict.ok);
  if (e.verdict === 'accept') {
    if (rejected !== undefined) return { hint, differences: [{ where: `verifier verdict on ${rejected.program}`, expected: 'accepted', actual: 'rejected' }], message: rejectionText(rejected) };
    if (!load.result.ok) return { hint, differences: [], message: loadProblem(load)?.message ?? 'the object did not load' };
    return undefined;
  }
  if (rejected === undefined) return { hint, differences: [{ where: `verifier verdict${e.program === undefined ? '' : ` on ${e.program}`}`, expected: 'rejected', actual: load.result.ok || load.result.reason !== 'verifier' ? 'accepted' : 'not verified' }] };
  if (e.message !== undefined) {
    const text = `${rejected.verdict.log}\n${rejected.verdict.explanation?.text ?? ''}`;
    if (!new RegExp(e.message).test(text)) {
      const last = rejected.verdict.explanation?.error ?? rejected.verdict.log.trimEnd().split('\n').slice(-2)[0] ?? '';
      return { hint, differences: [{ where: `verifier error of ${rejected.program}`, expected: `a message matching /${e.message}/`, actual: `"${escapeText(last)}"` }] };
    }
  }
  return undefined;
}

function runScenario(lab: Lab, sc: Scenario, spec: ObjectSpec, load: LoadOutcome, registry: HookRegistry): { failures: Failure[]; notes: string[]; checks: number } {
  let maxExecuted = 0;
  const kernel = new Kernel({
    cpus: sc.cpus,
    verifier: load.verifier,
    budget: lab.limits.insnsPerEvent,
    onRun: (r) => {
      if (r.executed > maxExecuted) maxExecuted = r.executed;
    },
  });
  const host = registry.install(kernel);
  const obj: BpfObject = kernel.openObject(spec);
  const loaded = obj.load();
  if (!loaded.ok) return { failures: [{ differences: [], hint: sc.hint, message: `the object did not load: ${loaded.message}` }], notes: [], checks: 1 };
  // by program name, else by section: the lab cannot know what a student named the function
  const targets = Object.fromEntries(Object.entries(sc.attach).map(([k, target]) => [k, { target }]));
  const { requests } = attachRequests(obj.programs(), targets);
  const { failures, notes } = attachFailures(host.attachObject(obj, requests));
  if (failures.length > 0) return { failures, notes, checks: 1 };
  let checks = 0;
  try {
    sc.setup.forEach((s, i) => runStep(host, s, stepLabel('setup', i, s)));
    sc.steps.forEach((s, i) => {
      const label = stepLabel('steps', i, s);
      const result = runStep(host, s, label);
      if (s.expect === undefined) return;
      checks++;
      const differences = subsetDifferences(s.expect, result.observation, label);
      if (differences.length > 0) failures.push({ differences, hint: s.hint });
    });
  } catch (e) {
    if (!(e instanceof ScenarioStop)) throw e;
    failures.push({ differences: [], hint: sc.hint, message: e.message });
    return { failures, notes, checks: checks + 1 };
  }
  const trace = kernel.tracePipe().readLines().map((l) => (l.endsWith('\n') ? l.slice(0, -1) : l));
  const maps = obj.maps();
  for (const e of sc.expect) {
    checks++;
    let f: Failure | undefined;
    switch (e.kind) {
      case 'verifier':
        f = verifierFailure(e, load);
        break;
      case 'trace':
        f = traceFailure(e, trace);
        break;
      case 'map': {
        const m = maps.find((x) => x.name === e.map);
        f = mapFailure(
          e,
          m === undefined ? undefined : dumpMap(m, kernel.cpus),
          maps.filter((x) => x.spec.kind !== 'rodata' && x.spec.kind !== 'kconfig').map((x) => x.name),
          (key) => (m === undefined ? undefined : lookupMapEntry(m, key, kernel.cpus)),
        );
        break;
      }
      case 'summary': {
        const s = host.summaries().find((x) => x.hook === e.hook);
        f = s === undefined ? { hint: e.hint, differences: [], message: `hook ${e.hook} gave no summary` } : failureOf(subsetDifferences(e.data, s.data, `${e.hook} summary`), e.hint);
        break;
      }
      case 'budget': {
        const differences: Difference[] = [];
        if (e.insnsPerEvent !== undefined && maxExecuted > e.insnsPerEvent) {
          differences.push({ where: 'instructions executed by one program run', expected: `at most ${e.insnsPerEvent}`, actual: String(maxExecuted) });
        }
        if (e.programInsns !== undefined) {
          for (const p of obj.programs()) {
            if (!p.autoload) continue;
            const n = p.loaded.insns.length;
            if (n > e.programInsns) differences.push({ where: `size of program ${p.name}`, expected: `at most ${e.programInsns} instructions`, actual: `${n} instructions` });
          }
        }
        f = failureOf(differences, e.hint);
        break;
      }
    }
    if (f !== undefined) failures.push(f);
  }
  return { failures, notes, checks };
}

function failureOf(differences: Difference[], hint: string | undefined): Failure | undefined {
  return differences.length === 0 ? undefined : { differences, hint };
}

function scenarioResult(sc: Scenario, status: ScenarioResult['status'], message: string, started: number, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    name: sc.name,
    status,
    points: status === 'passed' ? sc.points : 0,
    maxPoints: sc.points,
    hidden: sc.hidden,
    visibility: sc.visibility,
    message,
    differences: [],
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    ...extra,
  };
}

/** The first line of a failure, for the scenario's message. */
function failureLine(f: Failure): string {
  if (f.message !== undefined) return f.message.split('\n')[0]!;
  const d = f.differences[0]!;
  return `${d.where}: expected ${d.expected}, got ${d.actual}`;
}

/** Scenarios in an order where each comes after those it depends on (lab order otherwise). */
function dependencyOrder(scenarios: readonly Scenario[]): Scenario[] {
  const by = new Map(scenarios.map((s) => [s.name, s]));
  const out: Scenario[] = [];
  const placed = new Set<string>();
  const place = (s: Scenario): void => {
    if (placed.has(s.name)) return;
    placed.add(s.name);
    for (const d of s.dependsOn) {
      const dep = by.get(d);
      if (dep !== undefined) place(dep);
    }
    out.push(s);
  };
  scenarios.forEach(place);
  return out;
}

/** A submission built and loaded once, or why it cannot run (with the verifier's verdicts when it got that far). */
type Ready =
  | { readonly ok: true; readonly spec: ObjectSpec; readonly load: LoadOutcome }
  | { readonly ok: false; readonly problem: SubmissionProblem; readonly message: string; readonly load?: LoadOutcome };

async function prepare(lab: Lab, submission: string, cwd: string, registry: HookRegistry): Promise<Ready> {
  const built = await build(lab, submission, cwd);
  if (!built.ok) return built;
  const load = firstLoad(lab, built.spec, registry);
  const problem = loadProblem(load);
  return problem === undefined ? { ok: true, spec: built.spec, load } : { ok: false, ...problem, load };
}

/**
 * Grades one submission (a file, or a student's folder) against `lab`.
 * Never throws for anything the submission does; a bpflab bug shows as
 * problem `internal` with the error.
 */
export async function gradeSubmission(lab: Lab, submission: string, options: GradeOptions = {}): Promise<SubmissionResult> {
  const started = performance.now();
  const registry = options.registry ?? shippedHookRegistry();
  const student = options.student ?? studentName(submission);
  const finish = (scenarios: readonly ScenarioResult[], problem?: { problem: SubmissionProblem; message: string }): SubmissionResult => ({
    lab: lab.id,
    student,
    submission,
    score: scenarios.reduce((a, s) => a + s.points, 0),
    maxScore: lab.maxScore,
    gradable: problem === undefined || problem.problem === 'timeout' || problem.problem === 'memory',
    ...(problem === undefined ? {} : { problem: problem.problem, message: problem.message }),
    scenarios,
    durationMs: Math.round(performance.now() - started),
  });
  let ready: Ready;
  try {
    ready = await prepare(lab, submission, options.cwd ?? process.cwd(), registry);
  } catch (e) {
    const message = `bpflab failed while building or loading this submission (a bug in bpflab; please report it with the submission): ${(e as Error).stack ?? String(e)}`;
    return finish(lab.scenarios.map((sc) => scenarioResult(sc, 'failed', 'not graded: bpflab failed (see the submission message)', performance.now())), { problem: 'internal', message });
  }
  const results = new Map<string, ScenarioResult>();
  for (const sc of dependencyOrder(lab.scenarios)) {
    const t0 = performance.now();
    const blocked = sc.dependsOn.find((d) => results.get(d)?.status !== 'passed');
    if (blocked !== undefined) {
      results.set(sc.name, scenarioResult(sc, 'skipped', `skipped: it depends on "${blocked}", which did not pass`, t0));
      continue;
    }
    const load = ready.load;
    if (!sc.needsLoad && load !== undefined) {
      // only verifier checks: they hold whatever the verdict was
      const failures = sc.expect.map((e) => (e.kind === 'verifier' ? verifierFailure(e, load) : undefined)).filter((f): f is Failure => f !== undefined);
      results.set(sc.name, judged(sc, failures, [], sc.expect.length, t0));
      continue;
    }
    if (!ready.ok) {
      results.set(sc.name, scenarioResult(sc, 'failed', problemLine(ready.problem), t0, { output: ready.message }));
      continue;
    }
    try {
      const r = runScenario(lab, sc, ready.spec, ready.load, registry);
      results.set(sc.name, judged(sc, r.failures, r.notes, r.checks, t0));
    } catch (e) {
      const message = `bpflab failed while running this scenario (a bug in bpflab; please report it with the submission): ${(e as Error).message}`;
      results.set(sc.name, scenarioResult(sc, 'failed', message, t0, { output: (e as Error).stack ?? String(e) }));
    }
  }
  const problem = ready.ok ? undefined : { problem: ready.problem, message: ready.message };
  return finish(
    lab.scenarios.map((sc) => results.get(sc.name)!),
    problem,
  );
}

function problemLine(p: SubmissionProblem): string {
  switch (p) {
    case 'bad-submission':
      return 'not graded: no gradable submission (see the message)';
    case 'build-failed':
      return 'not graded: the submission does not compile';
    case 'load-failed':
      return 'not graded: the kernel refused to load the object';
    case 'rejected':
      return 'not graded: the verifier rejected the program';
    case 'timeout':
      return 'not graded: the submission ran out of time';
    case 'memory':
      return 'not graded: the submission ran out of memory';
    case 'internal':
      return 'not graded: bpflab failed';
  }
}

function judged(sc: Scenario, failures: readonly Failure[], notes: readonly string[], checks: number, t0: number): ScenarioResult {
  if (failures.length === 0) {
    return scenarioResult(sc, 'passed', `passed (${checks} check${checks === 1 ? '' : 's'})`, t0, notes.length > 0 ? { output: notes.join('\n') } : {});
  }
  const first = failures[0]!;
  const hint = failures.find((f) => f.hint !== undefined)?.hint ?? sc.hint;
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more failed check${failures.length === 2 ? '' : 's'})` : '';
  const output = [...failures.map((f) => f.message).filter((m): m is string => m !== undefined), ...notes].join('\n\n');
  return scenarioResult(sc, 'failed', `${failureLine(first)}${more}`, t0, {
    differences: failures.flatMap((f) => f.differences),
    ...(hint === undefined ? {} : { hint }),
    ...(output === '' ? {} : { output }),
  });
}
