/**
 * Building a BPF object: `clang -O2 -g -target bpf -mcpu=v3 -c` with the
 * kit's include directory first on the include path, in a temporary
 * directory that is removed afterwards.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseDiagnostics, type Diagnostic } from './diagnostics';
import { ToolchainError } from './errors';
import { findClang, type ClangInfo, type FindClangOptions } from './find-clang';
import { includeDir } from './include-dir';
import { run } from './internal/run';

/** C source handed over as text; `name` is what diagnostics and BTF line info call it. */
export interface CompileSource {
  readonly source: string;
  /** a relative path (`prog.bpf.c`, `lab1/prog.bpf.c`) */
  readonly name: string;
}

/** A path to a C file, or the source itself. */
export type CompileInput = string | CompileSource;

/**
 * `-mcpu=`: the BPF instruction set generation. v1 is the original set, v2
 * adds more conditional jumps, v3 32-bit jumps and ALU (Linux 5.1), v4
 * sign extension, byte swaps, 32-bit offsets and signed division (Linux
 * 6.6, clang 18). `probe` asks the build machine's kernel.
 */
export type BpfCpu = 'generic' | 'v1' | 'v2' | 'v3' | 'v4' | 'probe';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** the compiler; `'find'` runs {@link findClang} (default `'find'`) */
  readonly clang?: ClangInfo | 'find';
  /** how `'find'` looks for clang (default `{}`: `$CLANG`, then `PATH`) */
  readonly findClang?: FindClangOptions;
  /** `-mcpu=` (default `'v3'`) */
  readonly cpu?: BpfCpu;
  /** `-DNAME=value`; `true` gives `-DNAME` (default `{}`) */
  readonly defines?: Readonly<Record<string, string | number | true>>;
  /** `-I` directories, after the kit's include directory (default `[]`) */
  readonly includeDirs?: readonly string[];
  /**
   * `-idirafter` directories for the system's headers; `'auto'` adds the
   * multiarch directory holding `<asm/types.h>` when there is one
   * (`/usr/include/x86_64-linux-gnu` on Debian), which `<linux/*.h>` need
   * and clang does not search for the BPF target (default `'auto'`)
   */
  readonly systemIncludeDirs?: readonly string[] | 'auto';
  /** `-W` flags without the `-W` (default `['all']`) */
  readonly warnings?: readonly string[];
  /** turn warnings into errors (default false) */
  readonly werror?: boolean;
  /** more arguments for clang, before the input file (default `[]`) */
  readonly extraArgs?: readonly string[];
  /** kill clang after this many milliseconds (default 30000) */
  readonly timeoutMs?: number;
  /** the directory a file input and relative include directories are relative to (default `'.'`, the process's) */
  readonly cwd?: string;
}

/** Defaults of {@link CompileOptions}. */
export const DEFAULT_COMPILE_OPTIONS: Required<CompileOptions> = {
  clang: 'find',
  findClang: {},
  cpu: 'v3',
  defines: {},
  includeDirs: [],
  systemIncludeDirs: 'auto',
  warnings: ['all'],
  werror: false,
  extraArgs: [],
  timeoutMs: 30_000,
  cwd: '.',
};

interface CompileCommon {
  /** the input's name: the path as given, or the source's `name` */
  readonly file: string;
  /** every diagnostic clang printed, in order (warnings and notes when ok) */
  readonly diagnostics: readonly Diagnostic[];
  /** what clang wrote to stderr */
  readonly log: string;
  /** the command that ran, program first */
  readonly command: readonly string[];
  readonly clang: ClangInfo;
}

/**
 * What {@link compile} gives: the object, or the diagnostics explaining why
 * there is none.
 */
export type CompileResult =
  | (CompileCommon & {
      readonly ok: true;
      /** the ELF object clang wrote */
      readonly object: Uint8Array;
    })
  | (CompileCommon & { readonly ok: false });

/** Where the kit's include directory appears in debug info: the same on every machine. */
export const DEBUG_INCLUDE_DIR = '/bpflab/include';

const MULTIARCH: Readonly<Partial<Record<string, string>>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
  loong64: 'loongarch64-linux-gnu',
  mips64el: 'mips64el-linux-gnuabi64',
};

/**
 * The system include directories `'auto'` stands for: the multiarch
 * directory of this machine when it holds `asm/types.h`.
 */
export function autoSystemIncludeDirs(arch: string = process.arch, root = '/usr/include'): readonly string[] {
  const triple = MULTIARCH[arch];
  if (triple === undefined) return [];
  const dir = join(root, triple);
  return existsSync(join(dir, 'asm', 'types.h')) ? [dir] : [];
}

const clangCache = new Map<string, Promise<ClangInfo>>();

/** findClang, remembered per `$CLANG`/`PATH` when the default lookup is used. */
function resolveClang(o: Required<CompileOptions>): Promise<ClangInfo> {
  if (o.clang !== 'find') return Promise.resolve(o.clang);
  if (Object.keys(o.findClang).length > 0) return findClang(o.findClang);
  const key = `${process.env.CLANG ?? ''}\0${process.env.PATH ?? ''}`;
  let p = clangCache.get(key);
  if (p === undefined) {
    p = findClang();
    clangCache.set(key, p);
    p.catch(() => clangCache.delete(key));
  }
  return p;
}

function checkName(name: string): string[] {
  const parts = name.split(/[\\/]/);
  if (name === '' || name.startsWith('/') || /^[A-Za-z]:/.test(name) || parts.some((p) => p === '..' || p === '')) {
    throw new ToolchainError('bad-input', `source name must be a relative path without '..': ${JSON.stringify(name)}`, name);
  }
  return parts;
}

