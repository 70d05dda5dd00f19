/**
 * The verifier's one error class. A rejected program is a result, not an
 * exception: `verify()` returns its `VerifierError`s in `errors`. Only bugs in
 * the verifier itself (or misuse of its API) are thrown.
 */
import type { SourceLocation } from '@bpflab/isa';
import type { MsgCode } from './messages';

/** Codes of API misuse, thrown rather than returned. */
export type VerifierUsageCode = 'bad_program' | 'bad_option' | 'bad_prog_type' | 'internal';

/** One verifier finding: the kernel's message, where, and why. */
export class VerifierError extends Error {
  override readonly name = 'VerifierError';
  constructor(
    /** stable code: the key of the message in the catalog */
    readonly code: MsgCode | VerifierUsageCode,
    /** instruction index (slot) the message is about; -1 when it is about the whole program */
    readonly pc: number,
    message: string,
    /** where the instruction came from: BTF line info or the assembly line */
    readonly source?: SourceLocation,
  ) {
    super(message);
  }
}
