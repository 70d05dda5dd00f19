// File-operation steps: defaults, and a typed error naming the field for
// every malformed step (directly, and through the hook host as bad-step).
import { KernelError } from '@bpflab/kernel';
import { LsmError, parseFileOpStep, parseFileOpSteps, parseFileSetupStep } from '../src/index';
import { world } from './support/world';

function thrown(fn: () => unknown): LsmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LsmError) return e;
    throw e;
  }
  throw new Error('expected an LsmError');
}

describe('parseFileOpStep', () => {
  it.each([
    { name: 'open', have: { op: 'open', path: '/etc/passwd', task: 3001 }, want: { op: 'open', path: '/etc/passwd', mode: 'read', task: 3001 } },
    { name: 'exec', have: { op: 'exec', path: '/bin/ls' }, want: { op: 'exec', path: '/bin/ls', argv: ['/bin/ls'], env: [] } },
    { name: 'mmap', have: { op: 'mmap', path: '/x', prot: ['exec', 'read', 'exec'] }, want: { op: 'mmap', path: '/x', prot: ['exec', 'read'], shared: false } },
    { name: 'kill by name', have: { op: 'kill', target: 7, signal: 'sigkill' }, want: { op: 'kill', target: 7, signal: 9 } },
    { name: 'kill, default signal', have: { op: 'kill', target: 7 }, want: { op: 'kill', target: 7, signal: 15 } },
    {
      name: 'a task with every field, a cpu, a name',
      have: { op: 'read', path: '/a', cpu: 1, name: 'cat it', task: { pid: 9, tgid: 9, ppid: 1, comm: 'cat', uid: 5, gid: 6, euid: 0, egid: 0 } },
      want: { op: 'read', path: '/a', cpu: 1, name: 'cat it', task: { pid: 9, tgid: 9, ppid: 1, comm: 'cat', uid: 5, gid: 6, euid: 0, egid: 0 } },
    },
  ])('$name: defaults filled in', ({ have, want }) => {
    expect(parseFileOpStep(have)).toEqual(want);
  });

  it.each([
    { name: 'not an object', have: 'open /etc/passwd', field: 'op', want: `step 4: field 'op': want a step object such as { task: { pid: 42 }, op: open, path: /etc/passwd }, got "open /etc/passwd"` },
    { name: 'no op', have: { path: '/x' }, field: 'op', want: "step 4: field 'op': want one of open, read, write, close, exec, unlink, mmap, kill, got nothing" },
    { name: 'an unknown op', have: { op: 'rename', path: '/x' }, field: 'op', want: `step 4: field 'op': want one of open, read, write, close, exec, unlink, mmap, kill, got "rename"` },
    { name: 'a field of another op', have: { op: 'read', path: '/x', mode: 'read' }, field: 'mode', want: `step 4: field 'mode': not a field of a read step (its fields: op, task, cpu, name, path), got "read"` },
    { name: 'a relative path', have: { op: 'open', path: 'etc/passwd' }, field: 'path', want: `step 4: field 'path': want an absolute path such as /etc/passwd, got "etc/passwd"` },
    { name: 'no path', have: { op: 'unlink' }, field: 'path', want: "step 4: field 'path': want an absolute path such as /etc/passwd, got nothing" },
    { name: 'a bad open mode', have: { op: 'open', path: '/x', mode: 'rw' }, field: 'mode', want: `step 4: field 'mode': want read, write or readwrite, got "rw"` },
    { name: 'a negative uid', have: { op: 'open', path: '/x', task: { pid: 1, uid: -1 } }, field: 'task.uid', want: "step 4: field 'task.uid': want an integer in [0, 4294967295], got -1" },
    { name: 'an unknown task field', have: { op: 'open', path: '/x', task: { pid: 1, user: 'bob' } }, field: 'task.user', want: `step 4: field 'task.user': not a field of a task (its fields: pid, tgid, ppid, comm, uid, gid, euid, egid), got "bob"` },
    { name: 'a task without pid', have: { op: 'open', path: '/x', task: { uid: 1 } }, field: 'task.pid', want: "step 4: field 'task.pid': want an integer in [0, 4194303], got nothing" },
    { name: 'a task as text', have: { op: 'open', path: '/x', task: 'cat' }, field: 'task', want: `step 4: field 'task': want a pid or the process, such as { pid: 3001, comm: cat, uid: 1001 }, got "cat"` },
    { name: 'an empty comm', have: { op: 'open', path: '/x', task: { pid: 1, comm: '' } }, field: 'task.comm', want: `step 4: field 'task.comm': want a command name, got ""` },
    { name: 'a bad prot', have: { op: 'mmap', path: '/x', prot: ['rwx'] }, field: 'prot', want: `step 4: field 'prot': want a list of read, write, exec (an empty list is PROT_NONE), got a list (["rwx"])` },
    { name: 'a bad shared', have: { op: 'mmap', path: '/x', shared: 'yes' }, field: 'shared', want: `step 4: field 'shared': want true (MAP_SHARED) or false (MAP_PRIVATE), got "yes"` },
    { name: 'argv not a list', have: { op: 'exec', path: '/x', argv: 'ls -l' }, field: 'argv', want: `step 4: field 'argv': want a list of strings, got "ls -l"` },
    { name: 'an unknown signal', have: { op: 'kill', target: 1, signal: 'SIGFOO' }, field: 'signal', want: `step 4: field 'signal': want a signal number in [0, 64] or a name such as SIGKILL, got "SIGFOO"` },
    { name: 'a signal past 64', have: { op: 'kill', target: 1, signal: 65 }, field: 'signal', want: "step 4: field 'signal': want a signal number in [0, 64] or a name such as SIGKILL, got 65" },
    { name: 'kill without target', have: { op: 'kill' }, field: 'target', want: "step 4: field 'target': want an integer in [0, 4194303], got nothing" },
    { name: 'kill with a path', have: { op: 'kill', target: 1, path: '/x' }, field: 'path', want: `step 4: field 'path': not a field of a kill step (its fields: op, task, cpu, name, target, signal), got "/x"` },
    { name: 'a fractional cpu', have: { op: 'open', path: '/x', cpu: 0.5 }, field: 'cpu', want: "step 4: field 'cpu': want an integer in [0, 1023], got 0.5" },
    { name: 'a name that is not text', have: { op: 'open', path: '/x', name: 3 }, field: 'name', want: "step 4: field 'name': want a label (a string), got 3" },
  ])('$name: field $field', ({ have, field, want }) => {
    const e = thrown(() => parseFileOpStep(have, 4));
    expect(e).toMatchObject({ code: 'bad-step', field, step: 4 });
    expect(e.message).toBe(want);
  });

  it('a list names the index of the bad step', () => {
    const e = thrown(() => parseFileOpSteps([{ op: 'open', path: '/a' }, { op: 'open', path: 'b' }]));
    expect(e).toMatchObject({ step: 1, field: 'path' });
    expect(thrown(() => parseFileOpSteps({ op: 'open' })).message).toBe('steps: want a list of steps, got {"op":"open"}');
  });
});

