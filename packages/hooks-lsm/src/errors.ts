/**
 * The LSM plugin's one error class.
 *
 * What a student's program decides is a result, never an exception: a
 * denied operation comes back as `-EPERM` in the operation's result, with
 * the program that denied it. `LsmError` is thrown for what a lab or test
 * author got wrong: a malformed file-operation step (the message names the
 * field), a filesystem description that does not hold together, or an API
 * misuse.
 */

/** Stable codes of the LSM plugin's errors. */
export type LsmErrorCode =
  /** a file-operation step is malformed: `field` names the field at fault */
  | 'bad-step'
  /** a filesystem description is malformed (a relative path, a file under a file, a bad mode) */
  | 'bad-filesystem'
  /** the API was used wrongly (an unknown hook, a kernel the runtime does not belong to) */
  | 'bad-call';

/** Extra fields of an `LsmError`. */
export interface LsmErrorDetails {
  /** for `bad-step`: the step's index in its list, when known */
  readonly step?: number;
  /** for `bad-step` and `bad-filesystem`: the field at fault (`task.uid`, `mode`) */
  readonly field?: string;
}

/** The LSM plugin's error; `code` is stable, `message` says what and where. */
export class LsmError extends Error {
  override readonly name = 'LsmError';
  readonly step: number | undefined;
  readonly field: string | undefined;

  constructor(
    readonly code: LsmErrorCode,
    message: string,
    details: LsmErrorDetails = {},
  ) {
    super(message);
    this.step = details.step;
    this.field = details.field;
  }
}
