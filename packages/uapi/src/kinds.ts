/**
 * The verifier's vocabulary for helper prototypes: argument kinds
 * (`enum bpf_arg_type`), return kinds (`enum bpf_return_type`) and the type
 * flags OR-ed into them (`enum bpf_type_flag`).
 *
 * These are kernel-internal enums, not UAPI: their numeric values move
 * between kernel versions, so they are modelled by name only. A kind is a
 * base plus a set of flags, exactly as the kernel composes them:
 *
 * ```
 *   ARG_PTR_TO_UNINIT_MEM  =  ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE
 *   \____________________/    \____________/   \__________________/
 *        alias (name)              base               flags
 * ```
 *
 * The names follow the Linux 6.12 sources the helper table was taken from.
 * Older kernels had `ARG_PTR_TO_LONG` and `ARG_PTR_TO_INT` for helpers that
 * write a u64/u32 result (bpf_strtol, bpf_get_func_arg, bpf_check_mtu, ...);
 * 6.12 spells those `ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED`
 * (plus `MEM_UNINIT` where the helper only writes) with an `arg_size` of 8
 * or 4, and so does this table.
 */
import { UapiError } from './errors';

/** Base argument kinds of `enum bpf_arg_type`, in kernel order. */
export const ARG_BASES = [
  /** unused argument slot */
  'ARG_DONTCARE',
  /** a map, loaded with `lddw` from a map fd or index */
  'ARG_CONST_MAP_PTR',
  /** memory holding a key of the map passed before it */
  'ARG_PTR_TO_MAP_KEY',
  /** memory holding a value of the map passed before it */
  'ARG_PTR_TO_MAP_VALUE',
  /** memory (stack, packet, map value, ...), sized by the next argument or by `size` */
  'ARG_PTR_TO_MEM',
  /** a pointer into a BPF arena */
  'ARG_PTR_TO_ARENA',
  /** byte count of the memory argument before it; must be > 0 */
  'ARG_CONST_SIZE',
  /** byte count of the memory argument before it; may be 0 */
  'ARG_CONST_SIZE_OR_ZERO',
  /** the program's context pointer */
  'ARG_PTR_TO_CTX',
  /** any initialised value */
  'ARG_ANYTHING',
  /**
   * a scalar of any value (bpf_loop's loop count in the 6.12 sources;
   * not every kernel has this kind — the 6.18 kernel's BTF does not list it)
   */
  'ARG_SCALAR',
  /** a `struct bpf_spin_lock` inside a map value */
  'ARG_PTR_TO_SPIN_LOCK',
  /** a `struct bpf_sock` of any socket kind */
  'ARG_PTR_TO_SOCK_COMMON',
  /** a full socket (`struct bpf_sock`) */
  'ARG_PTR_TO_SOCKET',
  /** a typed kernel object (BTF id given by the proto) */
  'ARG_PTR_TO_BTF_ID',
  /** a record returned by `bpf_ringbuf_reserve` */
  'ARG_PTR_TO_RINGBUF_MEM',
  /** the size of memory the helper allocates; may be 0 */
  'ARG_CONST_ALLOC_SIZE_OR_ZERO',
  /** a kernel `sock_common` or a `struct bpf_sock` */
  'ARG_PTR_TO_BTF_ID_SOCK_COMMON',
  /** a typed per-CPU kernel variable */
  'ARG_PTR_TO_PERCPU_BTF_ID',
  /** a BPF subprogram (callback), loaded with `lddw` of kind func */
  'ARG_PTR_TO_FUNC',
  /** a pointer to the program's stack */
  'ARG_PTR_TO_STACK',
  /** a NUL-terminated string in read-only map memory */
  'ARG_PTR_TO_CONST_STR',
  /** a `struct bpf_timer` inside a map value */
  'ARG_PTR_TO_TIMER',
  /** the kptr slot `bpf_kptr_xchg` swaps into */
  'ARG_KPTR_XCHG_DEST',
  /** a `struct bpf_dynptr` on the stack */
  'ARG_PTR_TO_DYNPTR',
] as const;

/** A base argument kind (`enum bpf_arg_type` without flags). */
export type ArgBase = (typeof ARG_BASES)[number];

