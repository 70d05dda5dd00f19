// Builds BPF C sources for the tests as the toolchain does (`clang -O2 -g
// -target bpf -mcpu=v3` with the kit's headers), into a temporary
// directory, caching objects by source text. Without clang, `buildC`
// returns undefined and the caller skips with a visible warning.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../../../..');
const INCLUDE = join(ROOT, 'packages/toolchain/include');
/** The toolchain's fixtures: the course's programs. */
const TOOLCHAIN_FIXTURES = join(ROOT, 'packages/toolchain/tests/fixtures');
/** This package's fixture programs. */
const FIXTURES = resolve(here, '../fixtures/programs');
const CACHE = join(tmpdir(), 'bpflab-hooks-lsm-tests');

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

/** Whether clang is available; warns when it is not. */
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

/** The course's LSM example: `programs` (plain types) or `vmlinux` (vmlinux.h and BPF_CORE_READ). */
export function buildSeed(flavour: 'programs' | 'vmlinux'): Uint8Array | undefined {
  return buildC(readFileSync(join(TOOLCHAIN_FIXTURES, flavour, 'lsm_access.bpf.c'), 'utf8'), `lsm_access-${flavour}.bpf.c`);
}

/** One of this package's fixture programs (`tests/fixtures/programs/<name>.bpf.c`). */
export function buildFixture(name: string): Uint8Array | undefined {
  return buildC(readFileSync(join(FIXTURES, `${name}.bpf.c`), 'utf8'), `${name}.bpf.c`);
}
