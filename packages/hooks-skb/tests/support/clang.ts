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

/** A fixture of @bpflab/hooks-xdp's tests (XDP programs that feed tc). */
export function xdpFixture(name: string): string {
  return join(REPO, 'packages/hooks-xdp/tests/fixtures', name);
}

/** A fixture of this package (`tests/fixtures/<name>`). */
export function fixture(name: string): string {
  return resolve(here, '../fixtures', name);
}
