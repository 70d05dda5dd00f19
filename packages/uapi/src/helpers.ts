/**
 * The helper table: every helper of `enum bpf_func_id` with its C prototype
 * and its verifier prototypes, looked up by id or by name.
 */
import { HELPER, type HelperName } from './helper-ids';
import type { HelperProto } from './helper-proto';
import { UapiError } from './errors';
import { HELPER_ROWS } from './internal/helper-table';

/**
 * One BPF helper. The verifier fields (`gplOnly`, `ret`, `args`, ...) are
 * those of its primary proto, `protos[0]`.
 */
export interface Helper extends HelperProto {
  /** `BPF_FUNC_<name>`: the `imm` of `call` instructions */
  readonly id: number;
  /** short name, as in `enum bpf_func_id` (`map_lookup_elem`) */
  readonly name: HelperName;
  /** the C function name (`bpf_map_lookup_elem`) */
  readonly fullName: `bpf_${HelperName}`;
  /**
   * the C prototype as libbpf's `bpf_helper_defs.h` declares it
   * (`long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)`)
   */
  readonly prototype: string;
  /** one line on what it does */
  readonly summary: string;
  /**
   * every `struct bpf_func_proto` the kernel has for this helper: the
   * primary one first, then the variants some program types get instead
   */
  readonly protos: readonly HelperProto[];
}

function buildHelpers(): readonly Helper[] {
  const out: Helper[] = [];
  for (const row of HELPER_ROWS) {
    const primary = row.protos[0];
    if (primary === undefined) throw new UapiError('bad_table', `helper ${row.name}: no proto`);
    if (HELPER[row.name] !== row.id) {
      throw new UapiError('bad_table', `helper ${row.name}: id ${row.id}, enum says ${HELPER[row.name]}`);
    }
    out.push(
      Object.freeze({
        ...primary,
        id: row.id,
        name: row.name,
        fullName: `bpf_${row.name}` as const,
        prototype: row.prototype,
        summary: row.summary,
        protos: Object.freeze([...row.protos]),
      }),
    );
  }
  return Object.freeze(out);
}

/** Every callable helper, in id order (ids 1 .. {@link HELPER_MAX_ID}). */
export const HELPERS: readonly Helper[] = buildHelpers();

const BY_ID: ReadonlyMap<number, Helper> = new Map(HELPERS.map((h) => [h.id, h]));
const BY_NAME: ReadonlyMap<string, Helper> = new Map(
  HELPERS.flatMap((h) => [
    [h.name, h],
    [h.fullName, h],
  ]),
);

/**
 * The helper with this id, or `undefined` (for 0, `unspec`, and unknown ids).
 *
 * @example helperById(1)?.fullName === 'bpf_map_lookup_elem'
 */
export function helperById(id: number): Helper | undefined {
  return BY_ID.get(id);
}

/**
 * The helper with this name, given with or without the `bpf_` prefix, or
 * `undefined`.
 *
 * @example helperByName('bpf_map_lookup_elem') === helperByName('map_lookup_elem')
 */
export function helperByName(name: string): Helper | undefined {
  return BY_NAME.get(name);
}

/**
 * The C name of a helper id (`bpf_map_lookup_elem`), as the verifier log
 * prints calls (`call bpf_map_lookup_elem#1`); `undefined` for unknown ids.
 */
export function helperName(id: number): string | undefined {
  return BY_ID.get(id)?.fullName;
}
