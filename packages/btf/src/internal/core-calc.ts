/**
 * The value a relocation gives for one spec (libbpf's
 * `bpf_core_calc_field_relo`, `bpf_core_calc_type_relo`,
 * `bpf_core_calc_enumval_relo`), computed once for the local spec (what the
 * compiler put in the instruction) and once for the target spec (what goes
 * in now). A missing spec (no candidate matched) gives 0 for the existence
 * kinds and type kinds, and asks for poisoning for the others.
 *
 * Bitfields are read with the smallest aligned load, of at least the
 * field's declared type size, that covers them:
 * ```
 * u64 v = *(uN *)(base + byte_off);   v <<= lshift;   v >>= rshift (arithmetic when signed)
 * ```
 */
import { isEnum, sizeOf } from './core-compat';
import { fail, label, ok, reloClass, type CoreSpec, type Step } from './core-spec';
import type { CoreReloKind } from '../ext';
import type { TypeId } from '../types';

/** What a relocation computes for one spec. */
export interface CoreValue {
  /** The unsigned 64-bit value. */
  readonly value: bigint;
  /** Byte size of the field a load or store accesses (0 when the value is not a sized field offset). */
  readonly size: number;
  /** That field's type, typedefs skipped (0 when `size` is 0). */
  readonly typeId: TypeId;
  /** Whether the instruction must hold this value as compiled (meaningful for the local spec). */
  readonly validate: boolean;
}

const plain = (value: bigint | number, validate = true): CoreValue => ({ value: BigInt(value), size: 0, typeId: 0, validate });

/** The value of `kind` for `spec` (`undefined`: nothing matched); `'poison'` when the instruction must be poisoned. */
export function calcValue(kind: CoreReloKind, spec: CoreSpec | undefined, endianness: 'little' | 'big'): Step<CoreValue | 'poison'> {
  switch (reloClass(kind)) {
    case 'field':
      return calcField(kind, spec, endianness);
    case 'type':
      return calcType(kind, spec);
    case 'enumval':
      return calcEnum(kind, spec);
  }
}

function calcField(kind: CoreReloKind, spec: CoreSpec | undefined, endianness: 'little' | 'big'): Step<CoreValue | 'poison'> {
  if (kind === 'field_exists') return ok(plain(spec === undefined ? 0 : 1));
  if (spec === undefined) return ok('poison');
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1]!;
  if (acc.name === undefined) {
    const size = sizeOf(btf, acc.typeId);
    if (size === undefined) return fail('unsized', `${label(btf.type(acc.typeId))} has no size`);
    if (kind === 'field_byte_offset') return ok({ value: BigInt(Math.floor(spec.bitOffset / 8)), size, typeId: acc.typeId, validate: true });
    if (kind === 'field_byte_size') return ok(plain(size));
    return fail('array-access', `${kind} cannot be applied to an array element`);
  }
  const holder = btf.type(acc.typeId);
  if (holder.kind !== 'struct' && holder.kind !== 'union') throw new Error(`core: member accessor of ${label(holder)}`);
  const m = holder.members[acc.index]!;
  const mt = btf.resolve(m.type);
  const bitOff = spec.bitOffset;
  const bitfield = m.bitSize > 0;
  let bitSz = m.bitSize;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = sizeOf(btf, mt.id) ?? 0;
    if (byteSz === 0) return fail('unsized', `bitfield '${m.name}' of ${label(holder)} has a type without size`);
    byteOff = Math.floor(Math.floor(bitOff / 8) / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) return fail('bitfield', `bitfield '${m.name}' of ${label(holder)} cannot be read with a 64-bit load`);
      byteSz *= 2;
      byteOff = Math.floor(Math.floor(bitOff / 8) / byteSz) * byteSz;
    }
  } else {
    const size = sizeOf(btf, mt.id);
    if (size === undefined) return fail('unsized', `member '${m.name}' of ${label(holder)} has a type without size`);
    byteSz = size;
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  // For bitfields the compiler's choice of load may differ from libbpf's:
  // the instruction's values are not checked, except signedness and the right shift.
  const validate = !bitfield;
  switch (kind) {
    case 'field_byte_offset':
      return ok({ value: BigInt(byteOff), size: bitfield ? 0 : byteSz, typeId: bitfield ? 0 : mt.id, validate });
    case 'field_byte_size':
      return ok(plain(byteSz, validate));
    case 'field_signed':
      return ok(plain((isEnum(mt) && mt.signed) || (mt.kind === 'int' && mt.encoding === 'signed') ? 1 : 0));
    // shifts are computed in 32 bits, as libbpf does: a field wider than 8 bytes wraps around
    case 'field_lshift_u64':
      return ok(plain((endianness === 'little' ? 64 - (bitOff + bitSz - byteOff * 8) : (8 - byteSz) * 8 + (bitOff - byteOff * 8)) >>> 0, validate));
    case 'field_rshift_u64':
      return ok(plain((64 - bitSz) >>> 0));
    default:
      throw new Error(`core: ${kind} is not a field relocation`);
  }
}

function calcType(kind: CoreReloKind, spec: CoreSpec | undefined): Step<CoreValue> {
  if (spec === undefined) return ok(plain(0));
  switch (kind) {
    case 'type_id_target':
      // a type id may change when objects are linked: the instruction's is not checked
      return ok(plain(spec.rootId, false));
    case 'type_exists':
    case 'type_matches':
      return ok(plain(1));
    case 'type_size': {
      const size = sizeOf(spec.btf, spec.rootId);
      return size === undefined ? fail('unsized', `${label(spec.btf.type(spec.rootId))} has no size`) : ok(plain(size));
    }
    default:
      throw new Error(`core: ${kind} is not computed from a spec`);
  }
}

function calcEnum(kind: CoreReloKind, spec: CoreSpec | undefined): Step<CoreValue | 'poison'> {
  if (kind === 'enumval_exists') return ok(plain(spec === undefined ? 0 : 1));
  if (spec === undefined) return ok('poison');
  const acc = spec.accessors[0]!;
  const e = spec.btf.type(acc.typeId);
  if (!isEnum(e)) throw new Error(`core: enumerator accessor of ${label(e)}`);
  const v = e.values[acc.index]!.value;
  // a 32-bit enumerator is stored as s32 and widened with its sign, whatever the enum's signedness
  return ok(plain(typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(v | 0))));
}
