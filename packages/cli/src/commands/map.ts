/**
 * `bpflab map dump|lookup|update|delete FILE MAP ...`: the maps of an
 * object loaded into a simulated kernel, in the style of `bpftool map`.
 *
 * Keys and values are given as bpftool takes them: `key 0x01 0x00 0x00
 * 0x00` (each byte as C's `strtoul` reads it: `0x` hex, leading `0`
 * octal, else decimal) or `key hex 01 00 00 00`; update flags are `any`,
 * `noexist` or `exist`. Output is bpftool's plain text (`key: 01 00 00 00
 * value: 05 00 00 00`, `value (CPU 00): ...` for per-CPU maps) or, with
 * `--json`, bpftool's JSON (hex byte arrays, plus `formatted` key and
 * value from the map's BTF). With `--state FILE.json` the maps start from
 * the state file and updates and deletes are written back to it.
 */
import type { Command } from 'commander';
import type { BpfObjectMap, TypedValue } from '@bpflab/kernel';
import { ERRNO, UPDATE_FLAG } from '@bpflab/uapi';
import { CliError } from '../errors';
import type { Io } from '../io';
import {
  errnoWords,
  formatJson,
  hexByteList,
  hexBytes,
  intOption,
  isPerCpuMap,
  joinPerCpu,
  openSession,
  readEntries,
  readQueue,
  saveSession,
  splitPerCpu,
  type EntrySnapshot,
  type JsonValue,
  type KernelSession,
} from '../kernel-session';

/** Options every `bpflab map` command takes. */
export interface MapCommandOptions {
  readonly state?: string;
  readonly cpus?: number;
  readonly json?: boolean;
  readonly pretty?: boolean;
}

/* ---------------------------------------------------------------- output */

/** Bytes as bpftool's `fprint_hex` lays them out: a space between bytes, two after 8, a new line after 16. */
export function bpftoolHex(bytes: Uint8Array): string {
  let s = '';
  bytes.forEach((b, i) => {
    if (i > 0) s += i % 16 === 0 ? '\n' : i % 8 === 0 ? '  ' : ' ';
    s += b.toString(16).padStart(2, '0');
  });
  return s;
}

/** Everything the entry printers need to know of a map. */
export interface EntryShape {
  readonly keySize: number;
  readonly valueSize: number;
  readonly perCpu: boolean;
}

/** The shape of a loaded map. */
export function shapeOf(m: BpfObjectMap): EntryShape {
  return { keySize: m.info.keySize, valueSize: m.info.valueSize, perCpu: isPerCpuMap(m) };
}

/** One element as `bpftool map dump` prints it in plain text (with its final newline). */
export function formatEntryPlain(shape: EntryShape, e: EntrySnapshot): string {
  let s = '';
  if (!shape.perCpu) {
    const breakNames = shape.keySize > 16 || shape.valueSize > 16;
    const singleLine = shape.keySize + shape.valueSize <= 24 && !breakNames;
    if (shape.keySize > 0) s += `key:${breakNames ? '\n' : ' '}${bpftoolHex(e.key)}${singleLine ? '  ' : '\n'}`;
    if (shape.valueSize > 0) s += `value:${breakNames ? '\n' : ' '}${bpftoolHex(e.values[0]!)}`;
    return `${s}\n`;
  }
  if (shape.keySize > 0) s += `key:\n${bpftoolHex(e.key)}\n`;
  e.values.forEach((v, cpu) => {
    s += `value (CPU ${String(cpu).padStart(2, '0')}):${shape.valueSize > 16 ? '\n' : ' '}${bpftoolHex(v)}\n`;
  });
  return s;
}

/** A typed value (from the map's BTF) as JSON. */
export function typedToJson(v: TypedValue): JsonValue {
  if (v instanceof Uint8Array) return hexByteList(v);
  if (Array.isArray(v)) return (v as readonly TypedValue[]).map(typedToJson);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as { readonly [k: string]: TypedValue }).map(([k, x]) => [k, typedToJson(x)]));
  return v as JsonValue;
}

/** Whether `formatted` (typed) output is possible: the map has a BTF value type (objects built with -g). */
function hasBtf(m: BpfObjectMap): boolean {
  return m.spec.valueType !== undefined;
}

