/** Where a command writes: injectable so tests can capture output. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Current directory for relative paths. */
  readonly cwd: string;
  /** Colour diagnostics (a terminal, and NO_COLOR not set). */
  readonly color?: boolean;
}

/** The process's own streams. */
export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  color: process.stderr.isTTY === true && (process.env.NO_COLOR ?? '') === '',
};
