// Builds BPF C sources with clang for the tests, as the toolchain does
// (`clang -O2 -g -target bpf -mcpu=v3` with the kit's headers), caching
// objects by source text. Without clang, `buildC` returns undefined and
// the caller skips with a visible warning.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../../../..');
const INCLUDE = join(ROOT, 'packages/toolchain/include');
const PROGRAMS = join(ROOT, 'packages/toolchain/tests/fixtures/programs');

const CACHE = join(tmpdir(), 'bpflab-hooks-tracepoint-tests');

let clang: string | null | undefined;

function findClang(): string | null {
  if (clang !== undefined) return clang;
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    clang = 'clang';
  } catch {
    clang = null;
  }
  return clang;
}

/** Whether clang is available; warns (once per file) when it is not. */
export function haveClang(file: string): boolean {
  if (findClang() !== null) return true;
  console.warn(`${file}: clang is not installed: skipping the tests that build BPF C programs`);
  return false;
}

/** Compiles C source text to a BPF object; undefined without clang. */
export function buildC(source: string, name = 'prog.bpf.c'): Uint8Array | undefined {
  const cc = findClang();
  if (cc === null) return undefined;
  mkdirSync(CACHE, { recursive: true });
  const hash = createHash('sha1').update(source).digest('hex').slice(0, 16);
  const src = join(CACHE, `${hash}-${name}`);
  const obj = src.replace(/\.c$/, '.o');
  if (!existsSync(obj)) {
    writeFileSync(src, source);
    execFileSync(cc, ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I', INCLUDE, '-idirafter', '/usr/include/x86_64-linux-gnu', '-c', src, '-o', obj], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  return new Uint8Array(readFileSync(obj));
}

/** Builds one of the toolchain's seed fixture programs (`hello`, `syscount`, ...). */
export function buildSeed(name: string): Uint8Array | undefined {
  return buildC(readFileSync(join(PROGRAMS, `${name}.bpf.c`), 'utf8'), `${name}.bpf.c`);
}

/** Builds one of the toolchain's seed fixtures written against the generated vmlinux.h. */
export function buildVmlinuxSeed(name: string): Uint8Array | undefined {
  return buildC(readFileSync(join(ROOT, 'packages/toolchain/tests/fixtures/vmlinux', `${name}.bpf.c`), 'utf8'), `vmlinux-${name}.bpf.c`);
}
