// One place for the tests that build BPF C programs with clang the way the
// toolchain does (`clang -O2 -g -target bpf -mcpu=v3` with the kit's
// headers). Objects are cached in the temp directory under a key made of the
// source, the kit's headers and the compiler, so a changed header never
// serves a stale object. Without clang, `buildBpfC` returns undefined and
// `haveClang` warns, so the skip is visible.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The kit's include directory. */
export const KIT_INCLUDE = join(REPO, 'packages/toolchain/include');
const CACHE = join(tmpdir(), 'bpflab-test-objects');
const CLANG = process.env['CLANG'] ?? 'clang';

let version: string | null | undefined;
let headers: string | undefined;

function clangVersion(): string | null {
  if (version === undefined) {
    try {
      version = execFileSync(CLANG, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      version = null;
    }
  }
  return version;
}

function digestDir(dir: string, hash: ReturnType<typeof createHash>): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) digestDir(p, hash);
    else hash.update(name).update(readFileSync(p));
  }
}

function headersDigest(): string {
  if (headers === undefined) {
    const hash = createHash('sha256');
    digestDir(KIT_INCLUDE, hash);
    headers = hash.digest('hex');
  }
  return headers;
}

/** Whether clang can be run; otherwise warns that `suite` skips its C programs. */
export function haveClang(suite: string): boolean {
  if (clangVersion() !== null) return true;
  console.warn(`${suite}: clang is not installed: skipping the tests that build BPF C programs`);
  return false;
}

/** Compiles C source text to a BPF object (cached); undefined without clang. */
export function buildBpfC(source: string, name = 'prog.bpf.c'): Uint8Array | undefined {
  const v = clangVersion();
  if (v === null) return undefined;
  const key = createHash('sha256').update(source).update(headersDigest()).update(v).digest('hex').slice(0, 16);
  mkdirSync(CACHE, { recursive: true });
  const base = name.split('/').pop()!.replace(/\.c$/, '');
  const src = join(CACHE, `${base}-${key}.c`);
  const obj = join(CACHE, `${base}-${key}.o`);
  if (!existsSync(obj)) {
    writeFileSync(src, source);
    const out = `${obj}.${process.pid}.tmp`;
    execFileSync(CLANG, ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I', KIT_INCLUDE, '-idirafter', '/usr/include/x86_64-linux-gnu', '-c', src, '-o', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Written under a temporary name first: parallel test workers never read a half-written object.
    writeFileSync(obj, readFileSync(out));
  }
  return new Uint8Array(readFileSync(obj));
}

/** Compiles a C file (cached by its content); undefined without clang. */
export function buildBpfFile(file: string): Uint8Array | undefined {
  return buildBpfC(readFileSync(file, 'utf8'), file);
}
