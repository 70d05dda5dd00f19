// Verifies one fixture in a plain Node process and prints the result as JSON.
// Jest runs tests inside a vm context, where V8 does not optimise BigInt
// arithmetic; a run near the 1,000,000-instruction limit is ~6x slower
// there, so tests hand such runs to this script.
// usage: node --import tsx tests/support/verify-child.ts FIXTURE.s [LOG_LEVEL]
import { formatStats } from '../../src/index';
import { readFixture } from './fixture-file';
import { errorLinesOf } from './kernel-oracle';
import { verifyFixture } from './run-fixture';

const file = process.argv[2];
if (!file) throw new Error('usage: verify-child.ts FIXTURE.s [LOG_LEVEL]');
const level = Number(process.argv[3] ?? 0) as 0 | 1 | 2;
const r = verifyFixture(readFixture(file), level);
process.stdout.write(
  JSON.stringify({
    ok: r.ok,
    error: r.errors[0]?.message,
    processed: r.stats.processed,
    stats: formatStats(r.stats),
    errorLines: errorLinesOf(r.log),
    logTail: r.log.slice(-65536),
  }),
);
