// The compilers tests build with: the one findClang() picks, plus one other
// installed major version when there is one (clang 17+ prints diagnostics
// differently and rejects more, so both are worth building with).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLANG_CANDIDATES, findClang, type ClangInfo } from '../../src/index';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export async function availableClangs(who: string): Promise<readonly ClangInfo[]> {
  const out: ClangInfo[] = [];
  try {
    out.push(await findClang());
  } catch (e) {
    console.warn(`${who}: clang not found, skipping the tests that compile: ${(e as Error).message.split('\n')[0]}`);
    return out;
  }
  for (const name of CLANG_CANDIDATES.filter((n) => n !== 'clang')) {
    if (out.length >= 2) break;
    try {
      const c = await findClang({ env: { CLANG: name, PATH: process.env.PATH } });
      if (!out.some((o) => o.major === c.major)) out.push(c);
    } catch {
      // not installed
    }
  }
  return out;
}

/** A `describe.each` over the compilers, or one visibly skipped block without any. */
export function describeEachClang(clangs: readonly ClangInfo[]): (name: string, fn: (clang: ClangInfo) => void) => void {
  if (clangs.length === 0) {
    const none = { path: '', via: 'PATH', name: '', version: '', major: 0, versionLine: 'no clang', bpfTargets: [] } as const;
    return (name, fn) => describe.skip.each([[none.versionLine, none]])(`%s: ${name}`, (_l, c) => fn(c));
  }
  return (name, fn) => describe.each(clangs.map((c) => [c.versionLine, c] as const))(`%s: ${name}`, (_l, c) => fn(c));
}
