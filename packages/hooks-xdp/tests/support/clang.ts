// Compiles BPF C for the tests with the kit's headers, the way the
// toolchain does (clang -O2 -g -target bpf -mcpu=v3), into a temporary
// directory keyed by the source's hash. Without clang, `compileC` returns
// undefined and `haveClang` warns so the skip is visible.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const REPO = resolve(here, '../../../..');
const INCLUDE = join(REPO, 'packages/toolchain/include');
const OUT = join(tmpdir(), 'bpflab-hooks-xdp-tests');

let found: boolean | undefined;

function clangPresent(): boolean {
  if (found === undefined) {
    try {
      execFileSync('clang', ['--version'], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
  }
  return found;
}

/** Whether clang can be run; otherwise warns that `suite` skips its C programs. */
export function haveClang(suite: string): boolean {
  if (clangPresent()) return true;
  console.warn(`${suite}: clang is not installed: skipping the tests that build BPF C programs`);
  return false;
}

/** The object file of a C source file (built once per content); undefined without clang. */
export function compileC(file: string): Uint8Array | undefined {
  if (!clangPresent()) return undefined;
  const source = readFileSync(file, 'utf8');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  mkdirSync(OUT, { recursive: true });
  const base = file.split('/').pop()!.replace(/\.c$/, '');
  const src = join(OUT, `${base}-${hash}.c`);
  const obj = join(OUT, `${base}-${hash}.o`);
  if (!existsSync(obj)) {
    writeFileSync(src, source);
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I', INCLUDE, '-idirafter', '/usr/include/x86_64-linux-gnu', '-c', src, '-o', obj], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  return new Uint8Array(readFileSync(obj));
}

/** The seed firewall sources of the toolchain's fixtures. */
export const SEED_FIREWALLS = {
  programs: join(REPO, 'packages/toolchain/tests/fixtures/programs/xdp_firewall.bpf.c'),
  vmlinux: join(REPO, 'packages/toolchain/tests/fixtures/vmlinux/xdp_firewall.bpf.c'),
} as const;

/** A fixture of this package (`tests/fixtures/<name>`). */
export function fixture(name: string): string {
  return resolve(here, '../fixtures', name);
}
