// The course's LSM example (the toolchain's lsm_access fixtures, plain and
// vmlinux.h + BPF_CORE_READ): once user space marks uid 1001 compromised,
// every open and read by uid 1001 fails with -EPERM while uid 1000 is
// unaffected, and clearing the mark at run time restores access.
import { ERRNO } from '@bpflab/uapi';
import { buildSeed, haveClang } from './support/clang';
import { world } from './support/world';

const maybe = haveClang('seed.test.ts') ? describe : describe.skip;

const MALLORY = { pid: 3001, comm: 'cat', uid: 1001, gid: 1001 };
const ALICE = { pid: 3002, comm: 'cat', uid: 1000, gid: 1000 };

const FLAVOURS = [
  { flavour: 'programs', open: 'restrict_file_open', permission: 'restrict_file_permission', mark: 1, unmark: (key: number) => key },
  { flavour: 'vmlinux', open: 'lsm_access_control_open', permission: 'lsm_access_control_file_permission', mark: true, unmark: (key: number) => BigInt(key) },
] as const;

maybe.each(FLAVOURS)('lsm_access ($flavour)', ({ flavour, open, permission, mark, unmark }) => {
  function setup() {
    const w = world();
    const { obj, outcomes } = w.load(buildSeed(flavour)!, `lsm_access-${flavour}.bpf.o`);
    expect(outcomes.map((o) => (o.kind === 'attached' ? `${o.program} → ${o.point}` : o.kind))).toEqual([
      `${open} → file_open`,
      `${permission} → file_permission`,
    ]);
    return { w, obj };
  }

  it('allows everyone before anything is marked', () => {
    const { w } = setup();
    for (const task of [MALLORY, ALICE]) {
      expect(w.op({ op: 'open', path: '/etc/passwd', task }).result).toBe(0);
      expect(w.op({ op: 'read', path: '/etc/passwd', task: task.pid }).result).toBe(0);
    }
  });

  it('denies every open and read of the compromised uid, and only of it; clearing the mark restores access', () => {
    const { w } = setup();
    w.host.runStep({ map_update: { map: 'compromised_users', key: 1001, value: mark } });

    const opened = w.op({ op: 'open', path: '/etc/passwd', task: MALLORY });
    expect(opened).toMatchObject({ result: -ERRNO.EPERM, errno: 'EPERM', deniedBy: { kind: 'program', hook: 'file_open', program: open, retval: -ERRNO.EPERM } });
    expect(opened.fd).toBeUndefined();
    const read = w.op({ op: 'read', path: '/etc/hostname', task: 3001 });
    expect(read).toMatchObject({ result: -ERRNO.EPERM, deniedBy: { kind: 'program', hook: 'file_open', program: open } });
    expect(w.op({ op: 'exec', path: '/bin/ls', task: 3001 })).toMatchObject({ result: -ERRNO.EPERM, deniedBy: { hook: 'file_open' } });
    expect(w.op({ op: 'open', path: '/home/mallory/run.sh', mode: 'write', task: 3001 }).result).toBe(-ERRNO.EPERM);

    for (const step of [
      { op: 'open', path: '/etc/passwd', task: ALICE },
      { op: 'read', path: '/etc/passwd', task: 3002 },
      { op: 'read', path: '/etc/hostname', task: 3002 },
      { op: 'exec', path: '/bin/ls', task: 3002 },
    ]) {
      expect(w.op(step)).toMatchObject({ result: 0 });
    }

    w.host.runStep({ map_delete: { map: 'compromised_users', key: unmark(1001) } });
    expect(w.op({ op: 'open', path: '/etc/passwd', task: 3001 })).toMatchObject({ result: 0, fd: 3 });
    expect(w.op({ op: 'read', path: '/etc/passwd', task: 3001 }).result).toBe(0);
  });

  it('a file opened before the mark is read through file_permission, which denies once the uid is marked', () => {
    const { w, obj } = setup();
    expect(w.op({ op: 'open', path: '/etc/passwd', task: MALLORY }).result).toBe(0);
    obj.map('compromised_users').update(1001, mark);
    const read = w.op({ op: 'read', path: '/etc/passwd', task: 3001 });
    expect(read.hooks.map((h) => h.hook)).toEqual(['file_permission']);
    expect(read).toMatchObject({ result: -ERRNO.EPERM, deniedBy: { kind: 'program', hook: 'file_permission', program: permission } });
    expect(w.op({ op: 'write', path: '/etc/passwd', task: 3001 })).toMatchObject({ result: -ERRNO.EBADF, deniedBy: { kind: 'kernel' } });
  });

  it('a denial is counted in the summary', () => {
    const { w } = setup();
    w.host.runStep({ map_update: { map: 'compromised_users', key: 1001, value: mark } });
    w.op({ op: 'open', path: '/etc/passwd', task: MALLORY });
    w.op({ op: 'open', path: '/etc/passwd', task: ALICE });
    w.op({ op: 'read', path: '/etc/passwd', task: 3002 });
    expect(w.host.summaries()).toEqual([
      {
        hook: 'lsm',
        title: 'LSM decisions',
        data: { operations: { open: { allowed: 1, denied: 1 }, read: { allowed: 1, denied: 0 } }, deniedBy: { [open]: 1 } },
        text: ['open: 1 allowed, 1 denied', 'read: 1 allowed, 0 denied', `${open} denied 1`],
      },
    ]);
  });
});

maybe('lsm_access (vmlinux) reads the file through BPF_CORE_READ', () => {
  it('prints the inode and its owner, and the dentry name, in the trace pipe', () => {
    const w = world();
    const { obj } = w.load(buildSeed('vmlinux')!, 'lsm_access.bpf.o');
    obj.map('compromised_users').update(1001n, true);
    const ino = w.state.fs.stat('/home/mallory/run.sh')!.ino;
    const open = w.op({ op: 'open', path: '/home/mallory/run.sh', task: { pid: 3003, comm: 'sh', uid: 1001 } });
    expect(open.hooks[0]!.runs[0]!.trace.map((l) => l.replace(/^.*bpf_trace_printk: /, ''))).toEqual([
      'User 1001 is compromised',
      `open of inode ${ino} owned by 1001 denied`,
    ]);
    obj.map('compromised_users').delete(1001n);
    w.op({ op: 'open', path: '/etc/shadow', task: { pid: 3004, comm: 'cat', uid: 0 } });
    obj.map('compromised_users').update(0n, true);
    const read = w.op({ op: 'read', path: '/etc/shadow', task: 3004 });
    expect(read.hooks[0]!.runs[0]!.trace.map((l) => l.replace(/^.*bpf_trace_printk: /, ''))).toEqual([
      'User 0 is compromised',
      'access (mask 4) to shadow denied',
    ]);
    expect(w.kernel.tracePipe().readLines()).toHaveLength(4);
  });
});
