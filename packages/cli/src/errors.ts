/**
 * Exit codes of `bpflab` (documented in docs/cli.md and in `bpflab --help`).
 */
export const EXIT = {
  /** success */
  ok: 0,
  /** the BPF program failed at run time: memory fault, budget exhausted, call depth */
  programFailed: 1,
  /** bad input: unreadable file, bad assembly, bad bytes, bad option */
  badInput: 2,
  /** a bug in bpflab itself */
  internal: 70,
} as const;

/** Stable codes of CLI errors. */
export type CliErrorCode = 'bad-input' | 'program-failed';

/** An error the CLI reports as a one-line message and an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The process exit code for this error. */
  get exitCode(): number {
    return this.code === 'program-failed' ? EXIT.programFailed : EXIT.badInput;
  }
}

/** Ends a command with an exit code and nothing more to say (its output already said it: `bpflab test` with failing scenarios). */
export class CliExit extends Error {
  override readonly name = 'CliExit';
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
