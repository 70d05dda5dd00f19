/**
 * The type comparisons of CO-RE, as libbpf defines them:
 *
 * - essential names: `task_struct___old` is a flavor of `task_struct`;
 * - kind compatibility of candidates: the same kind, or two enums (32 or
 *   64 bit);
 * - field compatibility (a member found by name must have a compatible
 *   type: any two structs or unions, any two pointers or floats, enums and
 *   forward declarations of the same essential name or anonymous, integers
 *   that are not legacy bitfields, arrays of compatible elements);
 * - type compatibility (`type_exists`, `type_size`, `type_id_target`):
 *   pointers, arrays and function prototypes compared through what they
 *   refer to, structs, unions and enums by name only;
 * - type match (`type_matches`): a layout-aware comparison, every local
 *   member present in the target under the same name with a matching type,
 *   every local enumerator present by name, integers of the same size and
 *   signedness.
 *
 * Typedefs and qualifiers are skipped everywhere. Comparisons that recurse
 * stop at libbpf's depth of 32 and report it (`too-deep`).
 */
import type { Btf } from '../btf';
import { BtfError } from '../errors';
import type { BtfComposite, BtfEnum, BtfEnum64, BtfType, TypeId } from '../types';

/** libbpf's recursion limit for type comparisons. */
const MAX_DEPTH = 32;

/** A comparison's outcome: match, no match, or too deep to decide (an error in libbpf). */
export type Tri = boolean | 'too-deep';

/**
 * The name without its flavor suffix: everything from the last `___`
 * that has a non-underscore character on both sides (`task_struct___old` ->
 * `task_struct`, `a___b___c` -> `a___b`; `a____b` and `___x` have none).
 */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') return name.slice(0, i + 1);
  }
  return name;
}

/** A struct or a union. */
export function isComposite(t: BtfType): t is BtfComposite<'struct' | 'union'> {
  return t.kind === 'struct' || t.kind === 'union';
}

/** A 32- or 64-bit enum. */
export function isEnum(t: BtfType): t is BtfEnum | BtfEnum64 {
  return t.kind === 'enum' || t.kind === 'enum64';
}

/** `btf__resolve_size`: the size in bytes, `undefined` for types without one. */
export function sizeOf(btf: Btf, id: TypeId): number | undefined {
  try {
    return btf.sizeof(id);
  } catch (e) {
    if (e instanceof BtfError && e.code === 'unsized') return undefined;
    throw e;
  }
}

/** `btf_kind_core_compat`: the same kind, or an enum and an enum64. */
export function kindCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isEnum(a) && isEnum(b));
}

/** `bpf_core_fields_are_compat`: may the local member's type be read as the target member's? */
export function fieldsCompat(localBtf: Btf, localId: TypeId, target: Btf, targetId: TypeId): boolean {
  let l = localBtf.resolve(localId);
  let t = target.resolve(targetId);
  for (;;) {
    if (isComposite(l) && isComposite(t)) return true;
    if (!kindCompat(l, t)) return false;
    switch (l.kind) {
      case 'ptr':
      case 'float':
        return true;
      case 'fwd':
      case 'enum':
      case 'enum64': {
        const ln = essentialName(l.name);
        const tn = essentialName(t.name);
        return ln === '' || tn === '' || ln === tn;
      }
      case 'int':
        return l.offset === 0 && t.kind === 'int' && t.offset === 0;
      case 'array':
        if (t.kind !== 'array') return false;
        l = localBtf.resolve(l.type);
        t = target.resolve(t.type);
        continue;
      default:
        return false;
    }
  }
}

/** Parameter count as BTF's vlen has it: a variadic prototype ends with a void parameter. */
function vlen(t: { readonly params: readonly unknown[]; readonly variadic: boolean }): number {
  return t.params.length + (t.variadic ? 1 : 0);
}

/**
 * `bpf_core_types_are_compat`: the relation `type_exists`, `type_size` and
 * `type_id_target` use. The roots must have compatible kinds before
 * typedefs are skipped (a typedef is compared with typedefs).
 */
