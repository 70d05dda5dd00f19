// The shipped labs' own regression test, in CI: every lab in labs/ loads,
// its reference solution gets full marks, and each wrong variant (and the
// starter, when the lab gives its score) gets exactly the score the lab says.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkLab, loadLab, missingPrebuilt } from '../src/index';
import { haveClang, REPO } from '../../tools/test-support/bpf-clang';

const LABS = join(REPO, 'labs');
const ids = existsSync(LABS) ? readdirSync(LABS).filter((d) => existsSync(join(LABS, d, 'lab.yaml'))).sort() : [];
const clang = haveClang('shipped labs');

describe('the shipped labs', () => {
  it('are the six of the course', () => {
    expect(ids).toEqual(['hello-world', 'lsm-access-control', 'map-firewall', 'syscount', 'verifier-loops', 'xdp-firewall']);
  });

  describe.each(ids)('%s', (id) => {
    const lab = loadLab(join(LABS, id));

    it('has a handout, at least two wrong variants, and 100 points', () => {
      expect(existsSync(join(lab.dir, 'README.md'))).toBe(true);
      expect(lab.variants.length).toBeGreaterThanOrEqual(2);
      expect(lab.maxScore).toBe(100);
    });

    it('has the prebuilt objects of its C files (for machines without clang)', () => {
      const missing = missingPrebuilt(lab).map((f) => f.slice(lab.dir.length + 1));
      if (missing.length > 0) throw new Error(`labs/${id}: no current prebuilt object for ${missing.join(', ')}: run bpflab lab prebuild labs/${id} (and remove the stale ones it lists)`);
    });

    (clang ? it : it.skip)('scores its solution, starter and wrong variants as it says', async () => {
      const check = await checkLab(lab);
      const rows = check.submissions.map((s) => ({ file: s.file, score: s.result.score, problem: s.result.problem, failed: s.result.scenarios.filter((x) => x.status !== 'passed').map((x) => `${x.name}: ${x.message}`) }));
      const expected = check.submissions.map((s) => ({ file: s.file, score: s.expected }));
      expect(rows.map(({ file, score }) => ({ file, score }))).toEqual(expected);
      expect(check.submissions.find((s) => s.role === 'solution')!.result.score).toBe(lab.maxScore);
    }, 120_000);
  });
});
