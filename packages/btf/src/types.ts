/**
 * The public BTF type graph. Types refer to each other by id (`TypeId`):
 * the graph may contain cycles through pointers, so ids rather than object
 * references keep every value plain, comparable and serialisable. Id 0 is
 * `void`. Names are resolved strings; `''` is an anonymous type.
 */

/** A BTF type id: an index into the type table; 0 is `void`. */
export type TypeId = number;

/** Every BTF kind, in the kernel's numbering order (`BTF_KIND_*`), plus `void` for id 0. */
export type BtfKind =
  | 'void'
  | 'int'
  | 'ptr'
  | 'array'
  | 'struct'
  | 'union'
  | 'enum'
  | 'fwd'
  | 'typedef'
  | 'volatile'
  | 'const'
  | 'restrict'
  | 'func'
  | 'func_proto'
  | 'var'
  | 'datasec'
  | 'float'
  | 'decl_tag'
  | 'type_tag'
  | 'enum64';

/** `BTF_INT_SIGNED` (1), `BTF_INT_CHAR` (2), `BTF_INT_BOOL` (4), or none (0). */
export type IntEncoding = 'none' | 'signed' | 'char' | 'bool';

/** `BTF_FUNC_STATIC` / `BTF_FUNC_GLOBAL` / `BTF_FUNC_EXTERN` (and the `BTF_VAR_*` equivalents). */
export type Linkage = 'static' | 'global' | 'extern';

/** Fields every type has. */
interface TypeBase {
  /** This type's id. */
  readonly id: TypeId;
  /** The type's name, `''` when anonymous. */
  readonly name: string;
}

/** Id 0: `void`. Not stored in BTF bytes. */
export interface BtfVoid {
  readonly kind: 'void';
  readonly id: 0;
  readonly name: '';
}

/**
 * `BTF_KIND_INT`. The kind-specific word:
 * ```
 *  31   28 27     24 23          16 15        8 7          0
 * +-------+---------+--------------+-----------+------------+
 * |  0    | encoding|    offset    |     0     |    bits    |
 * +-------+---------+--------------+-----------+------------+
 * ```
 */
export interface BtfInt extends TypeBase {
  readonly kind: 'int';
  /** Size in bytes: 1, 2, 4, 8 or 16. */
  readonly size: number;
  readonly encoding: IntEncoding;
  /** `BTF_INT_OFFSET`: bit offset of the value inside the storage (legacy bitfields). */
  readonly offset: number;
  /** `BTF_INT_BITS`: number of value bits (at most 128). */
  readonly bits: number;
}

/** `BTF_KIND_PTR`, `BTF_KIND_TYPEDEF`, `BTF_KIND_VOLATILE`, `BTF_KIND_CONST`, `BTF_KIND_RESTRICT`: one referenced type. */
export interface BtfRef<K extends 'ptr' | 'typedef' | 'volatile' | 'const' | 'restrict'> extends TypeBase {
  readonly kind: K;
  /** The referenced type (pointee, aliased or qualified type). */
  readonly type: TypeId;
}

/** `BTF_KIND_PTR`. */
export type BtfPtr = BtfRef<'ptr'>;
/** `BTF_KIND_TYPEDEF`. */
export type BtfTypedef = BtfRef<'typedef'>;
/** `BTF_KIND_VOLATILE`. */
export type BtfVolatile = BtfRef<'volatile'>;
/** `BTF_KIND_CONST`. */
export type BtfConst = BtfRef<'const'>;
/** `BTF_KIND_RESTRICT`. */
export type BtfRestrict = BtfRef<'restrict'>;

/** `BTF_KIND_ARRAY` (`struct btf_array`). */
export interface BtfArray extends TypeBase {
  readonly kind: 'array';
  /** Element type. */
  readonly type: TypeId;
  /** Index type (an int). */
  readonly indexType: TypeId;
  /** Number of elements (`nelems`). */
  readonly length: number;
}

/** One `struct btf_member`, decoded whatever the struct's kind_flag. */
export interface BtfMember {
  /** Member name, `''` for an anonymous struct/union member or unnamed bitfield. */
  readonly name: string;
  readonly type: TypeId;
  /** Offset from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 when the member is not a bitfield. */
  readonly bitSize: number;
}

/**
 * `BTF_KIND_STRUCT` / `BTF_KIND_UNION`. When any member is a bitfield the
 * encoder sets kind_flag and packs each member's offset word as
 * `bitSize << 24 | bitOffset`.
 */
export interface BtfComposite<K extends 'struct' | 'union'> extends TypeBase {
  readonly kind: K;
  /** Size in bytes. */
  readonly size: number;
  readonly members: readonly BtfMember[];
}

/** `BTF_KIND_STRUCT`. */
export type BtfStruct = BtfComposite<'struct'>;
/** `BTF_KIND_UNION`. */
export type BtfUnion = BtfComposite<'union'>;

