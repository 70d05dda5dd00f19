/**
 * Regenerates the llvm-objdump goldens of packages/isa/tests/fixtures/objdump:
 * for each `<name>.c` and each cpu its first line lists (`// cpus: v2 v3 v4`),
 * compiles with `clang -O2 -target bpf -mcpu=<cpu> -c` into a temporary
 * directory and writes `llvm-objdump -d` of the object as `<name>.<cpu>.objdump`,
 * under a header recording the exact tools and commands; cpu v2 and v3 use
 * LLVM 14, cpu v4 LLVM 19. Each `<name>.s` is assembled with llvm-mc 19 and
 * disassembled by llvm-objdump 14 and 19, each plain, with `--mattr=+alu32`
 * and with its other immediate style (OBJDUMP_VARIANTS). No object file is kept.
 *
 *     pnpm --filter @bpflab/isa update-goldens      # or: tsx tools/update-objdump-goldens.ts
 *
 * The module also exports what tests/llvm-objdump-goldens.test.ts needs to read
 * goldens and to check they are up to date.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the fixtures and their goldens live. */
export const FIXTURE_DIR = fileURLToPath(new URL('../tests/fixtures/objdump/', import.meta.url));

/** The cpus C fixtures are compiled for, and the LLVM major version each is built with. */
export const CPU_LLVM = { v2: 14, v3: 14, v4: 19 } as const;

/** A cpu a C fixture is compiled for. */
export type Cpu = keyof typeof CPU_LLVM;

/** How llvm-objdump is run on an assembly fixture's object: beside the default, `--mattr=+alu32` and the other immediate style. */
export const OBJDUMP_VARIANTS = [
  { major: 14, tag: 'llvm14', flags: [] },
  { major: 14, tag: 'llvm14.alu32', flags: ['--mattr=+alu32'] },
  { major: 14, tag: 'llvm14.hex', flags: ['--print-imm-hex'] },
  { major: 19, tag: 'llvm19', flags: [] },
  { major: 19, tag: 'llvm19.alu32', flags: ['--mattr=+alu32'] },
  { major: 19, tag: 'llvm19.decimal', flags: ['--no-print-imm-hex'] },
] as const;

/** The LLVM major version assembly fixtures (`.s`) are assembled with (llvm-mc -mcpu=v4). */
export const MC_LLVM = 19;

/**
 * One golden: a fixture, how its object is built (C with clang for a cpu, or
 * assembly with llvm-mc) and how it is disassembled.
 */
export interface GoldenSpec {
  /** The golden's file name. */
  readonly file: string;
  /** The fixture's file name (`alu64.c`, `encodings.s`). */
  readonly source: string;
  readonly build: { readonly kind: 'clang'; readonly cpu: Cpu; readonly major: number } | { readonly kind: 'mc'; readonly major: number };
  readonly objdump: { readonly major: number; readonly flags: readonly string[] };
}

/** Clangs, llvm-mcs and llvm-objdumps found on this machine, with their exact versions. */
export interface Tools {
  readonly build: { readonly bin: string; readonly version: string };
  readonly objdump: { readonly bin: string; readonly version: string };
}

/** The header a golden records about how it was made. */
export interface GoldenHeader {
  /** The fixture's file name. */
  readonly source: string;
  /** `clang` or `llvm-mc`, its exact version and arguments. */
  readonly builder: 'clang' | 'llvm-mc';
  readonly buildVersion: string;
  readonly buildArgs: readonly string[];
  /** llvm-objdump's exact version and flags (besides `-d` and the object). */
  readonly objdumpVersion: string;
  readonly objdumpFlags: readonly string[];
}

/** A golden file: its header and the verbatim llvm-objdump output. */
export interface Golden {
  readonly header: GoldenHeader;
  readonly listing: string;
}

/** One instruction line of a listing. */
export interface ListingLine {
  readonly slot: number;
  readonly bytes: Uint8Array;
  readonly text: string;
  /** 1-based line number in the listing text. */
  readonly line: number;
}

/** One `Disassembly of section` of a listing. */
export interface ListingSection {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly labels: ReadonlyMap<number, string>;
  readonly lines: readonly ListingLine[];
}

/** A parsed `llvm-objdump -d` listing. */
export interface Listing {
  readonly fileName: string;
  readonly sections: readonly ListingSection[];
}

