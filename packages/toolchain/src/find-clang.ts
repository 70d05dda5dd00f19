/**
 * Finding a clang that can build BPF objects: `$CLANG` when set, else the
 * first of `clang`, `clang-21` … `clang-14` on `PATH` that runs, is at least
 * clang 14 and has the BPF backend (Apple's clang does not).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { posix, resolve, win32 } from 'node:path';
import { ToolchainError } from './errors';
import { run } from './internal/run';

/** A clang that builds BPF objects. */
export interface ClangInfo {
  /** the executable, as found (`/usr/bin/clang`) */
  readonly path: string;
  /** `CLANG` when `$CLANG` named it, `PATH` when found by name */
  readonly via: 'CLANG' | 'PATH';
  /** the name looked up (`clang-19`) or the value of `$CLANG` */
  readonly name: string;
  /** `14.0.6` */
  readonly version: string;
  /** 14 */
  readonly major: number;
  /** the first line of `clang --version` (`Debian clang version 14.0.6`) */
  readonly versionLine: string;
  /** the BPF targets it registers (`bpf`, `bpfeb`, `bpfel`) */
  readonly bpfTargets: readonly string[];
}

/** What a probe of a candidate printed. */
export interface ExecResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a probe command; rejects when the program cannot be started. */
export type Exec = (file: string, args: readonly string[]) => Promise<ExecResult>;

/** Options of {@link findClang}. Everything it reads from the system can be replaced. */
export interface FindClangOptions {
  /** where `CLANG` and `PATH` are read (default `process.env`) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** names looked up on `PATH`, in order (default {@link CLANG_CANDIDATES}) */
  readonly candidates?: readonly string[];
  /** runs `clang --version` and `clang -print-targets` (default: spawn, 10 s limit) */
  readonly exec?: Exec;
  /** whether a path is an executable regular file (default: `fs.accessSync` with X_OK) */
  readonly isExecutable?: (path: string) => boolean;
  /** splits `PATH` and adds `.exe` on `win32` (default `process.platform`) */
  readonly platform?: NodeJS.Platform;
}

/** The names looked up on `PATH` after `$CLANG`: `clang`, then versioned names, newest first. */
export const CLANG_CANDIDATES: readonly string[] = Object.freeze([
  'clang',
  ...Array.from({ length: 8 }, (_, i) => `clang-${21 - i}`),
]);

/** The oldest clang the kit's headers are built and tested with. */
export const MIN_CLANG_MAJOR = 14;

/** How to get a clang that builds BPF, for error messages and the CLI. */
export const CLANG_INSTALL_HINT = [
  'install clang with BPF support:',
  '  Debian/Ubuntu:  sudo apt-get install clang',
  '  Fedora:         sudo dnf install clang',
  '  macOS:          brew install llvm, then put "$(brew --prefix llvm)/bin" on PATH',
  '                  or set CLANG="$(brew --prefix llvm)/bin/clang" (Apple\'s clang has no BPF target)',
  'or build the object elsewhere (clang -O2 -g -target bpf -c prog.bpf.c -o prog.bpf.o)',
  'and hand bpflab the .o instead of the C source',
].join('\n');

function defaultIsExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const defaultExec: Exec = (file, args) => run(file, args, { timeoutMs: 10_000 });

/** Defaults of {@link FindClangOptions}. */
export const DEFAULT_FIND_CLANG_OPTIONS: Required<FindClangOptions> = {
  env: process.env,
  candidates: CLANG_CANDIDATES,
  exec: defaultExec,
  isExecutable: defaultIsExecutable,
  platform: process.platform,
};

/** The executable `name` resolves to on `PATH`, or undefined. */
function lookPath(name: string, o: Required<FindClangOptions>): string | undefined {
  const win = o.platform === 'win32';
  const dirs = (o.env.PATH ?? o.env.Path ?? '').split(win ? ';' : ':').filter((d) => d !== '');
  const names = win && !/\.exe$/i.test(name) ? [`${name}.exe`, name] : [name];
  const join = win ? win32.join : posix.join;
  for (const dir of dirs) {
    for (const n of names) {
      const p = join(dir, n);
      if (o.isExecutable(p)) return p;
    }
  }
  return undefined;
}

