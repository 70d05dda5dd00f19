/**
 * The language the simulated kernel's types are written in: plain data that
 * reads like the C it describes. `build.ts` turns a list of these into a BTF
 * type graph.
 *
 * Types are named by C type expressions, the way `bpftool btf dump` prints
 * them: `'pid_t'`, `'long unsigned int'`, `'const struct cred *'`,
 * `'char[16]'`, `'struct xfrm_policy *[2]'`. Anonymous structs, unions and
 * enums, and function pointers, are written inline as objects.
 *
 * ```ts
 * struct('path', 16, 'internal', [
 *   ['mnt', 'struct vfsmount *', 0],
 *   ['dentry', 'struct dentry *', 8],
 * ]);
 * ```
 */
import type { IntEncoding, Linkage } from '@bpflab/btf';

/** A bitfield's place inside the byte its member starts at: bit `bit` (0 = least significant), `bits` wide. */
export interface BitfieldDef {
  readonly bit: number;
  readonly bits: number;
}

/**
 * One member: name (`''` for an anonymous struct or union member), type and
 * byte offset from the start of the enclosing struct, plus the bit position
 * for a bitfield: `['version', '__u8', 0, { bit: 4, bits: 4 }]`.
 */
export type MemberDef = readonly [name: string, type: TypeRef, offset: number, bitfield?: BitfieldDef];

/** An anonymous struct or union written where it is used. */
export interface InlineCompositeDef {
  readonly kind: 'struct' | 'union';
  /** Size in bytes. */
  readonly size: number;
  readonly members: readonly MemberDef[];
}

/** One enumerator. Values beyond 32 bits make the enum an `enum64`. */
export type EnumeratorDef = readonly [name: string, value: number | bigint];

/** An anonymous enum written where it is used (`typedef enum { ... } socket_state`). */
export interface InlineEnumDef {
  readonly kind: 'enum';
  readonly values: readonly EnumeratorDef[];
}

/** A pointer to a function (`void (*)(void *, struct pt_regs *, long int)`); parameters are unnamed, as in BTF. */
export interface FnPtrDef {
  readonly kind: 'fnptr';
  readonly returns: TypeRef;
  readonly params: readonly TypeRef[];
}

/** A type: a C type expression naming defined types, or an anonymous type written inline. */
export type TypeRef = string | InlineCompositeDef | InlineEnumDef | FnPtrDef;

/**
 * How far a struct's layout is fixed: `'stable'` for UAPI and ABI layouts
 * (`__sk_buff`, packet headers, `pt_regs`, tracepoint records) that every
 * kernel shares; `'internal'` for kernel-private structs (`task_struct`,
 * `file`, ...) whose offsets follow the reference kernel's version and
 * configuration ({@link KERNEL_BTF_REFERENCE}).
 */
export type LayoutAbi = 'stable' | 'internal';

/** `BTF_KIND_INT`: a base type, named as the kernel's BTF names it (`long unsigned int`). */
export interface IntDef {
  readonly kind: 'int';
  readonly name: string;
  readonly size: number;
  readonly encoding: IntEncoding;
}

/** `BTF_KIND_TYPEDEF`. */
export interface TypedefDef {
  readonly kind: 'typedef';
  readonly name: string;
  readonly type: TypeRef;
}

/** A named `BTF_KIND_STRUCT` or `BTF_KIND_UNION` with its size and the members bpflab models. */
export interface CompositeDef {
  readonly kind: 'struct' | 'union';
  readonly name: string;
  /** Size in bytes: the real kernel's, so that arrays of it and embedding keep their layout. */
  readonly size: number;
  readonly abi: LayoutAbi;
  /** Members in offset order; fields bpflab does not model are left out (the gaps become padding). */
  readonly members: readonly MemberDef[];
}

/** A named or anonymous `BTF_KIND_ENUM` (or `BTF_KIND_ENUM64` when a value needs 64 bits). */
export interface EnumDef {
  readonly kind: 'enum';
  /** `''` for the kernel's anonymous enums of constants (`enum { BPF_ANY = 0, ... }`). */
  readonly name: string;
  readonly values: readonly EnumeratorDef[];
}

/** `BTF_KIND_FWD`: a struct or union bpflab names but does not lay out (`struct files_struct;`). */
export interface FwdDef {
  readonly kind: 'fwd';
  readonly name: string;
  readonly fwdKind: 'struct' | 'union';
}

/** `BTF_KIND_FUNC`: a kernel function, such as the LSM hook `bpf_lsm_file_open` that BPF programs attach to. */
export interface FuncDef {
  readonly kind: 'func';
  readonly name: string;
  readonly linkage: Linkage;
  readonly returns: TypeRef;
  readonly params: readonly (readonly [name: string, type: TypeRef])[];
}

/** One type of the simulated kernel, as data. */
export type KernelTypeDef = IntDef | TypedefDef | CompositeDef | EnumDef | FwdDef | FuncDef;

/** A base integer type. */
export function int(name: string, size: number, encoding: IntEncoding = 'none'): IntDef {
  return { kind: 'int', name, size, encoding };
}

/** `typedef <type> <name>;` */
export function typedef(name: string, type: TypeRef): TypedefDef {
  return { kind: 'typedef', name, type };
}

/** `struct <name> { ... }` of `size` bytes. */
export function struct(name: string, size: number, abi: LayoutAbi, members: readonly MemberDef[]): CompositeDef {
  return { kind: 'struct', name, size, abi, members };
}

/** `union <name> { ... }` of `size` bytes. */
export function union(name: string, size: number, abi: LayoutAbi, members: readonly MemberDef[]): CompositeDef {
  return { kind: 'union', name, size, abi, members };
}

/** An anonymous struct written inline (members' offsets are relative to it). */
export function anonStruct(size: number, members: readonly MemberDef[]): InlineCompositeDef {
  return { kind: 'struct', size, members };
}

/** An anonymous union written inline (every member at offset 0). */
export function anonUnion(size: number, members: readonly MemberDef[]): InlineCompositeDef {
  return { kind: 'union', size, members };
}

/** `enum <name> { ... }`, or an anonymous enum with `name` `''`. */
export function enumeration(name: string, values: readonly EnumeratorDef[]): EnumDef {
  return { kind: 'enum', name, values };
}

/** `struct <name>;` */
export function fwd(name: string, fwdKind: 'struct' | 'union' = 'struct'): FwdDef {
  return { kind: 'fwd', name, fwdKind };
}

/** A pointer to a function with unnamed parameters. */
export function fnptr(returns: TypeRef, params: readonly TypeRef[]): FnPtrDef {
  return { kind: 'fnptr', returns, params };
}

/** A kernel function with its prototype. */
export function func(
  name: string,
  returns: TypeRef,
  params: readonly (readonly [string, TypeRef])[],
  linkage: Linkage = 'static',
): FuncDef {
  return { kind: 'func', name, linkage, returns, params };
}