/** Base return kinds of `enum bpf_return_type`, in kernel order. */
export const RET_BASES = [
  /** a scalar (the usual `long` result) */
  'RET_INTEGER',
  /** nothing: r0 is unreadable after the call */
  'RET_VOID',
  /** a pointer to a value of the map argument */
  'RET_PTR_TO_MAP_VALUE',
  /** a full socket */
  'RET_PTR_TO_SOCKET',
  /** a `struct bpf_tcp_sock` */
  'RET_PTR_TO_TCP_SOCK',
  /** a `struct bpf_sock` of any socket kind */
  'RET_PTR_TO_SOCK_COMMON',
  /** a pointer to memory whose size the verifier knows from the arguments */
  'RET_PTR_TO_MEM',
  /** memory when the BTF type is not a struct, else a typed pointer */
  'RET_PTR_TO_MEM_OR_BTF_ID',
  /** a typed kernel object (BTF id given by the proto) */
  'RET_PTR_TO_BTF_ID',
] as const;

/** A base return kind (`enum bpf_return_type` without flags). */
export type RetBase = (typeof RET_BASES)[number];

/** Flags of `enum bpf_type_flag`, in kernel bit order (bit 0 of the flag space first). */
export const TYPE_FLAGS = [
  /** the pointer may be NULL: the program must test it first */
  'PTR_MAYBE_NULL',
  /** the memory is only read by the helper */
  'MEM_RDONLY',
  /** the memory is a ring buffer record */
  'MEM_RINGBUF',
  /** the memory is user memory */
  'MEM_USER',
  /** the memory is per-CPU */
  'MEM_PERCPU',
  /** the helper releases the reference held by this argument */
  'OBJ_RELEASE',
  /** the pointer is not trusted (loads go through probe reads) */
  'PTR_UNTRUSTED',
  /** the memory need not be initialised: the helper fills it */
  'MEM_UNINIT',
  /** a dynptr over local memory */
  'DYNPTR_TYPE_LOCAL',
  /** a dynptr over a ring buffer record */
  'DYNPTR_TYPE_RINGBUF',
  /** the memory size is fixed by the proto (`arg_size`) rather than by the next argument */
  'MEM_FIXED_SIZE',
  /** memory from the BPF allocator */
  'MEM_ALLOC',
  /** a pointer the verifier trusts to be valid */
  'PTR_TRUSTED',
  /** a pointer valid within an RCU read section */
  'MEM_RCU',
  /** a non-owning reference */
  'NON_OWN_REF',
  /** a dynptr over an skb */
  'DYNPTR_TYPE_SKB',
  /** a dynptr over an XDP buffer */
  'DYNPTR_TYPE_XDP',
  /** the memory must be aligned to its size */
  'MEM_ALIGNED',
  /** the helper writes the memory */
  'MEM_WRITE',
] as const;

/** A flag of `enum bpf_type_flag`. */
export type TypeFlag = (typeof TYPE_FLAGS)[number];

/** Named combinations the kernel defines in `enum bpf_arg_type`. */
export const ARG_ALIASES = {
  ARG_PTR_TO_MAP_VALUE_OR_NULL: { base: 'ARG_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] },
  ARG_PTR_TO_MEM_OR_NULL: { base: 'ARG_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL'] },
  ARG_PTR_TO_CTX_OR_NULL: { base: 'ARG_PTR_TO_CTX', flags: ['PTR_MAYBE_NULL'] },
  ARG_PTR_TO_SOCKET_OR_NULL: { base: 'ARG_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL'] },
  ARG_PTR_TO_STACK_OR_NULL: { base: 'ARG_PTR_TO_STACK', flags: ['PTR_MAYBE_NULL'] },
  ARG_PTR_TO_BTF_ID_OR_NULL: { base: 'ARG_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'] },
  ARG_PTR_TO_UNINIT_MEM: { base: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT', 'MEM_WRITE'] },
  ARG_PTR_TO_FIXED_SIZE_MEM: { base: 'ARG_PTR_TO_MEM', flags: ['MEM_FIXED_SIZE'] },
} as const satisfies Record<string, { base: ArgBase; flags: readonly TypeFlag[] }>;

/** A named argument kind combination (`ARG_PTR_TO_UNINIT_MEM`, ...). */
export type ArgAlias = keyof typeof ARG_ALIASES;

