/** Where in a text file something is (1-based line and column). */
export interface SourceLocation {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

/** Stable codes of the isa package's errors. */
export type IsaErrorCode =
  /** bytes that do not decode: bad opcode, reserved field set, truncated lddw */
  | 'bad-encoding'
  /** an instruction value that cannot be encoded (out-of-range field) */
  | 'bad-insn'
  /** assembly text that does not parse or assemble */
  | 'bad-asm'
  /** a conformance `.data` file that is malformed (sections, bytes, result) */
  | 'bad-data-file';

/**
 * The isa package's error. `byteOffset` is set for decoding errors, `source`
 * for assembly errors; `message` says what is wrong and where.
 */
export class IsaError extends Error {
  override readonly name = 'IsaError';
  constructor(
    readonly code: IsaErrorCode,
    message: string,
    readonly byteOffset?: number,
    readonly source?: SourceLocation,
  ) {
    super(message);
  }
}

/** `file:line:column` (or `line:column` without a file) for messages. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file ?? '<input>'}:${loc.line}:${loc.column}`;
}
