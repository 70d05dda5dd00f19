// The tests' BPF C builds, through the repository's one shared helper
// (tools/test-support/bpf-clang.ts): clang with the kit's headers, cached by
// source, headers and compiler; a visible skip without clang.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBpfC, haveClang, REPO } from '../../../../tools/test-support/bpf-clang';

export { haveClang };

const FIXTURES = join(REPO, 'packages/toolchain/tests/fixtures');

/** Compiles C source text to a BPF object; undefined without clang. */
export function buildC(source: string, name = 'prog.bpf.c'): Uint8Array | undefined {
  return buildBpfC(source, name);
}

/** Builds one of the toolchain's seed fixture programs (`hello`, `syscount`, ...). */
export function buildSeed(name: string): Uint8Array | undefined {
  return buildBpfC(readFileSync(join(FIXTURES, 'programs', `${name}.bpf.c`), 'utf8'), `${name}.bpf.c`);
}

/** Builds one of the toolchain's seed fixtures written against the generated vmlinux.h. */
export function buildVmlinuxSeed(name: string): Uint8Array | undefined {
  return buildBpfC(readFileSync(join(FIXTURES, 'vmlinux', `${name}.bpf.c`), 'utf8'), `vmlinux-${name}.bpf.c`);
}
