// The seed's LSM example through `bpflab sim`: once user space marks uid 1001
// compromised, its opens and reads fail with -EPERM; uid 1000 is unaffected;
// clearing the mark restores access. The verifier checks LSM programs
// against their hook's BTF prototype; a hook the kernel's BTF does not
// describe loads "not verified", and the report says so.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const PROGRAM = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'tests', 'fixtures', 'programs', 'lsm_access.bpf.c');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-sim-lsm-'));

function hasClang(): boolean {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const clang = hasClang();
if (!clang) console.warn('bpflab sim LSM test skipped: clang not found (apt-get install clang)');

/** An LSM program on task_kill, a hook the simulated kernel's BTF does not describe: it loads unchecked. */
const KILL_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
struct kernel_siginfo;
SEC("lsm/task_kill")
int BPF_PROG(on_kill, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred, int ret)
{
	return 0;
}
`;

const SCENARIO = `steps:
  - op: open
    task: { pid: 2001, comm: cat, uid: 1000 }
    path: /etc/passwd
    mode: read
  - map_update: { map: compromised_users, key: 1001, value: 1 }
  - op: open
    task: { pid: 2002, comm: cat, uid: 1001 }
    path: /etc/passwd
    mode: read
  - op: read
    task: { pid: 2002 }
    path: /etc/passwd
  - op: open
    task: { pid: 2001 }
    path: /etc/passwd
    mode: read
  - map_delete: { map: compromised_users, key: 1001 }
  - op: open
    task: { pid: 2002 }
    path: /etc/passwd
    mode: read
`;

(clang ? it : it.skip)('denies a compromised uid with -EPERM, and only while it is marked', async () => {
  writeFileSync(join(tmp, 'lsm.yaml'), SCENARIO);
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  const code = await main(['node', 'bpflab', 'sim', PROGRAM, 'lsm.yaml', '--json'], io);
  expect({ code, err }).toEqual({ code: 0, err: '' });
  const report = JSON.parse(out) as {
    steps: { kind: string; observation?: { op: string; uid: number; result: number; errno?: string } }[];
    not_verified: string[];
  };
  expect(report.not_verified ?? []).toEqual([]);
  const ops = report.steps.filter((s) => s.kind === 'op').map((s) => s.observation!);
  // uid 1000 opens; uid 1001 (marked) open and read denied; uid 1000 still opens; cleared: uid 1001 opens.
  expect(ops.map((o) => [o.op, o.uid, o.result < 0 ? o.errno : 'ok'])).toEqual([
    ['open', 1000, 'ok'],
    ['open', 1001, 'EPERM'],
    ['read', 1001, 'EPERM'],
    ['open', 1000, 'ok'],
    ['open', 1001, 'ok'],
  ]);
});

(clang ? it : it.skip)('says in its text report which programs were not verified', async () => {
  writeFileSync(join(tmp, 'empty.yaml'), 'steps: []\n');
  writeFileSync(join(tmp, 'kill.bpf.c'), KILL_PROGRAM);
  let out = '';
  const io: Io = { out: (t) => void (out += t), err: () => undefined, cwd: tmp };
  expect(await main(['node', 'bpflab', 'sim', join(tmp, 'kill.bpf.c'), 'empty.yaml'], io)).toBe(0);
  const lines = out.split('\n');
  const at = lines.indexOf('not verified:');
  expect(at).toBeGreaterThan(0);
  expect(lines.slice(at + 1, at + 2)).toEqual([expect.stringMatching(/^ {2}on_kill: not verified: .*bpf_lsm_task_kill.*the program was loaded unchecked$/)]);
});
