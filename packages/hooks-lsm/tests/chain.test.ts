// The hook chain: programs run most recently attached first, each is given
// ret = the previous program's return (0 for the first), the first
// non-zero return decides and ends the chain; and the kernel's attach
// rules for LSM programs.
import { ERRNO } from '@bpflab/uapi';
import { BPF_MAX_TRAMP_LINKS } from '../src/index';
import { buildFixture, haveClang } from './support/clang';
import { world } from './support/world';

const maybe = haveClang('chain.test.ts') ? describe : describe.skip;

const NAMES = ['first', 'second', 'third'] as const;

function chain() {
  const w = world();
  const { obj, outcomes } = w.load(buildFixture('chain')!, 'chain.bpf.o');
  expect(outcomes.map((o) => o.kind)).toEqual(['attached', 'attached', 'attached']);
  const links = Object.fromEntries(outcomes.map((o) => [o.program, o.kind === 'attached' ? o.linkFd : -1]));
  const setVerdicts = (v: readonly number[]) => v.forEach((x, i) => obj.map('verdicts').update(i, x));
  /** which programs ran, in order, and the ret each was given */
  const ran = () => {
    const recs = NAMES.map((name, i) => ({ name, ...(obj.map('runs').lookup(i) as { seq: bigint; ret: bigint }) }));
    for (let i = 0; i < 3; i++) obj.map('runs').update(i, { seq: 0n, ret: 0n });
    return recs.filter((r) => r.seq > 0n).sort((a, b) => Number(a.seq - b.seq)).map((r) => `${r.name}(ret=${r.ret})`);
  };
  return { w, obj, links, setVerdicts, ran };
}

const OPEN = { op: 'open', path: '/etc/hostname', task: { pid: 5001, comm: 'cat', uid: 1000 } } as const;

maybe('the hook chain', () => {
  it.each([
    { name: 'all allow: every program runs, newest first, each given ret 0', verdicts: [0, 0, 0], want: 0, decided: undefined, ran: ['third(ret=0)', 'second(ret=0)', 'first(ret=0)'] },
    { name: 'the middle one denies: the oldest does not run', verdicts: [0, -13, 0], want: -13, decided: 'second', ran: ['third(ret=0)', 'second(ret=0)'] },
    { name: 'the newest denies: nothing else runs', verdicts: [-2, -13, -1], want: -1, decided: 'third', ran: ['third(ret=0)'] },
    { name: 'the oldest denies last', verdicts: [-22, 0, 0], want: -22, decided: 'first', ran: ['third(ret=0)', 'second(ret=0)', 'first(ret=0)'] },
  ])('$name', ({ verdicts, want, decided, ran: wantRan }) => {
    const c = chain();
    c.setVerdicts(verdicts);
    const o = c.w.op(OPEN);
    expect(c.ran()).toEqual(wantRan);
    expect(o.result).toBe(want);
    expect(o.hooks).toHaveLength(1);
    expect(o.hooks[0]!.runs.map((r) => r.program)).toEqual(wantRan.map((r) => r.replace(/\(.*/, '')));
    expect(o.hooks[0]!.decidedBy).toBe(decided);
    if (decided === undefined) expect(o.deniedBy).toBeUndefined();
    else expect(o.deniedBy).toEqual({ kind: 'program', hook: 'file_open', program: decided, retval: want });
  });

  it('detaching takes a program out of the chain; attaching it again puts it first', () => {
    const c = chain();
    c.setVerdicts([0, 0, 0]);
    expect(c.w.kernel.bpf.linkDetach(c.links.third!)).toEqual({ ok: true, value: undefined });
    c.w.op(OPEN);
    expect(c.ran()).toEqual(['second(ret=0)', 'first(ret=0)']);
    expect(c.w.kernel.bpf.close(c.links.first!).ok).toBe(true);
    c.w.op(OPEN);
    expect(c.ran()).toEqual(['second(ret=0)']);
    expect(c.obj.program('first').attach({ target: 'bpf_lsm_file_open' }).ok).toBe(true);
    c.w.op(OPEN);
    expect(c.ran()).toEqual(['first(ret=0)', 'second(ret=0)']);
  });

  it('a program is attached to a hook once (EBUSY)', () => {
    const c = chain();
    const r = c.obj.program('second').attach({ target: 'file_open' });
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EBUSY });
    expect(r.ok ? '' : r.message).toBe('prog second: already attached to bpf_lsm_file_open');
  });

  it(`a hook holds at most ${BPF_MAX_TRAMP_LINKS} programs (E2BIG)`, () => {
    const w = world();
    const bytes = buildFixture('chain')!;
    const kinds: string[] = [];
    for (let i = 0; i < 13; i++) kinds.push(...w.load(bytes, `chain${i}.bpf.o`).outcomes.map((o) => (o.kind === 'failed' ? `failed ${o.errno}` : o.kind)));
    expect(kinds.filter((k) => k === 'attached')).toHaveLength(BPF_MAX_TRAMP_LINKS);
    expect(kinds.slice(BPF_MAX_TRAMP_LINKS)).toEqual([`failed ${ERRNO.E2BIG}`]);
  });

  it('a return outside [-4095, 0] ends the chain, is reported, and fails the call with -EINVAL', () => {
    const c = chain();
    c.setVerdicts([0, 1, 0]);
    const o = c.w.op(OPEN);
    expect(c.ran()).toEqual(['third(ret=0)', 'second(ret=0)']);
    expect(o.hooks[0]).toMatchObject({ result: 1, decidedBy: 'second', outOfRange: ['second'] });
    expect(o).toMatchObject({ result: -ERRNO.EINVAL, deniedBy: { kind: 'program', program: 'second', retval: 1 } });
  });

  it('each program runs on the step’s CPU as the step’s task', () => {
    const c = chain();
    const o = c.w.op({ ...OPEN, cpu: 1 });
    expect(o.hooks[0]!.runs.map((r) => `${r.cpu}/${r.pid}`)).toEqual(['1/5001', '1/5001', '1/5001']);
  });
});