describe('parseFileSetupStep', () => {
  it('gives the file spec', () => {
    expect(parseFileSetupStep({ file: '/srv/x', type: 'dir', mode: '0700', uid: 5, gid: 6 })).toEqual({ path: '/srv/x', type: 'dir', mode: '0700', uid: 5, gid: 6 });
  });

  it.each([
    { have: { file: 'srv/x' }, field: 'file' },
    { have: { file: '/x', type: 'link' }, field: 'type' },
    { have: { file: '/x', mode: true }, field: 'mode' },
    { have: { file: '/x', mode: 644 }, field: 'mode' },
    { have: { file: '/x', uid: 'root' }, field: 'uid' },
    { have: { file: '/x', content: 42 }, field: 'content' },
    { have: { file: '/x', owner: 'root' }, field: 'owner' },
  ])('field $field', ({ have, field }) => {
    expect(thrown(() => parseFileSetupStep(have, 0))).toMatchObject({ code: 'bad-step', field });
  });
});

describe('through the hook host', () => {
  it.each([
    { step: { op: 'open', path: '/x', mode: 'append' }, want: `step: field 'mode': want read, write or readwrite, got "append"` },
    { step: { file: '/etc/passwd', type: 'dir' }, want: '/etc/passwd: is a file, the step says dir' },
    { step: { file: '/etc/passwd/x' }, want: '/etc/passwd/x: /etc/passwd is a file, not a directory' },
    { step: { file: '/x', mode: '999' }, want: `/x: field 'mode': want permission bits such as 0o644 or '0644', got "999"` },
  ])('a malformed step is KernelError bad-step: $want', ({ step, want }) => {
    const w = world();
    let err: unknown;
    try {
      w.host.runStep(step);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ code: 'bad-step', message: want });
    expect((err as KernelError).cause).toBeInstanceOf(LsmError);
  });

  it('a task named again with other credentials is refused by the host', () => {
    const w = world();
    w.op({ op: 'open', path: '/etc/passwd', task: { pid: 77, comm: 'cat', uid: 1000 } });
    expect(() => w.op({ op: 'open', path: '/etc/passwd', task: { pid: 77, uid: 0 } })).toThrow('task 77 already exists with uid 1000, this step says 0');
  });

  it('a step on a CPU the machine does not have is refused', () => {
    expect(() => world().op({ op: 'open', path: '/etc/passwd', cpu: 2 })).toThrow("cpu 2 is not one of the machine's 2 CPUs (0-1)");
  });
});
