// Dev tool: fills '-- verdict', '-- error' and '-- processed' of fixtures from
// the running kernel (the oracle is the reference), or from bpflab for
// program types the kernel does not have. Prints what it wrote.
// usage: tsx tools/fill-fixture.ts FIXTURE.s...
import { readFileSync, writeFileSync } from 'node:fs';
import { parseFixture } from '../tests/support/fixture-file';
import { errorLinesOf, loadInKernel } from '../tests/support/kernel-oracle';
import { verifyFixture } from '../tests/support/run-fixture';
import { PROGRAM_TYPES } from '../src/index';

for (const path of process.argv.slice(2)) {
  let text = readFileSync(path, 'utf8');
  if (!/^-- verdict/m.test(text)) text = text.trimEnd() + '\n-- verdict accept\n';
  const f = parseFixture(text, path);
  let ok: boolean, err: string | undefined, processed: number | undefined;
  if (PROGRAM_TYPES[f.progType]?.kernelType !== undefined) {
    const k = loadInKernel(f, 1);
    ok = k.ok;
    const lines = k.errorLines;
    err = lines.find((l) => l.startsWith('infinite loop detected')) ?? lines[lines.length - 1];
    processed = k.processed;
  } else {
    const r = verifyFixture(f, 1);
    ok = r.ok;
    err = errorLinesOf(r.log).pop();
    processed = r.stats.processed;
  }
  text = text.replace(/^-- verdict.*$/m, `-- verdict ${ok ? 'accept' : 'reject'}`);
  text = text.replace(/^-- error.*\n?/m, '').replace(/^-- processed.*\n?/m, '');
  text = text.trimEnd() + '\n';
  if (!ok && err) text += `-- error ${err}\n`;
  if (processed !== undefined) text += `-- processed ${processed}\n`;
  writeFileSync(path, text);
  console.log(`${path}: ${ok ? 'accept' : 'reject'} ${err ?? ''} (${processed})`);
}
