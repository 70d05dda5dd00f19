// Each hook's arguments, as a program reads them: one fixture per hook
// (tests/fixtures/programs/<hook>.bpf.c) copies fields of the kernel
// objects the hook passes into a map, read back here and compared with the
// simulated filesystem and tasks.
import type { BpfObject } from '@bpflab/kernel';
import { ERRNO } from '@bpflab/uapi';
import { FMODE, MAP, MAY, O_FLAG, PROT, S_IFDIR, S_IFREG, SI_USER } from '../src/index';
import { buildFixture, haveClang } from './support/clang';
import { world, type World } from './support/world';

const maybe = haveClang('hook-args.test.ts') ? describe : describe.skip;

function loaded(name: string): { readonly w: World; readonly obj: BpfObject } {
  const w = world();
  const { obj, outcomes } = w.load(buildFixture(name)!, `${name}.bpf.o`);
  expect(outcomes.map((o) => `${o.kind} ${o.kind === 'attached' ? o.point : ''}`)).toEqual(outcomes.map(() => `attached ${name}`));
  return { w, obj };
}

function seen(obj: BpfObject, key = 0): Record<string, unknown> {
  return obj.map('seen').lookup(key) as Record<string, unknown>;
}

maybe('file_open(struct file *file)', () => {
  it.each([
    { name: 'read', mode: 'read', fmode: FMODE.READ, flags: O_FLAG.RDONLY },
    { name: 'write', mode: 'write', fmode: FMODE.WRITE, flags: O_FLAG.WRONLY },
    { name: 'readwrite', mode: 'readwrite', fmode: FMODE.READ | FMODE.WRITE, flags: O_FLAG.RDWR },
  ])('open for $name: the file, its inode, dentry, parent and opener', ({ mode, fmode, flags }) => {
    const { w, obj } = loaded('file_open');
    const o = w.op({ op: 'open', path: '/tmp/notes', mode, task: { pid: 4001, comm: 'vim', uid: 1000, gid: 1000 } });
    expect(o.result).toBe(-ERRNO.ENOENT);
    w.host.runStep({ file: '/tmp/notes', mode: '0666', uid: 1000, gid: 100, content: 'hello, world\n' });
    expect(w.op({ op: 'open', path: '/tmp/notes', mode, task: 4001 })).toMatchObject({ result: 0, fd: 3 });
    const file = w.state.fs.stat('/tmp/notes')!;
    const tmp = w.state.fs.stat('/tmp')!;
    expect(seen(obj)).toEqual({
      ino: BigInt(file.ino),
      size: 13n,
      i_mode: S_IFREG | 0o666,
      i_uid: 1000,
      i_gid: 100,
      f_flags: flags | O_FLAG.LARGEFILE,
      f_mode: fmode,
      cred_uid: 1000,
      name_len: 5,
      ret: 0,
      parent_ino: BigInt(tmp.ino),
      name: 'notes',
    });
  });

  it('exec opens the program file with __FMODE_EXEC', () => {
    const { w, obj } = loaded('file_open');
    expect(w.op({ op: 'exec', path: '/bin/ls', task: { pid: 4002, comm: 'bash', uid: 1001 } }).result).toBe(0);
    expect(seen(obj)).toMatchObject({
      name: 'ls',
      f_mode: FMODE.READ | 0x20,
      f_flags: O_FLAG.LARGEFILE | O_FLAG.FMODE_EXEC,
      i_mode: S_IFREG | 0o755,
      cred_uid: 1001,
    });
  });

  it('the root directory is named / and is its own parent', () => {
    const { w, obj } = loaded('file_open');
    expect(w.op({ op: 'open', path: '/', task: { pid: 4003, comm: 'ls' } }).result).toBe(0);
    const root = w.state.fs.stat('/')!;
    expect(seen(obj)).toMatchObject({ name: '/', name_len: 1, ino: BigInt(root.ino), parent_ino: BigInt(root.ino), i_mode: S_IFDIR | 0o755 });
  });
});

