/**
 * Context accesses of programs whose context is the attach function's
 * arguments (`btf_ctx_access`): LSM, fentry/fexit, tp_btf. The context is
 * `u64 ctx[]`; slot i holds argument i, and for LSM and fexit programs the
 * slot after the last argument holds the return value.
 */
import { msg } from '../messages';
import { regBoundsSync, pointer, type RegState } from '../state/reg-state';
import { unknown } from '../pipeline/transfer-alu';
import { reject, type Env } from '../pipeline/env';
import type { BtfContext } from '../types';
import { btfKindStr, btfName, isSmallInt, isStruct, skipModifiers } from './btf-walk';

/** `MAX_BPF_FUNC_ARGS` */
const MAX_BPF_FUNC_ARGS = 12;

/** A scalar within [min, max] on its low 32 bits (`__mark_reg_s32_range` on an unknown scalar). */
function s32Range(r: RegState, min: bigint, max: bigint): RegState {
  const lo = r.s32min > min ? r.s32min : min;
  const hi = r.s32max < max ? r.s32max : max;
  return regBoundsSync({ ...r, s32min: lo, s32max: hi, smin: r.smin > min ? r.smin : min, smax: r.smax < max ? r.smax : max });
}

/**
 * Checks an access of `size` bytes at `off` in the context and, for a load
 * into `valueRegno`, sets the register: a scalar, the `ret` slot's scalar
 * bounded by the return range, or a `PTR_TO_BTF_ID` to the argument's struct.
 */
export function checkBtfCtxAccess(env: Env, bc: BtfContext, off: number, size: number, write: boolean, valueRegno: number): void {
  const fail = (detail: string): never => {
    env.verboseLinfo(env.insnIdx, '; ');
    return reject('invalidCtxAccess', `${detail}\n${msg.invalidCtxAccess(off, size)}`);
  };
  if (bc.tracing === true && (off < 0 || off >= 8 * MAX_BPF_FUNC_ARGS || write || off % size !== 0)) {
    env.verboseLinfo(env.insnIdx, '; ');
    reject('invalidCtxAccess', msg.invalidCtxAccess(off, size));
  }
  if (off % 8 !== 0) fail(msg.btfCtxOffsetNotMultiple(bc.func, off));
  const arg = Math.trunc(off / 8);
  const nrArgs = bc.args.length;
  if (off < 0 || arg > nrArgs || (arg === nrArgs && bc.retSlot === undefined)) fail(msg.btfCtxNoSuchArg(bc.func, arg + 1));
  const isRet = arg === nrArgs;
  const typeId = isRet ? bc.ret : (bc.args[arg]?.type ?? 0);
  const { t } = skipModifiers(bc.btf, typeId);
  let value: RegState;
  if (isSmallInt(t) || t.kind === 'enum' || isStruct(t)) {
    value = unknown(env);
    const range = env.progType.returns;
    if (isRet && bc.retSlot === 'retval' && range !== undefined) value = s32Range(value, range.min, range.max);
  } else {
    if (t.kind !== 'ptr') fail(msg.btfCtxOnlyPointer(bc.func, arg, btfName(t), btfKindStr(t)));
    if (size !== 8) fail(msg.btfCtxPtrSize(bc.func, size));
    const target = skipModifiers(bc.btf, t.kind === 'ptr' ? t.type : 0);
    if (target.t.kind === 'void' || target.t.kind === 'int') {
      // a pointer to void or to an integer is a plain number to the verifier
      value = unknown(env);
    } else {
      if (!isStruct(target.t)) fail(msg.btfCtxNotStruct(bc.func, arg, btfKindStr(target.t)));
      if (!write && valueRegno >= 0) env.verbose(`${msg.btfCtxArgInfo(bc.func, arg, target.id, btfKindStr(target.t), btfName(target.t))}\n`);
      value = pointer('btf_id', {
        btf: { src: bc.btf, id: target.id, name: btfName(target.t), trusted: bc.trusted, untrusted: false, rcu: false },
      });
    }
  }
  if (!write && valueRegno >= 0) env.setReg(valueRegno, value);
}
