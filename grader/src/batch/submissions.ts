/**
 * The students of a submissions folder: one sub-folder or one file per
 * student, sorted by name (the order `--shard` partitions). A folder is
 * graded through the runner, which picks the lab's submission file or the
 * folder's only `.c`/`.o` (several or none: a 'bad-submission' result).
 */
import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatchError } from './errors';

/** One student's submission. */
export interface SubmissionEntry {
  /** the folder name, or the file name without its extension(s) */
  readonly student: string;
  /** absolute path of the folder or file */
  readonly path: string;
}

/** A student's name from a folder or file name: `alice`, `bob.bpf.c` → `bob`, `carol.o` → `carol`. */
export function entryStudent(name: string, isFile: boolean): string {
  if (!isFile) return name;
  const bare = name.replace(/(\.bpf)?\.[^.]+$/, '');
  return bare === '' ? name : bare;
}

/** The students of `dir`, sorted by name; dot files are ignored. Throws BatchError when there are none. */
export function listSubmissions(dir: string): SubmissionEntry[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new BatchError('no-submissions', `${dir}: not a folder (give the folder holding one folder or file per student)`);
    names = readdirSync(dir);
  } catch (e) {
    if (e instanceof BatchError) throw e;
    throw new BatchError('no-submissions', `${dir}: no such folder`);
  }
  const seen = new Set<string>();
  const out: SubmissionEntry[] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
    const path = resolve(dir, name);
    let isFile: boolean;
    try {
      const st = statSync(path);
      if (!st.isFile() && !st.isDirectory()) continue;
      isFile = st.isFile();
    } catch {
      continue; // a dangling link
    }
    let student = entryStudent(name, isFile);
    if (seen.has(student)) student = name; // alice/ and alice.c: the file keeps its full name
    seen.add(student);
    out.push({ student, path });
  }
  if (out.length === 0) throw new BatchError('no-submissions', `${dir}: no submissions (expected one folder or file per student)`);
  return out.sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
}
