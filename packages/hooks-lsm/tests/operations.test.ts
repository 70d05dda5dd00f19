// File operations without programs: the kernel's own checks before and
// after the hooks (permissions, missing files, open modes, formats,
// signals), the hooks each operation calls and in which order.
import { ERRNO } from '@bpflab/uapi';
import { world } from './support/world';

const ROOT = { pid: 6000, comm: 'sh', uid: 0 };
const ALICE = { pid: 6001, comm: 'sh', uid: 1000, gid: 1000 };
const MALLORY = { pid: 6002, comm: 'sh', uid: 1001, gid: 1001 };

describe('errors the kernel returns before or after the hooks', () => {
  it.each([
    { name: 'a missing file', step: { op: 'open', path: '/etc/nope', task: ALICE }, errno: 'ENOENT', hooks: [] },
    { name: 'a path through a file', step: { op: 'open', path: '/etc/passwd/x', task: ALICE }, errno: 'ENOTDIR', hooks: [] },
    { name: 'a trailing slash on a file', step: { op: 'open', path: '/etc/passwd/', task: ALICE }, errno: 'ENOTDIR', hooks: [] },
    { name: 'a component past NAME_MAX', step: { op: 'open', path: `/tmp/${'x'.repeat(256)}`, task: ALICE }, errno: 'ENAMETOOLONG', hooks: [] },
    { name: 'reading a file others may not read', step: { op: 'read', path: '/etc/shadow', task: ALICE }, errno: 'EACCES', hooks: [] },
    { name: 'writing a root file', step: { op: 'open', path: '/etc/passwd', mode: 'write', task: ALICE }, errno: 'EACCES', hooks: [] },
    { name: 'searching a directory without x', step: { op: 'open', path: '/home/alice/notes.txt', task: MALLORY }, errno: 'EACCES', hooks: [] },
    { name: 'opening a directory for writing', step: { op: 'open', path: '/tmp', mode: 'write', task: ROOT }, errno: 'EISDIR', hooks: [] },
    { name: 'reading a directory (after file_permission)', step: { op: 'read', path: '/etc', task: ALICE }, errno: 'EISDIR', hooks: ['file_open', 'file_permission'] },
    { name: 'executing a file without x', step: { op: 'exec', path: '/etc/passwd', task: ALICE }, errno: 'EACCES', hooks: [] },
    { name: 'root executing a file without any x', step: { op: 'exec', path: '/etc/passwd', task: ROOT }, errno: 'EACCES', hooks: [] },
    { name: 'executing a directory', step: { op: 'exec', path: '/bin', task: ROOT }, errno: 'EACCES', hooks: [] },
    { name: 'mapping a directory (after mmap_file)', step: { op: 'mmap', path: '/tmp', task: ROOT }, errno: 'ENODEV', hooks: ['file_open', 'mmap_file'] },
    { name: 'unlinking a missing file', step: { op: 'unlink', path: '/tmp/none', task: ALICE }, errno: 'ENOENT', hooks: [] },
    { name: 'unlinking from a directory without w', step: { op: 'unlink', path: '/etc/hostname', task: ALICE }, errno: 'EACCES', hooks: [] },
    { name: 'unlinking a directory', step: { op: 'unlink', path: '/home/alice', task: ROOT }, errno: 'EISDIR', hooks: [] },
    { name: 'unlinking /', step: { op: 'unlink', path: '/', task: ROOT }, errno: 'EISDIR', hooks: [] },
    { name: 'closing a file the process has not opened', step: { op: 'close', path: '/etc/passwd', task: ALICE }, errno: 'EBADF', hooks: [] },
    { name: 'signalling a pid that does not exist', step: { op: 'kill', target: 999, task: ALICE }, errno: 'ESRCH', hooks: [] },
    { name: "signalling another user's process", step: { op: 'kill', target: 1, task: ALICE }, errno: 'EPERM', hooks: [] },
  ])('$name: $errno', ({ step, errno, hooks }) => {
    const o = world().op(step);
    expect(o.errno).toBe(errno);
    expect(o.result).toBe(-ERRNO[errno as keyof typeof ERRNO]);
    expect(o.deniedBy).toMatchObject({ kind: 'kernel', reason: expect.any(String) });
    expect(o.hooks.map((h) => h.hook)).toEqual(hooks);
  });

  it('root reads anything and searches any directory', () => {
    const w = world();
    expect(w.op({ op: 'read', path: '/home/alice/notes.txt', task: ROOT }).result).toBe(0);
    expect(w.op({ op: 'open', path: '/etc/shadow', mode: 'readwrite', task: 6000 }).result).toBe(0);
  });

  it('the group bits apply to the group, the other bits to others', () => {
    const w = world();
    w.host.runStep({ file: '/srv/report', mode: '0640', uid: 0, gid: 1000 });
    expect(w.op({ op: 'read', path: '/srv/report', task: ALICE }).result).toBe(0);
    expect(w.op({ op: 'read', path: '/srv/report', task: MALLORY }).result).toBe(-ERRNO.EACCES);
    expect(w.op({ op: 'write', path: '/srv/report', task: 6001 }).result).toBe(-ERRNO.EACCES);
  });

  it('the owner bits apply to the owner even when others may do more', () => {
    const w = world();
    w.host.runStep({ file: '/srv/odd', mode: '0047', uid: 1000 });
    expect(w.op({ op: 'read', path: '/srv/odd', task: ALICE }).result).toBe(-ERRNO.EACCES);
    expect(w.op({ op: 'read', path: '/srv/odd', task: MALLORY }).result).toBe(0);
  });

  it('in a sticky directory only the owner of a file (or of the directory, or root) removes it', () => {
    const w = world();
    w.host.runStep({ file: '/tmp/alices', uid: 1000 });
    expect(w.op({ op: 'unlink', path: '/tmp/alices', task: MALLORY })).toMatchObject({ result: -ERRNO.EPERM, deniedBy: { kind: 'kernel' } });
    expect(w.op({ op: 'unlink', path: '/tmp/alices', task: ALICE })).toMatchObject({ result: 0, hooks: [{ hook: 'inode_unlink' }] });
    expect(w.state.fs.stat('/tmp/alices')).toBeUndefined();
    expect(w.op({ op: 'unlink', path: '/tmp/alices', task: 6001 }).errno).toBe('ENOENT');
  });

  it('a write to a file opened read-only is EBADF, and the reverse', () => {
    const w = world();
    expect(w.op({ op: 'open', path: '/tmp', task: ALICE }).result).toBe(0);
    w.host.runStep({ file: '/tmp/log', mode: '0666' });
    expect(w.op({ op: 'open', path: '/tmp/log', mode: 'write', task: 6001 }).result).toBe(0);
    expect(w.op({ op: 'read', path: '/tmp/log', task: 6001 })).toMatchObject({ errno: 'EBADF', hooks: [] });
    expect(w.op({ op: 'open', path: '/tmp/log', mode: 'read', task: 6001 }).result).toBe(0);
    expect(w.op({ op: 'write', path: '/tmp/log', task: 6001 })).toMatchObject({ errno: 'EBADF', hooks: [] });
  });

  it('mapping needs a readable file, and a writable one for a shared writable mapping', () => {
    const w = world();
    w.host.runStep({ file: '/tmp/data', mode: '0666' });
    expect(w.op({ op: 'open', path: '/tmp/data', mode: 'write', task: ALICE }).result).toBe(0);
    expect(w.op({ op: 'mmap', path: '/tmp/data', task: 6001 })).toMatchObject({ errno: 'EACCES', hooks: [{ hook: 'mmap_file' }] });
    expect(w.op({ op: 'open', path: '/tmp/data', mode: 'read', task: 6001 }).result).toBe(0);
    expect(w.op({ op: 'mmap', path: '/tmp/data', prot: ['read', 'write'], shared: true, task: 6001 }).errno).toBe('EACCES');
    expect(w.op({ op: 'mmap', path: '/tmp/data', prot: ['read', 'write'], shared: false, task: 6001 }).result).toBe(0);
    expect(w.op({ op: 'close', path: '/tmp/data', task: 6001 }).result).toBe(0);
    expect(w.op({ op: 'mmap', path: '/tmp/data', prot: ['read', 'write'], shared: true, task: 6001 })).toMatchObject({
      result: 0,
      hooks: [{ hook: 'file_open' }, { hook: 'mmap_file' }],
    });
  });
});

