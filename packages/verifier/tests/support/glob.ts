/** Lists fixture files under a folder, sorted, relative paths. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function listFiles(root: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(ext)) out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}
