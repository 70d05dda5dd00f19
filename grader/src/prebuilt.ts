/**
 * Prebuilt objects of a lab's own C files (solution, starter, wrong
 * variants), so that a machine without clang can still grade the bundled
 * examples (`bpflab lab check`, the README's main command). Each object is
 * stored under a key made of the source's name and bytes and the kit's
 * headers, in the lab's `prebuilt/` folder; it is only ever used for a file
 * whose name and content are exactly those, and only when clang is
 * missing. Students' own C always goes through clang.
 *
 * `bpflab lab prebuild LAB` writes them; the labs' test checks that every
 * C file of a shipped lab has its current object.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { compile, formatDiagnostics, includeDir } from '@bpflab/toolchain';
import type { Lab } from './types';

/** The folder of a lab's prebuilt objects. */
export const PREBUILT_DIR = 'prebuilt';

let headers: string | undefined;

function digestDir(dir: string, hash: ReturnType<typeof createHash>): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) digestDir(p, hash);
    else hash.update(name).update('\0').update(readFileSync(p));
  }
}

/** A digest of the kit's headers: a changed header makes every prebuilt object stale. */
function headersDigest(): string {
  if (headers === undefined) {
    const hash = createHash('sha256');
    digestDir(includeDir, hash);
    headers = hash.digest('hex');
  }
  return headers;
}

/** Where the prebuilt object of a C file (of this name and content) is, in `lab`. */
export function prebuiltPath(lab: Pick<Lab, 'dir'>, file: string, source: Uint8Array): string {
  const name = basename(file);
  const key = createHash('sha256').update(name).update('\0').update(source).update('\0').update(headersDigest()).digest('hex').slice(0, 16);
  return join(lab.dir, PREBUILT_DIR, `${name.replace(/\.c$/, '')}-${key}.o`);
}

/** The prebuilt object of a C file, when there is one for exactly this file. */
export function prebuiltObject(lab: Pick<Lab, 'dir'>, file: string, source: Uint8Array): Uint8Array | undefined {
  const p = prebuiltPath(lab, file, source);
  return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
}

/** The lab's own C files: solution, starter, variants. */
export function labSources(lab: Lab): string[] {
  return [lab.solution, lab.starter, ...lab.variants.map((v) => v.file)].filter((f) => f.endsWith('.c')).map((f) => resolve(lab.dir, f));
}

/** The lab's C files whose current prebuilt object is missing. */
export function missingPrebuilt(lab: Lab): string[] {
  return labSources(lab).filter((f) => !existsSync(prebuiltPath(lab, f, readFileSync(f))));
}

/** What {@link prebuildLab} did. */
export interface PrebuildReport {
  readonly written: readonly string[];
  readonly kept: readonly string[];
  readonly removed: readonly string[];
  /** files that do not compile (a starter may be meant not to), with clang's diagnostics */
  readonly failed: readonly { readonly file: string; readonly diagnostics: string }[];
}

/**
 * Compiles each of the lab's C files into its prebuilt object, and removes
 * objects no file has any more.
 *
 * @throws ToolchainError when clang is missing
 */
export async function prebuildLab(lab: Lab): Promise<PrebuildReport> {
  const written: string[] = [];
  const kept: string[] = [];
  const failed: { file: string; diagnostics: string }[] = [];
  const wanted = new Set<string>();
  for (const file of labSources(lab)) {
    const source = readFileSync(file);
    const out = prebuiltPath(lab, file, source);
    wanted.add(basename(out));
    if (existsSync(out)) {
      kept.push(out);
      continue;
    }
    const r = await compile(file, { cwd: dirname(file) });
    if (!r.ok) {
      failed.push({ file, diagnostics: formatDiagnostics(r.diagnostics, { color: false }) });
      continue;
    }
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, r.object);
    written.push(out);
  }
  const dir = join(lab.dir, PREBUILT_DIR);
  const removed: string[] = [];
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.o') && !wanted.has(name)) {
        rmSync(join(dir, name));
        removed.push(join(dir, name));
      }
    }
  }
  return { written, kept, removed, failed };
}
