// Writes each package's test counts to .reports/jest/<package folder>/summary.json,
// so that `pnpm test` (tools/run-tests.ts) can close with one `N passed, N failed` line,
// also when nx restores a package's result from its cache.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const workspace = path.resolve(__dirname, '..');
    const rel = path.relative(workspace, this.rootDir);
    const dir = path.join(workspace, '.reports', 'jest', rel);
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary) + '\n');
  }
}
module.exports = SummaryReporter;
