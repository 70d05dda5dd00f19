/** Where a command writes: injectable so tests can capture output. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Current directory for relative paths. */
  readonly cwd: string;
  /** Colour diagnostics (a terminal, and NO_COLOR not set). */
  readonly color?: boolean;
}

/**
 * Where the user was: `pnpm bpflab ...` runs the command in the
 * repository's root, but says in `INIT_CWD` which folder it was typed in,
 * and relative paths mean that folder.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.npm_lifecycle_event === 'bpflab' && env.INIT_CWD !== undefined && env.INIT_CWD !== '' ? env.INIT_CWD : cwd;
}

/** The process's own streams. */
export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: userCwd(),
  color: process.stderr.isTTY === true && (process.env.NO_COLOR ?? '') === '',
};
