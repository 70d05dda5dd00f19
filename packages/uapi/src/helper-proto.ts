/**
 * Helper prototypes at the verifier's level: the data of the kernel's
 * `struct bpf_func_proto`, and the sanity rules the kernel applies to one
 * before it checks a call against it.
 */
import { UapiError } from './errors';
import {
  parseArgType,
  parseRetType,
  type ArgSpelling,
  type ArgType,
  type BtfRef,
  type RetSpelling,
  type RetType,
} from './kinds';

/** One `struct bpf_func_proto`: what the verifier checks a helper call against. */
export interface HelperProto {
  /** the kernel's name for the proto struct (`bpf_map_lookup_elem_proto`) */
  readonly protoName: string;
  /** `gpl_only`: only programs with a GPL-compatible license may call it */
  readonly gplOnly: boolean;
  /** `pkt_access`: packet pointers may be passed as memory arguments */
  readonly pktAccess: boolean;
  /** `might_sleep`: only sleepable programs may call it */
  readonly mightSleep: boolean;
  /** `ret_type` (and `ret_btf_id`) */
  readonly ret: RetType;
  /** `arg1_type` .. `arg5_type` (and `argN_size` / `argN_btf_id`), up to the last used one */
  readonly args: readonly ArgType[];
}

/** An argument with more than its kind: a fixed size or a BTF type. */
export interface ArgInput {
  /** the kind as the kernel spells it */
  readonly type: ArgSpelling;
  /** `argN_size`, for `MEM_FIXED_SIZE` memory */
  readonly size?: number;
  /** `argN_btf_id`: a struct name, or `'*'` for `BPF_PTR_POISON` */
  readonly btf?: string;
}

/** A return kind with its BTF type. */
export interface RetInput {
  /** the kind as the kernel spells it */
  readonly type: RetSpelling;
  /** `ret_btf_id`: a struct name, or `'*'` for `BPF_PTR_POISON` */
  readonly btf: string;
}

/** The boolean fields of a proto; each defaults to `false` as in C. */
export interface HelperProtoOptions {
  /** `gpl_only` (default false) */
  readonly gplOnly?: boolean;
  /** `pkt_access` (default false) */
  readonly pktAccess?: boolean;
  /** `might_sleep` (default false) */
  readonly mightSleep?: boolean;
}

/** Defaults of {@link HelperProtoOptions}. */
export const DEFAULT_HELPER_PROTO_OPTIONS: Required<HelperProtoOptions> = Object.freeze({
  gplOnly: false,
  pktAccess: false,
  mightSleep: false,
});

function btfRef(name: string): BtfRef {
  return name === '*' ? { kind: 'poison' } : { kind: 'struct', name };
}

/**
 * Build a {@link HelperProto} from kernel spellings, the way a proto struct
 * reads in C. Hook plugins use it for helpers of their own.
 *
 * @example
 * defineHelperProto('bpf_ringbuf_reserve_proto', 'RET_PTR_TO_RINGBUF_MEM_OR_NULL',
 *   ['ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING'])
 * @throws {@link UapiError} for a misspelled kind or more than five arguments
 */
export function defineHelperProto(
  protoName: string,
  ret: RetSpelling | RetInput,
  args: readonly (ArgSpelling | ArgInput)[],
  options: HelperProtoOptions = {},
): HelperProto {
  if (args.length > 5) throw new UapiError('bad_table', `${protoName}: ${args.length} arguments, at most 5`);
  const o = { ...DEFAULT_HELPER_PROTO_OPTIONS, ...options };
  const r = typeof ret === 'string' ? parseRetType(ret) : { ...parseRetType(ret.type), btf: btfRef(ret.btf) };
  const a = args.map((arg): ArgType => {
    if (typeof arg === 'string') return Object.freeze(parseArgType(arg));
    const t = parseArgType(arg.type);
    return Object.freeze({
      ...t,
      ...(arg.size === undefined ? {} : { size: arg.size }),
      ...(arg.btf === undefined ? {} : { btf: btfRef(arg.btf) }),
    });
  });
  return Object.freeze({
    protoName,
    gplOnly: o.gplOnly,
    pktAccess: o.pktAccess,
    mightSleep: o.mightSleep,
    ret: Object.freeze(r),
    args: Object.freeze(a),
  });
}

