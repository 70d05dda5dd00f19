/**
 * Loads and stores through `PTR_TO_BTF_ID` registers
 * (`check_ptr_to_btf_access`): reads only, within the struct's layout; a
 * pointer member gives another `btf_id` register whose trust follows the
 * kernel's rules, anything else a scalar.
 */
import { formatTnum, tnumIsConst } from '../domain/tnum';
import { regTypeName } from '../log/state-printer';
import { msg } from '../messages';
import { reject, type Env } from '../pipeline/env';
import { pointer, type RegState } from '../state/reg-state';
import { unknown } from '../pipeline/transfer-alu';
import type { BtfPtr } from './btf-ptr';
import { structAccess } from './btf-walk';

/**
 * Pointer members that keep their parent's trust (`BTF_TYPE_SAFE_TRUSTED`),
 * may be NULL but are trusted otherwise (`BTF_TYPE_SAFE_TRUSTED_OR_NULL`),
 * or are RCU-protected (`BTF_TYPE_SAFE_RCU`, `..._RCU_OR_NULL`), by
 * `struct.member`, as Linux 6.18 lists them.
 */
const SAFE_TRUSTED = new Set(['bpf_iter_meta.seq', 'bpf_iter__task.meta', 'bpf_iter__task.task', 'linux_binprm.file', 'file.f_inode']);
const SAFE_TRUSTED_OR_NULL = new Set(['dentry.d_inode', 'socket.sk', 'vm_area_struct.vm_mm', 'vm_area_struct.vm_file']);
const SAFE_RCU = new Set(['task_struct.cpus_ptr', 'task_struct.cgroups', 'task_struct.real_parent', 'task_struct.group_leader', 'cgroup.kn', 'css_set.dfl_cgrp', 'cgroup_subsys_state.cgroup']);
const SAFE_RCU_OR_NULL = new Set(['mm_struct.exe_file', 'sk_buff.sk', 'request_sock.sk']);

/** The flags of a pointer read from member `key` (`struct.field`) of `parent`. */
function walkedFlags(env: Env, parent: RegState, key: string): { readonly trusted: boolean; readonly untrusted: boolean; readonly rcu: boolean; readonly maybeNull: boolean } {
  const p = parent.btf as BtfPtr;
  const none = { trusted: false, untrusted: false, rcu: false, maybeNull: false };
  if (p.untrusted) return { ...none, untrusted: true };
  if (!((p.trusted && !p.untrusted) || p.rcu)) return none; // old compat: plain PTR_TO_BTF_ID
  if (SAFE_TRUSTED.has(key)) return { ...none, trusted: true };
  if (SAFE_TRUSTED_OR_NULL.has(key)) return { ...none, trusted: true, maybeNull: true };
  const inRcu = !(env.progType.btfCtx?.sleepable ?? false);
  if (inRcu && !parent.maybeNull) {
    if (SAFE_RCU.has(key)) return { ...none, rcu: true };
    if (SAFE_RCU_OR_NULL.has(key)) return { ...none, rcu: true, maybeNull: true };
    return none;
  }
  return { ...none, untrusted: true };
}

/**
 * `check_ptr_to_btf_access`: an access of `size` bytes at `off` (the
 * register's fixed offset included) through the `btf_id` register `regno`.
 */
export function checkBtfPtrAccess(env: Env, regno: number, reg: RegState, off: number, size: number, write: boolean, valueRegno: number): void {
  const b = reg.btf;
  if (reg.maybeNull || b === undefined) return reject('invalidMemAccess', msg.invalidMemAccess(regno, regTypeName(reg)));
  if (!env.allowPtrLeaks) reject('btfAccessNeedsPerfmon', msg.btfAccessNeedsPerfmon(b.name));
  if (!env.gpl) reject('btfAccessNonGpl', msg.btfAccessNonGpl(b.name));
  if (off < 0) reject('btfNegativeAccess', msg.btfNegativeAccess(regno, b.name, off));
  if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
    reject('btfVariableOffset', msg.btfVariableOffset(regno, b.name, off, formatTnum(reg.varOff)));
  }
  if (write) reject('btfOnlyRead', msg.btfOnlyRead());
  const r = structAccess(b.src, b.id, off, size);
  if (r.kind === 'error') return reject(r.code, r.message);
  if (valueRegno < 0) return;
  if (r.kind === 'scalar') {
    env.setReg(valueRegno, unknown(env));
    return;
  }
  const target = b.src.type(r.id);
  const name = target !== undefined && 'name' in target ? target.name : '';
  const walked = walkedFlags(env, reg, `${b.name}.${r.field}`);
  const f = r.untrusted ? { ...walked, trusted: false, untrusted: true } : walked;
  env.setReg(
    valueRegno,
    pointer('btf_id', {
      maybeNull: f.maybeNull,
      ...(f.maybeNull ? { id: env.newId() } : {}),
      btf: { src: b.src, id: r.id, name, trusted: f.trusted, untrusted: f.untrusted, rcu: f.rcu },
    }),
  );
}
