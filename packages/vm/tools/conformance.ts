/**
 * `pnpm conformance`: runs the bpf_conformance suite (its `tests/` and
 * `negative/` folders, found by `findConformanceDir` or given as the first
 * argument) through assembler → encoder → decoder → interpreter.
 *
 * Prints one line per failure and a `N passed, N failed` line for each
 * folder. Exit status 1 when anything failed; 0 with a notice when the data
 * is not there.
 */
import { findConformanceDir } from '@bpflab/isa';
import { checkConformanceDir } from '../src/index';

const dir = process.argv[2] ?? findConformanceDir();
if (dir === undefined) {
  const override = process.env['BPFLAB_CONFORMANCE_DIR'];
  console.log(
    override !== undefined && override !== ''
      ? `conformance: skipped: BPFLAB_CONFORMANCE_DIR is ${override}, which is not a folder`
      : 'conformance: skipped: the bpf_conformance data was not found ' +
          '(looked in ../shared/conformance next to the repository; set BPFLAB_CONFORMANCE_DIR to its folder)',
  );
  process.exit(0);
}

const started = performance.now();
const report = checkConformanceDir(dir);
if (report.tests.length === 0 && report.negative.length === 0) {
  console.error(`conformance: ${dir} has no .data files in tests/ or negative/`);
  process.exit(1);
}

const failedTests = report.tests.filter((c) => !c.met);
for (const c of failedTests) console.log(`FAIL ${c.file}: ${c.explanation}`);
const acceptedNegatives = report.negative.filter((c) => !c.refused);
for (const c of acceptedNegatives) console.log(`FAIL ${c.file}: should be refused, but it ${c.explanation}`);
const failed = failedTests.length + acceptedNegatives.length;

const ms = Math.round(performance.now() - started);
console.log(`conformance data: ${dir}`);
console.log(`tests/:    ${report.tests.length - failedTests.length} passed, ${failedTests.length} failed`);
console.log(`negative/: ${report.negative.length - acceptedNegatives.length} passed, ${acceptedNegatives.length} failed`);
console.log(`(${ms} ms)`);
process.exit(failed === 0 ? 0 : 1);