/**
 * Every golden the fixtures call for, sorted by file name: `<name>.<cpu>.objdump`
 * for each cpu a C fixture's first line lists (`// cpus: v2 v3 v4`), and
 * `<name>.<variant>.objdump` for each of OBJDUMP_VARIANTS of an assembly fixture.
 */
export function listGoldenSpecs(): GoldenSpec[] {
  const specs: GoldenSpec[] = [];
  for (const source of readdirSync(FIXTURE_DIR).sort()) {
    const name = source.replace(/\.[cs]$/, '');
    if (source.endsWith('.c')) {
      const first = readFileSync(path.join(FIXTURE_DIR, source), 'utf8').split('\n', 1)[0] ?? '';
      const m = /^\/\/ cpus:((?: v[234])+)\s*$/.exec(first);
      if (m === null) throw new Error(`${source}:1: the first line must list cpus, like '// cpus: v2 v3 v4'`);
      for (const cpu of (m[1] ?? '').trim().split(/\s+/) as Cpu[]) {
        const major = CPU_LLVM[cpu];
        specs.push({ file: `${name}.${cpu}.objdump`, source, build: { kind: 'clang', cpu, major }, objdump: { major, flags: [] } });
      }
    } else if (source.endsWith('.s')) {
      for (const v of OBJDUMP_VARIANTS) {
        specs.push({ file: `${name}.${v.tag}.objdump`, source, build: { kind: 'mc', major: MC_LLVM }, objdump: { major: v.major, flags: v.flags } });
      }
    }
  }
  return specs.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** The `x.y.z` version a clang, llvm-mc or llvm-objdump prints, or undefined when it cannot run. */
export function toolVersion(bin: string): string | undefined {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /version (\d+\.\d+\.\d+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function findTool(tool: string, major: number, exact?: string): { bin: string; version: string } | undefined {
  for (const bin of [`${tool}-${major}`, tool]) {
    const version = toolVersion(bin);
    if (version === undefined || Number(version.split('.')[0]) !== major) continue;
    if (exact !== undefined && version !== exact) continue;
    return { bin, version };
  }
  return undefined;
}

/**
 * The builder and llvm-objdump a golden needs (`clang-<major>` or `clang` of
 * that major version, and so on), of exactly the recorded versions when
 * `exact` is given. Undefined when not installed.
 */
export function findTools(spec: GoldenSpec, exact?: { build: string; objdump: string }): Tools | undefined {
  const build = findTool(spec.build.kind === 'clang' ? 'clang' : 'llvm-mc', spec.build.major, exact?.build);
  const objdump = findTool('llvm-objdump', spec.objdump.major, exact?.objdump);
  return build === undefined || objdump === undefined ? undefined : { build, objdump };
}

function run(bin: string, args: readonly string[], cwd: string, what: string): string {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0 || r.stderr !== '') {
    throw new Error(`${what} must run without diagnostics: ${bin} ${args.join(' ')}\n${r.stderr}${r.error?.message ?? ''}`);
  }
  return r.stdout;
}

/** Builds a golden's object in a temporary directory and returns the golden's text. */
export function renderGolden(spec: GoldenSpec, tools: Tools): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bpflab-objdump-'));
  try {
    const obj = spec.build.kind === 'clang' ? `${spec.source.slice(0, -2)}.${spec.build.cpu}.o` : `${spec.source.slice(0, -2)}.o`;
    const buildArgs =
      spec.build.kind === 'clang'
        ? ['-O2', '-target', 'bpf', `-mcpu=${spec.build.cpu}`, '-c', spec.source, '-o', obj]
        : ['-triple', 'bpf', '-mcpu=v4', '-filetype=obj', spec.source, '-o', obj];
    // Build from the fixture directory with a relative source path, so no absolute path enters the object.
    run(tools.build.bin, [...buildArgs.slice(0, -1), path.join(dir, obj)], FIXTURE_DIR, spec.source);
    const objdumpArgs = ['-d', ...spec.objdump.flags, obj];
    const listing = run(tools.objdump.bin, objdumpArgs, dir, 'llvm-objdump');
    const builder = spec.build.kind === 'clang' ? 'clang' : 'llvm-mc';
    return [
      `# DO NOT EDIT: generated from ${spec.source} by tools/update-objdump-goldens.ts (pnpm update-goldens)`,
      `# ${builder} ${tools.build.version}: ${buildArgs.join(' ')}`,
      `# llvm-objdump ${tools.objdump.version}: ${objdumpArgs.join(' ')}`,
      listing,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits a golden into its header and its listing. Throws on a malformed header. */
export function parseGolden(text: string, file = '<golden>'): Golden {
  const lines = text.split('\n');
  const [l1 = '', l2 = '', l3 = ''] = lines;
  const source = /^# DO NOT EDIT: generated from (\S+) by /.exec(l1)?.[1];
  const build = /^# (clang|llvm-mc) (\d+\.\d+\.\d+): (.*)$/.exec(l2);
  const objdump = /^# llvm-objdump (\d+\.\d+\.\d+): -d ((?:\S+ )*)\S+$/.exec(l3);
  if (source === undefined || build === null || objdump === null) {
    throw new Error(`${file}: malformed golden header (expected the 3 lines update-objdump-goldens writes)`);
  }
  return {
    header: {
      source,
      builder: build[1] as 'clang' | 'llvm-mc',
      buildVersion: build[2] ?? '',
      buildArgs: (build[3] ?? '').split(' '),
      objdumpVersion: objdump[1] ?? '',
      objdumpFlags: (objdump[2] ?? '').split(' ').filter((f) => f !== ''),
    },
    listing: lines.slice(3).join('\n'),
  };
}

/** Parses `llvm-objdump -d` output. Throws naming the line on anything unexpected. */
export function parseListing(text: string, file = '<listing>'): Listing {
  let fileName: string | undefined;
  const sections: { name: string; labels: Map<number, string>; lines: ListingLine[] }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const fail = (what: string): never => {
      throw new Error(`${file}:${line}: ${what}: ${JSON.stringify(raw)}`);
    };
    if (raw === '') return;
    const head = /^(.+):\tfile format (\S+)$/.exec(raw);
    if (head !== null) {
      if (head[2] !== 'elf64-bpf') fail('not a BPF object');
      fileName = head[1];
      return;
    }
    const sec = /^Disassembly of section (.+):$/.exec(raw);
    if (sec !== null) {
      sections.push({ name: sec[1] ?? '', labels: new Map(), lines: [] });
      return;
    }
    const current = sections.at(-1);
    if (current === undefined) return fail('expected a file header or a section');
    const sym = /^([0-9a-f]{16}) <(.+)>:$/.exec(raw);
    if (sym !== null) {
      const addr = parseInt(sym[1] ?? '', 16);
      if (addr % 8 !== 0) fail('symbol address is not a multiple of 8');
      current.labels.set(addr / 8, sym[2] ?? '');
      return;
    }
    const insn = /^ *(\d+):\t((?:[0-9a-f]{2} )*[0-9a-f]{2})\t(.*)$/.exec(raw);
    if (insn === null) return fail('unrecognised line');
    const slot = Number(insn[1]);
    const prev = current.lines.at(-1);
    const expected = prev === undefined ? 0 : prev.slot + prev.bytes.length / 8;
    if (slot !== expected) fail(`expected slot ${expected}`);
    const bytes = Uint8Array.from((insn[2] ?? '').split(' '), (b) => parseInt(b, 16));
    if (bytes.length !== 8 && bytes.length !== 16) fail('an instruction has 8 or 16 bytes');
    current.lines.push({ slot, bytes, text: insn[3] ?? '', line });
  });
  if (fileName === undefined) throw new Error(`${file}: no 'file format' header`);
  return {
    fileName,
    sections: sections.map((s) => {
      const bytes = new Uint8Array(s.lines.reduce((n, l) => n + l.bytes.length, 0));
      let at = 0;
      for (const l of s.lines) {
        bytes.set(l.bytes, at);
        at += l.bytes.length;
      }
      return { name: s.name, bytes, labels: s.labels, lines: s.lines };
    }),
  };
}

function main(): void {
  const missing = new Set<string>();
  let written = 0;
  for (const spec of listGoldenSpecs()) {
    const tools = findTools(spec);
    if (tools === undefined) {
      missing.add(`${spec.file} (LLVM ${spec.build.major}${spec.objdump.major === spec.build.major ? '' : ` and ${spec.objdump.major}`})`);
      continue;
    }
    writeFileSync(path.join(FIXTURE_DIR, spec.file), renderGolden(spec, tools));
    written++;
    console.log(`wrote ${spec.file}`);
  }
  console.log(`${written} goldens written`);
  if (missing.size > 0) {
    console.error(`not written, tools missing (clang-N / llvm-mc-N / llvm-objdump-N): ${[...missing].join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
