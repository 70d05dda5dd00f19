/**
 * Reading kernel types the way the verifier does: skipping modifiers,
 * sizing members, and walking a struct to the member an access lands on
 * (`btf_struct_walk` / `btf_struct_access`). Pure functions over a
 * {@link BtfTypeSource}; the messages are the kernel's.
 */
import { msg, type MsgCode } from '../messages';
import type { BtfMemberDesc, BtfTypeDesc, BtfTypeSource } from '../types';

const VOID: BtfTypeDesc = Object.freeze({ kind: 'void' });

/** The type `id` of `src` (`btf_type_by_id`); void for 0 or an unknown id. */
export function typeOf(src: BtfTypeSource, id: number): BtfTypeDesc {
  return id === 0 ? VOID : (src.type(id) ?? VOID);
}

const MODIFIERS = new Set(['typedef', 'const', 'volatile', 'restrict', 'type_tag']);

/** Follows typedefs and qualifiers to the type they name (`btf_type_skip_modifiers`). */
export function skipModifiers(src: BtfTypeSource, id: number): { readonly id: number; readonly t: BtfTypeDesc } {
  let cur = id;
  let t = typeOf(src, cur);
  for (let guard = 0; guard < 64 && 'type' in t && MODIFIERS.has(t.kind); guard++) {
    cur = t.type;
    t = typeOf(src, cur);
  }
  return { id: cur, t };
}

/** The kernel's kind name of a type (`btf_type_str`): `STRUCT`, `PTR`, `INT`... */
export function btfKindStr(t: BtfTypeDesc): string {
  switch (t.kind) {
    case 'void':
      return 'UNKN';
    case 'other':
      return t.btfKind;
    case 'type_tag':
      return 'TYPE_TAG';
    default:
      return t.kind.toUpperCase();
  }
}

/** The name of a type, `''` for anonymous ones and pointers. */
export function btfName(t: BtfTypeDesc): string {
  return 'name' in t ? t.name : '';
}

export const isStruct = (t: BtfTypeDesc): t is BtfTypeDesc & { kind: 'struct' | 'union' } => t.kind === 'struct' || t.kind === 'union';

/** `btf_type_is_small_int`: an int of at most 8 bytes (all BTF ints here). */
export const isSmallInt = (t: BtfTypeDesc): boolean => t.kind === 'int' && t.size <= 8;

/** Size of a type in bytes, arrays flattened (`__btf_resolve_size`), or `undefined` when it has none. */
export function sizeOf(src: BtfTypeSource, id: number, depth = 0): number | undefined {
  if (depth > 32) return undefined;
  const { t } = skipModifiers(src, id);
  switch (t.kind) {
    case 'int':
    case 'enum':
    case 'struct':
    case 'union':
      return t.size;
    case 'ptr':
      return 8;
    case 'array': {
      const e = sizeOf(src, t.type, depth + 1);
      return e === undefined ? undefined : e * t.nelems;
    }
    default:
      return undefined;
  }
}

/** The innermost element of a (multi-dimensional) array: its id, type and size. */
function arrayElem(src: BtfTypeSource, id: number): { readonly id: number; readonly t: BtfTypeDesc; readonly size: number } | undefined {
  let cur = skipModifiers(src, id);
  for (let guard = 0; guard < 32 && cur.t.kind === 'array'; guard++) cur = skipModifiers(src, cur.t.type);
  const size = sizeOf(src, cur.id);
  return size === undefined ? undefined : { id: cur.id, t: cur.t, size };
}

/** What an access through a `PTR_TO_BTF_ID` reads (`btf_struct_access`'s answer). */
export type WalkResult =
  /** an integer (or part of a struct read as bytes) */
  | { readonly kind: 'scalar' }
  /**
   * a pointer to a struct of type `id`; `field` names the member;
   * `untrusted` when the walk went through a union of several members
   */
  | { readonly kind: 'ptr'; readonly id: number; readonly field: string; readonly untrusted: boolean }
  /** the access is invalid: the kernel's message */
  | { readonly kind: 'error'; readonly code: MsgCode; readonly message: string };

type Step = WalkResult | { readonly kind: 'struct'; readonly id: number };

const fail = (code: MsgCode, message: string): WalkResult => ({ kind: 'error', code, message });

const bitsToBytes = (bits: number): number => Math.ceil(bits / 8);

