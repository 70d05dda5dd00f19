/**
 * The kit's include directory as data: every header, generated from
 * @bpflab/uapi's tables and, for `vmlinux.h`, from the simulated kernel's
 * BTF. `tools/update-headers.ts` writes them to `packages/toolchain/include/`;
 * a test checks the committed files.
 */
import { bpfCoreReadHeader } from './bpf-core-read';
import { bpfEndianHeader } from './bpf-endian';
import { bpfHelpersHeader } from './bpf-helpers';
import { bpfTracingHeader } from './bpf-tracing';
import { bpfUapiHeader } from './bpf-uapi';
import type { GeneratedHeader } from './common';
import { vmlinuxHeader } from './vmlinux';

export type { GeneratedHeader } from './common';
export { DO_NOT_EDIT } from './common';
export { generateVmlinuxH, VMLINUX_DO_NOT_EDIT } from './vmlinux';

/** Every header of the include directory, sorted by path. */
export function generateHeaders(): readonly GeneratedHeader[] {
  return [bpfCoreReadHeader(), bpfEndianHeader(), bpfHelpersHeader(), bpfTracingHeader(), bpfUapiHeader(), vmlinuxHeader()].sort(
    (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}
