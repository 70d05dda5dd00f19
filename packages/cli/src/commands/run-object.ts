/**
 * `bpflab run FILE.o --prog NAME`: one program of an object, loaded into a
 * simulated kernel, run once with a raw context as `BPF_PROG_TEST_RUN`
 * runs it (`bpftool prog run`): r0, the trace pipe lines the run wrote,
 * and the map elements it added, changed or deleted. The kernel's loader
 * runs the verifier first: a rejected program never runs (exit code 1, the
 * verifier's log and explanation on stderr).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { KernelError, type BpfObjectProgram, type TaskSpec } from '@bpflab/kernel';
import { errnoName } from '@bpflab/uapi';
import { CliError } from '../errors';
import { readInput } from '../input';
import type { Io } from '../io';
import {
  diffSnapshots,
  formatJson,
  hexByteList,
  hexBytes,
  intOption,
  openSession,
  parseHexText,
  saveSession,
  snapshotSession,
  type EntryChange,
  type JsonValue,
  type KernelSession,
  type MapChange,
  VERIFIER_EXIT_NOTE,
} from '../kernel-session';

/** Options of `bpflab run` for an object's program (the raw-program options are refused). */
export interface RunObjectOptions {
  readonly prog?: string;
  readonly ctx?: string;
  readonly ctxFile?: string;
  readonly cpu?: number;
  readonly cpus?: number;
  readonly pid?: number;
  readonly comm?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly repeat?: number;
  readonly state?: string;
  readonly uptime?: string;
  readonly budget?: number;
  readonly json?: boolean;
  readonly pretty?: boolean;
  readonly unprivileged?: boolean;
  readonly mem?: string;
  readonly memFile?: string;
  readonly trace?: boolean;
  readonly syntax?: string;
}

