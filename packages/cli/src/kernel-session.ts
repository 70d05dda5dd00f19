/**
 * One simulated kernel for one `bpflab` invocation: the object (an ELF
 * file, or C compiled on the way) loaded into a fresh kernel, and the
 * state file that carries map contents from one invocation to the next.
 *
 * A CLI invocation is one process, so a kernel lives only as long as the
 * command. `--state FILE.json` makes a sequence of commands behave like
 * one machine: a command reads the file before it starts (every map's
 * entries are put back into the freshly loaded maps) and writes it after
 * (every map's entries as they are now).
 *
 * The state file (`bpflab-state/1`), keys and values as hex bytes:
 *
 * ```json
 * {
 *   "format": "bpflab-state/1",
 *   "object": "syscount",
 *   "cpus": 2,
 *   "maps": [
 *     { "name": "syscall_counts", "type": "percpu_hash", "key_size": 4, "value_size": 8, "max_entries": 512,
 *       "entries": [{ "key": "3b 00 00 00", "values": ["02 00 00 00 00 00 00 00", "01 00 00 00 00 00 00 00"] }] },
 *     { "name": "compromised_users", "type": "hash", "key_size": 4, "value_size": 1, "max_entries": 1024,
 *       "entries": [{ "key": "e9 03 00 00", "value": "01" }] }
 *   ]
 * }
 * ```
 *
 * Per-CPU maps have `values`, one per CPU; queues and stacks have entries
 * without keys, oldest first; arrays list only their non-zero elements;
 * devmaps and devmap_hashes list their filled slots (ifindexes).
 * Maps whose contents user space cannot carry over are left out: `.rodata`
 * and `.kconfig` (frozen: programs cannot change them), ring buffers and
 * perf event arrays (their records are consumed, not stored), and prog
 * arrays and maps of maps (their slots hold kernel objects; the loader
 * fills them from the object again).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import {
  BPF_OBJ_NAME_LEN,
  createKernelVerifier,
  Kernel,
  KernelError,
  NOT_VERIFIED_LOG,
  type BpfObject,
  type BpfObjectMap,
  type HookHost,
  type HookRegistry,
  type KernelOptions,
  type KernelVerifierReport,
  type ObjectLoadFailure,
  type TaskSpec,
} from '@bpflab/kernel';
import { compile, formatDiagnostics, ToolchainError } from '@bpflab/toolchain';
import { ERRNO, errnoName, errnoText, UPDATE_FLAG } from '@bpflab/uapi';
import { defaultObjectName } from './commands/build';
import { CliError } from './errors';
import { readInput } from './input';
import type { Io } from './io';
import { objectFromBytes } from './object-input';
import { shippedHookRegistry } from './shipped-hooks';

/** The `format` of state files this version reads and writes. */
export const STATE_FORMAT = 'bpflab-state/1';

/** CPUs of the simulated kernel when neither `--cpus` nor a state file says. */
export const DEFAULT_CLI_CPUS = 2;

/* ------------------------------------------------------------------ bytes */

/** Bytes as space-separated hex pairs: `01 00 00 00`. */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Bytes as bpftool's JSON prints them: `["0x01", "0x00"]`. */
export function hexByteList(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, '0')}`);
}

/**
 * Parses hex bytes written freely (`de ad be ef`, `0xde,0xad`, `deadbeef`;
 * `#` starts a comment); `what` names the source in the error.
 */
