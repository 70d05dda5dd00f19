/**
 * Program types as data (the kernel's `bpf_verifier_ops`, written down):
 * context layouts, helper sets and return ranges for the types the course
 * uses, and a `test` type for unit tests. Hook plugins define their own with
 * {@link defineProgramType}.
 *
 * The helper sets were measured on a Linux 6.18 kernel: each helper id was
 * called from a minimal program of the type, as root, and kept when the
 * verifier did not answer "program of this type cannot use helper".
 */
import { PROG_TYPE } from '@bpflab/uapi';
import { VerifierError } from './errors';
import type { CtxField, ProgramTypeDescription } from './types';

/** Helper ids a socket filter may call as root (6.18). */
const SOCKET_FILTER_HELPERS: readonly number[] = [1,2,3,5,6,7,8,12,14,15,16,17,22,25,26,35,37,42,46,47,55,68,80,87,88,89,93,94,105,106,109,112,113,114,115,117,118,120,122,123,125,130,131,132,133,134,136,137,138,139,140,141,148,149,153,154,156,157,158,160,164,165,169,170,171,172,175,176,177,178,180,181,182,191,194,195,196,197,198,199,200,201,202,203,208,209,210,211];
/** Helper ids a socket filter may call with CAP_BPF only (6.18). */
const SOCKET_FILTER_BPF_HELPERS: readonly number[] = [1,2,3,5,7,8,12,14,15,17,25,26,37,42,46,47,68,80,87,88,89,93,94,105,106,118,120,122,123,125,130,131,132,133,134,153,154,156,157,160,164,169,170,171,172,181,182,194,195,197,198,199,200,201,202,203,208,209,210,211];
/** Helper ids an XDP program may call as root (6.18). */
const XDP_HELPERS: readonly number[] = [1,2,3,5,6,7,8,12,14,15,16,17,22,23,25,28,35,37,42,44,51,54,55,65,69,80,84,85,86,87,88,89,93,94,99,100,105,106,109,110,112,113,114,115,117,118,120,123,125,130,131,132,133,134,136,137,138,139,140,141,148,149,153,154,156,157,158,160,163,164,165,169,170,171,172,175,176,177,178,180,181,182,188,189,190,191,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211];
/** Helper ids a tracepoint program may call as root (6.18). */
const TRACEPOINT_HELPERS: readonly number[] = [1,2,3,4,5,6,7,8,12,14,15,16,17,22,25,27,35,37,42,45,55,67,80,87,88,89,93,94,105,106,109,112,113,114,115,117,118,120,123,125,130,131,132,133,134,141,148,149,153,154,156,157,158,164,165,169,170,171,172,173,174,175,176,177,180,181,182,191,194,195,197,198,199,200,201,202,203,208,209,210,211];

/**
 * Helpers of the kernel's base set that need CAP_BPF: spin locks, jiffies64,
 * per-CPU pointers, timers, kptr_xchg, dynptrs, user ringbuf, cgroup storage.
 */
const CAP_BPF_BASE_HELPERS: ReadonlySet<number> = new Set([
  93, 94, 118, 153, 154, 169, 170, 171, 172, 194, 197, 198, 199, 200, 201, 202, 203, 209, 210, 211,
]);

/**
 * Checks a description and freezes it: fields inside the context, sizes
 * that are powers of two, no overlapping fields.
 *
 * @throws {@link VerifierError} (code `bad_prog_type`) for an inconsistent description
 */
export function defineProgramType(d: ProgramTypeDescription): ProgramTypeDescription {
  const fail = (why: string): never => {
    throw new VerifierError('bad_prog_type', -1, `program type ${d.name}: ${why}`);
  };
  const fields = [...d.ctx.fields].sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const f of fields) {
    if (f.offset < end) fail(`field ${f.name} overlaps the field before it`);
    if (f.offset + f.size > d.ctx.size) fail(`field ${f.name} ends past the context (${d.ctx.size} bytes)`);
    for (const s of [...f.read, ...f.write]) if (![1, 2, 4, 8].includes(s)) fail(`field ${f.name}: access size ${s}`);
    if ((f.yields ?? 'scalar') !== 'scalar' && (f.write.length > 0 || f.read.some((s) => s !== 4 && s !== 8))) {
      fail(`field ${f.name}: a pointer field is read whole and never written`);
    }
    end = f.offset + f.size;
  }
  if (d.returns && d.returns.min > d.returns.max) fail('return range min > max');
  return Object.freeze({ ...d, ctx: Object.freeze({ ...d.ctx, fields: Object.freeze(fields) }) });
}

