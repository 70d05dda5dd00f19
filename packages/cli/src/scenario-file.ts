/**
 * Scenario files as `bpflab sim` reads them: YAML (or JSON, which is YAML)
 * checked against the hook registry's combined JSON Schema with ajv, every
 * problem reported as `file:line:column: where: what`.
 *
 * ```yaml
 * cpus: 2                                   # CPUs of the simulated machine (default 2)
 * attach:                                   # targets of programs whose SEC() names none
 *   handle_tracepoint: raw_syscalls/sys_enter
 * steps:
 *   - syscall: execve
 *     task: { pid: 4242, comm: bash }
 *   - map_update: { map: compromised_users, key: 1001, value: true }
 * ```
 */
import { extname } from 'node:path';
import type { AttachRequest, HookRegistry } from '@bpflab/kernel';
import { KernelError } from '@bpflab/kernel';
import { parseYamlSource, schemaProblems, sortProblems, YamlError, type Problem, type SourcePos } from '@bpflab/grader';
import { CliError } from './errors';
import { readInput } from './input';

export { formatPos } from '@bpflab/grader';
export type { SourcePos } from '@bpflab/grader';

/** A scenario file, read and checked. */
export interface ScenarioFile {
  /** the file as the user named it */
  readonly file: string;
  /** `cpus`, when the file sets it */
  readonly cpus: number | undefined;
  /** attach requests by program name */
  readonly attach: Readonly<Record<string, AttachRequest>>;
  readonly steps: readonly Readonly<Record<string, unknown>>[];
  /** where each step starts */
  readonly stepPositions: readonly SourcePos[];
  /** each step's kind */
  readonly stepKinds: readonly string[];
}

function fail(file: string, problems: readonly Problem[]): never {
  throw new CliError('bad-input', new YamlError(file, problems).message);
}

/**
 * Reads and checks a scenario file against `registry`'s scenario schema.
 *
 * @throws {@link CliError} `bad-input` listing every problem with its file:line:column
 */
export function readScenarioFile(file: string, cwd: string, registry: HookRegistry): ScenarioFile {
  const text = readInput(file, cwd).toString('utf8');
  let src;
  try {
    src = parseYamlSource(file, text);
  } catch (e) {
    if (e instanceof YamlError) throw new CliError('bad-input', e.message);
    throw e;
  }
  const { data, at } = src;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const ext = extname(file).toLowerCase();
    fail(file, [{ pos: at.value([]), message: `a scenario is a mapping with steps (and optionally cpus, attach)${ext === '.json' ? ' (a JSON object)' : ''}` }]);
  }
  const problems: Problem[] = [];
  const skip = new Set<string>();
  const rawSteps = (data as { steps?: unknown }).steps;
  const kinds: string[] = [];
  if (Array.isArray(rawSteps)) {
    rawSteps.forEach((s, i) => {
      if (s === null || typeof s !== 'object' || Array.isArray(s)) return;
      try {
        kinds.push(registry.stepKindOf(s as Record<string, unknown>));
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        problems.push({ pos: at.value(['steps', i]), message: `steps[${i}]: ${e.message}` });
        skip.add(`/steps/${i}`);
      }
    });
  }
  problems.push(...schemaProblems(src, registry.scenarioSchema(), skip));
  if (problems.length > 0) fail(file, sortProblems(problems));
  const d = data as { cpus?: number; attach?: Record<string, string | { target: string; cookie?: number }>; steps: Record<string, unknown>[] };
  const attach: Record<string, AttachRequest> = {};
  for (const [prog, req] of Object.entries(d.attach ?? {})) {
    attach[prog] = typeof req === 'string' ? { target: req } : { target: req.target, ...(req.cookie === undefined ? {} : { cookie: BigInt(req.cookie) }) };
  }
  return {
    file,
    cpus: d.cpus,
    attach,
    steps: d.steps,
    stepPositions: d.steps.map((_s, i) => at.value(['steps', i])!),
    stepKinds: kinds,
  };
}