/** Named combinations the kernel defines in `enum bpf_return_type`. */
export const RET_ALIASES = {
  RET_PTR_TO_MAP_VALUE_OR_NULL: { base: 'RET_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] },
  RET_PTR_TO_SOCKET_OR_NULL: { base: 'RET_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL'] },
  RET_PTR_TO_TCP_SOCK_OR_NULL: { base: 'RET_PTR_TO_TCP_SOCK', flags: ['PTR_MAYBE_NULL'] },
  RET_PTR_TO_SOCK_COMMON_OR_NULL: { base: 'RET_PTR_TO_SOCK_COMMON', flags: ['PTR_MAYBE_NULL'] },
  RET_PTR_TO_RINGBUF_MEM_OR_NULL: { base: 'RET_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL', 'MEM_RINGBUF'] },
  RET_PTR_TO_DYNPTR_MEM_OR_NULL: { base: 'RET_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL'] },
  RET_PTR_TO_BTF_ID_OR_NULL: { base: 'RET_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'] },
  RET_PTR_TO_BTF_ID_TRUSTED: { base: 'RET_PTR_TO_BTF_ID', flags: ['PTR_TRUSTED'] },
} as const satisfies Record<string, { base: RetBase; flags: readonly TypeFlag[] }>;

/** A named return kind combination (`RET_PTR_TO_MAP_VALUE_OR_NULL`, ...). */
export type RetAlias = keyof typeof RET_ALIASES;

/** Any argument kind name: a base or an alias. */
export type ArgName = ArgBase | ArgAlias;
/** Any return kind name: a base or an alias. */
export type RetName = RetBase | RetAlias;

/**
 * An argument kind as a kernel proto spells it: a name, optionally followed
 * by `| FLAG` terms (`'ARG_PTR_TO_MEM | MEM_RDONLY'`).
 */
export type ArgSpelling = ArgName | `${ArgName} | ${string}`;
/** A return kind as a kernel proto spells it (`'RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY'`). */
export type RetSpelling = RetName | `${RetName} | ${string}`;

/**
 * The BTF type a pointer kind refers to (`argN_btf_id` / `ret_btf_id` of a
 * proto).
 */
export type BtfRef =
  /** a kernel struct, by name (`task_struct`, `sock_common`, ...) */
  | { readonly kind: 'struct'; readonly name: string }
  /**
   * `BPF_PTR_POISON`: no fixed type; the verifier takes it from the map
   * field the program passes (spin lock, kptr)
   */
  | { readonly kind: 'poison' };

/** One argument of a helper proto. */
export interface ArgType {
  /** the base kind */
  readonly base: ArgBase;
  /** the flags, in kernel bit order ({@link TYPE_FLAGS}) */
  readonly flags: readonly TypeFlag[];
  /** the kind as the kernel's proto spells it */
  readonly text: string;
  /** `argN_size`: the byte size of a `MEM_FIXED_SIZE` memory argument */
  readonly size?: number;
  /** `argN_btf_id`: the type of a BTF-typed (or spin lock) argument */
  readonly btf?: BtfRef;
}

/** The return kind of a helper proto. */
export interface RetType {
  /** the base kind */
  readonly base: RetBase;
  /** the flags, in kernel bit order ({@link TYPE_FLAGS}) */
  readonly flags: readonly TypeFlag[];
  /** the kind as the kernel's proto spells it */
  readonly text: string;
  /** `ret_btf_id`: the type of a BTF-typed result */
  readonly btf?: BtfRef;
}

const ARG_BASE_SET: ReadonlySet<string> = new Set(ARG_BASES);
const RET_BASE_SET: ReadonlySet<string> = new Set(RET_BASES);
const FLAG_ORDER: ReadonlyMap<string, number> = new Map(TYPE_FLAGS.map((f, i) => [f, i]));

/** True when `s` names a type flag. */
export function isTypeFlag(s: string): s is TypeFlag {
  return FLAG_ORDER.has(s);
}

function sortFlags(flags: Iterable<TypeFlag>): readonly TypeFlag[] {
  return [...flags].sort((a, b) => (FLAG_ORDER.get(a) ?? 0) - (FLAG_ORDER.get(b) ?? 0));
}

interface Composed<B extends string> {
  readonly base: B;
  readonly flags: readonly TypeFlag[];
}

