// Dev tool: loads a fixture into the running kernel (as the opt-in oracle
// test does, through tools/kernel-oracle.c) and prints the kernel's verdict
// and log. Root only; nothing is attached or pinned.
// usage: tsx tools/probe.ts FIXTURE.s [LOG_LEVEL]
import { readFixture } from '../tests/support/fixture-file';
import { loadInKernel, oracleUnavailable } from '../tests/support/kernel-oracle';

const [file, level = '2'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx tools/probe.ts FIXTURE.s [LOG_LEVEL]');
const why = oracleUnavailable();
if (why) throw new Error(`kernel oracle unavailable: ${why}`);
const k = loadInKernel(readFixture(file), level === '1' ? 1 : 2);
process.stdout.write(`${k.ok ? 'ok' : `error ${k.errno}`}\n${k.log}`);