describe('exec', () => {
  it.each([
    { name: 'a file that is neither ELF nor a script', content: 'just text\n', errno: 'ENOEXEC', hooks: ['file_open', 'file_permission', 'bprm_check_security'] },
    { name: 'a #! line without an interpreter', content: '#!   \n', errno: 'ENOEXEC', hooks: ['file_open', 'file_permission', 'bprm_check_security'] },
    { name: 'a missing interpreter', content: '#!/bin/nope\n', errno: 'ENOENT', hooks: ['file_open', 'file_permission', 'bprm_check_security'] },
    { name: 'an interpreter that is a script of itself', content: '#!/srv/tool\n', errno: 'ELOOP', hooks: Array(6).fill(['file_open', 'file_permission', 'bprm_check_security']).flat() },
  ])('$name: $errno', ({ content, errno, hooks }) => {
    const w = world();
    w.host.runStep({ file: '/srv/tool', mode: '0755', content });
    const o = w.op({ op: 'exec', path: '/srv/tool', task: ALICE });
    expect(o.errno).toBe(errno);
    expect(o.hooks.map((h) => h.hook)).toEqual([...hooks, ...(errno === 'ELOOP' ? ['file_open'] : [])]);
    expect(w.kernel.tasks.get(6001)!.comm).toBe('sh');
  });

  it('a script runs its interpreter with the interpreter arguments ignored, and the process takes the script name', () => {
    const w = world();
    w.host.runStep({ file: '/srv/deploy', mode: '0755', content: '#! /bin/bash -e\necho hi\n' });
    const o = w.op({ op: 'exec', path: '/srv/deploy', task: ALICE });
    expect(o.result).toBe(0);
    expect(o.hooks.map((h) => h.hook)).toEqual(['file_open', 'file_permission', 'bprm_check_security', 'file_open', 'file_permission', 'bprm_check_security']);
    expect(w.kernel.tasks.get(6001)!.comm).toBe('deploy');
  });

  it('the interpreter must be executable by the user', () => {
    const w = world();
    w.host.runStep({ file: '/srv/sh', mode: '0700', content: '\x7fELF' });
    w.host.runStep({ file: '/srv/run', mode: '0755', content: '#!/srv/sh\n' });
    expect(w.op({ op: 'exec', path: '/srv/run', task: ALICE }).errno).toBe('EACCES');
    expect(w.op({ op: 'exec', path: '/srv/run', task: ROOT }).result).toBe(0);
  });
});