function parseKind<B extends string>(
  text: string,
  what: 'argument' | 'return',
  bases: ReadonlySet<string>,
  aliases: Readonly<Record<string, { readonly base: string; readonly flags: readonly TypeFlag[] }>>,
): Composed<B> {
  const terms = text.split('|').map((t) => t.trim());
  let base: string | undefined;
  const flags = new Set<TypeFlag>();
  const addFlag = (f: TypeFlag): void => {
    if (flags.has(f)) throw new UapiError('bad_kind', `${what} kind ${text}: flag ${f} given twice`);
    flags.add(f);
  };
  for (const term of terms) {
    if (isTypeFlag(term)) {
      addFlag(term);
      continue;
    }
    const alias = aliases[term];
    const named = alias?.base ?? (bases.has(term) ? term : undefined);
    if (named === undefined) throw new UapiError('unknown_kind', `${what} kind ${text}: unknown term ${term}`);
    if (base !== undefined) throw new UapiError('bad_kind', `${what} kind ${text}: two base kinds`);
    base = named;
    for (const f of alias?.flags ?? []) addFlag(f);
  }
  if (base === undefined) throw new UapiError('bad_kind', `${what} kind ${text}: no base kind`);
  return { base: base as B, flags: sortFlags(flags) };
}

/**
 * Parse an argument kind as the kernel spells it.
 *
 * @example parseArgType('ARG_PTR_TO_UNINIT_MEM')
 *   // { base: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT', 'MEM_WRITE'], text: 'ARG_PTR_TO_UNINIT_MEM' }
 * @throws {@link UapiError} `unknown_kind` or `bad_kind` for a misspelled kind
 */
export function parseArgType(text: string): ArgType {
  const { base, flags } = parseKind<ArgBase>(text, 'argument', ARG_BASE_SET, ARG_ALIASES);
  return { base, flags, text: text.trim().replace(/\s*\|\s*/g, ' | ') };
}

/**
 * Parse a return kind as the kernel spells it.
 *
 * @example parseRetType('RET_PTR_TO_RINGBUF_MEM_OR_NULL')
 *   // { base: 'RET_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL', 'MEM_RINGBUF'], ... }
 * @throws {@link UapiError} `unknown_kind` or `bad_kind` for a misspelled kind
 */
export function parseRetType(text: string): RetType {
  const { base, flags } = parseKind<RetBase>(text, 'return', RET_BASE_SET, RET_ALIASES);
  return { base, flags, text: text.trim().replace(/\s*\|\s*/g, ' | ') };
}

function composeName(
  base: string,
  flags: readonly TypeFlag[],
  aliases: Readonly<Record<string, { readonly base: string; readonly flags: readonly TypeFlag[] }>>,
): string {
  // The alias covering the most flags wins; the rest are appended in bit order.
  let best: { name: string; covered: readonly TypeFlag[] } | undefined;
  for (const [name, a] of Object.entries(aliases)) {
    if (a.base !== base || !a.flags.every((f) => flags.includes(f))) continue;
    if (best === undefined || a.flags.length > best.covered.length) best = { name, covered: a.flags };
  }
  const rest = flags.filter((f) => !(best?.covered.includes(f) ?? false));
  return [best?.name ?? base, ...rest].join(' | ');
}

/**
 * The canonical name of an argument kind: the kernel's alias covering most
 * of its flags, then the remaining flags in bit order.
 *
 * @example argTypeName({ base: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT', 'MEM_WRITE'] }) === 'ARG_PTR_TO_UNINIT_MEM'
 */
export function argTypeName(t: Composed<ArgBase>): string {
  return composeName(t.base, t.flags, ARG_ALIASES);
}

/**
 * The canonical name of a return kind (see {@link argTypeName}).
 *
 * @example retTypeName({ base: 'RET_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] }) === 'RET_PTR_TO_MAP_VALUE_OR_NULL'
 */
export function retTypeName(t: Composed<RetBase>): string {
  return composeName(t.base, t.flags, RET_ALIASES);
}

/** True when the kind carries `flag`. */
export function hasFlag(t: { readonly flags: readonly TypeFlag[] }, flag: TypeFlag): boolean {
  return t.flags.includes(flag);
}

/** True for `ARG_CONST_SIZE` and `ARG_CONST_SIZE_OR_ZERO`: the size of the memory argument before it. */
export function isSizeArg(t: Composed<ArgBase>): boolean {
  return (t.base === 'ARG_CONST_SIZE' || t.base === 'ARG_CONST_SIZE_OR_ZERO') && t.flags.length === 0;
}

/** True for memory arguments the helper may write without reading (`ARG_PTR_TO_MEM | MEM_UNINIT`). */
export function isUninitMemArg(t: Composed<ArgBase>): boolean {
  return t.base === 'ARG_PTR_TO_MEM' && t.flags.includes('MEM_UNINIT');
}
