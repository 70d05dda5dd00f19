/**
 * `PTR_TO_BTF_ID` registers: what the verifier keeps about a pointer to a
 * kernel object (`reg->btf`, `reg->btf_id` and the trust flags) and how
 * the log names it (`trusted_ptr_file()`, `ptr_or_null_inode(id=2)`).
 */
import type { RegState } from '../state/reg-state';
import type { BtfTypeSource } from '../types';

/** The BTF side of a `btf_id` register. */
export interface BtfPtr {
  /** where `id` is looked up (the kernel's BTF) */
  readonly src: BtfTypeSource;
  /** the struct's type id */
  readonly id: number;
  /** the struct's name, printed after `ptr_` */
  readonly name: string;
  /** `PTR_TRUSTED`: an argument of the hook, or a field that inherits trust */
  readonly trusted: boolean;
  /** `PTR_UNTRUSTED`: formed by walking outside an RCU read section */
  readonly untrusted: boolean;
  /** `MEM_RCU`: an RCU-protected field read inside the RCU read section */
  readonly rcu: boolean;
}

/** The register type part of a `btf_id` register's name (`reg_type_str`): `trusted_ptr_`, `ptr_or_null_`. */
export function btfPtrTypeName(r: RegState): string {
  const b = r.btf;
  const prefix = `${b?.rcu ? 'rcu_' : ''}${b?.untrusted ? 'untrusted_' : ''}${b?.trusted ? 'trusted_' : ''}`;
  return `${prefix}ptr_${r.maybeNull ? 'or_null_' : ''}`;
}

/** `is_trusted_reg`: trusted and never NULL-checked away. */
export const isTrustedBtfPtr = (r: RegState): boolean => r.kind === 'btf_id' && r.btf !== undefined && r.btf.trusted && !r.btf.untrusted;

/** Same kernel type and flags (for state pruning: `regs_exact` also compares `btf_id`). */
export function sameBtfPtr(a: RegState, b: RegState): boolean {
  const x = a.btf;
  const y = b.btf;
  if (x === undefined || y === undefined) return x === y;
  return x.id === y.id && x.src === y.src && x.trusted === y.trusted && x.untrusted === y.untrusted && x.rcu === y.rcu;
}