function checkOptions(o: Required<CompileOptions>, clang: ClangInfo): void {
  if (o.cpu === 'v4' && clang.major < 18) {
    throw new ToolchainError('bad-option', `cpu v4 needs clang 18 or newer: ${clang.versionLine}`);
  }
  for (const [name, value] of Object.entries(o.defines)) {
    if (!/^[A-Za-z_]\w*$/.test(name)) throw new ToolchainError('bad-option', `bad macro name in defines: ${JSON.stringify(name)}`);
    if (typeof value === 'string' && /[\r\n]/.test(value)) {
      throw new ToolchainError('bad-option', `macro value has a line break: ${name}`);
    }
  }
  for (const w of o.warnings) {
    if (!/^[\w=+-]+$/.test(w)) throw new ToolchainError('bad-option', `bad warning flag: -W${w}`);
  }
  if (!(o.timeoutMs > 0)) throw new ToolchainError('bad-option', `timeoutMs must be positive: ${o.timeoutMs}`);
}

/** The clang arguments for a build, input and output last. */
function clangArgs(o: Required<CompileOptions>, cwd: string, input: string, output: string, srcDir?: string): string[] {
  const system = o.systemIncludeDirs === 'auto' ? autoSystemIncludeDirs() : o.systemIncludeDirs;
  return [
    '-O2',
    '-g',
    '-target',
    'bpf',
    `-mcpu=${o.cpu}`,
    '-c',
    '-fno-color-diagnostics',
    '-fmessage-length=0',
    `-fdebug-prefix-map=${includeDir}=${DEBUG_INCLUDE_DIR}`,
    ...(srcDir === undefined ? [] : [`-fdebug-prefix-map=${srcDir}=`]),
    `-I${includeDir}`,
    ...o.includeDirs.map((d) => `-I${resolve(cwd, d)}`),
    ...system.map((d) => `-idirafter${resolve(cwd, d)}`),
    ...o.warnings.map((w) => `-W${w}`),
    ...(o.werror ? ['-Werror'] : []),
    ...Object.entries(o.defines).map(([k, v]) => (v === true ? `-D${k}` : `-D${k}=${v}`)),
    ...o.extraArgs,
    '-o',
    output,
    input,
  ];
}

/**
 * Compile a BPF C program to an ELF object.
 *
 * A file is compiled where it is (diagnostics name it as given); a
 * `{source, name}` is written to a temporary directory first (diagnostics
 * and BTF line info call it `name`). The kit's include directory comes
 * first on the include path and appears as {@link DEBUG_INCLUDE_DIR} in
 * debug info, so the same source gives the same object on every machine
 * with the same clang.
 *
 * A program that does not compile is a result, `ok: false`, with clang's
 * diagnostics; see {@link formatDiagnostics}.
 *
 * @throws ToolchainError `clang-missing` (no clang), `bad-input` (unreadable
 *   file, bad source name), `bad-option`, `timeout`, `clang-failed` (clang
 *   crashed or failed without an error diagnostic)
 */
export async function compile(input: CompileInput, options: CompileOptions = {}): Promise<CompileResult> {
  const o: Required<CompileOptions> = { ...DEFAULT_COMPILE_OPTIONS, ...options };
  const cwd = resolve(o.cwd);
  const file = typeof input === 'string' ? input : input.name;
  const parts = typeof input === 'string' ? undefined : checkName(input.name);
  if (typeof input === 'string') {
    let isFile: boolean;
    try {
      isFile = (await stat(resolve(cwd, input))).isFile();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new ToolchainError('bad-input', `cannot read source: ${input}: ${err.code ?? err.message}`, input);
    }
    if (!isFile) throw new ToolchainError('bad-input', `cannot read source: ${input}: not a file`, input);
  }
  const clang = await resolveClang(o);
  checkOptions(o, clang);

  const tmp = realpathSync(await mkdtemp(join(tmpdir(), 'bpflab-cc-')));
  try {
    const output = join(tmp, 'out.o');
    let runCwd = cwd;
    let srcDir: string | undefined;
    if (typeof input !== 'string' && parts !== undefined) {
      srcDir = join(tmp, 'src');
      const path = join(srcDir, ...parts);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, input.source);
      runCwd = srcDir;
    }
    const args = clangArgs(o, cwd, file, output, srcDir);
    const command = [clang.path, ...args];
    let r;
    try {
      r = await run(clang.path, args, { cwd: runCwd, timeoutMs: o.timeoutMs });
    } catch (e) {
      throw new ToolchainError('clang-failed', `cannot run clang: ${clang.path}: ${(e as Error).message}`, file);
    }
    if (r.timedOut) throw new ToolchainError('timeout', `clang did not finish in ${o.timeoutMs} ms: ${file}`, file);
    const tail = (s: string): string => s.trim().split('\n').slice(-12).join('\n');
    if (r.signal !== null || /PLEASE submit a bug report/.test(r.stderr)) {
      throw new ToolchainError(
        'clang-failed',
        `clang crashed compiling ${file}${r.signal === null ? '' : `: ${r.signal}`}\n${tail(r.stderr)}`,
        file,
      );
    }
    const diagnostics = parseDiagnostics(r.stderr);
    const common = { file, diagnostics, log: r.stderr, command, clang };
    if (r.status === 0) {
      const bytes = await readFile(output).catch(() => undefined);
      if (bytes === undefined) throw new ToolchainError('clang-failed', `clang wrote no object for ${file}`, file);
      return { ...common, ok: true, object: new Uint8Array(bytes) };
    }
    if (!diagnostics.some((d) => d.severity === 'error')) {
      throw new ToolchainError('clang-failed', `clang exited with status ${r.status} compiling ${file}\n${tail(r.stderr)}`, file);
    }
    return { ...common, ok: false };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
