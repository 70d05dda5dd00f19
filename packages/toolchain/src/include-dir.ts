/** Where the kit's headers are. */
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the kit's include directory (`packages/toolchain/include`),
 * holding `vmlinux.h`, `bpf/bpf_helpers.h`, `bpf/bpf_core_read.h`,
 * `bpf/bpf_tracing.h`, `bpf/bpf_endian.h` and `bpf/bpf_uapi.h`.
 * {@link compile} puts it first on the include path; pass it as `-I` to
 * build with clang directly.
 */
export const includeDir: string = fileURLToPath(new URL('../include', import.meta.url));
