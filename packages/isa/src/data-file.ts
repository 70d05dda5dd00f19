/**
 * The `.data` test files of the bpf_conformance suite.
 *
 * ```
 * # comments anywhere a line starts with '#' (and after '#' in mem/raw/result)
 * -- asm                 the program, in the suite's assembler syntax
 * mov32 %r0, 1
 * exit
 * -- mem                 bytes the program gets in r1 (length in r2)
 * 00 01 02 03
 * -- raw                 the encoded program: one little-endian 64-bit word per line
 * 0x00000001000000b4     (0x00000001000000b4 is b4 00 00 00 01 00 00 00), or hex bytes
 * 0x0000000000000095
 * -- result              the expected r0, hex or decimal
 * 0x1
 * -- error               instead of a result: the program must be refused, and
 * Invalid register       the error should contain this text when there is one
 * ```
 * `-- c` and `-- no register offset` are ignored with their contents; any
 * other section is an error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode, encode } from './codec';
import { assembleConformanceWithLines } from './conformance-asm';
import { IsaError, formatLocation, type SourceLocation } from './errors';
import type { Insn } from './insn';

/** One parsed `.data` file. Line numbers are the file's own (1-based). */
export interface ConformanceCase {
  /** The file name given to the parser, for messages. */
  readonly file?: string;
  /** The `-- asm` section: its text and the line its first line has in the file. */
  readonly asm?: { readonly text: string; readonly line: number };
  /** The `-- raw` section as bytes in memory order. */
  readonly raw?: Uint8Array;
  /** `rawLines[i]` is the file line where the 8-byte slot `i` of `raw` starts. */
  readonly rawLines?: readonly number[];
  /** The `-- mem` bytes; absent when the file has no `-- mem` section. */
  readonly mem?: Uint8Array;
  /** The expected r0 (`-- result`) as an unsigned 64-bit value. */
  readonly result?: bigint;
  /** The `-- error` section: the program must be refused; `text` is what the error should contain. */
  readonly error?: { readonly text?: string; readonly line: number };
}

/** Options of {@link parseDataFile}. */
export interface DataFileOptions {
  /** File name used in error messages and kept in the case (default: none, shown as `<input>`). */
  readonly file?: string;
}

const KNOWN = ['asm', 'mem', 'raw', 'result', 'error'] as const;
type Known = (typeof KNOWN)[number];
const IGNORED: ReadonlySet<string> = new Set(['c', 'no register offset']);

interface SectionLine {
  readonly text: string;
  readonly line: number;
}

interface Section {
  readonly header: number;
  readonly lines: SectionLine[];
}

function fail(file: string | undefined, line: number, column: number, message: string): never {
  const source: SourceLocation = { file, line, column };
  throw new IsaError('bad-data-file', `${formatLocation(source)}: ${message}`, undefined, source);
}

/** The part of a line before its `#` comment. */
const uncommented = (s: string): string => {
  const at = s.indexOf('#');
  return at < 0 ? s : s.slice(0, at);
};

/** Whitespace-separated words of a line, with their 1-based columns, comments dropped. */
function words(text: string): { readonly word: string; readonly col: number }[] {
  const out: { word: string; col: number }[] = [];
  for (const m of uncommented(text).matchAll(/\S+/g)) out.push({ word: m[0], col: (m.index ?? 0) + 1 });
  return out;
}

function hexBytes(file: string | undefined, sec: Section, what: Known): { bytes: Uint8Array; starts: number[] } {
  const out: number[] = [];
  const starts: number[] = [];
  for (const l of sec.lines) {
    for (const w of words(l.text)) {
      if (what === 'raw' && /^0[xX][0-9a-fA-F]{1,16}$/.test(w.word)) {
        // One instruction as a little-endian 64-bit word.
        let v = BigInt(w.word);
        starts.push(l.line);
        for (let i = 0; i < 8; i++) {
          out.push(Number(v & 0xffn));
          v >>= 8n;
        }
        continue;
      }
      if (!/^[0-9a-fA-F]{2}$/.test(w.word)) {
        const forms =
          what === 'raw'
            ? 'two hex digits per byte (like 95) or one 64-bit word per instruction (like 0x0000000000000095)'
            : 'two hex digits per byte, like 0a';
        fail(file, l.line, w.col, `invalid byte '${w.word}' in -- ${what}: expected ${forms}`);
      }
      if (out.length % 8 === 0) starts.push(l.line);
      out.push(parseInt(w.word, 16));
    }
  }
  return { bytes: Uint8Array.from(out), starts };
}

