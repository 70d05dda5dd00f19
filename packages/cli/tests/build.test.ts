import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const PROGRAMS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'tests', 'fixtures', 'programs');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-build-'));

function hasClang(): boolean {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const clang = hasClang();
if (!clang) console.warn('bpflab build tests skipped: clang not found (apt-get install clang)');
const itClang = clang ? it : it.skip;

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

describe('bpflab build', () => {
  itClang('builds the seed XDP firewall into an ELF object named after the source', async () => {
    const r = await bpflab('build', join(PROGRAMS, 'xdp_firewall.bpf.c'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/built xdp_firewall\.bpf\.o \(\d+ bytes, clang /);
    expect([...readFileSync(join(tmp, 'xdp_firewall.bpf.o')).subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
  });

  itClang('passes -D to the compiler', async () => {
    writeFileSync(join(tmp, 'def.bpf.c'), '#ifndef WANT\n#error WANT is not defined\n#endif\nint x = WANT;\n');
    expect((await bpflab('build', 'def.bpf.c', '-D', 'WANT=3', '-o', 'def.o')).code).toBe(0);
    const r = await bpflab('build', 'def.bpf.c', '-o', 'def.o');
    expect(r.code).toBe(2);
    expect(r.err).toContain('def.bpf.c:2:2: error: WANT is not defined');
  });

  itClang('reports compiler errors with file:line:column and exit code 2', async () => {
    writeFileSync(join(tmp, 'broken.bpf.c'), 'int f(void) { return x; }\n');
    const r = await bpflab('build', 'broken.bpf.c');
    expect(r.code).toBe(2);
    expect(r.err).toContain("broken.bpf.c:1:22: error: use of undeclared identifier 'x'");
    expect(r.err).toContain('bpflab: broken.bpf.c: does not compile');
  });

  it('says how to install clang when it is missing', async () => {
    const saved = process.env.CLANG;
    const savedPath = process.env.PATH;
    process.env.CLANG = join(tmp, 'no-such-clang');
    process.env.PATH = tmp;
    try {
      writeFileSync(join(tmp, 'ok.bpf.c'), 'int x;\n');
      const r = await bpflab('build', 'ok.bpf.c');
      expect(r.code).toBe(2);
      expect(r.err).toContain('apt-get install clang');
    } finally {
      if (saved === undefined) delete process.env.CLANG;
      else process.env.CLANG = saved;
      process.env.PATH = savedPath;
    }
  });
});
