/** `bpf_csum_diff`, shared by XDP and tc programs. */
import { ERRNO } from '@bpflab/uapi';
import { defineFastHelper, type Helper } from '@bpflab/vm';
import { csumDiff } from '../net/checksum';

/**
 * `bpf_csum_diff(from, from_size, to, to_size, seed)`: the checksum
 * difference of two buffers of 32-bit words (see `csumDiff`); -EINVAL when
 * a size is not a multiple of 4.
 */
export const csumDiffHelper: Helper = defineFastHelper('bpf_csum_diff', (c) => {
  const fromSize = c.argLo(2);
  const toSize = c.argLo(4);
  if (((fromSize | toSize) & 3) !== 0) return -ERRNO.EINVAL;
  const from = fromSize === 0 ? new Uint8Array(0) : c.memory.readBytes(c.arg(1), fromSize);
  const to = toSize === 0 ? new Uint8Array(0) : c.memory.readBytes(c.arg(3), toSize);
  return csumDiff(from, to, c.argLo(5));
});
