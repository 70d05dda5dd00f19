// The tests' BPF C builds, through the repository's one shared helper
// (tools/test-support/bpf-clang.ts): clang with the kit's headers, cached by
// source, headers and compiler; a visible skip without clang.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBpfFile, haveClang, REPO } from '../../../../tools/test-support/bpf-clang';

export { haveClang, REPO };

const here = dirname(fileURLToPath(import.meta.url));

/** The object file of a C source file (built once per content); undefined without clang. */
export function compileC(file: string): Uint8Array | undefined {
  return buildBpfFile(file);
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
