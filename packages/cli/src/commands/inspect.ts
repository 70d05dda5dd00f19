import { dumpC, dumpRaw } from '@bpflab/btf';
import { formatInspect, formatObjectJson, formatSourceListing, ObjectError } from '@bpflab/object';
import { CliError } from '../errors';
import type { Io } from '../io';
import { readBtfFile, readObjectFile } from '../object-input';

/** `bpflab inspect FILE.o [--json]` */
export function inspectCommand(io: Io, file: string, opts: { json?: boolean }): void {
  const spec = readObjectFile(file, io.cwd);
  io.out(opts.json === true ? formatObjectJson(spec) : formatInspect(spec));
}

/** `bpflab disasm FILE.o [--source] [--prog NAME]`: the programs of an object, linked as libbpf links them. */
export function disasmObject(io: Io, file: string, opts: { source?: boolean; prog?: string }): void {
  const spec = readObjectFile(file, io.cwd);
  if (opts.source === true && spec.programs.every((p) => p.lineInfo.length === 0)) {
    io.err(`note: ${file} has no line info: compile with -g (as 'bpflab build' does) to see C source lines\n`);
  }
  try {
    io.out(formatSourceListing(spec, opts.prog, { source: opts.source === true }).replace(/^\n/, ''));
  } catch (e) {
    if (e instanceof ObjectError) throw new CliError('bad-input', `${file}: ${e.message}`);
    throw e;
  }
}

/** `bpflab btf dump FILE [--format c|raw]` */
export function btfDumpCommand(io: Io, file: string, opts: { format: 'c' | 'raw' }): void {
  const btf = readBtfFile(file, io.cwd);
  io.out(opts.format === 'raw' ? dumpRaw(btf) : dumpC(btf));
}