export function typesCompat(localBtf: Btf, localId: TypeId, target: Btf, targetId: TypeId, level = MAX_DEPTH): Tri {
  if (!kindCompat(localBtf.type(localId), target.type(targetId))) return false;
  let lid = localId;
  let tid = targetId;
  for (let depth = MAX_DEPTH; ; ) {
    if (--depth < 0) return 'too-deep';
    const l = localBtf.resolve(lid);
    const t = target.resolve(tid);
    if (!kindCompat(l, t)) return false;
    switch (l.kind) {
      case 'void':
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
      case 'fwd':
        return true;
      case 'int':
        return l.offset === 0 && t.kind === 'int' && t.offset === 0;
      case 'ptr':
      case 'array':
        if (t.kind !== l.kind) return false;
        lid = l.type;
        tid = t.type;
        continue;
      case 'func_proto': {
        if (t.kind !== 'func_proto' || vlen(l) !== vlen(t) || l.variadic !== t.variadic) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (level <= 0) return 'too-deep';
          const r = typesCompat(localBtf, localBtf.resolve(l.params[i]!.type).id, target, target.resolve(t.params[i]!.type).id, level - 1);
          if (r !== true) return r;
        }
        lid = l.returnType;
        tid = t.returnType;
        continue;
      }
      default:
        return false;
    }
  }
}

/** `bpf_core_names_match`: an anonymous target matches only an anonymous local; otherwise essential names are equal. */
function namesMatch(local: string, target: string): boolean {
  if (target === '') return local === '';
  return essentialName(local) === essentialName(target);
}

/**
 * `bpf_core_types_match`: the relation `type_matches` uses (see the module
 * comment). Behind a pointer, a struct or union matches a forward
 * declaration of the same kind, and members are not compared.
 */
export function typesMatch(localBtf: Btf, localId: TypeId, target: Btf, targetId: TypeId, behindPtr = false, level = MAX_DEPTH): Tri {
  if (level <= 0) return 'too-deep';
  let lid = localId;
  let tid = targetId;
  let behind = behindPtr;
  for (let depth = MAX_DEPTH; ; ) {
    if (--depth < 0) return 'too-deep';
    const l = localBtf.resolve(lid);
    const t = target.resolve(tid);
    if (!namesMatch(l.name, t.name)) return false;
    switch (l.kind) {
      case 'void':
        return t.kind === 'void';
      case 'fwd':
        if (t.kind === 'fwd') return l.fwdKind === t.fwdKind;
        return behind && t.kind === l.fwdKind;
      case 'enum':
      case 'enum64':
        return isEnum(t) && enumsMatch(l, t);
      case 'struct':
      case 'union':
        if (behind) return l.kind === t.kind || (t.kind === 'fwd' && t.fwdKind === l.kind);
        if (t.kind !== l.kind) return false;
        return compositesMatch(localBtf, l, target, t as BtfComposite<'struct' | 'union'>, behind, level);
      case 'int':
        return t.kind === 'int' && l.size === t.size && (l.encoding === 'signed') === (t.encoding === 'signed');
      case 'ptr':
        if (t.kind !== 'ptr') return false;
        behind = true;
        lid = l.type;
        tid = t.type;
        continue;
      case 'array':
        if (t.kind !== 'array' || l.length !== t.length) return false;
        lid = l.type;
        tid = t.type;
        continue;
      case 'func_proto': {
        if (t.kind !== 'func_proto' || vlen(l) !== vlen(t) || l.variadic !== t.variadic) return false;
        for (let i = 0; i < l.params.length; i++) {
          const r = typesMatch(localBtf, l.params[i]!.type, target, t.params[i]!.type, behind, level - 1);
          if (r !== true) return r;
        }
        lid = l.returnType;
        tid = t.returnType;
        continue;
      }
      default:
        return false;
    }
  }
}

/** Same size, and every local enumerator has a target one of the same essential name (values are not compared). */
function enumsMatch(l: BtfEnum | BtfEnum64, t: BtfEnum | BtfEnum64): boolean {
  if (l.size !== t.size || l.values.length > t.values.length) return false;
  return l.values.every((v) => t.values.some((w) => namesMatch(v.name, w.name)));
}

/** Every local member has a target member of the same essential name whose type matches. */
function compositesMatch(
  localBtf: Btf,
  l: BtfComposite<'struct' | 'union'>,
  target: Btf,
  t: BtfComposite<'struct' | 'union'>,
  behindPtr: boolean,
  level: number,
): Tri {
  if (l.members.length > t.members.length) return false;
  for (const lm of l.members) {
    let matched = false;
    for (const tm of t.members) {
      if (!namesMatch(lm.name, tm.name)) continue;
      const r = typesMatch(localBtf, lm.type, target, tm.type, behindPtr, level - 1);
      if (r === 'too-deep') return r;
      if (r) {
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}
