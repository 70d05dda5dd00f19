/** Stable codes of {@link ToolchainError}. */
export type ToolchainErrorCode =
  /** no usable clang: none on PATH, `$CLANG` wrong, no BPF target, or too old */
  | 'clang-missing'
  /** the source to compile cannot be read, or a source name is not a relative path */
  | 'bad-input'
  /** a compile option that clang cannot take (a bad `-D` name, an unknown CPU) */
  | 'bad-option'
  /** clang ran longer than the timeout and was killed */
  | 'timeout'
  /** clang could not start, crashed, or failed without saying why in a diagnostic */
  | 'clang-failed'
  /** the helper table gives a prototype the header generator cannot use */
  | 'bad-helper-table';

/**
 * The one error class of `@bpflab/toolchain`. It is thrown when the
 * compiler cannot be found or run; a program that does not compile is a
 * result of {@link compile} (`ok: false` with its diagnostics), not an error.
 */
export class ToolchainError extends Error {
  override readonly name = 'ToolchainError';
  constructor(
    readonly code: ToolchainErrorCode,
    message: string,
    /** the file being compiled, when there is one */
    readonly file?: string,
  ) {
    super(message);
  }
}