maybe('attach rules', () => {
  it('sleepable programs only on sleepable hooks; only hooks that exist', () => {
    const w = world();
    const { outcomes } = w.load(buildFixture('attach_rules')!, 'attach_rules.bpf.o');
    expect(outcomes).toEqual([
      {
        kind: 'failed',
        program: 'sleepy_permission',
        section: 'lsm.s/file_permission',
        hook: 'lsm',
        errno: ERRNO.EINVAL,
        message: 'prog sleepy_permission: bpf_lsm_file_permission is not sleepable: use SEC("lsm/file_permission")',
      },
      { kind: 'attached', program: 'sleepy_open', section: 'lsm.s/file_open', hook: 'lsm', point: 'file_open', linkFd: expect.any(Number) },
      {
        kind: 'failed',
        program: 'no_such_hook',
        section: 'lsm/file_truncate',
        hook: 'lsm',
        errno: ERRNO.ESRCH,
        message: expect.stringMatching(/^prog no_such_hook: failed to find kernel BTF type ID of 'bpf_lsm_file_truncate' \(bpflab drives the LSM hooks file_open, /),
      },
    ]);
  });

  it('LSM programs must have a GPL compatible license', () => {
    const w = world();
    const { outcomes } = w.load(buildFixture('proprietary')!, 'proprietary.bpf.o');
    expect(outcomes[0]).toMatchObject({ kind: 'failed', errno: ERRNO.EINVAL, message: "prog closed_source: LSM programs must have a GPL compatible license (its license is 'Proprietary')" });
  });

  it('BPF_LINK_CREATE without a hook is EINVAL', () => {
    const w = world();
    const { obj } = w.load(buildFixture('proprietary')!, 'p.bpf.o');
    const r = w.kernel.bpf.linkCreate(obj.program('closed_source').fd, {});
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
  });
});