maybe('file_permission(struct file *file, int mask)', () => {
  it.each([
    { op: 'read', mask: MAY.READ, fmode: FMODE.READ },
    { op: 'write', mask: MAY.WRITE, fmode: FMODE.WRITE },
  ])('$op: mask $mask and the file read directly through its pointers', ({ op, mask, fmode }) => {
    const { w, obj } = loaded('file_permission');
    expect(w.op({ op, path: '/home/alice/notes.txt', task: { pid: 4101, comm: 'cat', uid: 1000, gid: 1000 } }).result).toBe(0);
    expect(seen(obj)).toEqual({
      ino: BigInt(w.state.fs.stat('/home/alice/notes.txt')!.ino),
      mask,
      f_mode: fmode | FMODE.LSEEK | FMODE.PREAD | FMODE.PWRITE,
      i_uid: 1000,
      ret: 0,
      calls: 1n,
      dir: 'alice',
    });
  });

  it('open alone does not call it; read and write on an open file do, once each', () => {
    const { w, obj } = loaded('file_permission');
    const task = { pid: 4102, comm: 'sh', uid: 0 };
    const open = w.op({ op: 'open', path: '/etc/hostname', mode: 'readwrite', task });
    expect(open.hooks.map((h) => h.hook)).toEqual(['file_open']);
    expect(seen(obj).calls).toBe(0n);
    w.op({ op: 'read', path: '/etc/hostname', task: 4102 });
    w.op({ op: 'write', path: '/etc/hostname', task: 4102 });
    expect(seen(obj)).toMatchObject({ calls: 2n, mask: MAY.WRITE, dir: 'etc' });
  });
});

maybe('mmap_file(struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags)', () => {
  it.each([
    { name: 'a private read-exec mapping', prot: ['read', 'exec'], shared: false, bits: PROT.READ | PROT.EXEC, flags: MAP.PRIVATE, want: 0 },
    { name: 'PROT_NONE', prot: [], shared: false, bits: 0, flags: MAP.PRIVATE, want: 0 },
    { name: 'a shared writable mapping of a root file', prot: ['read', 'write'], shared: true, bits: PROT.READ | PROT.WRITE, flags: MAP.SHARED, want: -ERRNO.EPERM },
  ])('$name', ({ prot, shared, bits, flags, want }) => {
    const { w, obj } = loaded('mmap_file');
    const o = w.op({ op: 'mmap', path: '/usr/lib/libc.so.6', prot, shared, task: { pid: 4201, comm: 'ld.so', uid: 0 } });
    expect(o.result).toBe(want);
    expect(seen(obj)).toEqual({
      reqprot: BigInt(bits),
      prot: BigInt(bits),
      flags: BigInt(flags),
      ino: BigInt(w.state.fs.stat('/usr/lib/libc.so.6')!.ino),
      f_mode: (shared && prot.includes('write') ? FMODE.READ | FMODE.WRITE : FMODE.READ) | FMODE.LSEEK | FMODE.PREAD | FMODE.PWRITE,
      ret: 0,
    });
    if (want !== 0) expect(o.deniedBy).toEqual({ kind: 'program', hook: 'mmap_file', program: 'record_mmap_file', retval: want });
  });
});

maybe('bprm_check_security(struct linux_binprm *bprm)', () => {
  it('an ELF program: file, arguments, credentials, the first bytes', () => {
    const { w, obj } = loaded('bprm_check_security');
    const o = w.op({ op: 'exec', path: '/bin/ls', argv: ['ls', '-l', '/tmp'], env: ['HOME=/root'], task: { pid: 4301, comm: 'bash', uid: 1000 } });
    expect(o.hooks.map((h) => h.hook)).toEqual(['file_open', 'file_permission', 'bprm_check_security']);
    expect(seen(obj, 0)).toEqual({
      ino: BigInt(w.state.fs.stat('/bin/ls')!.ino),
      argc: 3,
      envc: 1,
      cred_uid: 1000,
      f_flags: O_FLAG.LARGEFILE | O_FLAG.FMODE_EXEC,
      magic: 0x464c457f,
      ret: 0,
      executable: 0n,
      interpreter: 0n,
      filename: '/bin/ls',
      interp: '/bin/ls',
    });
    expect(w.kernel.tasks.get(4301)!.comm).toBe('ls');
  });

  it('a script is checked, then its interpreter, with bprm->interp naming it', () => {
    const { w, obj } = loaded('bprm_check_security');
    const o = w.op({ op: 'exec', path: '/home/mallory/run.sh', task: { pid: 4302, comm: 'bash', uid: 1001 } });
    expect(o.result).toBe(0);
    expect(o.hooks.map((h) => h.hook)).toEqual(['file_open', 'file_permission', 'bprm_check_security', 'file_open', 'file_permission', 'bprm_check_security']);
    expect(seen(obj, 0)).toMatchObject({ filename: '/home/mallory/run.sh', interp: '/home/mallory/run.sh', magic: 0x622f2123 /* "#!/b" */, argc: 1 });
    expect(seen(obj, 1)).toMatchObject({ filename: '/home/mallory/run.sh', interp: '/bin/sh', ino: BigInt(w.state.fs.stat('/bin/sh')!.ino), magic: 0x464c457f });
    expect(w.kernel.tasks.get(4302)!.comm).toBe('run.sh');
  });

  it('the sleepable program denies an interpreter it bans', () => {
    const { w, obj } = loaded('bprm_check_security');
    obj.map('banned').update(BigInt(w.state.fs.stat('/bin/sh')!.ino), 1);
    const o = w.op({ op: 'exec', path: '/home/mallory/run.sh', task: { pid: 4303, comm: 'bash', uid: 1001 } });
    expect(o).toMatchObject({ result: -ERRNO.EACCES, errno: 'EACCES', deniedBy: { kind: 'program', hook: 'bprm_check_security', program: 'record_bprm', retval: -ERRNO.EACCES } });
    expect(w.kernel.tasks.get(4303)!.comm).toBe('bash');
    expect(w.op({ op: 'exec', path: '/bin/ls', task: 4303 }).result).toBe(0);
  });
});

