/**
 * The bpf_conformance suite, one test per file: every file of tests/ must
 * return its `-- result` (assembler → encoder → decoder → interpreter), every
 * file of negative/ must be refused. Skipped, visibly, when the data is absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConformanceDir } from '@bpflab/isa';
import { checkConformanceCase, listConformanceFiles } from '../src/index';

const dir = findConformanceDir();

if (dir === undefined) {
  describe('bpf_conformance', () => {
    it.skip('skipped: the conformance data was not found (../shared/conformance, or set BPFLAB_CONFORMANCE_DIR)', () => {});
  });
} else {
  const check = (sub: 'tests' | 'negative', name: string) =>
    checkConformanceCase(readFileSync(join(dir, sub, name), 'utf8'), { file: `${sub}/${name}` });

  describe('bpf_conformance tests/', () => {
    const files = listConformanceFiles(dir, 'tests');
    it('has the files of the suite', () => {
      expect(files.length).toBeGreaterThanOrEqual(313);
    });
    it.each(files)('%s', (name) => {
      const c = check('tests', name);
      expect({ met: c.met, explanation: c.explanation }).toEqual({ met: true, explanation: expect.any(String) });
    });
  });

  describe('bpf_conformance negative/', () => {
    const files = listConformanceFiles(dir, 'negative');
    it('has the files of the suite', () => {
      expect(files.length).toBeGreaterThanOrEqual(60);
    });
    it.each(files)('%s is refused', (name) => {
      const c = check('negative', name);
      expect({ refused: c.refused, explanation: c.explanation }).toEqual({ refused: true, explanation: expect.any(String) });
    });
  });
}
