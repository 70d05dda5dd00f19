/**
 * The skb package's one error class. What programs do (verdicts, helper
 * errnos, bytes kept) is observed, never thrown; `SkbError` is for misuse
 * of the API and for attach targets that name nothing.
 */

/** Stable codes of the package's errors. */
export type SkbErrorCode =
  /** the API was used wrongly (a program of another type, a skb used after it was freed) */
  | 'bad-call'
  /** an attach target that is not `dev`, `dev:ingress`, `dev:egress`, `any` or `dgram:dev` */
  | 'bad-target';

/** The skb package's error. `code` is stable; `message` says what is wrong. */
export class SkbError extends Error {
  override readonly name = 'SkbError';

  constructor(
    readonly code: SkbErrorCode,
    message: string,
  ) {
    super(message);
  }
}