const u32Field = (name: string, offset: number, write = false): CtxField => ({
  name,
  offset,
  size: 4,
  read: [1, 2, 4],
  write: write ? [4] : [],
});

/**
 * `BPF_PROG_TYPE_SOCKET_FILTER` over `struct __sk_buff`: scalar fields read
 * (narrow reads allowed), `cb[]` read and written, no direct packet access
 * (`data`/`data_end` are refused), legacy `LD_ABS`/`LD_IND` allowed.
 */
export const SOCKET_FILTER: ProgramTypeDescription = defineProgramType({
  name: 'socket_filter',
  kernelType: PROG_TYPE.SOCKET_FILTER,
  ctx: {
    type: 'struct __sk_buff',
    size: 192,
    fields: [
      u32Field('len', 0),
      u32Field('pkt_type', 4),
      u32Field('mark', 8),
      u32Field('queue_mapping', 12),
      u32Field('protocol', 16),
      u32Field('vlan_present', 20),
      u32Field('vlan_tci', 24),
      u32Field('vlan_proto', 28),
      u32Field('priority', 32),
      u32Field('ingress_ifindex', 36),
      u32Field('ifindex', 40),
      u32Field('tc_index', 44),
      { name: 'cb', offset: 48, size: 20, read: [1, 2, 4, 8], write: [1, 2, 4, 8] },
      u32Field('hash', 68),
      u32Field('napi_id', 84),
      u32Field('gso_segs', 164),
      u32Field('gso_size', 176),
    ],
  },
  helpers: SOCKET_FILTER_HELPERS,
  unprivilegedHelpers: SOCKET_FILTER_BPF_HELPERS.filter((id) => !CAP_BPF_BASE_HELPERS.has(id)),
  ldAbs: true,
  unprivilegedLoad: true,
});

/**
 * `BPF_PROG_TYPE_XDP` over `struct xdp_md`: every field is a 4-byte read;
 * `data`, `data_meta` and `data_end` give packet pointers; the packet may be
 * written.
 */
export const XDP: ProgramTypeDescription = defineProgramType({
  name: 'xdp',
  kernelType: PROG_TYPE.XDP,
  ctx: {
    type: 'struct xdp_md',
    size: 24,
    fields: [
      { name: 'data', offset: 0, size: 4, read: [4], write: [], yields: 'pkt' },
      { name: 'data_end', offset: 4, size: 4, read: [4], write: [], yields: 'pkt_end' },
      { name: 'data_meta', offset: 8, size: 4, read: [4], write: [], yields: 'pkt_meta' },
      { name: 'ingress_ifindex', offset: 12, size: 4, read: [4], write: [] },
      { name: 'rx_queue_index', offset: 16, size: 4, read: [4], write: [] },
    ],
  },
  helpers: XDP_HELPERS,
  packet: { write: true },
});

/**
 * `BPF_PROG_TYPE_TRACEPOINT`: the tracepoint's record, read-only scalars
 * from byte 8 (after the common header) up to `PERF_MAX_TRACE_SIZE`. How
 * much of it a given tracepoint really has is checked when attaching.
 */
export const TRACEPOINT: ProgramTypeDescription = defineProgramType({
  name: 'tracepoint',
  kernelType: PROG_TYPE.TRACEPOINT,
  ctx: {
    type: 'struct trace_event_raw_*',
    size: 8192,
    fields: [{ name: 'record', offset: 8, size: 8184, read: [1, 2, 4, 8], write: [] }],
  },
  helpers: TRACEPOINT_HELPERS,
});

/**
 * A type for unit tests: a 64-byte context of scalars read and written at
 * any aligned size, every helper of the socket filter and tracepoint sets,
 * and R0 in [0, 1] at exit.
 */
export const TEST_PROG_TYPE: ProgramTypeDescription = defineProgramType({
  name: 'test',
  ctx: {
    type: 'struct test_ctx',
    size: 64,
    fields: [{ name: 'data', offset: 0, size: 64, read: [1, 2, 4, 8], write: [1, 2, 4, 8] }],
  },
  helpers: [...new Set([...SOCKET_FILTER_HELPERS, ...TRACEPOINT_HELPERS, ...XDP_HELPERS])].sort((a, b) => a - b),
  returns: { min: 0n, max: 1n },
  unprivilegedLoad: true,
});

/** The built-in program types by name. */
export const PROGRAM_TYPES: Readonly<Record<string, ProgramTypeDescription>> = Object.freeze({
  socket_filter: SOCKET_FILTER,
  xdp: XDP,
  tracepoint: TRACEPOINT,
  test: TEST_PROG_TYPE,
});