/**
 * A global data map's value as bpftool's BTF dumper prints a DATASEC: the
 * section's name, then one object per variable (`{".bss": [{"total": 2}, {"hits": 4}]}`).
 */
function dataSectionJson(m: BpfObjectMap, value: JsonValue): JsonValue {
  const kind = m.spec.kind;
  if (kind === 'btf' || kind === 'legacy' || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return { [m.spec.section]: Object.entries(value as { readonly [k: string]: JsonValue }).map(([name, v]) => ({ [name]: v })) };
}

/** One element as `bpftool --json map dump` prints it. */
export function entryJson(m: BpfObjectMap, e: EntrySnapshot): JsonValue {
  const shape = shapeOf(m);
  const out: Record<string, JsonValue> = {};
  if (shape.keySize > 0) out.key = hexByteList(e.key);
  if (shape.perCpu) out.values = e.values.map((v, cpu) => ({ cpu, value: hexByteList(v) }));
  else out.value = hexByteList(e.values[0]!);
  if (hasBtf(m)) {
    const keyCodec = m.keyCodec();
    const valueCodec = m.valueCodec();
    const formatted: Record<string, JsonValue> = {};
    if (shape.keySize > 0) formatted.key = typedToJson(keyCodec.decode(e.key));
    if (shape.perCpu) formatted.values = e.values.map((v, cpu) => ({ cpu, value: typedToJson(valueCodec.decode(v)) }));
    else formatted.value = dataSectionJson(m, typedToJson(valueCodec.decode(e.values[0]!)));
    out.formatted = formatted;
  }
  return out;
}

function printJson(io: Io, opts: MapCommandOptions, value: JsonValue): void {
  io.out(`${formatJson(value, opts.pretty === true ? 2 : 0)}\n`);
}

/* ------------------------------------------------------------- arguments */

/** What the words after `MAP` give. */
export interface ElemArgs {
  readonly key: Uint8Array | undefined;
  readonly value: Uint8Array | undefined;
  readonly flags: number | undefined;
}

const FLAG_WORDS: Readonly<Record<string, number>> = { any: UPDATE_FLAG.ANY, noexist: UPDATE_FLAG.NOEXIST, exist: UPDATE_FLAG.EXIST };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function isByte(word: string, hex: boolean): boolean {
  try {
    parseByte(word, hex, '');
    return true;
  } catch {
    return false;
  }
}

/** One byte as `strtoul(s, NULL, base)` reads it (base 0: `0x` hex, leading `0` octal, else decimal). */
function parseByte(word: string, hex: boolean, what: string): number {
  let n: number;
  if (hex) n = /^(0x)?[0-9a-f]+$/i.test(word) ? parseInt(word.replace(/^0x/i, ''), 16) : Number.NaN;
  else if (/^0x[0-9a-f]+$/i.test(word)) n = parseInt(word.slice(2), 16);
  else if (/^0[0-7]*$/.test(word)) n = parseInt(word, 8);
  else if (/^[1-9][0-9]*$/.test(word)) n = parseInt(word, 10);
  else n = Number.NaN;
  if (Number.isNaN(n)) throw new CliError('bad-input', `${what}: error parsing byte: '${word}'${hex ? ' (after hex, bytes are hex digits: 0a ff)' : ''}`);
  if (n > 0xff) throw new CliError('bad-input', `${what}: byte '${word}' is more than 255`);
  return n;
}

/**
 * Parses `key [hex] BYTES... value [hex] BYTES... [any|noexist|exist]`,
 * as bpftool does, checking the byte counts against the map's sizes.
 */
export function parseElemArgs(words: readonly string[], shape: EntryShape, allowed: { readonly value: boolean; readonly flags: boolean }): ElemArgs {
  let key: Uint8Array | undefined;
  let value: Uint8Array | undefined;
  let flags: number | undefined;
  const isKeyword = (w: string): boolean => w === 'key' || w === 'value' || (allowed.flags && w in FLAG_WORDS);
  for (let i = 0; i < words.length; ) {
    const word = words[i]!;
    if (word === 'key' || (word === 'value' && allowed.value)) {
      if ((word === 'key' ? key : value) !== undefined) throw new CliError('bad-input', `'${word}' given twice`);
      i++;
      const hex = words[i] === 'hex';
      if (hex) i++;
      const size = word === 'key' ? shape.keySize : shape.valueSize;
      const bytes: number[] = [];
      while (i < words.length && bytes.length < size && !isKeyword(words[i]!)) bytes.push(parseByte(words[i++]!, hex, word));
      // as bpftool, exactly `size` bytes; more words that read as bytes are too many bytes, others are unexpected
      let more = 0;
      while (i + more < words.length && !isKeyword(words[i + more]!) && isByte(words[i + more]!, hex)) more++;
      if (bytes.length !== size || more > 0) throw new CliError('bad-input', `${word} expected ${plural(size, 'byte')}, got ${bytes.length + more}`);
      if (word === 'key') key = Uint8Array.from(bytes);
      else value = Uint8Array.from(bytes);
      continue;
    }
    if (allowed.flags && word in FLAG_WORDS) {
      if (flags !== undefined) throw new CliError('bad-input', `update flags given twice ('${word}')`);
      flags = FLAG_WORDS[word]!;
      i++;
      continue;
    }
    const expected = ['key', ...(allowed.value ? ['value'] : []), ...(allowed.flags ? ['any', 'noexist', 'exist'] : [])];
    throw new CliError('bad-input', `unexpected '${word}': expected ${expected.map((w) => `'${w}'`).join(', ')}`);
  }
  if (key === undefined && shape.keySize > 0) throw new CliError('bad-input', `a key is needed: key BYTES... (${plural(shape.keySize, 'byte')}, e.g. key ${Array(shape.keySize).fill('0x00').join(' ')})`);
  if (key !== undefined && shape.keySize === 0) throw new CliError('bad-input', 'this map has no keys (key_size 0): leave out key');
  if (allowed.value && value === undefined) throw new CliError('bad-input', `a value is needed: value BYTES... (${plural(shape.valueSize, 'byte')})`);
  return { key, value, flags };
}

/* -------------------------------------------------------------- commands */

function mapOf(session: KernelSession, name: string): BpfObjectMap {
  const maps = session.object.maps();
  const m = maps.find((x) => x.name === name) ?? maps.find((x) => x.spec.section === name && x.spec.kind !== 'btf' && x.spec.kind !== 'legacy');
  if (m === undefined) throw new CliError('bad-input', `${session.file} has no map '${name}' (maps: ${maps.map((x) => x.name).join(', ') || 'none'})`);
  return m;
}

async function open(io: Io, file: string, opts: MapCommandOptions): Promise<KernelSession> {
  return openSession(io, file, { ...(opts.state === undefined ? {} : { state: opts.state }), ...(opts.cpus === undefined ? {} : { cpus: opts.cpus }) });
}

/** `bpflab map dump FILE MAP [--json] [--state S]` */
export async function mapDumpCommand(io: Io, file: string, name: string, opts: MapCommandOptions): Promise<void> {
  const session = await open(io, file, opts);
  const m = mapOf(session, name);
  const kind = m.info.kind;
  const entries = kind === 'queue' || kind === 'stack' ? readQueue(m) : readEntries(m);
  if (opts.json === true) {
    printJson(io, opts, entries.map((e) => entryJson(m, e)));
    return;
  }
  const shape = shapeOf(m);
  for (const e of entries) io.out(formatEntryPlain(shape, e));
  io.out(`Found ${entries.length} element${entries.length === 1 ? '' : 's'}\n`);
}

/** `bpflab map lookup FILE MAP key BYTES... [--json] [--state S]` */
export async function mapLookupCommand(io: Io, file: string, name: string, words: readonly string[], opts: MapCommandOptions): Promise<void> {
  const session = await open(io, file, opts);
  const m = mapOf(session, name);
  const shape = shapeOf(m);
  const { key } = parseElemArgs(words, shape, { value: false, flags: false });
  const r = m.lookupElem(key ?? null);
  if (!r.ok) {
    if (r.errno !== ERRNO.ENOENT) throw new CliError('bad-input', `${m.name}: lookup failed: ${errnoWords(r.errno)}: ${r.message}`);
    // as bpftool: the key, then "Not found" (JSON: null); a non-zero exit
    if (opts.json === true) io.out('null\n');
    else io.out(`${shape.keySize > 0 ? `key:\n${bpftoolHex(key!)}\n\n` : ''}Not found\n`);
    throw new CliError('bad-input', `${m.name}: lookup failed: ${errnoWords(r.errno)}`);
  }
  const entry: EntrySnapshot = { key: key ?? new Uint8Array(0), values: shape.perCpu ? splitPerCpu(r.value, shape.valueSize) : [r.value] };
  if (opts.json === true) printJson(io, opts, entryJson(m, entry));
  else io.out(formatEntryPlain(shape, entry));
}

/** `bpflab map update FILE MAP key BYTES... value BYTES... [any|noexist|exist] [--state S]` */
export async function mapUpdateCommand(io: Io, file: string, name: string, words: readonly string[], opts: MapCommandOptions): Promise<void> {
  const session = await open(io, file, opts);
  const m = mapOf(session, name);
  const shape = shapeOf(m);
  const { key, value, flags } = parseElemArgs(words, shape, { value: true, flags: true });
  // as bpftool: a per-CPU map gets the value on every CPU
  const bytes = shape.perCpu ? joinPerCpu(Array.from({ length: session.kernel.cpus }, () => value!), shape.valueSize) : value!;
  const r = m.updateElem(key ?? null, bytes, flags ?? UPDATE_FLAG.ANY);
  if (!r.ok) throw new CliError('bad-input', `${m.name}: update failed: ${errnoWords(r.errno)}: ${r.message}`);
  saveSession(session);
  if (opts.json === true) io.out('null\n');
}

/** `bpflab map delete FILE MAP key BYTES... [--state S]` */
export async function mapDeleteCommand(io: Io, file: string, name: string, words: readonly string[], opts: MapCommandOptions): Promise<void> {
  const session = await open(io, file, opts);
  const m = mapOf(session, name);
  const { key } = parseElemArgs(words, shapeOf(m), { value: false, flags: false });
  const r = m.deleteElem(key ?? null);
  if (!r.ok) throw new CliError('bad-input', `${m.name}: delete failed: ${errnoWords(r.errno)}: ${r.message}`);
  saveSession(session);
  if (opts.json === true) io.out('null\n');
}

/** Adds `bpflab map dump|lookup|update|delete` to `program`. */
export function registerMapCommands(program: Command, io: Io, exitHelp: string): void {
  const map = program
    .command('map')
    .description('look at and change the maps of an object loaded into a simulated kernel, as bpftool map does')
    .addHelpText('after', exitHelp);
  const common = (c: Command, what: string): Command =>
    c
      .description(what)
      .argument('<file>', 'an object file (.o), or C source (.c) compiled first')
      .argument('<map>', "the map's name (or a global data section: .bss, .data)")
      .option('--state <file>', 'read the maps from this JSON state file first (and write changes back to it)')
      .option('--cpus <n>', 'CPUs of the simulated kernel (default: the state file\'s, else 2)', intOption('--cpus', 1, 1024))
      .option('-j, --json', "print bpftool's JSON")
      .option('-p, --pretty', 'indent the JSON (implies --json)')
      .addHelpText('after', exitHelp);
  const json = (o: MapCommandOptions): MapCommandOptions => ({ ...o, json: o.json === true || o.pretty === true });
  common(map.command('dump'), 'print every element').action((file: string, name: string, o: MapCommandOptions) => mapDumpCommand(io, file, name, json(o)));
  common(map.command('lookup'), 'print the element of a key')
    .argument('<args...>', 'key [hex] BYTES...')
    .action((file: string, name: string, words: string[], o: MapCommandOptions) => mapLookupCommand(io, file, name, words, json(o)));
  common(map.command('update'), 'create or replace an element (per-CPU maps: the value on every CPU)')
    .argument('<args...>', 'key [hex] BYTES... value [hex] BYTES... [any|noexist|exist]')
    .action((file: string, name: string, words: string[], o: MapCommandOptions) => mapUpdateCommand(io, file, name, words, json(o)));
  common(map.command('delete'), 'delete the element of a key')
    .argument('<args...>', 'key [hex] BYTES...')
    .action((file: string, name: string, words: string[], o: MapCommandOptions) => mapDeleteCommand(io, file, name, words, json(o)));
}
