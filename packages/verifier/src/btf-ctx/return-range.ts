/**
 * The return rules of programs with a BTF-typed context
 * (`check_return_code` for `BPF_PROG_TYPE_LSM`): the range is checked on
 * the low 32 bits of R0 (`return_32bit`, as the hook returns an int), and
 * programs of void hooks return nothing the verifier checks.
 */
import type { RegState } from '../state/reg-state';
import type { ProgramTypeDescription, ReturnRange } from '../types';

/** An LSM program attached to a hook returning void: its R0 is not looked at. */
export const isVoidLsmHook = (d: ProgramTypeDescription): boolean => d.btfCtx?.retSlot === 'retval' && d.btfCtx.ret === 0;

/** `retval_range_within`: R0 lies in `range`, on 32 bits when the type says so. */
export function returnWithin(d: ProgramTypeDescription, range: ReturnRange, r: RegState): boolean {
  return d.returns32 === true ? range.min <= r.s32min && r.s32max <= range.max : range.min <= r.smin && r.smax <= range.max;
}
