// Dev tool: a fixture through bpflab's verifier, printing the log and the
// explanation.
// usage: tsx tools/run.ts FIXTURE.s [LOG_LEVEL]
import { explain } from '../src/index';
import { readFixture } from '../tests/support/fixture-file';
import { verifyFixture } from '../tests/support/run-fixture';

const [file, level = '2'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx tools/run.ts FIXTURE.s [LOG_LEVEL]');
const r = verifyFixture(readFixture(file), Number(level) as 0 | 1 | 2);
process.stdout.write(`${r.ok ? 'ok' : 'error'}\n${r.log}`);
const e = explain(r);
if (e) process.stdout.write(`--- explain\n${e.text}\n`);