/** One level of `btf_struct_walk`: the member of struct `id` that `[off, off+size)` lands on. */
function walkOnce(src: BtfTypeSource, id: number, offIn: number, size: number, seen: { untrusted: boolean }): Step {
  let off = offIn;
  let { t } = skipModifiers(src, id);
  for (let guard = 0; guard < 64; guard++) {
    const tname = btfName(t);
    if (!isStruct(t)) return fail('btfNotAStruct', msg.btfNotAStruct(tname));
    // walking unions of several members yields untrusted pointers
    if (t.kind === 'union' && t.members.length !== 1) seen.untrusted = true;
    if (off + size > t.size) {
      // a flexible array of ints or structs at the end may be read past the struct
      const last: BtfMemberDesc | undefined = t.members[t.members.length - 1];
      const lastT = last === undefined ? undefined : skipModifiers(src, last.type).t;
      const moff = last === undefined ? 0 : last.bitOffset / 8;
      if (last === undefined || lastT?.kind !== 'array' || lastT.nelems !== 0 || off < moff) {
        return fail('btfAccessBeyondStruct', msg.btfAccessBeyondStruct(tname, off, size));
      }
      const elem = skipModifiers(src, lastT.type).t;
      if (elem.kind === 'int') return { kind: 'scalar' };
      if (!isStruct(elem) || elem.size === 0) return fail('btfAccessBeyondStruct', msg.btfAccessBeyondStruct(tname, off, size));
      off = (off - moff) % elem.size;
      t = elem;
      continue;
    }
    let next: BtfTypeDesc | undefined;
    for (const m of t.members) {
      const moff = Math.floor(m.bitOffset / 8);
      if (off + size <= moff) break;
      if (m.bitSize !== 0) {
        if (off <= moff && bitsToBytes(m.bitOffset + m.bitSize) <= off + size) return { kind: 'scalar' };
        continue;
      }
      if (off < moff) break;
      let msize = sizeOf(src, m.type);
      if (msize === undefined) return fail('btfFieldNoSize', msg.btfFieldNoSize(m.name));
      const mtrueEnd = moff + msize;
      if (off >= mtrueEnd) continue;
      let mt = skipModifiers(src, m.type);
      let elemOff = moff;
      if (mt.t.kind === 'array') {
        const e = arrayElem(src, m.type);
        if (e === undefined || e.size === 0) return fail('btfFieldNoSize', msg.btfFieldNoSize(m.name));
        // the element the access starts in
        elemOff = moff + Math.floor((off - moff) / e.size) * e.size;
        mt = { id: e.id, t: e.t };
        msize = e.size;
      }
      if (isStruct(mt.t)) {
        if (off === elemOff) return { kind: 'struct', id: mt.id };
        off -= elemOff;
        next = mt.t;
        break;
      }
      if (mt.t.kind === 'ptr') {
        if (msize !== size || off !== elemOff) {
          return fail('btfPtrMemberAccess', msg.btfPtrMemberAccess(m.name, elemOff, tname, off, size));
        }
        const target = skipModifiers(src, mt.t.type);
        if (isStruct(target.t)) return { kind: 'ptr', id: target.id, field: m.name, untrusted: seen.untrusted };
        return { kind: 'scalar' };
      }
      // integers and enums: the access may span the rest of an array of them
      if (off + size > mtrueEnd && !seen.untrusted) return fail('btfBeyondMember', msg.btfBeyondMember(m.name, mtrueEnd, tname, off, size));
      return { kind: 'scalar' };
    }
    if (next === undefined) return fail('btfNoFieldAt', msg.btfNoFieldAt(tname, off));
    t = next;
  }
  return fail('btfNoFieldAt', msg.btfNoFieldAt(btfName(t), off));
}

/**
 * `btf_struct_access` for a read of `size` bytes at `off` in a struct of
 * type `id`: descends into nested structs until the access lands on an
 * integer or a pointer.
 */
export function structAccess(src: BtfTypeSource, id: number, off: number, size: number): WalkResult {
  let cur = id;
  let o = off;
  const seen = { untrusted: false };
  for (let guard = 0; guard < 64; guard++) {
    const r = walkOnce(src, cur, o, size, seen);
    if (r.kind !== 'struct') return r;
    cur = r.id;
    o = 0;
  }
  return fail('btfNoFieldAt', msg.btfNoFieldAt(btfName(typeOf(src, cur)), o));
}