/** Seconds since boot (`14391.036697`) as nanoseconds. */
export function parseUptime(text: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (m === null) throw new CliError('bad-input', `--uptime must be seconds since boot like 14391.036697, got '${text}'`);
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function refuseRawOptions(opts: RunObjectOptions): void {
  const raw: readonly (readonly [unknown, string, string])[] = [
    [opts.mem, '--mem', "give an object's program its context with --ctx HEX"],
    [opts.memFile, '--mem-file', "give an object's program its context with --ctx-file FILE"],
    [opts.trace, '--trace', 'programs of objects run in the simulated kernel, which does not trace instructions (see bpflab disasm --source)'],
    [opts.syntax, '--syntax', 'an object file is not assembly'],
  ];
  for (const [value, name, why] of raw) {
    if (value !== undefined && value !== false) throw new CliError('bad-input', `${name} is for assembly and raw programs: ${why}`);
  }
}

/** Refuses the options of object runs for an assembly or raw program, which has no kernel around it. */
export function refuseObjectOptions(opts: RunObjectOptions): void {
  const objectOnly: readonly (readonly [unknown, string])[] = [
    [opts.prog, '--prog'],
    [opts.ctx, '--ctx'],
    [opts.ctxFile, '--ctx-file'],
    [opts.cpu, '--cpu'],
    [opts.cpus, '--cpus'],
    [opts.pid, '--pid'],
    [opts.comm, '--comm'],
    [opts.uid, '--uid'],
    [opts.gid, '--gid'],
    [opts.repeat, '--repeat'],
    [opts.uptime, '--uptime'],
    [opts.state, '--state'],
    [opts.json, '--json'],
    [opts.pretty, '--pretty'],
    [opts.unprivileged, '--unprivileged'],
  ];
  for (const [value, name] of objectOnly) {
    if (value !== undefined) {
      throw new CliError('bad-input', `${name} is for object files (.o, or .c compiled first): an assembly or raw program runs alone on the interpreter (memory: --mem HEX)`);
    }
  }
}

function chooseProgram(session: KernelSession, name: string | undefined): BpfObjectProgram {
  const programs = session.object.programs();
  const names = programs.map((p) => p.name).join(', ') || 'none';
  if (name === undefined) {
    if (programs.length === 1) return programs[0]!;
    throw new CliError('bad-input', `${session.file} has ${programs.length} programs (${names}): choose one with --prog NAME`);
  }
  const p = programs.find((x) => x.name === name);
  if (p === undefined) throw new CliError('bad-input', `${session.file} has no program '${name}' (programs: ${names})`);
  if (!p.autoload) throw new CliError('bad-input', `${session.file}: program '${name}' was not loaded (its section starts with '?': autoload is off)`);
  return p;
}

function processOf(opts: RunObjectOptions): TaskSpec | undefined {
  if (opts.pid === undefined && opts.comm === undefined && opts.uid === undefined && opts.gid === undefined) return undefined;
  return { pid: opts.pid ?? 1000, comm: opts.comm ?? 'bpflab', uid: opts.uid ?? 0, gid: opts.gid ?? opts.uid ?? 0 };
}

/** The line of a trace pipe entry without the newline the message may end with. */
function traceLine(line: string): string {
  return line.endsWith('\n') ? line.slice(0, -1) : line;
}

function r0Text(r0: bigint): string {
  const signed = BigInt.asIntN(64, r0);
  return `r0 = 0x${r0.toString(16)} (${signed < 0n ? `${r0} = ${signed}` : `${r0}`})`;
}

/* ----------------------------------------------------------- map changes */

function changeLabel(map: MapChange['map'], c: EntryChange): string {
  if (map.contents !== 'keyed') return c.kind === 'added' ? 'pushed' : 'popped';
  return `${c.kind} key ${hexBytes(c.key)}`;
}

/** The map changes as plain text, one header line per element, then its values. */
export function formatMapChanges(changes: readonly MapChange[]): string {
  if (changes.length === 0) return 'maps: no changes\n';
  let s = 'maps changed:\n';
  for (const { map, changes: list } of changes) {
    for (const c of list) {
      s += `  ${map.name}: ${changeLabel(map, c)}\n`;
      const values = c.after ?? c.before!;
      values.forEach((v, cpu) => {
        const label = map.perCpu ? `value (CPU ${String(cpu).padStart(2, '0')})` : 'value';
        if (c.kind !== 'changed') {
          s += `    ${label}: ${hexBytes(v)}\n`;
          return;
        }
        const was = c.before![cpu]!;
        if (hexBytes(was) !== hexBytes(v)) s += `    ${label}: ${hexBytes(was)} -> ${hexBytes(v)}\n`;
      });
    }
  }
  return s;
}

function valuesJson(perCpu: boolean, values: readonly Uint8Array[] | undefined): JsonValue {
  if (values === undefined) return null;
  return perCpu ? values.map((v, cpu) => ({ cpu, value: hexByteList(v) })) : hexByteList(values[0]!);
}

function mapChangesJson(changes: readonly MapChange[]): JsonValue {
  return changes.map(({ map, changes: list }) => ({
    map: map.name,
    changes: list.map((c) => ({
      change: map.contents === 'keyed' ? c.kind : c.kind === 'added' ? 'pushed' : 'popped',
      ...(map.contents === 'keyed' ? { key: hexByteList(c.key) } : {}),
      before: valuesJson(map.perCpu, c.before),
      after: valuesJson(map.perCpu, c.after),
    })),
  }));
}

/* --------------------------------------------------------------- command */

/** `bpflab run FILE.o [--prog NAME] [--ctx HEX | --ctx-file F] [--cpu N] [--pid P --comm C --uid U] [--repeat N] [--state S]` */
export async function runObjectCommand(io: Io, file: string, opts: RunObjectOptions): Promise<void> {
  refuseRawOptions(opts);
  let ctx: Uint8Array = new Uint8Array(0);
  if (opts.ctx !== undefined) ctx = parseHexText(opts.ctx, '--ctx');
  if (opts.ctxFile !== undefined) ctx = new Uint8Array(readInput(opts.ctxFile, io.cwd));
  const process = processOf(opts);
  const session = await openSession(io, file, {
    ...(opts.cpus === undefined ? {} : { cpus: opts.cpus }),
    ...(opts.state === undefined ? {} : { state: opts.state }),
    ...(process === undefined ? {} : { process }),
    ...(opts.uptime === undefined ? {} : { uptimeNs: parseUptime(opts.uptime) }),
    // a task the user did not name has no recorded comm: the trace pipe shows <...>, as in the course's output
    recordComm: opts.comm !== undefined,
    unprivileged: opts.unprivileged === true,
  });
  const { kernel } = session;
  const prog = chooseProgram(session, opts.prog);
  const cpu = opts.cpu ?? 0;
  if (cpu >= kernel.cpus) {
    throw new CliError('bad-input', `--cpu ${cpu}: the simulated kernel has ${kernel.cpus} CPUs (0-${kernel.cpus - 1}); --cpus N gives it more`);
  }
  const repeat = opts.repeat ?? 1;
  const before = snapshotSession(session);
  let last;
  let executed = 0;
  try {
    for (let i = 0; i < repeat; i++) {
      last = prog.run(ctx, { cpu, ...(opts.budget === undefined ? {} : { budget: opts.budget }) });
      executed += last.executed;
    }
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    // what the program printed before it stopped is worth seeing
    const written = kernel.tracePipe().readLines();
    if (written.length > 0) io.out(`trace_pipe:\n${written.map((l) => `${traceLine(l)}\n`).join('')}`);
    const atRunTime = e.code === 'run-fault' || e.code === 'unsupported' || e.code === 'recursion';
    throw new CliError(atRunTime ? 'program-failed' : 'bad-input', `${file}: ${e.message}`);
  }
  const result = last!;
  const trace = kernel.tracePipe().readLines().map(traceLine);
  const changes = diffSnapshots(before, snapshotSession(session));
  saveSession(session);
  const ctxChanged = ctx.length > 0 && hexBytes(ctx) !== hexBytes(result.ctxOut);
  if (opts.json === true || opts.pretty === true) {
    const json: JsonValue = {
      prog: prog.name,
      cpu,
      runs: repeat,
      r0: result.r0,
      retval: result.retval,
      executed,
      trace,
      ...(ctx.length > 0 ? { ctx_out: hexByteList(result.ctxOut) } : {}),
      maps: mapChangesJson(changes),
    };
    io.out(`${formatJson(json, opts.pretty === true ? 2 : 0)}\n`);
    return;
  }
  io.out(`${r0Text(result.r0)}\n`);
  if (result.retval < 0) {
    const name = errnoName(-result.retval);
    io.out(`retval = ${result.retval}${name === undefined ? '' : ` (-${name})`}\n`);
  }
  const runs = repeat === 1 ? '' : ` in ${repeat} runs (r0 of the last)`;
  io.out(`executed ${executed} instruction${executed === 1 ? '' : 's'}${runs} on CPU ${cpu}\n`);
  if (ctxChanged) io.out(`ctx after the run: ${hexBytes(result.ctxOut)}\n`);
  io.out(trace.length === 0 ? 'trace_pipe: nothing written\n' : `trace_pipe:\n${trace.map((l) => `${l}\n`).join('')}`);
  io.out(formatMapChanges(changes));
}

/** Adds the options of object runs to the `bpflab run` command. */
export function addRunObjectOptions(command: Command): Command {
  return command
    .option('--prog <name>', "objects: the program to run (may be left out when the object has one)")
    .addOption(new Option('--ctx <hex>', 'objects: the context bytes (r1 points at a copy), e.g. a tracepoint record').conflicts('ctxFile'))
    .option('--ctx-file <file>', 'objects: read the context bytes from a file')
    .option('--cpu <n>', 'objects: the CPU the program runs on (default 0)', intOption('--cpu', 0))
    .option('--cpus <n>', "objects: CPUs of the simulated kernel (default: the state file's, else 2)", intOption('--cpus', 1, 1024))
    .option('--pid <pid>', 'objects: pid (and tgid) of the current task (default 1000)', intOption('--pid', 2, 4_194_303))
    .option('--comm <name>', 'objects: comm of the current task (without it the trace pipe shows <...>)')
    .option('--uid <uid>', 'objects: uid of the current task (default 0, root)', intOption('--uid', 0, 0xffffffff))
    .option('--gid <gid>', 'objects: gid of the current task (default: the uid)', intOption('--gid', 0, 0xffffffff))
    .option('--repeat <n>', 'objects: run this many times (r0 of the last run)', intOption('--repeat', 1, 1_000_000))
    .option('--uptime <seconds>', 'objects: the clock (seconds since boot) the run sees, e.g. 14391.036697 (default 5)')
    .option('--state <file>', 'objects: read the maps from this JSON state file first, write them back after')
    .option('-j, --json', 'objects: print the result as JSON')
    .option('-p, --pretty', 'objects: indent the JSON (implies --json)')
    .option('--unprivileged', 'objects: verify as a loader without CAP_BPF / CAP_PERFMON (default: as root)')
    .addHelpText('after', `\nObjects: the verifier checks the program before it runs. ${VERIFIER_EXIT_NOTE}`);
}