function parseResult(file: string | undefined, sec: Section): bigint {
  const found = sec.lines.flatMap((l) => words(l.text).map((w) => ({ ...w, line: l.line })));
  const first = found[0];
  if (first === undefined) return fail(file, sec.header, 1, '-- result has no value: expected a number like 0x1 or 42');
  const extra = found[1];
  if (extra !== undefined) fail(file, extra.line, extra.col, `-- result has more than one value: unexpected '${extra.word}'`);
  const m = /^(-?)(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(first.word);
  if (m === null) fail(file, first.line, first.col, `invalid -- result '${first.word}': expected a number like 0x1 or 42`);
  const v = m[1] === '-' ? -BigInt(m[2]!) : BigInt(m[2]!);
  if (v < -(1n << 63n) || v >= 1n << 64n) fail(file, first.line, first.col, `-- result ${first.word} does not fit in 64 bits`);
  return BigInt.asUintN(64, v);
}

/**
 * Parses a bpf_conformance `.data` file. It reads the sections but does not
 * assemble or decode the program (see {@link assembleCase}), so that a case
 * whose program must be refused still parses.
 *
 * @throws IsaError (code `bad-asm`, with `source`) when the file itself is
 * malformed: an unknown or repeated section, text outside a section, bad
 * bytes in `-- mem`/`-- raw`, a bad `-- result`, no program, or no expectation.
 */
export function parseDataFile(text: string, options: DataFileOptions = {}): ConformanceCase {
  const file = options.file;
  const sections = new Map<Known, Section>();
  let current: Section | undefined;
  text.split(/\r?\n/).forEach((content, i) => {
    const line = i + 1;
    if (content.startsWith('-- ') || content.trimEnd() === '--') {
      const name = content.slice(2).trim();
      if (IGNORED.has(name)) {
        current = { header: line, lines: [] };
        return;
      }
      if (!(KNOWN as readonly string[]).includes(name)) {
        const all = [...KNOWN, ...IGNORED].map((k) => `-- ${k}`).join(', ');
        fail(file, line, 1, `unknown section '-- ${name}': expected one of ${all}`);
      }
      const prev = sections.get(name as Known);
      if (prev !== undefined) fail(file, line, 1, `repeated section '-- ${name}': first at line ${prev.header}`);
      current = { header: line, lines: [] };
      sections.set(name as Known, current);
      return;
    }
    if (current === undefined) {
      const stray = uncommented(content).trim();
      if (stray !== '') {
        fail(file, line, content.indexOf(stray) + 1, `text outside any section: '${stray}': sections start with a line like '-- asm'`);
      }
      return;
    }
    current.lines.push({ text: content, line });
  });

  const where = (name: Known): number => sections.get(name)?.header ?? 1;
  const asmSec = sections.get('asm');
  const rawSec = sections.get('raw');
  const memSec = sections.get('mem');
  const resultSec = sections.get('result');
  const errorSec = sections.get('error');

  if (asmSec === undefined && rawSec === undefined) {
    fail(file, 1, 1, "no program: the file needs an '-- asm' or a '-- raw' section");
  }
  if (resultSec === undefined && errorSec === undefined) {
    fail(file, 1, 1, "no expectation: the file needs a '-- result' or an '-- error' section");
  }
  if (resultSec !== undefined && errorSec !== undefined) {
    fail(file, where('error'), 1, `both '-- result' (line ${resultSec.header}) and '-- error': a program either returns or is refused`);
  }

  let raw: { bytes: Uint8Array; starts: number[] } | undefined;
  if (rawSec !== undefined) {
    raw = hexBytes(file, rawSec, 'raw');
    if (raw.bytes.length === 0) fail(file, rawSec.header, 1, '-- raw has no bytes');
    if (raw.bytes.length % 8 !== 0) {
      fail(file, rawSec.header, 1, `-- raw has ${raw.bytes.length} bytes, not a multiple of 8 (one instruction is 8 bytes)`);
    }
  }
  const errorText = errorSec?.lines
    .map((l) => uncommented(l.text).trim())
    .filter((t) => t !== '')
    .join('\n');

  return {
    ...(file !== undefined && { file }),
    ...(asmSec !== undefined && { asm: { text: asmSec.lines.map((l) => l.text).join('\n'), line: asmSec.header + 1 } }),
    ...(raw !== undefined && { raw: raw.bytes, rawLines: raw.starts }),
    ...(memSec !== undefined && { mem: hexBytes(file, memSec, 'mem').bytes }),
    ...(resultSec !== undefined && { result: parseResult(file, resultSec) }),
    ...(errorSec !== undefined && { error: { line: errorSec.header, ...(errorText !== '' && { text: errorText }) } }),
  };
}

/** Reads and parses a `.data` file; `options.file` (default: `path`) names it in messages. */
export function readDataFile(path: string, options: DataFileOptions = {}): ConformanceCase {
  return parseDataFile(readFileSync(path, 'utf8'), { file: options.file ?? path });
}

const hexSlot = (bytes: Uint8Array, slot: number): string =>
  Array.from(bytes.subarray(slot * 8, slot * 8 + 8), (b) => b.toString(16).padStart(2, '0')).join(' ');

/**
 * The program of a case: assembles `-- asm` (errors name the `.data` file's
 * own lines), decodes `-- raw`, and when both are given checks that the
 * assembler produces exactly the raw bytes.
 *
 * @throws IsaError: `bad-asm` for assembly errors, an empty program, or asm
 * and raw that disagree; `bad-encoding` (with `byteOffset` and `source`) for
 * raw bytes that do not decode.
 */
export function assembleCase(c: ConformanceCase): Insn[] {
  const file = c.file;
  let fromAsm: { readonly insns: Insn[]; readonly lines: readonly number[] } | undefined;
  if (c.asm !== undefined) {
    fromAsm = assembleConformanceWithLines(c.asm.text, { file, firstLine: c.asm.line });
    if (fromAsm.insns.length === 0) fail(file, c.asm.line - 1, 1, '-- asm has no instructions');
  }
  if (c.raw === undefined) {
    if (fromAsm === undefined) return fail(file, 1, 1, "no program: the case has neither '-- asm' nor '-- raw'");
    return fromAsm.insns;
  }
  const raw = c.raw;
  const rawLine = (slot: number): number => c.rawLines?.[slot] ?? c.rawLines?.[0] ?? 1;
  let decoded: Insn[];
  try {
    decoded = decode(raw);
  } catch (e) {
    if (!(e instanceof IsaError) || e.byteOffset === undefined) throw e;
    const source: SourceLocation = { file, line: rawLine(Math.floor(e.byteOffset / 8)), column: 1 };
    throw new IsaError('bad-encoding', `${formatLocation(source)}: ${e.message}`, e.byteOffset, source);
  }
  if (fromAsm === undefined) return decoded;
  const bytes = encode(fromAsm.insns);
  const slots = Math.max(bytes.length, raw.length) / 8;
  for (let slot = 0; slot < slots; slot++) {
    const a = hexSlot(bytes, slot);
    const b = hexSlot(raw, slot);
    if (a === b) continue;
    // The asm line of the instruction covering this slot.
    let acc = 0;
    let line = c.asm?.line ?? 1;
    for (let i = 0; i < fromAsm.insns.length && acc <= slot; i++) {
      line = fromAsm.lines[i]!;
      acc += fromAsm.insns[i]!.kind === 'lddw' ? 2 : 1;
    }
    fail(
      file,
      line,
      1,
      `-- asm and -- raw disagree at slot ${slot}: the assembly encodes ${a === '' ? 'nothing' : `'${a}'`}, ` +
        `-- raw (line ${rawLine(slot)}) has ${b === '' ? 'nothing' : `'${b}'`}`,
    );
  }
  return fromAsm.insns;
}

/** Options of {@link findConformanceDir}. */
export interface FindConformanceDirOptions {
  /** Environment to read `BPFLAB_CONFORMANCE_DIR` from (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where to start looking for the repository root (default: this package's folder). */
  readonly from?: string;
}

/** The repository root: the nearest folder at or above `from` holding `pnpm-workspace.yaml`. */
function repoRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/**
 * Where the bpf_conformance data (`tests/` and `negative/`) is: the folder named
 * by the environment variable `BPFLAB_CONFORMANCE_DIR` when set, otherwise
 * `../shared/conformance` next to the repository root. Returns `undefined`
 * when that folder does not exist, so that tests can skip with a message.
 */
export function findConformanceDir(options: FindConformanceDirOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const override = env['BPFLAB_CONFORMANCE_DIR'];
  if (override !== undefined && override !== '') {
    const dir = resolve(override);
    return isDir(dir) ? dir : undefined;
  }
  const root = repoRoot(options.from ?? dirname(fileURLToPath(import.meta.url)));
  if (root === undefined) return undefined;
  const dir = resolve(root, '..', 'shared', 'conformance');
  return isDir(dir) ? dir : undefined;
}
