// Write the kit's generated headers to include/ (`pnpm update-headers`), or
// with --check report the ones that differ from the generator and fail
// (`pnpm check-headers`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateHeaders, includeDir } from '../src/index';

const check = process.argv.includes('--check');
let stale = 0;
for (const h of generateHeaders()) {
  const file = join(includeDir, h.path);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === h.text) continue;
  if (check) {
    console.error(`stale: ${h.path}: run \`pnpm --filter @bpflab/toolchain update-headers\``);
    stale++;
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, h.text);
    console.log(`wrote ${h.path}`);
  }
}
if (stale > 0) process.exit(1);
