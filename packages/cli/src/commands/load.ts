/**
 * `bpflab load FILE.(c|o) [--json] [--unprivileged]`: loads an object into a
 * fresh simulated kernel, whose loader runs the verifier, as `bpftool prog
 * loadall` would, and shows what the kernel now holds: each program (name,
 * section, type, size, whether the verifier checked it) and each map
 * created (type, key and value sizes, max_entries). A program the verifier
 * rejects exits 1 with the verifier's log and the explained error on
 * stderr; any other load the kernel refuses exits 2 with its message.
 * Programs of a type the verifier cannot check (LSM, fentry...) load
 * "not verified", and a note says why.
 */
import type { Command } from 'commander';
import type { BpfObjectProgram } from '@bpflab/kernel';
import type { Io } from '../io';
import { formatJson, intOption, notVerifiedNotes, openSession, VERIFIER_EXIT_NOTE, type JsonValue } from '../kernel-session';

/** Options of `bpflab load`. */
export interface LoadOptions {
  readonly json?: boolean;
  readonly pretty?: boolean;
  readonly cpus?: number;
  readonly unprivileged?: boolean;
}

/** How a program stands after the load. */
function verification(p: BpfObjectProgram): 'verified' | 'not verified' | 'not loaded' {
  if (!p.autoload) return 'not loaded';
  // a program type the verifier cannot check loads `not-verified`; only the verifier's acceptance is "verified"
  return p.verification.status === 'verified' ? 'verified' : 'not verified';
}

/** Left-aligned columns (the last column is not padded); numeric columns right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')}\n`;
  return line(header) + rows.map(line).join('');
}

/** `bpflab load FILE [--json] [--cpus N]` */
export async function loadCommand(io: Io, file: string, opts: LoadOptions): Promise<void> {
  const session = await openSession(io, file, { ...(opts.cpus === undefined ? {} : { cpus: opts.cpus }), unprivileged: opts.unprivileged === true });
  const { object, kernel } = session;
  const programs = object.programs();
  const maps = object.maps();
  if (opts.json === true || opts.pretty === true) {
    const json: JsonValue = {
      file,
      object: object.name,
      cpus: kernel.cpus,
      programs: programs.map((p) => {
        const base = { name: p.name, section: p.section, type: p.type.toLowerCase(), insns: p.spec.slots, verification: verification(p) };
        if (!p.autoload) return { ...base, loaded: false };
        const l = p.loaded;
        return {
          ...base,
          loaded: true,
          verified: l.status === 'verified',
          id: l.id,
          tag: l.tag,
          gpl_compatible: l.gplCompatible,
          bytes_xlated: p.spec.slots * 8,
          map_ids: l.maps.map((m) => m.map.id),
        };
      }),
      maps: maps.map((m) => {
        const info = m.info;
        return { id: info.id, name: m.name, type: info.kind, bytes_key: info.keySize, bytes_value: info.valueSize, max_entries: info.maxEntries, flags: info.flags };
      }),
    };
    io.out(`${formatJson(json, opts.pretty === true ? 2 : 0)}\n`);
    return;
  }
  io.out(`${file}: loaded into a simulated kernel with ${kernel.cpus} CPU${kernel.cpus === 1 ? '' : 's'}\n`);
  io.out('programs:\n');
  io.out(
    table(
      ['NAME', 'SECTION', 'TYPE', 'INSNS', 'VERIFICATION'],
      programs.map((p) => [p.name, p.section, p.type.toLowerCase(), String(p.spec.slots), verification(p)]),
      new Set([3]),
    ),
  );
  if (maps.length === 0) {
    io.out('maps: none\n');
  } else {
    io.out('maps:\n');
    io.out(
      table(
        ['NAME', 'TYPE', 'KEY', 'VALUE', 'MAX_ENTRIES'],
        maps.map((m) => [m.name, m.info.kind, String(m.info.keySize), String(m.info.valueSize), String(m.info.maxEntries)]),
        new Set([2, 3, 4]),
      ),
    );
  }
  for (const note of notVerifiedNotes(object)) io.out(`note: ${note}\n`);
}

/** Adds `bpflab load` to `program`. */
export function registerLoadCommand(program: Command, io: Io, exitHelp: string): void {
  program
    .command('load')
    .description('load an object into a simulated kernel and show its programs and maps (or why it does not load)')
    .argument('<file>', 'an object file (.o), or C source (.c) compiled first')
    .option('-j, --json', 'print the programs and maps as JSON')
    .option('-p, --pretty', 'indent the JSON (implies --json)')
    .option('--cpus <n>', 'CPUs of the simulated kernel (default 2)', intOption('--cpus', 1, 1024))
    .option('--unprivileged', 'verify as a loader without CAP_BPF / CAP_PERFMON (default: as root)')
    .addHelpText('after', `${exitHelp}\n${VERIFIER_EXIT_NOTE}`)
    .action((file: string, opts: LoadOptions) => loadCommand(io, file, opts));
}
