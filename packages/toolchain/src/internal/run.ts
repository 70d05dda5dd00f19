// Run a program, collect its output, kill it at a deadline.
import { spawn } from 'node:child_process';

/** How a finished process ended. */
export interface RunResult {
  /** exit status, or null when a signal ended it */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** true when the deadline passed and the process was killed */
  readonly timedOut: boolean;
}

/** What {@link run} needs besides the command. */
export interface RunOptions {
  readonly cwd?: string;
  /** kill the process (SIGKILL) after this many milliseconds */
  readonly timeoutMs: number;
}

/**
 * Run `file args...` without a shell. Rejects only when the process cannot
 * be started (ENOENT, EACCES); every ending of a started process resolves.
 */
export function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // On POSIX the child leads its own process group, so that a timeout
    // kills whatever it started too (and nothing keeps its pipes open).
    const group = process.platform !== 'win32';
    const child = spawn(file, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      detached: group,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
    }, options.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
  });
}
