import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import {
  assembleCase,
  assembleConformance,
  assembleLlvmProgram,
  decode,
  IsaError,
  parseDataFile,
  type Insn,
} from '@bpflab/isa';
import { CliError } from './errors';

/** The assembly syntaxes `bpflab` reads and writes. */
export type Syntax = 'llvm' | 'conformance';

/** A program read from a file, with the memory a `.data` file gives it. */
export interface ProgramInput {
  readonly insns: readonly Insn[];
  readonly mem?: Uint8Array;
  /** The `-- result` of a `.data` file. */
  readonly expected?: bigint;
  /** How the file was read. */
  readonly format: 'raw' | 'data' | Syntax;
  /** Label names by slot, from LLVM-syntax assembly (for listings). */
  readonly labels?: ReadonlyMap<number, string>;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** Reads a file's bytes, turning a missing file into a clear error. */
export function readInput(path: string, cwd: string): Buffer {
  const full = resolve(cwd, path);
  try {
    return readFileSync(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(e);
    throw new CliError('bad-input', `${path}: ${why}`);
  }
}

function isElf(bytes: Uint8Array): boolean {
  return ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** True when the bytes look like text (assembly) rather than encoded instructions. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return false;
  }
  return true;
}

/** Guesses the syntax of assembly text: the conformance suite writes registers as `%r1`. */
export function detectSyntax(text: string): Syntax {
  return /%r\d/.test(text) ? 'conformance' : 'llvm';
}

function wrap<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof IsaError) {
      // Assembly errors already carry file:line:column; decoding errors a byte offset.
      const msg = e.source !== undefined ? e.message : `${path}: ${e.message}`;
      throw new CliError('bad-input', msg);
    }
    throw e;
  }
}

/** Decodes raw instruction bytes, refusing ELF objects with a clear message. */
export function decodeRaw(path: string, bytes: Uint8Array): readonly Insn[] {
  if (isElf(bytes)) {
    throw new CliError(
      'bad-input',
      `${path}: this is an ELF object file; this command takes raw instruction bytes (as written by 'bpflab asm -o') or assembly (see 'bpflab inspect' and 'bpflab disasm' for objects)`,
    );
  }
  return wrap(path, () => decode(bytes));
}

/**
 * Reads a program: a `.data` file (conformance format, with memory), raw
 * instruction bytes (`.bin`, `.raw`, or any file that is not text), or
 * assembly text in the given syntax (guessed when not given).
 */
export function readProgram(path: string, cwd: string, syntax?: Syntax): ProgramInput {
  const bytes = readInput(path, cwd);
  const ext = extname(path).toLowerCase();
  if (ext === '.bin' || ext === '.raw' || !looksLikeText(bytes)) {
    return { insns: decodeRaw(path, bytes), format: 'raw' };
  }
  const text = bytes.toString('utf8');
  if (ext === '.data') {
    return wrap(path, () => {
      const c = parseDataFile(text, { file: path });
      return { insns: assembleCase(c), mem: c.mem, expected: c.result, format: 'data' as const };
    });
  }
  const chosen = syntax ?? detectSyntax(text);
  return wrap(path, () => {
    if (chosen === 'conformance') return { insns: assembleConformance(text, { file: path }), format: chosen };
    const p = assembleLlvmProgram(text, { file: path });
    return { insns: p.insns, labels: p.labelsBySlot, format: chosen };
  });
}
