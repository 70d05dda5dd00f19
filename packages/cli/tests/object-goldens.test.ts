// Every toolchain fixture program goes through the student's commands:
// `bpflab build`, then `bpflab inspect`, `bpflab disasm --source` and
// `bpflab btf dump`, whose outputs are golden files beside this test
// (tests/goldens/<program>.*). UPDATE_GOLDEN=1 rewrites them. The goldens
// depend on clang's code generation, so they are checked only with the clang
// major version recorded in tests/goldens/clang-major (a visible skip otherwise).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROGRAMS = join(HERE, '..', '..', 'toolchain', 'tests', 'fixtures', 'programs');
const GOLDENS = join(HERE, 'goldens');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-goldens-'));

function clangMajor(): number | undefined {
  try {
    const v = execFileSync(process.env.CLANG ?? 'clang', ['--version'], { encoding: 'utf8' });
    const m = /clang version (\d+)\./.exec(v);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const major = clangMajor();
const recordedPath = join(GOLDENS, 'clang-major');
const recorded = existsSync(recordedPath) ? Number(readFileSync(recordedPath, 'utf8').trim()) : undefined;
let skip: string | undefined;
if (major === undefined) skip = 'clang not found (apt-get install clang)';
else if (!UPDATE && recorded !== major) skip = `the goldens were made with clang ${recorded}, this is clang ${major}`;
if (skip) console.warn(`bpflab object golden tests skipped: ${skip}`);
if (UPDATE && major !== undefined) {
  mkdirSync(GOLDENS, { recursive: true });
  writeFileSync(recordedPath, `${major}\n`);
}

async function bpflab(...args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  const code = await main(['node', 'bpflab', ...args], io);
  if (code !== 0) throw new Error(`bpflab ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

function golden(name: string, have: string): void {
  const path = join(GOLDENS, name);
  if (UPDATE) writeFileSync(path, have);
  expect(have).toBe(readFileSync(path, 'utf8'));
}

const programs = readdirSync(PROGRAMS).filter((f) => f.endsWith('.bpf.c')).sort();

(skip ? describe.skip : describe)('fixture programs through bpflab build / inspect / disasm / btf dump', () => {
  it.each(programs)('%s', async (file) => {
    const stem = file.replace(/\.bpf\.c$/, '');
    const object = `${stem}.bpf.o`;
    await bpflab('build', join(PROGRAMS, file), '-o', object);
    golden(`${stem}.inspect.txt`, await bpflab('inspect', object));
    const listing = await bpflab('disasm', object, '--source');
    golden(`${stem}.source.txt`, listing);
    golden(`${stem}.btf.h`, await bpflab('btf', 'dump', object));
  });

  it('shows each C line of the XDP firewall above its instructions', async () => {
    await bpflab('build', join(PROGRAMS, 'xdp_firewall.bpf.c'), '-o', 'fw.o');
    const listing = await bpflab('disasm', 'fw.o', '-S');
    const source = readFileSync(join(PROGRAMS, 'xdp_firewall.bpf.c'), 'utf8').split('\n').map((l) => l.trim());
    const comments = listing.split('\n').filter((l) => l.startsWith('; ') && l.trim() !== ';');
    expect(comments.length).toBeGreaterThan(5);
    for (const c of comments) expect(source).toContain(c.slice(2).trim());
    expect(listing).toMatch(/; .*data_end.*\n +\d+:\t/);
  });
});
