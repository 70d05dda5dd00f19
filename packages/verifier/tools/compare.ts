// Dev tool: every fixture (or those given) through bpflab and the running
// kernel; prints verdict / error line / processed agreement.
// usage: tsx tools/compare.ts [FIXTURE.s...] [--log]
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFixture } from '../tests/support/fixture-file';
import { listFiles } from '../tests/support/glob';
import { errorLinesOf, loadInKernel, normalizeLog } from '../tests/support/kernel-oracle';
import { verifyFixture } from '../tests/support/run-fixture';
import { PROGRAM_TYPES } from '../src/index';

const ROOT = fileURLToPath(new URL('../tests/fixtures', import.meta.url));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const showLog = process.argv.includes('--log');
const files = args.length ? args.map((a) => relative(ROOT, a)) : listFiles(ROOT, '.s');
let n = 0, verdictOk = 0, errOk = 0, procOk = 0, log1Ok = 0, log2Ok = 0;
const level2 = process.argv.includes('--level2');
const strip2 = (log: string): string => normalizeLog(log).split('\n').filter((l) => !/^\([\d,]+\) (frame \d+ insn|live stack update)/.test(l)).join('\n');
for (const file of files) {
  const f = readFixture(join(ROOT, file), file);
  if (PROGRAM_TYPES[f.progType]?.kernelType === undefined || f.oracleSkip !== undefined) continue;
  n++;
  const k = loadInKernel(f, 1);
  const ours = verifyFixture(f, 1);
  const v = k.ok === ours.ok;
  const ke = k.errorLines.join(' | ');
  const oe = errorLinesOf(ours.log).join(' | ');
  const e = ke === oe;
  const p = k.processed === ours.stats.processed;
  const l = normalizeLog(k.log) === normalizeLog(ours.log);
  verdictOk += +v; errOk += +e; procOk += +p; log1Ok += +l;
  if (level2 && f.processed !== undefined && f.processed < 100000) {
    const a = strip2(loadInKernel(f, 2).log).split('\n'), b = strip2(verifyFixture(f, 2).log).split('\n');
    const same = a.join('\n') === b.join('\n');
    log2Ok += +same;
    if (!same) { console.log(`L2 ${file}`); let shown = 0; for (let i = 0; i < Math.max(a.length, b.length) && shown < 6; i++) if (a[i] !== b[i]) { shown++; console.log(`   ${i}: K ${a[i]}\n   ${i}: B ${b[i]}`); } }
  }
  if (!v || !e || !p || !l || showLog) {
    console.log(`${v && e && p ? '~' : 'X'} ${file}: verdict ${k.ok ? 'ok' : 'err'}/${ours.ok ? 'ok' : 'err'} processed ${k.processed}/${ours.stats.processed}`);
    if (!e) console.log(`   kernel: ${ke}\n   bpflab: ${oe}`);
    if (!l || showLog) {
      const a = normalizeLog(k.log).split('\n'), b = normalizeLog(ours.log).split('\n');
      for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i] || showLog) console.log(`   ${i}: K ${a[i]}\n   ${i}: B ${b[i]}`);
    }
  }
}
console.log(`fixtures ${n}: verdict ${verdictOk}/${n}, error lines ${errOk}/${n}, processed ${procOk}/${n}, level-1 log ${log1Ok}/${n}${level2 ? `, level-2 log (minus 6.18 stack-liveness debug lines) ${log2Ok}/${n}` : ''}`);