export function parseHexText(text: string, what: string): Uint8Array {
  const clean = text.replace(/#[^\n]*/g, '').replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (!/^[0-9a-f]*$/i.test(clean) || clean.length % 2 !== 0) {
    throw new CliError('bad-input', `${what}: expected hex bytes like 'de ad be ef', got '${text.slice(0, 40)}'`);
  }
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** An errno as the CLI reports it: `file exists (EEXIST)`. */
export function errnoWords(errno: number): string {
  const text = errnoText(errno);
  const lower = text.charAt(0).toLowerCase() + text.slice(1);
  const name = errnoName(errno);
  return name === undefined ? lower : `${lower} (${name})`;
}

/** Whether a map's values are per-CPU (one value per CPU through user space). */
export function isPerCpuMap(m: BpfObjectMap): boolean {
  const kind = m.info.kind;
  return kind === 'percpu_hash' || kind === 'percpu_array' || kind === 'lru_percpu_hash';
}

/** Splits a per-CPU buffer into one `valueSize`-byte value per CPU (each slot is rounded up to 8 bytes). */
export function splitPerCpu(bytes: Uint8Array, valueSize: number): Uint8Array[] {
  const stride = Math.ceil(valueSize / 8) * 8;
  const out: Uint8Array[] = [];
  for (let off = 0; off + stride <= bytes.length; off += stride) out.push(bytes.slice(off, off + valueSize));
  return out;
}

/** Joins one value per CPU into a per-CPU buffer. */
export function joinPerCpu(values: readonly Uint8Array[], valueSize: number): Uint8Array {
  const stride = Math.ceil(valueSize / 8) * 8;
  const out = new Uint8Array(stride * values.length);
  values.forEach((v, cpu) => out.set(v, cpu * stride));
  return out;
}

/* ------------------------------------------------------------------- JSON */

/** A JSON value, with bigints printed as plain numbers (as bpftool prints 64-bit integers). */
export type JsonValue = null | boolean | number | bigint | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** JSON text of `value`: one line (bpftool's `--json`), or indented by `indent` spaces (`--pretty`). */
export function formatJson(value: JsonValue, indent = 0): string {
  const write = (v: JsonValue, depth: number): string => {
    if (v === null) return 'null';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return JSON.stringify(v);
    const pad = indent > 0 ? `\n${' '.repeat(indent * (depth + 1))}` : '';
    const end = indent > 0 ? `\n${' '.repeat(indent * depth)}` : '';
    const colon = indent > 0 ? ': ' : ':';
    if (Array.isArray(v)) {
      const items = (v as readonly JsonValue[]).map((x) => `${pad}${write(x, depth + 1)}`);
      return items.length === 0 ? '[]' : `[${items.join(',')}${end}]`;
    }
    const items = Object.entries(v as { readonly [key: string]: JsonValue }).map(([k, x]) => `${pad}${JSON.stringify(k)}${colon}${write(x, depth + 1)}`);
    return items.length === 0 ? '{}' : `{${items.join(',')}${end}}`;
  };
  return write(value, 0);
}

/* -------------------------------------------------------------- snapshots */

/** One element of a map: its key (empty for queues and stacks) and its value (one per CPU for per-CPU maps). */
export interface EntrySnapshot {
  readonly key: Uint8Array;
  readonly values: readonly Uint8Array[];
}

/** How a map's elements are reached. */
export type MapContents =
  /** by key (`get_next_key`); `sparse` maps (arrays) leave out all-zero elements */
  | 'keyed'
  /** a queue: values oldest first, popped from the front */
  | 'queue'
  /** a stack: values oldest first, popped from the back */
  | 'stack';

/** A map's definition and contents at one moment. */
export interface MapSnapshot {
  readonly name: string;
  /** lowercase `BPF_MAP_TYPE_*` short name (`percpu_hash`) */
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly perCpu: boolean;
  /** values per element: the CPU count for per-CPU maps, else 1 */
  readonly valuesPerEntry: number;
  readonly contents: MapContents;
  /** arrays: elements that are all zeros are left out (they are what a fresh array holds) */
  readonly sparse: boolean;
  readonly entries: readonly EntrySnapshot[];
}

/** Every saved map of an object. */
export interface Snapshot {
  /** the object's name (libbpf's: the file name up to its first dot) */
  readonly object: string;
  readonly cpus: number;
  readonly maps: readonly MapSnapshot[];
}

const KEYED_KINDS: ReadonlySet<string> = new Set(['hash', 'array', 'percpu_hash', 'percpu_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'devmap', 'devmap_hash']);
const ARRAY_KINDS: ReadonlySet<string> = new Set(['array', 'percpu_array']);

/** How a map's contents are saved, or undefined when they are not (see the module comment). */
function contentsOf(m: BpfObjectMap): MapContents | undefined {
  if (m.spec.kind === 'rodata' || m.spec.kind === 'kconfig') return undefined;
  const kind = m.info.kind;
  if (kind === 'queue' || kind === 'stack') return kind;
  return KEYED_KINDS.has(kind) ? 'keyed' : undefined;
}

function failure(m: BpfObjectMap, what: string, r: { readonly errno: number; readonly message: string }): CliError {
  return new CliError('bad-input', `${m.name}: ${what} failed: ${errnoWords(r.errno)}: ${r.message}`);
}

/** The elements of a keyed map, in `get_next_key` order. */
export function readEntries(m: BpfObjectMap): EntrySnapshot[] {
  const perCpu = isPerCpuMap(m);
  const out: EntrySnapshot[] = [];
  let next = m.getNextKey(null);
  while (next.ok) {
    const v = m.lookupElem(next.value);
    if (v.ok) out.push({ key: next.value, values: perCpu ? splitPerCpu(v.value, m.info.valueSize) : [v.value] });
    else if (v.errno !== ERRNO.ENOENT) throw failure(m, 'lookup', v);
    next = m.getNextKey(next.value);
  }
  if (next.errno !== ERRNO.ENOENT) throw failure(m, 'get next key', next);
  return out;
}

/** The values of a queue or stack, oldest first; the map is left as it was. */
export function readQueue(m: BpfObjectMap): EntrySnapshot[] {
  const popped: Uint8Array[] = [];
  for (let r = m.lookupAndDeleteElem(null); r.ok; r = m.lookupAndDeleteElem(null)) popped.push(r.value);
  const oldestFirst = m.info.kind === 'stack' ? popped.reverse() : popped;
  for (const v of oldestFirst) {
    const r = m.updateElem(null, v, UPDATE_FLAG.ANY);
    if (!r.ok) throw failure(m, 'push', r);
  }
  return oldestFirst.map((v) => ({ key: new Uint8Array(0), values: [v] }));
}

/** A snapshot of one map of a kernel with `cpus` CPUs, or undefined when its contents are not saved. */
export function snapshotMap(m: BpfObjectMap, cpus: number): MapSnapshot | undefined {
  const contents = contentsOf(m);
  if (contents === undefined) return undefined;
  const info = m.info;
  const sparse = ARRAY_KINDS.has(info.kind) && m.spec.kind !== 'data' && m.spec.kind !== 'bss';
  let entries = contents === 'keyed' ? readEntries(m) : readQueue(m);
  if (sparse) entries = entries.filter((e) => e.values.some((v) => v.some((b) => b !== 0)));
  return {
    name: m.name,
    type: info.kind,
    keySize: info.keySize,
    valueSize: info.valueSize,
    maxEntries: info.maxEntries,
    perCpu: isPerCpuMap(m),
    valuesPerEntry: isPerCpuMap(m) ? cpus : 1,
    contents,
    sparse,
    entries,
  };
}

/* --------------------------------------------------------------- verifier */

/** How the verifier of a CLI kernel checks programs. */
export interface CliVerifierOptions {
  /** `--unprivileged`: the rules for a loader without CAP_BPF / CAP_PERFMON; default false (root, as students load with sudo) */
  readonly unprivileged?: boolean;
  /** verifier log level: 1 the failing path (default), 2 every path */
  readonly logLevel?: 1 | 2;
  /** also record the state at each instruction (`bpflab verify --states`) */
  readonly states?: boolean;
}

/** A kernel of one invocation, its hook plugins installed, its loader running the verifier. */
export interface CliKernel {
  readonly kernel: Kernel;
  readonly host: HookHost;
  /** every verdict of the loads so far, in order */
  readonly reports: readonly KernelVerifierReport[];
}

/**
 * A fresh simulated kernel for one command: the shipped hook plugins
 * installed (their program types, helpers and context layouts) and the
 * verifier in its load path, as `bpflab verify` runs it (`registry`: the
 * plugins, default the shipped ones). Programs of a type
 * the verifier cannot check (LSM, fentry...) load with a "not verified"
 * verdict, which the reports say.
 */
export function createCliKernel(options: Omit<KernelOptions, 'verifier'>, verifier: CliVerifierOptions = {}, registry: HookRegistry = shippedHookRegistry()): CliKernel {
  const reports: KernelVerifierReport[] = [];
  let kernel: Kernel;
  try {
    kernel = new Kernel({
      ...options,
      verifier: createKernelVerifier({
        registry,
        privileged: verifier.unprivileged !== true,
        logLevel: verifier.logLevel ?? 1,
        ...(verifier.states === true ? { states: true } : {}),
        onVerdict: (r) => reports.push(r),
      }),
    });
  } catch (e) {
    if (e instanceof KernelError) throw new CliError('bad-input', e.message);
    throw e;
  }
  return { kernel, host: registry.install(kernel), reports };
}

/** One program's verdict in words: `accepted`, `rejected` or `not verified`. */
export function verdictWord(r: KernelVerifierReport): 'accepted' | 'rejected' | 'not verified' {
  if (r.verdict.verified === false) return 'not verified';
  return r.verdict.ok ? 'accepted' : 'rejected';
}

/** How the verifier knew the program type: `xdp, built-in description` or `tracepoint, from hook plugin tracepoint`. */
function describedBy(r: KernelVerifierReport): string {
  const l = r.verdict.lookup;
  if (l.kind === 'none') return l.reason;
  return l.source === 'hook' ? `context from hook plugin ${l.hook}` : "the verifier's built-in description";
}

/**
 * The text of one program's verification: the verdict line, the
 * kernel-style verifier log and, for a rejection, the explained error
 * (C source line, why, hint). `extra` goes between the log and the
 * explanation (the states of `bpflab verify --states`).
 */
export function formatVerifyReport(r: KernelVerifierReport, extra = ''): string {
  const word = verdictWord(r);
  const log = r.verdict.log.endsWith('\n') ? r.verdict.log : `${r.verdict.log}\n`;
  let out = `${r.program}: ${word} (program type ${r.progType.toLowerCase()}; ${describedBy(r)})\n`;
  if (word === 'not verified') return `${out}${log}`;
  out += `--- verifier log ---\n${log}--- end of log ---\n${extra}`;
  const e = r.verdict.explanation;
  if (e !== undefined) out += `${e.text}\n`;
  return out;
}

/**
 * The reports with the programs' names as the object has them: the kernel
 * keeps the first 15 characters (`BPF_OBJ_NAME_LEN`), a student wrote the
 * whole name. Reports come in load order, the order of the object's
 * programs that load.
 */
export function withObjectNames(reports: readonly KernelVerifierReport[], object: BpfObject): KernelVerifierReport[] {
  const loading = object.programs().filter((p) => p.autoload);
  return reports.map((r, i) => {
    const name = loading[i]?.name;
    return name !== undefined && name !== r.program && name.slice(0, BPF_OBJ_NAME_LEN - 1) === r.program ? { ...r, program: name } : r;
  });
}

/**
 * The error of a failed object load. A verifier rejection prints the
 * rejected program's report (log and explanation) on stderr and is a
 * `program-failed` error (exit code 1); any other failure prints the
 * kernel's log, if it has one, and is `bad-input` (exit code 2).
 */
export function loadFailure(io: Io, file: string, r: ObjectLoadFailure, reports: readonly KernelVerifierReport[]): CliError {
  if (r.reason === 'verifier') {
    const kernelName = (r.program ?? '').slice(0, BPF_OBJ_NAME_LEN - 1);
    const rejected = reports.find((x) => x.program === kernelName && !x.verdict.ok);
    if (rejected !== undefined) io.err(formatVerifyReport(r.program === undefined ? rejected : { ...rejected, program: r.program }));
    else if (r.log !== undefined && r.log.trim() !== '') io.err(r.log.endsWith('\n') ? r.log : `${r.log}\n`);
    return new CliError('program-failed', `${file}: program ${r.program ?? '?'} was rejected by the verifier: ${errnoWords(r.errno)}`);
  }
  const shown = r.log === undefined || r.log.trim() === '' || r.log === NOT_VERIFIED_LOG || reports.some((x) => x.verdict.log === r.log);
  if (!shown) io.err(r.log!.endsWith('\n') ? r.log! : `${r.log!}\n`);
  return new CliError('bad-input', `${file}: ${r.message}`);
}

/** What exit code 1 also means for the commands that load objects (their `--help`). */
export const VERIFIER_EXIT_NOTE = 'A program the verifier rejects also exits 1: its verifier log and the explained error go to stderr.';

/**
 * Programs of the object loaded without verification (a type the verifier
 * cannot check), one line each: `name: not verified: ... (why)`.
 */
export function notVerifiedNotes(object: BpfObject): string[] {
  return object
    .programs()
    .filter((p) => p.autoload && p.verification.status !== 'verified')
    .map((p) => `${p.name}: ${p.verification.log.trim()}`);
}

/* --------------------------------------------------------------- sessions */

/** How to set up the kernel of one invocation. */
export interface SessionOptions {
  /** CPUs (`--cpus`); default the state file's, else {@link DEFAULT_CLI_CPUS} */
  readonly cpus?: number;
  /** the user-space process, which is also the current task of runs; default pid 1000 `bpflab` as root */
  readonly process?: TaskSpec;
  /** show comms in the trace pipe (false: `<...>`, as when the kernel did not record the comm); default true */
  readonly recordComm?: boolean;
  /** the clock at the start, ns since boot; default the kernel's (5 s) */
  readonly uptimeNs?: bigint;
  /** `--state FILE.json`: read before loading (when it exists) */
  readonly state?: string;
  /** `--unprivileged`: verify as a loader without CAP_BPF / CAP_PERFMON; default false */
  readonly unprivileged?: boolean;
}

/** A kernel with the object loaded (and the state file's contents put back). */
export interface KernelSession {
  /** the file as the user named it */
  readonly file: string;
  readonly kernel: Kernel;
  readonly object: BpfObject;
  /** the verifier's verdict on each program loaded */
  readonly reports: readonly KernelVerifierReport[];
  /** the state file, resolved, when `--state` was given */
  readonly statePath: string | undefined;
  /** the state file's name as given */
  readonly stateName: string | undefined;
}

/** The object's bytes and name: an ELF file, or a C file compiled through the toolchain. */
export async function objectBytes(io: Io, file: string): Promise<{ readonly bytes: Uint8Array; readonly name: string }> {
  if (extname(file).toLowerCase() !== '.c') return { bytes: new Uint8Array(readInput(file, io.cwd)), name: file };
  let result;
  try {
    result = await compile(file, { cwd: io.cwd });
  } catch (e) {
    if (e instanceof ToolchainError) throw new CliError('bad-input', e.message);
    throw e;
  }
  if (result.diagnostics.length > 0) io.err(formatDiagnostics(result.diagnostics, { color: io.color }));
  if (!result.ok) throw new CliError('bad-input', `${file}: does not compile`);
  return { bytes: result.object, name: defaultObjectName(file) };
}

/**
 * Opens `file` (`.o`, or `.c` compiled first), loads it into a fresh
 * simulated kernel whose loader runs the verifier ({@link createCliKernel})
 * and, with `options.state`, puts the state file's map contents back. A
 * program the verifier rejects is a `program-failed` error (its log and
 * explanation go to stderr first); any other failed load is `bad-input`
 * carrying the kernel's message ({@link loadFailure}).
 */
export async function openSession(io: Io, file: string, options: SessionOptions = {}): Promise<KernelSession> {
  const statePath = options.state === undefined ? undefined : resolve(io.cwd, options.state);
  const saved = statePath === undefined ? undefined : readStateFile(statePath, options.state!);
  if (saved !== undefined && options.cpus !== undefined && options.cpus !== saved.cpus) {
    throw new CliError('bad-input', `--cpus ${options.cpus}: ${options.state} was saved from a kernel with ${saved.cpus} CPUs`);
  }
  const { bytes, name } = await objectBytes(io, file);
  const spec = objectFromBytes(name, bytes);
  const { kernel, reports } = createCliKernel(
    {
      cpus: options.cpus ?? saved?.cpus ?? DEFAULT_CLI_CPUS,
      trace: { recordCmd: options.recordComm ?? true },
      ...(options.uptimeNs === undefined ? {} : { clock: { startNs: options.uptimeNs } }),
      ...(options.process === undefined ? {} : { process: options.process }),
    },
    { unprivileged: options.unprivileged === true },
  );
  const object = kernel.openObject(spec);
  const r = object.load();
  if (!r.ok) throw loadFailure(io, file, r, reports);
  const session = { file, kernel, object, reports, statePath, stateName: options.state };
  if (saved !== undefined) restoreState(session, saved);
  return session;
}

/** Every saved map of the session's object, as it is now. */
export function snapshotSession(session: KernelSession): Snapshot {
  const maps = session.object
    .maps()
    .map((m) => snapshotMap(m, session.kernel.cpus))
    .filter((m): m is MapSnapshot => m !== undefined);
  return { object: session.object.name, cpus: session.kernel.cpus, maps };
}

/** Writes the session's maps to its state file (when `--state` was given). */
export function saveSession(session: KernelSession): void {
  if (session.statePath === undefined) return;
  const text = `${formatJson(stateToJson(snapshotSession(session)), 2)}\n`;
  const tmp = `${session.statePath}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, session.statePath);
  } catch (e) {
    throw new CliError('bad-input', `${session.stateName}: cannot write: ${(e as Error).message}`);
  }
}

/* ------------------------------------------------------------- state file */

function stateToJson(s: Snapshot): JsonValue {
  return {
    format: STATE_FORMAT,
    object: s.object,
    cpus: s.cpus,
    maps: s.maps.map((m) => ({
      name: m.name,
      type: m.type,
      key_size: m.keySize,
      value_size: m.valueSize,
      max_entries: m.maxEntries,
      entries: m.entries.map((e) => {
        const key: Record<string, JsonValue> = m.contents === 'keyed' ? { key: hexBytes(e.key) } : {};
        return m.perCpu ? { ...key, values: e.values.map(hexBytes) } : { ...key, value: hexBytes(e.values[0]!) };
      }),
    })),
  };
}

/** The saved definition and entries of one map, as read from a state file. */
interface SavedMap {
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly entries: readonly { readonly key: Uint8Array | undefined; readonly values: readonly Uint8Array[]; readonly perCpu: boolean }[];
}

interface SavedState {
  readonly cpus: number;
  readonly maps: readonly SavedMap[];
}

/** Reads a state file; undefined when it does not exist yet. */
function readStateFile(path: string, name: string): SavedState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('bad-input', `${name}: cannot read: ${(e as Error).message}`);
  }
  const bad = (why: string): CliError => new CliError('bad-input', `${name}: not a bpflab state file: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad((e as Error).message);
  }
  const obj = (v: unknown, where: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${where}: expected an object`);
    return v as Record<string, unknown>;
  };
  const int = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`${where}: expected a non-negative integer`);
    return v;
  };
  const str = (v: unknown, where: string): string => {
    if (typeof v !== 'string') throw bad(`${where}: expected a string`);
    return v;
  };
  const list = (v: unknown, where: string): readonly unknown[] => {
    if (!Array.isArray(v)) throw bad(`${where}: expected an array`);
    return v;
  };
  const hex = (v: unknown, where: string, size: number): Uint8Array => {
    const bytes = parseHexText(str(v, where), `${name}: ${where}`);
    if (bytes.length !== size) throw bad(`${where}: ${bytes.length} bytes, the map's size is ${size}`);
    return bytes;
  };
  const top = obj(json, 'the file');
  if (top.format !== STATE_FORMAT) throw bad(`format: expected '${STATE_FORMAT}', found ${JSON.stringify(top.format)}`);
  const cpus = int(top.cpus, 'cpus');
  const maps = list(top.maps, 'maps').map((raw, i) => {
    const m = obj(raw, `maps[${i}]`);
    const mapName = str(m.name, `maps[${i}].name`);
    const where = `map '${mapName}'`;
    const keySize = int(m.key_size, `${where}: key_size`);
    const valueSize = int(m.value_size, `${where}: value_size`);
    const entries = list(m.entries, `${where}: entries`).map((rawEntry, j) => {
      const e = obj(rawEntry, `${where}: entries[${j}]`);
      const at = `${where}: entries[${j}]`;
      const key = e.key === undefined ? undefined : hex(e.key, `${at}.key`, keySize);
      if (e.values !== undefined) {
        const values = list(e.values, `${at}.values`).map((v, c) => hex(v, `${at}.values[${c}]`, valueSize));
        if (values.length !== cpus) throw bad(`${at}.values: ${values.length} values, the state has ${cpus} CPUs`);
        return { key, values, perCpu: true };
      }
      return { key, values: [hex(e.value, `${at}.value`, valueSize)], perCpu: false };
    });
    return { name: mapName, type: str(m.type, `${where}: type`), keySize, valueSize, maxEntries: int(m.max_entries, `${where}: max_entries`), entries };
  });
  return { cpus, maps };
}

/** Puts saved entries back into the freshly loaded maps. */
function restoreState(session: KernelSession, saved: SavedState): void {
  const name = session.stateName!;
  const { object } = session;
  for (const sm of saved.maps) {
    const m = object.maps().find((x) => x.name === sm.name);
    const mismatch = (why: string): CliError => new CliError('bad-input', `${name}: map '${sm.name}': ${why}: the state does not belong to ${session.file} (delete it to start afresh)`);
    if (m === undefined) throw mismatch(`${session.file} has no such map (maps: ${object.maps().map((x) => x.name).join(', ') || 'none'})`);
    const contents = contentsOf(m);
    const info = m.info;
    if (contents === undefined) throw mismatch(`a ${info.kind} map's contents are not kept in a state file`);
    if (sm.type !== info.kind) throw mismatch(`a ${sm.type} map in the state, a ${info.kind} map in the object`);
    if (sm.keySize !== info.keySize || sm.valueSize !== info.valueSize) {
      throw mismatch(`key/value sizes ${sm.keySize}/${sm.valueSize} in the state, ${info.keySize}/${info.valueSize} in the object`);
    }
    const perCpu = isPerCpuMap(m);
    for (const e of sm.entries) {
      if (e.perCpu !== perCpu) throw mismatch(perCpu ? 'per-CPU entries need "values", one per CPU' : 'entries need one "value"');
      if ((contents === 'keyed') !== (e.key !== undefined)) throw mismatch(contents === 'keyed' ? 'an entry has no "key"' : `a ${info.kind} has no keys`);
      const value = perCpu ? joinPerCpu(e.values, info.valueSize) : e.values[0]!;
      const r = m.updateElem(e.key ?? null, value, UPDATE_FLAG.ANY);
      if (!r.ok) {
        const where = e.key === undefined ? 'a value' : `key ${hexBytes(e.key)}`;
        throw new CliError('bad-input', `${name}: map '${sm.name}': restoring ${where} failed: ${errnoWords(r.errno)}: ${r.message}`);
      }
    }
  }
}

/* ------------------------------------------------------------------ diffs */

/** How one element changed. */
export interface EntryChange {
  /** `added`/`deleted` are pushes and pops for queues and stacks */
  readonly kind: 'added' | 'deleted' | 'changed';
  readonly key: Uint8Array;
  readonly before: readonly Uint8Array[] | undefined;
  readonly after: readonly Uint8Array[] | undefined;
}

/** The changes of one map. */
export interface MapChange {
  readonly map: MapSnapshot;
  readonly changes: readonly EntryChange[];
}

function sameValues(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((v, i) => v.length === b[i]!.length && v.every((x, j) => x === b[i]![j]));
}

function diffKeyed(before: MapSnapshot, after: MapSnapshot): EntryChange[] {
  const zeros = (): Uint8Array[] => Array.from({ length: before.valuesPerEntry }, () => new Uint8Array(before.valueSize));
  const old = new Map(before.entries.map((e) => [hexBytes(e.key), e]));
  const now = new Map(after.entries.map((e) => [hexBytes(e.key), e]));
  const out: EntryChange[] = [];
  for (const e of after.entries) {
    const was = old.get(hexBytes(e.key));
    if (was === undefined) {
      // an array element that was all zeros was left out of the snapshot: it changed, it was not added
      out.push(before.sparse ? { kind: 'changed', key: e.key, before: zeros(), after: e.values } : { kind: 'added', key: e.key, before: undefined, after: e.values });
    } else if (!sameValues(was.values, e.values)) {
      out.push({ kind: 'changed', key: e.key, before: was.values, after: e.values });
    }
  }
  for (const e of before.entries) {
    if (now.has(hexBytes(e.key))) continue;
    out.push(before.sparse ? { kind: 'changed', key: e.key, before: e.values, after: zeros() } : { kind: 'deleted', key: e.key, before: e.values, after: undefined });
  }
  return out;
}

/** Pops from the front (queue) or back (stack), then pushes at the back. */
function diffQueue(before: MapSnapshot, after: MapSnapshot): EntryChange[] {
  const a = before.entries;
  const b = after.entries;
  const same = (x: EntrySnapshot, y: EntrySnapshot): boolean => sameValues(x.values, y.values);
  let popped: readonly EntrySnapshot[];
  let kept: number;
  if (before.contents === 'queue') {
    // the smallest number of pops after which what is left is the start of the new contents
    let front = 0;
    while (front < a.length && !a.slice(front).every((e, i) => b[i] !== undefined && same(e, b[i]!))) front++;
    popped = a.slice(0, front);
    kept = a.length - front;
  } else {
    let common = 0;
    while (common < a.length && common < b.length && same(a[common]!, b[common]!)) common++;
    popped = a.slice(common).reverse();
    kept = common;
  }
  return [
    ...popped.map((e): EntryChange => ({ kind: 'deleted', key: e.key, before: e.values, after: undefined })),
    ...b.slice(kept).map((e): EntryChange => ({ kind: 'added', key: e.key, before: undefined, after: e.values })),
  ];
}

/** What changed between two snapshots of the same object, map by map (maps without changes left out). */
export function diffSnapshots(before: Snapshot, after: Snapshot): MapChange[] {
  const out: MapChange[] = [];
  for (const m of after.maps) {
    const was = before.maps.find((x) => x.name === m.name);
    if (was === undefined) continue;
    const changes = m.contents === 'keyed' ? diffKeyed(was, m) : diffQueue(was, m);
    if (changes.length > 0) out.push({ map: m, changes });
  }
  return out;
}

/* ---------------------------------------------------------------- options */

/** A commander parser for an integer option in [`min`, `max`]. */
export function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
      throw new CliError('bad-input', `${name} must be ${range}, got '${value}'`);
    }
    return n;
  };
}
