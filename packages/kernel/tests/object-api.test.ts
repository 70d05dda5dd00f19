// The libbpf-style user-space API around a loaded object: names, states,
// autoload, verification status, attaching through a hook, pins, runs with
// a context given by address, and closing.
import { ERRNO } from '@bpflab/uapi';
import { Kernel } from '../src/index';
import { buildSeed, haveClang } from './support/clang';

const CLANG = haveClang('object-api.test.ts');
const maybe = CLANG ? describe : describe.skip;

maybe('BpfObject', () => {
  it('names what exists when asked for what does not', () => {
    const obj = new Kernel().openObject(buildSeed('shared_maps')!, { name: 'shared_maps.bpf.o' });
    expect(() => obj.map('nope')).toThrow(expect.objectContaining({ code: 'not-found', message: "object shared_maps has no map 'nope' (maps: calls, calls_by_pid)" }));
    expect(() => obj.program('nope')).toThrow(expect.objectContaining({ code: 'not-found', message: "object shared_maps has no program 'nope' (programs: on_openat, on_read, on_write)" }));
  });

  it('needs load() before reaching live maps and programs, and settings before it', () => {
    const obj = new Kernel().openObject(buildSeed('hello')!, { name: 'hello.bpf.o' });
    expect(() => obj.program('hello').fd).toThrow(expect.objectContaining({ code: 'not-loaded' }));
    expect(() => obj.map('.rodata').lookup(0)).toThrow(expect.objectContaining({ code: 'not-loaded' }));
    expect(obj.load()).toEqual({ ok: true });
    expect(() => obj.load()).toThrow(expect.objectContaining({ code: 'not-loaded' }));
    expect(() => obj.program('hello').setAutoload(false)).toThrow(expect.objectContaining({ code: 'bad-call' }));
    expect(() => obj.map('.rodata').setMaxEntries(2)).toThrow(expect.objectContaining({ code: 'bad-call' }));
    expect(obj.program('hello').verification.status).toBe('not-verified');
  });

  it('loads only autoloaded programs; maps are shared by all of them', () => {
    const k = new Kernel();
    const obj = k.openObject(buildSeed('shared_maps')!, { name: 'shared_maps.bpf.o' });
    obj.program('on_write').setAutoload(false);
    expect(obj.load()).toEqual({ ok: true });
    expect(() => obj.program('on_write').loaded).toThrow(expect.objectContaining({ code: 'not-loaded' }));
    const t = k.tasks.spawn({ pid: 5 });
    obj.program('on_openat').run(new Uint8Array(8), { task: t });
    obj.program('on_read').run(new Uint8Array(8), { task: t });
    obj.program('on_read').run(new Uint8Array(8), { task: t });
    expect(obj.map('calls').entries()).toEqual([
      [0, 1n],
      [1, 2n],
      [2, 0n],
    ]);
    expect(obj.map('calls_by_pid').lookup(5)).toBe(3n);
    expect(k.bpf.objGetInfoByFd(obj.program('on_read').fd)).toMatchObject({ ok: true, value: { mapIds: [obj.map('calls').id, obj.map('calls_by_pid').id] } });
  });

  it('attaches through the hook of its program type and pins', () => {
    const k = new Kernel();
    const attached: string[] = [];
    k.programTypes.register({
      ...k.programTypes.require('TRACEPOINT'),
      attach: (p, req) => {
        attached.push(`${p.name}@${req.target}`);
        return { ok: true, value: { type: 'PERF_EVENT', attachType: undefined, target: req.target ?? '', detach: () => attached.push(`-${p.name}`) } };
      },
    });
    const obj = k.openObject(buildSeed('hello')!, { name: 'hello.bpf.o' });
    expect(obj.load()).toEqual({ ok: true });
    const link = obj.program('hello').attach({ target: 'syscalls/sys_enter_execve' });
    expect(link.ok).toBe(true);
    expect(obj.program('hello').pin('/sys/fs/bpf/hello')).toEqual({ ok: true, value: undefined });
    obj.close();
    expect(obj.state).toBe('closed');
    expect(k.bpf.objGet('/sys/fs/bpf/hello')).toMatchObject({ ok: true });
    if (link.ok) k.bpf.close(link.value);
    expect(attached).toEqual(['hello@syscalls/sys_enter_execve', '-hello']);
  });

  it('frees the maps and programs of a closed object that nothing else holds', () => {
    const k = new Kernel();
    const obj = k.openObject(buildSeed('syscount')!, { name: 'syscount.bpf.o' });
    expect(obj.load()).toEqual({ ok: true });
    const mapId = obj.map('syscall_counts').id;
    const progId = obj.program('count_syscalls').id;
    obj.close();
    expect(k.bpf.mapGetFdById(mapId)).toMatchObject({ ok: false, errno: ERRNO.ENOENT });
    expect(k.bpf.progGetFdById(progId)).toMatchObject({ ok: false, errno: ERRNO.ENOENT });
    expect(k.liveMaps()).toEqual([]);
  });

  it('runs with a context set up by address, and can be loaded again after a failed load', () => {
    const k = new Kernel();
    const obj = k.openObject(buildSeed('syscount')!, { name: 'syscount.bpf.o' });
    obj.map('syscall_counts').setMaxEntries(0);
    expect(obj.load()).toMatchObject({ ok: false, reason: 'map', map: 'syscall_counts', errno: ERRNO.EINVAL });
    obj.map('syscall_counts').setMaxEntries(4);
    expect(obj.load()).toEqual({ ok: true });
    const ctx = k.memory.allocate({ name: 'ctx', kind: 'ctx', size: 64 });
    k.memory.writeU64(ctx.start + 8, 3n);
    expect(obj.program('count_syscalls').run({ address: ctx.start }, { cpu: 1 }).ctxOut).toEqual(new Uint8Array(0));
    expect(obj.map('syscall_counts').lookup(3)).toEqual([0n, 1n]);
    expect(obj.map('syscall_counts').raw.maxEntries).toBe(4);
  });
});
