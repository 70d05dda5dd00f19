/**
 * Per-CPU values as user space sees them: `bpf_map_lookup_elem` on a
 * per-CPU map fills one value per CPU, each rounded up to 8 bytes
 * (`round_up(value_size, 8) * num_possible_cpus()` bytes in all).
 */
import { MapError } from './errors';
import { roundUp8 } from './def';

/**
 * Splits the user-space buffer of a per-CPU map into one `valueSize`-byte
 * value per CPU (copies, without the padding).
 */
export function splitPerCpuValues(bytes: Uint8Array, valueSize: number): Uint8Array[] {
  const stride = roundUp8(valueSize);
  if (valueSize <= 0 || bytes.length % stride !== 0) {
    throw new MapError('bad-call', `per-CPU buffer of ${bytes.length} bytes is not a whole number of ${stride}-byte slots (value_size ${valueSize})`);
  }
  const out: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += stride) out.push(bytes.slice(off, off + valueSize));
  return out;
}

/**
 * Joins one value per CPU into the user-space buffer of a per-CPU map, each
 * value padded with zeros to a multiple of 8 bytes.
 */
export function joinPerCpuValues(values: readonly Uint8Array[], valueSize: number): Uint8Array {
  const stride = roundUp8(valueSize);
  const out = new Uint8Array(stride * values.length);
  values.forEach((v, cpu) => {
    if (v.length !== valueSize) {
      throw new MapError('bad-call', `value of cpu ${cpu} is ${v.length} bytes, the map's value_size is ${valueSize}`);
    }
    out.set(v, cpu * stride);
  });
  return out;
}
