/**
 * Where a lab is: a path to its folder or lab.yaml, or the id of a lab the
 * kit ships (`bpflab test xdp-firewall` from anywhere).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError, loadLab, type Lab } from '@bpflab/grader';
import { CliError } from './errors';

/** The labs the kit ships (the repository's labs/ folder). */
export const BUNDLED_LABS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'labs');

/** The ids of the shipped labs, sorted. */
export function bundledLabIds(): string[] {
  if (!existsSync(BUNDLED_LABS_DIR)) return [];
  return readdirSync(BUNDLED_LABS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(BUNDLED_LABS_DIR, d.name, 'lab.yaml')))
    .map((d) => d.name)
    .sort();
}

/**
 * Reads a lab named by a path or a shipped lab's id.
 *
 * @throws {@link CliError} `bad-input` with the lab's located problems, or what labs there are
 */
export function readLab(arg: string, cwd: string): Lab {
  const asPath = resolve(cwd, arg);
  const path = existsSync(asPath) ? arg : bundledLabIds().includes(arg) ? join(BUNDLED_LABS_DIR, arg) : undefined;
  if (path === undefined) {
    const ids = bundledLabIds();
    throw new CliError('bad-input', `${arg}: no such lab folder, and no shipped lab has that id${ids.length > 0 ? ` (shipped labs: ${ids.join(', ')})` : ''}`);
  }
  try {
    return loadLab(path, { cwd });
  } catch (e) {
    if (e instanceof LabError) throw new CliError('bad-input', e.message);
    throw e;
  }
}
