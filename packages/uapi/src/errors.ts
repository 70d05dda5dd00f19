/** Stable codes of {@link UapiError}. */
export type UapiErrorCode =
  /** a verifier kind (`ARG_*`, `RET_*`, flag) that the table does not know */
  | 'unknown_kind'
  /** a kind spelled with a flag twice, or a flag that makes no sense there */
  | 'bad_kind'
  /** a table entry that breaks an invariant (duplicate id or name, bad proto) */
  | 'bad_table'
  /** a number a function cannot take (a negative or inexact flags word) */
  | 'bad_value';

/**
 * The one error class of `@bpflab/uapi`. It is thrown for bugs only: a
 * misspelled kind handed to a parser, or a table that breaks its own rules.
 * Lookups of unknown ids or names return `undefined` instead.
 */
export class UapiError extends Error {
  override readonly name = 'UapiError';
  constructor(
    readonly code: UapiErrorCode,
    message: string,
  ) {
    super(message);
  }
}