maybe('inode_unlink(struct inode *dir, struct dentry *dentry)', () => {
  it('the directory inode and the dentry being removed', () => {
    const { w, obj } = loaded('inode_unlink');
    w.host.runStep({ file: '/tmp/scratch.txt', uid: 1000, gid: 1000, content: 'x' });
    const file = w.state.fs.stat('/tmp/scratch.txt')!;
    const o = w.op({ op: 'unlink', path: '/tmp/scratch.txt', task: { pid: 4401, comm: 'rm', uid: 1000 } });
    expect(o.result).toBe(0);
    expect(seen(obj)).toEqual({
      dir_ino: BigInt(w.state.fs.stat('/tmp')!.ino),
      ino: BigInt(file.ino),
      dir_mode: S_IFDIR | 0o1777,
      dir_uid: 0,
      parent_is_dir: 1,
      name_len: 11,
      ret: 0,
      nlink: 1,
      name: 'scratch.txt',
    });
    expect(w.state.fs.stat('/tmp/scratch.txt')).toBeUndefined();
  });

  it('a denial keeps the file', () => {
    const { w } = loaded('inode_unlink');
    w.host.runStep({ file: '/tmp/keep.me', uid: 1000 });
    const o = w.op({ op: 'unlink', path: '/tmp/keep.me', task: { pid: 4402, comm: 'rm', uid: 1000 } });
    expect(o).toMatchObject({ result: -ERRNO.EPERM, deniedBy: { kind: 'program', hook: 'inode_unlink', program: 'record_unlink' } });
    expect(w.state.fs.stat('/tmp/keep.me')?.nlink).toBe(1);
  });
});

maybe('task_kill(struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred)', () => {
  it('the target task, the siginfo of kill(2), the signal and a NULL cred', () => {
    const { w, obj } = loaded('task_kill');
    w.kernel.tasks.spawn({ pid: 4501, comm: 'sleep', uid: 1000 });
    const o = w.op({ op: 'kill', target: 4501, signal: 'SIGUSR1', task: { pid: 4502, comm: 'bash', uid: 1000 } });
    expect(o).toMatchObject({ result: 0, target: 4501, signal: 10 });
    expect(seen(obj)).toEqual({
      pid: 4501,
      tgid: 4501,
      target_uid: 1000,
      sig: 10,
      si_signo: 10,
      si_code: SI_USER,
      si_pid: 4502,
      si_uid: 1000,
      cred: 0n,
      sender: 4502,
      ret: 0,
      comm: 'sleep',
    });
    expect(o.hooks[0]!.args[0]).toBe(`0x${w.kernel.tasks.get(4501)!.address.toString(16)}`);
  });

  it.each([
    { signal: 'SIGKILL', want: -ERRNO.EPERM },
    { signal: 'TERM', want: 0 },
    { signal: 0, want: 0 },
  ])('signal $signal to a guarded process: $want', ({ signal, want }) => {
    const { w } = loaded('task_kill');
    w.kernel.tasks.spawn({ pid: 4503, comm: 'guarded', uid: 0 });
    expect(w.op({ op: 'kill', target: 4503, signal, task: { pid: 4504, comm: 'sh', uid: 0 } }).result).toBe(want);
  });
});