type Probe = { readonly ok: true; readonly info: Omit<ClangInfo, 'via' | 'name'> } | { readonly ok: false; readonly why: string };

async function probe(path: string, exec: Exec): Promise<Probe> {
  let version: ExecResult;
  try {
    version = await exec(path, ['--version']);
  } catch (e) {
    return { ok: false, why: `cannot run it: ${(e as Error).message}` };
  }
  const versionLine = version.stdout.split('\n')[0]?.trim() ?? '';
  const m = /clang version (\d+)\.(\d+)(?:\.(\d+))?/.exec(versionLine);
  if (version.status !== 0 || m === null) {
    return { ok: false, why: `not a clang: \`--version\` printed ${JSON.stringify(versionLine || version.stderr.trim())}` };
  }
  const major = Number(m[1]);
  const v = `${m[1]}.${m[2]}.${m[3] ?? '0'}`;
  if (major < MIN_CLANG_MAJOR) return { ok: false, why: `${versionLine}: older than clang ${MIN_CLANG_MAJOR}` };
  let targets: ExecResult;
  try {
    targets = await exec(path, ['-print-targets']);
  } catch (e) {
    return { ok: false, why: `cannot run it: ${(e as Error).message}` };
  }
  const bpfTargets = [...targets.stdout.matchAll(/^\s*(bpf\w*)\s+-/gm)].map((t) => t[1] ?? '');
  if (!bpfTargets.includes('bpf')) return { ok: false, why: `${versionLine}: no BPF target (built without the BPF backend)` };
  return { ok: true, info: { path, version: v, major, versionLine, bpfTargets } };
}

function missing(first: string, notes: readonly string[]): ToolchainError {
  const lines = [first, ...notes.map((n) => `  ${n}`), CLANG_INSTALL_HINT];
  return new ToolchainError('clang-missing', lines.join('\n'));
}

/**
 * Find a clang that builds BPF objects.
 *
 * 1. `$CLANG`, a path or a name on `PATH`; when set, it is the only one tried.
 * 2. Else {@link CLANG_CANDIDATES} in order on `PATH`: the first that runs,
 *    is clang {@link MIN_CLANG_MAJOR} or newer and lists the `bpf` target.
 *
 * @throws ToolchainError `clang-missing`, whose message lists what was
 *   tried and how to install clang (or hand in a `.o` built elsewhere)
 */
export async function findClang(options: FindClangOptions = {}): Promise<ClangInfo> {
  const o: Required<FindClangOptions> = { ...DEFAULT_FIND_CLANG_OPTIONS, ...options };
  const fromEnv = o.env.CLANG;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const named = fromEnv.trim();
    const api = o.platform === 'win32' ? win32 : posix;
    const isPath = named.includes('/') || named.includes('\\');
    const path = isPath ? (api.isAbsolute(named) ? named : resolve(named)) : lookPath(named, o);
    if (path === undefined || !o.isExecutable(path)) {
      throw missing(`clang not found: $CLANG is ${JSON.stringify(named)}: no such executable`, []);
    }
    const p = await probe(path, o.exec);
    if (!p.ok) throw missing(`clang not usable: $CLANG is ${JSON.stringify(named)} (${path}): ${p.why}`, []);
    return Object.freeze({ ...p.info, via: 'CLANG', name: named });
  }
  const notes: string[] = [];
  for (const name of o.candidates) {
    const path = lookPath(name, o);
    if (path === undefined) continue;
    const p = await probe(path, o.exec);
    if (p.ok) return Object.freeze({ ...p.info, via: 'PATH', name });
    notes.push(`${name} (${path}): ${p.why}`);
  }
  const tried = `$CLANG (unset), then ${o.candidates.join(', ')} on PATH`;
  throw missing(`clang not found: tried ${tried}`, notes);
}
