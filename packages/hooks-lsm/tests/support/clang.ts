// The tests' BPF C builds, through the repository's one shared helper
// (tools/test-support/bpf-clang.ts): clang with the kit's headers, cached by
// source, headers and compiler; a visible skip without clang.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBpfC, haveClang, REPO } from '../../../../tools/test-support/bpf-clang';

export { haveClang };

const here = dirname(fileURLToPath(import.meta.url));
const TOOLCHAIN_FIXTURES = join(REPO, 'packages/toolchain/tests/fixtures');
const FIXTURES = resolve(here, '../fixtures/programs');

/** Compiles C source text to a BPF object; undefined without clang. */
export function buildC(source: string, name = 'prog.bpf.c'): Uint8Array | undefined {
  return buildBpfC(source, name);
}

/** The course's LSM example: `programs` (plain types) or `vmlinux` (vmlinux.h and BPF_CORE_READ). */
export function buildSeed(flavour: 'programs' | 'vmlinux'): Uint8Array | undefined {
  return buildBpfC(readFileSync(join(TOOLCHAIN_FIXTURES, flavour, 'lsm_access.bpf.c'), 'utf8'), `lsm_access-${flavour}.bpf.c`);
}

/** One of this package's fixture programs (`tests/fixtures/programs/<name>.bpf.c`). */
export function buildFixture(name: string): Uint8Array | undefined {
  return buildBpfC(readFileSync(join(FIXTURES, `${name}.bpf.c`), 'utf8'), `${name}.bpf.c`);
}