/** One enumerator of a 32-bit enum. */
export interface BtfEnumValue {
  readonly name: string;
  /** Signed (-2^31..2^31-1) when the enum is signed, else unsigned (0..2^32-1). */
  readonly value: number;
}

/** `BTF_KIND_ENUM`: enumerators with 32-bit values; kind_flag marks a signed enum. */
export interface BtfEnum extends TypeBase {
  readonly kind: 'enum';
  /** Size in bytes: 1, 2, 4 or 8. */
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}

/** One enumerator of a 64-bit enum. */
export interface BtfEnum64Value {
  readonly name: string;
  /** Signed 64-bit when the enum is signed, else unsigned 64-bit. */
  readonly value: bigint;
}

/** `BTF_KIND_ENUM64`: enumerators with 64-bit values (`val_lo32`, `val_hi32`). */
export interface BtfEnum64 extends TypeBase {
  readonly kind: 'enum64';
  /** Size in bytes: 1, 2, 4 or 8. */
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnum64Value[];
}

/** `BTF_KIND_FWD`: a forward declaration; kind_flag chooses `union` over `struct`. */
export interface BtfFwd extends TypeBase {
  readonly kind: 'fwd';
  readonly fwdKind: 'struct' | 'union';
}

/** `BTF_KIND_FUNC`: a function (its linkage lives in the vlen field). */
export interface BtfFunc extends TypeBase {
  readonly kind: 'func';
  /** The `func_proto` describing the signature. */
  readonly type: TypeId;
  readonly linkage: Linkage;
}

/** One `struct btf_param`. */
export interface BtfParam {
  /** Parameter name, `''` in function pointer types. */
  readonly name: string;
  readonly type: TypeId;
}

/**
 * `BTF_KIND_FUNC_PROTO`. A trailing parameter of type 0 with no name marks
 * a variadic function; the model keeps it as `variadic: true` rather than
 * as a parameter.
 */
export interface BtfFuncProto extends TypeBase {
  readonly kind: 'func_proto';
  /** Return type, 0 for `void`. */
  readonly returnType: TypeId;
  readonly params: readonly BtfParam[];
  readonly variadic: boolean;
}

/** `BTF_KIND_VAR` (`struct btf_var`). */
export interface BtfVar extends TypeBase {
  readonly kind: 'var';
  readonly type: TypeId;
  readonly linkage: Linkage;
}

/** One `struct btf_var_secinfo`. */
export interface BtfVarSecinfo {
  /** The `var` (or, for externs, `func`) this entry places. */
  readonly type: TypeId;
  /** Byte offset in the section. */
  readonly offset: number;
  /** Byte size. */
  readonly size: number;
}

/** `BTF_KIND_DATASEC`: a data section (`.data`, `.bss`, `.rodata`, `.maps`, ...) and the variables in it. */
export interface BtfDatasec extends TypeBase {
  readonly kind: 'datasec';
  /** Section size in bytes (0 in objects before libbpf fills it in). */
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

/** `BTF_KIND_FLOAT`. */
export interface BtfFloat extends TypeBase {
  readonly kind: 'float';
  /** Size in bytes: 2, 4, 8, 12 or 16. */
  readonly size: number;
}

/** `BTF_KIND_DECL_TAG`: `__attribute__((btf_decl_tag("name")))` on a declaration. */
export interface BtfDeclTag extends TypeBase {
  readonly kind: 'decl_tag';
  /** The tagged struct, union, func, var or typedef. */
  readonly type: TypeId;
  /** -1 for the declaration itself, else the member or parameter index. */
  readonly componentIdx: number;
  /** kind_flag: the tag is an arbitrary attribute (`__attribute__((name))`), not a `btf_decl_tag`. */
  readonly attr: boolean;
}

/** `BTF_KIND_TYPE_TAG`: `__attribute__((btf_type_tag("name")))` on a type. */
export interface BtfTypeTag extends TypeBase {
  readonly kind: 'type_tag';
  readonly type: TypeId;
  /** kind_flag: the tag is an arbitrary attribute (`__attribute__((name))`), not a `btf_type_tag`. */
  readonly attr: boolean;
}

/** One type of the graph, discriminated by `kind`. */
export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfStruct
  | BtfUnion
  | BtfEnum
  | BtfFwd
  | BtfTypedef
  | BtfVolatile
  | BtfConst
  | BtfRestrict
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag
  | BtfTypeTag
  | BtfEnum64;

/** The type of a given kind. */
export type BtfTypeOf<K extends BtfKind> = Extract<BtfType, { readonly kind: K }>;

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A type as given to `createBtf`: every kind but `void`, without its id (ids follow the array order). */
export type BtfTypeInput = WithoutId<Exclude<BtfType, BtfVoid>>;

/** Throws on a value that the type system says cannot exist (exhaustive switches). */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
