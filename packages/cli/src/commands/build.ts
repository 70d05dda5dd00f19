import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { compile, formatDiagnostics, ToolchainError, type BpfCpu } from '@bpflab/toolchain';
import { CliError } from '../errors';
import type { Io } from '../io';

/** The object name clang users expect: `prog.bpf.c` → `prog.bpf.o`. */
export function defaultObjectName(file: string): string {
  const name = basename(file);
  return name.endsWith('.c') ? `${name.slice(0, -2)}.o` : `${name}.o`;
}

/** `bpflab build FILE.c [-o FILE.o] [--cpu v2|v3|v4] [-D NAME[=VALUE]] [-I DIR]` */
export async function buildCommand(
  io: Io,
  file: string,
  opts: { output?: string; cpu?: BpfCpu; define?: readonly string[]; include?: readonly string[] },
): Promise<void> {
  const defines: Record<string, string | true> = {};
  for (const d of opts.define ?? []) {
    const eq = d.indexOf('=');
    if (eq === 0) throw new CliError('bad-input', `-D ${d}: a macro name is needed before '='`);
    if (eq < 0) defines[d] = true;
    else defines[d.slice(0, eq)] = d.slice(eq + 1);
  }
  let result;
  try {
    result = await compile(file, {
      cwd: io.cwd,
      defines,
      includeDirs: opts.include ?? [],
      ...(opts.cpu === undefined ? {} : { cpu: opts.cpu }),
    });
  } catch (e) {
    if (e instanceof ToolchainError) throw new CliError('bad-input', e.message);
    throw e;
  }
  if (result.diagnostics.length > 0) io.err(formatDiagnostics(result.diagnostics, { color: io.color }));
  if (!result.ok) throw new CliError('bad-input', `${file}: does not compile`);
  const out = opts.output ?? defaultObjectName(file);
  try {
    writeFileSync(resolve(io.cwd, out), result.object);
  } catch (e) {
    throw new CliError('bad-input', `${out}: cannot write: ${(e as Error).message}`);
  }
  io.err(`${file}: built ${out} (${result.object.length} bytes, clang ${result.clang.version})\n`);
}