describe('processes and their open files', () => {
  it('fds count up from 3 per process; opening a path again replaces the earlier file', () => {
    const w = world();
    expect(w.op({ op: 'open', path: '/etc/passwd', task: ALICE }).fd).toBe(3);
    expect(w.op({ op: 'open', path: '/etc/group', task: 6001 }).fd).toBe(4);
    expect(w.op({ op: 'open', path: '/etc/passwd', task: MALLORY }).fd).toBe(3);
    expect(w.op({ op: 'open', path: '/etc/passwd', task: 6001 }).fd).toBe(5);
    expect(w.state.openFiles(6001).map((f) => `${f.fd} ${f.path}`)).toEqual(['4 /etc/group', '5 /etc/passwd']);
    expect(w.op({ op: 'close', path: '/etc/group', task: 6001 }).result).toBe(0);
    expect(w.state.openFiles(6001).map((f) => f.fd)).toEqual([5]);
  });

  it('threads share their process’s open files', () => {
    const w = world();
    w.kernel.tasks.spawn({ pid: 6100, comm: 'app', uid: 1000 });
    w.kernel.tasks.spawn({ pid: 6101, tgid: 6100, comm: 'worker', uid: 1000 });
    expect(w.op({ op: 'open', path: '/etc/passwd', task: 6100 }).result).toBe(0);
    expect(w.op({ op: 'read', path: '/etc/passwd', task: 6101 }).hooks.map((h) => h.hook)).toEqual(['file_permission']);
  });

  it('kill: a process may signal its own user’s processes and itself; root any', () => {
    const w = world();
    w.kernel.tasks.spawn({ pid: 6200, comm: 'daemon', uid: 1000 });
    expect(w.op({ op: 'kill', target: 6200, task: ALICE })).toMatchObject({ result: 0, signal: 15, hooks: [{ hook: 'task_kill' }] });
    expect(w.op({ op: 'kill', target: 6002, signal: 9, task: MALLORY }).result).toBe(0);
    expect(w.op({ op: 'kill', target: 6200, signal: 'KILL', task: ROOT }).result).toBe(0);
    expect(w.op({ op: 'kill', target: 6200, task: 6002 }).errno).toBe('EPERM');
  });

  it('the observation names the process and what happened; arguments are hex', () => {
    const w = world();
    const o = w.op({ op: 'open', path: '/etc/passwd', task: ALICE });
    expect(o).toEqual({
      op: 'open',
      path: '/etc/passwd',
      pid: 6001,
      comm: 'sh',
      uid: 1000,
      result: 0,
      fd: 3,
      hooks: [{ hook: 'file_open', args: [expect.stringMatching(/^0x[0-9a-f]+$/)], runs: [], result: 0 }],
    });
    expect(JSON.parse(JSON.stringify(o))).toEqual(o);
  });
});
