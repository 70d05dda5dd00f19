// `bpflab gen vmlinux`: the simulated kernel's vmlinux.h, which must be the
// header the toolchain ships (packages/toolchain/include/vmlinux.h) and
// compiles programs against.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const COMMITTED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'include', 'vmlinux.h');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-gen-'));

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

describe('bpflab gen vmlinux', () => {
  const committed = readFileSync(COMMITTED, 'utf8');

  it('prints the committed include/vmlinux.h', async () => {
    const r = await bpflab('gen', 'vmlinux');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe(committed);
    expect(r.out).toContain('struct task_struct {');
  });

  it('writes it to a file with -o', async () => {
    const r = await bpflab('gen', 'vmlinux', '-o', 'vmlinux.h');
    expect(r).toMatchObject({ code: 0, out: '' });
    expect(r.err).toBe(`vmlinux.h of the simulated kernel written to vmlinux.h (${Buffer.byteLength(committed)} bytes)\n`);
    expect(readFileSync(join(tmp, 'vmlinux.h'), 'utf8')).toBe(committed);
  });

  it('refuses a file it cannot write, and an unknown target', async () => {
    expect(await bpflab('gen', 'vmlinux', '-o', join(tmp, 'no', 'such', 'dir', 'vmlinux.h'))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/vmlinux\.h: cannot write: /),
    });
    expect((await bpflab('gen', 'skeleton')).code).toBe(2);
  });
});
