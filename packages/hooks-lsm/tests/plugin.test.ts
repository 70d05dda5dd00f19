// The plugin as the registry sees it: its hook points and their context
// layouts (a golden file), its step kinds and their schemas (kept in step
// with the step parser), section lookups, return ranges, options, the
// words it prints.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCtxLayout, HookRegistry, type JsonSchema } from '@bpflab/kernel';
import {
  createLsmHook,
  findLsmHook,
  formatFileOp,
  LSM_HOOKS,
  lsmAttachFunction,
  lsmContextLayout,
  lsmHook,
  lsmHookName,
  lsmReturnRange,
  LsmError,
  parseFileOpStep,
  requireLsmHook,
  type LsmHookDef,
} from '../src/index';
import { world } from './support/world';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/golden/points.txt');

describe('hook points', () => {
  it('one per hook, with its precise context (golden: fixtures/golden/points.txt)', () => {
    const text = (lsmHook.points?.() ?? []).map((p) => `${p.section}\n${p.doc}\n${formatCtxLayout(p.ctx!)}`).join('\n');
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('context fields are the hook arguments, then ret', () => {
    expect(lsmContextLayout(requireLsmHook('task_kill')).fields.map((f) => `${f.name}@${f.offset}:${f.yields ?? 'scalar'}${f.btfType === undefined ? '' : `(${f.btfType})`}`)).toEqual([
      'p@0:btf_id(struct task_struct)',
      'info@8:btf_id(struct kernel_siginfo)',
      'sig@16:scalar',
      'cred@24:btf_id(struct cred)',
      'ret@32:scalar',
    ]);
  });
});

describe('hooks as data', () => {
  it.each([
    { have: 'file_open', want: 'file_open' },
    { have: 'lsm/file_open', want: 'file_open' },
    { have: 'lsm.s/bprm_check_security', want: 'bprm_check_security' },
    { have: 'bpf_lsm_task_kill', want: 'task_kill' },
    { have: 'lsm/bpf_lsm_mmap_file', want: 'mmap_file' },
    { have: 'kprobe/file_open', want: undefined },
    { have: 'file_truncate', want: undefined },
  ])('$have → $want', ({ have, want }) => {
    expect(findLsmHook(have)?.name).toBe(want);
    if (want !== undefined) expect(lsmAttachFunction(findLsmHook(have)!)).toBe(`bpf_lsm_${want}`);
  });

  it('names what it knows when asked for a hook it does not', () => {
    expect(() => requireLsmHook('inode_permission')).toThrow(new LsmError('bad-call', `no LSM hook 'inode_permission' (bpflab drives: ${LSM_HOOKS.map((h) => h.name).join(', ')})`));
    expect(lsmHookName('lsm.s/x')).toBe('x');
  });

  it.each([
    { returns: 'errno', want: { min: -4095, max: 0 } },
    { returns: 'bool', want: { min: 0, max: 1 } },
    { returns: 'void', want: undefined },
  ] as const)('a $returns hook: return range $want', ({ returns, want }) => {
    const hook: LsmHookDef = { name: 'x', args: [], returns, sleepable: false, calledBy: '' };
    expect(lsmReturnRange(hook)).toEqual(want);
  });

  it('sleepable hooks are the kernel’s', () => {
    expect(LSM_HOOKS.filter((h) => h.sleepable).map((h) => h.name)).toEqual(['file_open', 'mmap_file', 'bprm_check_security', 'inode_unlink']);
    expect(LSM_HOOKS.every((h) => h.returns === 'errno')).toBe(true);
  });
});

describe('in the registry', () => {
  const registry = new HookRegistry().register(lsmHook);

  it('claims lsm/ and lsm.s/, the LSM_MAC attach type, and the op and file steps', () => {
    expect(registry.forSection('lsm.s/file_open')).toMatchObject({ plugin: { name: 'lsm' }, info: { secDef: 'lsm.s+', target: { kind: 'btf', name: 'file_open' } } });
    expect(registry.forSection('lsm_cgroup/file_open')).toBeUndefined();
    expect(registry.forProgramType('LSM', 'LSM_MAC')?.plugin.name).toBe('lsm');
    expect(registry.forProgramType('LSM', 'LSM_CGROUP')).toBeUndefined();
    expect(registry.stepKinds()).toEqual(expect.arrayContaining(['op', 'file']));
    expect(registry.forSection('lsm/file_open')!.programType.returns).toEqual({ min: -4095n, max: 0n });
  });

  it('auto-attaches by the SEC() name, and leaves a bare SEC("lsm") to the user', () => {
    expect(lsmHook.autoAttach!({ section: 'lsm/task_kill', secDef: 'lsm+', target: { kind: 'btf', name: 'task_kill' } })).toEqual({ kind: 'attach', request: { target: 'task_kill' } });
    expect(lsmHook.autoAttach!({ section: 'lsm', secDef: 'lsm+', target: { kind: 'none' } })).toMatchObject({ kind: 'manual' });
  });

  it('the op step schema and the step parser agree on the fields of every operation', () => {
    const schema = registry.forStepKind('op')!.driver.schema as { properties: Record<string, JsonSchema>; allOf: readonly { if: { properties: { op: { const: string } } }; then: { propertyNames: { enum: readonly string[] }; required: readonly string[] } }[] };
    const sample: Readonly<Record<string, unknown>> = { task: 1, cpu: 0, name: 'n', path: '/x', mode: 'read', argv: ['a'], env: [], prot: ['read'], shared: true, target: 1, signal: 9 };
    const all = Object.keys(schema.properties).filter((k) => k !== 'op');
    expect(schema.allOf.map((a) => a.if.properties.op.const)).toEqual(['open', 'read', 'write', 'close', 'exec', 'unlink', 'mmap', 'kill']);
    for (const { if: when, then } of schema.allOf) {
      const op = when.properties.op.const;
      const allowed = then.propertyNames.enum.filter((k) => k !== 'op');
      expect(() => parseFileOpStep({ op, ...Object.fromEntries(allowed.map((k) => [k, sample[k]])) })).not.toThrow();
      for (const key of all.filter((k) => !allowed.includes(k))) {
        expect(() => parseFileOpStep({ op, ...Object.fromEntries(allowed.map((k) => [k, sample[k]])), [key]: sample[key] })).toThrow(LsmError);
      }
      for (const key of then.required) {
        expect(() => parseFileOpStep({ op, ...Object.fromEntries(allowed.filter((k) => k !== key).map((k) => [k, sample[k]])) })).toThrow(`field '${key}'`);
      }
    }
  });

  it('the combined step schema carries both kinds', () => {
    const defs = (registry.stepSchema() as { definitions: Record<string, { required: readonly string[] }> }).definitions;
    expect(defs.step_op!.required).toEqual(['op']);
    expect(defs.step_file!.required).toEqual(['file']);
  });
});

describe('options and words', () => {
  it('createLsmHook adds files to the default tree', () => {
    const w = world({ filesystem: { files: [{ path: '/srv/secret', mode: '0600', uid: 1000, content: 'key' }] } });
    expect(w.state.fs.stat('/srv/secret')).toMatchObject({ mode: 0o600, uid: 1000, size: 3 });
    expect(w.state.fs.stat('/etc/passwd')).toBeDefined();
    expect(createLsmHook({ filesystem: { defaults: false } }).name).toBe('lsm');
  });

  it('prints an operation and its hooks, one line each', () => {
    const w = world();
    const denied = w.op({ op: 'read', path: '/etc/shadow', task: { pid: 8001, comm: 'cat', uid: 1000 } });
    expect(formatFileOp(denied)).toEqual([expect.stringMatching(/^read \/etc\/shadow by cat\[8001\] uid 1000: -EACCES \(\/etc\/shadow: uid 1000 may not open it for read \(mode 0640, owner 0:42\)\)$/)]);
    expect(w.host.runStep({ op: 'open', path: '/etc/passwd', task: 8001 }).text).toEqual(['open /etc/passwd by cat[8001] uid 1000: fd 3', '  file_open: no program attached']);
    expect(w.host.runStep({ op: 'kill', target: 8001, task: 8001 }).text).toEqual(['kill 8001 15 by cat[8001] uid 1000: ok', '  task_kill: no program attached']);
  });

  it('a file step reports what it put in place', () => {
    const w = world();
    const r = w.host.runStep({ file: '/srv/app/config', mode: '0640', uid: 1000, gid: 1000, content: 'a=1\n' });
    expect(r.observation).toEqual({
      path: '/srv/app/config',
      type: 'file',
      mode: '0640',
      uid: 1000,
      gid: 1000,
      ino: w.state.fs.stat('/srv/app/config')!.ino,
      size: 4,
      inode: expect.stringMatching(/^0x[0-9a-f]+$/),
      dentry: expect.stringMatching(/^0x[0-9a-f]+$/),
    });
    expect(r.text).toEqual(['file /srv/app/config: file 0640 1000:1000, 4 bytes']);
  });
});
