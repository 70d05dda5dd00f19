// Shared test helpers: clang and llvm-objdump discovery, compiling C
// fixtures into a temporary directory, golden files, and error capture.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ObjectError } from '../src/index';

export const FIXTURES = join(dirname(new URL(import.meta.url).pathname), 'fixtures');
export const UPDATE_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';

/** Runs a command, returning stdout, or throws with its stderr. */
export function run(cmd: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function majorOf(cmd: string, re: RegExp): number | undefined {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0 || r.error) return undefined;
  const m = re.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

/** A compiler and its major version. */
export interface Tool {
  readonly cmd: string;
  readonly major: number;
}

let clangCache: Tool | null | undefined;

/** `$CLANG`, `clang-19` or `clang` (the first that runs); `null` when there is none. */
export function findClang(): Tool | null {
  if (clangCache !== undefined) return clangCache;
  clangCache = null;
  for (const cmd of [process.env['CLANG'], 'clang-19', 'clang'].filter((c): c is string => !!c)) {
    const major = majorOf(cmd, /clang version (\d+)/);
    if (major !== undefined) {
      clangCache = { cmd, major };
      break;
    }
  }
  return clangCache;
}

/** An llvm-objdump whose output the isa disassembler imitates (14 or 19), or `null`. */
export function findObjdump(): (Tool & { readonly major: 14 | 19 }) | null {
  for (const cmd of ['llvm-objdump-19', 'llvm-objdump', 'llvm-objdump-14']) {
    const major = majorOf(cmd, /LLVM version (\d+)/);
    if (major === 14 || major === 19) return { cmd, major };
  }
  return null;
}

/** Says once, visibly, why a group of checks is skipped. */
const warned = new Set<string>();
export function skipNote(what: string): void {
  if (warned.has(what)) return;
  warned.add(what);
  console.warn(`skipped: ${what}`);
}

let tmp: string | undefined;
function tempDir(): string {
  if (!tmp) {
    tmp = mkdtempSync(join(tmpdir(), 'bpflab-object-'));
    process.on('exit', () => rmSync(tmp!, { recursive: true, force: true }));
  }
  return tmp;
}

const built = new Map<string, Uint8Array>();

/**
 * Compiles a fixture (a path relative to `fixtures/`) with
 * `clang -O2 -g -target <target> -c`, from the fixture's directory and with
 * the directory mapped to `.` in debug info, so file names in line info are
 * `./<name>.bpf.c` wherever the repository lives. Results are cached per run.
 */
export function compileFixture(clang: Tool, fixture: string, target: 'bpf' | 'bpfeb' = 'bpf'): Uint8Array {
  const key = `${fixture}:${target}`;
  const cached = built.get(key);
  if (cached) return cached;
  const src = join(FIXTURES, fixture);
  const dir = dirname(src);
  const out = join(tempDir(), `${fixture.replace(/[/\\]/g, '__')}.${target}.o`);
  run(clang.cmd, ['-O2', '-g', '-target', target, '-c', basename(src), '-o', out, `-fdebug-prefix-map=${dir}=.`], dir);
  const bytes = new Uint8Array(readFileSync(out));
  built.set(key, bytes);
  return bytes;
}

/** The object file a fixture compiles to (for tools such as llvm-objdump). */
export function fixtureObjectPath(fixture: string, target: 'bpf' | 'bpfeb' = 'bpf'): string {
  return join(tempDir(), `${fixture.replace(/[/\\]/g, '__')}.${target}.o`);
}

/** Compares `actual` with the golden file, or rewrites it under UPDATE_GOLDEN=1. */
export function expectGolden(file: string, actual: string): void {
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 (pnpm run update-goldens)`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** Runs `f`, returning the ObjectError it throws (failing the test if it throws anything else or nothing). */
export function catchObjectError(f: () => unknown): ObjectError {
  try {
    f();
  } catch (e) {
    if (e instanceof ObjectError) return e;
    throw e;
  }
  throw new Error('expected an ObjectError, nothing was thrown');
}