const isMemSize = (t: ArgType): boolean =>
  (t.base === 'ARG_CONST_SIZE' || t.base === 'ARG_CONST_SIZE_OR_ZERO') && t.flags.length === 0;

/**
 * Check a proto against the rules the kernel enforces on every helper proto
 * (`check_func_proto`: one uninitialised memory argument at most, memory
 * arguments paired with a size, BTF ids where a kind needs one) and the
 * rules the call checks rely on (a map argument before key/value arguments
 * or a map value result, a size argument for returned memory, a BTF type
 * for a BTF-typed result). Returns the problems found; empty when the proto
 * is well-formed.
 */
export function checkHelperProto(p: HelperProto): readonly string[] {
  const problems: string[] = [];
  const args = p.args;
  const at = (i: number): string => `arg${i + 1} ${args[i]?.text ?? 'ARG_DONTCARE'}`;

  // check_raw_mode_ok: the verifier tracks one uninitialised buffer per call.
  const raw = args.filter((a) => a.base === 'ARG_PTR_TO_MEM' && a.flags.includes('MEM_UNINIT'));
  if (raw.length > 1) problems.push(`${raw.length} MEM_UNINIT memory arguments, at most 1`);

  // check_arg_pair_ok: a memory argument is sized by the next argument or by a fixed size.
  if (args[0] !== undefined && isMemSize(args[0])) problems.push(`${at(0)}: a size with no memory argument before it`);
  for (let i = 0; i < 5; i++) {
    const cur = args[i];
    const next = args[i + 1];
    const nextIsSize = i + 1 < 5 && next !== undefined && isMemSize(next);
    if (cur?.base !== 'ARG_PTR_TO_MEM') {
      if (nextIsSize) problems.push(`${at(i + 1)}: a size that does not follow a memory argument`);
      continue;
    }
    const fixed = cur.flags.includes('MEM_FIXED_SIZE');
    const hasSize = cur.size !== undefined && cur.size !== 0;
    if (hasSize === nextIsSize || nextIsSize === fixed) {
      problems.push(
        nextIsSize
          ? `${at(i)}: sized by the next argument but also fixed-size`
          : `${at(i)}: no size argument after it and no fixed size`,
      );
    }
  }

  // check_btf_id_ok: walks the arguments and stops at the first BTF-typed or spin lock one.
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === undefined) break;
    if (a.base === 'ARG_PTR_TO_BTF_ID') {
      if (a.btf === undefined) problems.push(`${at(i)}: no BTF type`);
      break;
    }
    if (a.base === 'ARG_PTR_TO_SPIN_LOCK') {
      if (a.btf?.kind !== 'poison') problems.push(`${at(i)}: a spin lock argument takes BPF_PTR_POISON as BTF id`);
      break;
    }
    if (a.btf !== undefined) problems.push(`${at(i)}: a BTF type on a kind that has none`);
  }
  args.forEach((a, i) => {
    if (a.size !== undefined && !(a.base === 'ARG_PTR_TO_MEM' && a.flags.includes('MEM_FIXED_SIZE'))) {
      problems.push(`${at(i)}: a fixed size on a kind that is not MEM_FIXED_SIZE memory`);
    }
  });

  // What the call checks need from the other arguments.
  const mapAt = args.findIndex((a) => a.base === 'ARG_CONST_MAP_PTR');
  args.forEach((a, i) => {
    if ((a.base === 'ARG_PTR_TO_MAP_KEY' || a.base === 'ARG_PTR_TO_MAP_VALUE') && (mapAt < 0 || mapAt > i)) {
      problems.push(`${at(i)}: no map argument before it`);
    }
  });
  switch (p.ret.base) {
    case 'RET_PTR_TO_MAP_VALUE':
      if (mapAt < 0) problems.push(`${p.ret.text}: no map argument`);
      break;
    case 'RET_PTR_TO_MEM':
      if (!args.some((a) => a.base === 'ARG_CONST_ALLOC_SIZE_OR_ZERO')) {
        problems.push(`${p.ret.text}: no ARG_CONST_ALLOC_SIZE_OR_ZERO argument to size it`);
      }
      break;
    case 'RET_PTR_TO_BTF_ID':
      if (p.ret.btf === undefined) problems.push(`${p.ret.text}: no BTF type`);
      break;
    default:
      if (p.ret.btf !== undefined) problems.push(`${p.ret.text}: a BTF type on a kind that has none`);
  }
  return problems;
}
