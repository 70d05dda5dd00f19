// The bpf() surface with fds and errno results: maps, program loads (and
// the verification seam), test runs, pins in bpffs, links, ids and info.
import { assembleLlvm, type Insn } from '@bpflab/isa';
import { ERRNO } from '@bpflab/uapi';
import { Kernel, NOT_VERIFIED_LOG, type LinkBody, type Verifier, type VerifierMap, type VerifierProgram } from '../src/index';

const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};
const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};

function hashMap(kernel: Kernel, name = 'counts'): number {
  const r = kernel.bpf.mapCreate({ type: 'HASH', name, keySize: 4, valueSize: 8, maxEntries: 8 });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function load(kernel: Kernel, asm: string, extra: { type?: string; name?: string } = {}): number {
  const r = kernel.bpf.progLoad({ type: extra.type ?? 'TRACEPOINT', insns: assembleLlvm(asm), license: 'GPL', name: extra.name ?? 'test' });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('maps through fds', () => {
  it('creates, updates, looks up, walks and deletes', () => {
    const k = new Kernel();
    const fd = hashMap(k);
    expect(k.bpf.mapUpdateElem(fd, u32(1), u64(10n))).toEqual({ ok: true, value: undefined });
    expect(k.bpf.mapUpdateElem(fd, u32(2), u64(20n), 1)).toEqual({ ok: true, value: undefined });
    expect(k.bpf.mapUpdateElem(fd, u32(2), u64(21n), 1)).toMatchObject({ ok: false, errno: ERRNO.EEXIST });
    expect(k.bpf.mapLookupElem(fd, u32(1))).toEqual({ ok: true, value: u64(10n) });
    const keys: number[] = [];
    for (let r = k.bpf.mapGetNextKey(fd, null); r.ok; r = k.bpf.mapGetNextKey(fd, r.value)) keys.push(new DataView(r.value.buffer).getUint32(0, true));
    expect(keys.sort()).toEqual([1, 2]);
    expect(k.bpf.mapDeleteElem(fd, u32(1))).toEqual({ ok: true, value: undefined });
    expect(k.bpf.mapLookupElem(fd, u32(1))).toMatchObject({ ok: false, errno: ERRNO.ENOENT });
    const batch = k.bpf.mapLookupBatch(fd, { count: 8 });
    expect(batch).toMatchObject({ count: 1, errno: ERRNO.ENOENT });
    expect(k.bpf.mapUpdateBatch(fd, [u32(5), u32(6)], [u64(5n), u64(6n)])).toEqual({ errno: 0, message: '', count: 2 });
    expect(k.bpf.mapFreeze(fd)).toEqual({ ok: true, value: undefined });
    expect(k.bpf.mapUpdateElem(fd, u32(7), u64(7n))).toMatchObject({ ok: false, errno: ERRNO.EPERM });
  });

  it.each([
    { name: 'a closed fd', fd: (k: Kernel) => { const f = hashMap(k); k.bpf.close(f); return f; }, errno: ERRNO.EBADF },
    { name: 'an fd never opened', fd: () => 99, errno: ERRNO.EBADF },
    { name: 'a program fd', fd: (k: Kernel) => load(k, 'r0 = 0\nexit'), errno: ERRNO.EINVAL },
  ])('refuses $name', ({ fd, errno }) => {
    const k = new Kernel();
    const f = fd(k);
    expect(k.bpf.mapLookupElem(f, u32(0))).toMatchObject({ ok: false, errno });
    expect(k.bpf.mapLookupBatch(f, { count: 1 })).toMatchObject({ errno, count: 0 });
  });

  it.each([
    { name: 'a bad name', attr: { type: 'HASH' as const, name: 'has space', keySize: 4, valueSize: 4, maxEntries: 1 }, errno: ERRNO.EINVAL },
    { name: 'a zero key size', attr: { type: 'HASH' as const, keySize: 0, valueSize: 4, maxEntries: 1 }, errno: ERRNO.EINVAL },
    { name: 'a type bpflab does not model', attr: { type: 'BLOOM_FILTER' as const, keySize: 0, valueSize: 4, maxEntries: 1 }, errno: ERRNO.EINVAL },
    { name: 'an inner map fd that is not open', attr: { type: 'ARRAY_OF_MAPS' as const, keySize: 4, valueSize: 4, maxEntries: 1, innerMapFd: 50 }, errno: ERRNO.EBADF },
  ])('map create refuses $name', ({ attr, errno }) => {
    expect(new Kernel().bpf.mapCreate(attr)).toMatchObject({ ok: false, errno });
  });
});

describe('program loads', () => {
  it.each([
    { name: 'an empty program', insns: [] as Insn[], errno: ERRNO.E2BIG, message: /1 to 1000000/ },
    { name: 'a map fd that is not open', insns: assembleLlvm('ld_pseudo r1, 1, 77\nr0 = 0\nexit'), errno: ERRNO.EBADF, message: /fd 77 is not pointing to valid bpf_map/ },
    { name: 'callx', insns: assembleLlvm('r1 = 1\ncallx r1\nexit'), errno: ERRNO.EINVAL, message: /BPF_CALL uses reserved fields/ },
    { name: 'a jump out of the program', insns: assembleLlvm('r0 = 0\ngoto +5\nexit'), errno: ERRNO.EINVAL, message: /pc 1/ },
  ])('refuses $name', ({ insns, errno, message }) => {
    const r = new Kernel().bpf.progLoad({ type: 'TRACEPOINT', insns, license: 'GPL', name: 'p' });
    expect(r).toMatchObject({ ok: false, errno, reason: 'invalid' });
    expect(r.ok ? '' : r.message).toMatch(message);
  });

  it('refuses a bad name and an unknown type', () => {
    const k = new Kernel();
    const insns = assembleLlvm('r0 = 0\nexit');
    expect(k.bpf.progLoad({ type: 'TRACEPOINT', insns, license: 'GPL', name: 'a-very-long-program-name' })).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
    expect(k.bpf.progLoad({ type: 'NO_SUCH_TYPE', insns, license: 'GPL' })).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
  });

  it('marks programs loaded through the pass-through stand-in as not verified', () => {
    const k = new Kernel();
    const fd = load(k, 'r0 = 0\nexit');
    expect(k.bpf.objGetInfoByFd(fd)).toMatchObject({ ok: true, value: { kind: 'prog', verification: 'not-verified', type: 'TRACEPOINT' } });
    const p = k.fds.get(fd);
    expect(p?.kind === 'prog' && p.verifierLog).toBe(NOT_VERIFIED_LOG);
  });

  it('hands the verifier map references as indices, and obeys its verdict', () => {
    const seen: { program: VerifierProgram; maps: readonly VerifierMap[] }[] = [];
    const refuseArrays: Verifier = (program, _type, maps) => {
      seen.push({ program, maps });
      return maps.some((m) => m.info.kind === 'array')
        ? { ok: false, log: '0: (18) r1 = map\nR1 refused by the test verifier\n', errors: [{ message: 'R1 refused by the test verifier', pc: 0 }] }
        : { ok: true, log: 'processed 4 insns\n', errors: [] };
    };
    const k = new Kernel({ verifier: refuseArrays });
    const hash = hashMap(k, 'h');
    const arr = k.bpf.mapCreate({ type: 'ARRAY', name: 'a', keySize: 4, valueSize: 8, maxEntries: 1 });
    if (!arr.ok) throw new Error(arr.message);
    const ok = k.bpf.progLoad({ type: 'TRACEPOINT', insns: assembleLlvm(`ld_pseudo r1, 1, ${hash}\nld_pseudo r2, 1, ${hash}\nr0 = 0\nexit`), license: 'GPL', name: 'ok' });
    expect(ok).toMatchObject({ ok: true, log: 'processed 4 insns\n' });
    expect(seen[0]!.maps.map((m) => [m.index, m.fd, m.info.name])).toEqual([[0, hash, 'h']]);
    expect(seen[0]!.program.insns.filter((i) => i.kind === 'lddw').map((i) => i.kind === 'lddw' && [i.pseudo, i.value])).toEqual([
      ['map_fd', 0n],
      ['map_fd', 0n],
    ]);
    expect(k.bpf.objGetInfoByFd(ok.ok ? ok.value : -1)).toMatchObject({ value: { verification: 'verified' } });
    const bad = k.bpf.progLoad({ type: 'TRACEPOINT', insns: assembleLlvm(`ld_pseudo r1, 1, ${arr.value}\nr0 = 0\nexit`), license: 'GPL', name: 'bad' });
    expect(bad).toMatchObject({ ok: false, errno: ERRNO.EACCES, reason: 'rejected', pc: 0, log: '0: (18) r1 = map\nR1 refused by the test verifier\n' });
    expect(bad.ok ? '' : bad.message).toBe('program bad: the verifier refused it: R1 refused by the test verifier');
  });

  it('resolves global data references (map_value) to addresses inside the map value', () => {
    const k = new Kernel();
    const arr = k.bpf.mapCreate({ type: 'ARRAY', name: 'data', keySize: 4, valueSize: 16, maxEntries: 1 });
    if (!arr.ok) throw new Error(arr.message);
    k.bpf.mapUpdateElem(arr.value, u32(0), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0, 0, 0, 0, 0, 0, 0));
    const insns: Insn[] = [{ kind: 'lddw', dst: 1, pseudo: 'map_value', value: (8n << 32n) | BigInt(arr.value) }, ...assembleLlvm('r0 = *(u64 *)(r1 + 0)\nexit')];
    const r = k.bpf.progLoad({ type: 'TRACEPOINT', insns, license: 'GPL', name: 'glob' });
    if (!r.ok) throw new Error(r.message);
    expect(k.bpf.progTestRun(r.value)).toMatchObject({ ok: true, value: { r0: 42n } });
    const past: Insn[] = [{ kind: 'lddw', dst: 1, pseudo: 'map_value', value: (16n << 32n) | BigInt(arr.value) }, ...assembleLlvm('r0 = 0\nexit')];
    expect(k.bpf.progLoad({ type: 'TRACEPOINT', insns: past, license: 'GPL' })).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
  });

  it('runs with a context and reads it back (BPF_PROG_TEST_RUN)', () => {
    const k = new Kernel();
    const fd = load(k, 'r2 = *(u32 *)(r1 + 0)\nr2 += 1\n*(u32 *)(r1 + 0) = r2\nr0 = r2\nexit');
    const r = k.bpf.progTestRun(fd, { ctx: u32(41), repeat: 3 });
    expect(r).toMatchObject({ ok: true, value: { retval: 42, ctxOut: u32(42) } });
    expect(k.bpf.objGetInfoByFd(fd)).toMatchObject({ value: { runCount: 3 } });
  });

  it('throws a run fault for a program nothing verified that reads NULL', () => {
    const k = new Kernel();
    const fd = load(k, 'r1 = 0\nr0 = *(u64 *)(r1 + 0)\nexit', { name: 'nullread' });
    expect(() => k.bpf.progTestRun(fd)).toThrow(expect.objectContaining({ name: 'KernelError', code: 'run-fault', message: expect.stringMatching(/^program nullread: pc 1: read of 8 bytes at 0x0 \(NULL\+0\): null pointer dereference/) }));
  });

  it('stops a runaway program with its budget', () => {
    const k = new Kernel();
    const fd = load(k, 'l:\ngoto l\nexit');
    expect(() => k.bpf.progTestRun(fd, { budget: 1000 })).toThrow(expect.objectContaining({ code: 'run-fault', message: expect.stringMatching(/budget of 1000 exhausted/) }));
  });
});

describe('pins in bpffs', () => {
  it('keeps a pinned map alive after its fd is closed, until unlinked', () => {
    const k = new Kernel();
    const fd = hashMap(k);
    k.bpf.mapUpdateElem(fd, u32(1), u64(5n));
    const info = k.bpf.objGetInfoByFd(fd);
    const id = info.ok ? info.value.id : -1;
    expect(k.bpf.objPin(fd, '/sys/fs/bpf/counts')).toEqual({ ok: true, value: undefined });
    k.bpf.close(fd);
    const again = k.bpf.objGet('/sys/fs/bpf/counts');
    if (!again.ok) throw new Error(again.message);
    expect(k.bpf.mapLookupElem(again.value, u32(1))).toEqual({ ok: true, value: u64(5n) });
    expect(k.bpf.objGetInfoByFd(again.value)).toMatchObject({ value: { kind: 'map', id } });
    k.bpf.close(again.value);
    expect(k.bpf.unlink('/sys/fs/bpf/counts')).toEqual({ ok: true, value: undefined });
    expect(k.bpf.mapGetFdById(id)).toMatchObject({ ok: false, errno: ERRNO.ENOENT });
  });

  it.each([
    { name: 'pin where something is pinned', op: (k: Kernel, fd: number) => k.bpf.objPin(fd, '/sys/fs/bpf/m'), errno: ERRNO.EEXIST },
    { name: 'pin outside bpffs', op: (k: Kernel, fd: number) => k.bpf.objPin(fd, '/tmp/m'), errno: ERRNO.EPERM },
    { name: 'pin in a missing directory', op: (k: Kernel, fd: number) => k.bpf.objPin(fd, '/sys/fs/bpf/nodir/m'), errno: ERRNO.ENOENT },
    { name: 'pin through a pinned object', op: (k: Kernel, fd: number) => k.bpf.objPin(fd, '/sys/fs/bpf/m/x'), errno: ERRNO.ENOTDIR },
    { name: 'get what is not pinned', op: (k: Kernel) => k.bpf.objGet('/sys/fs/bpf/none'), errno: ERRNO.ENOENT },
    { name: 'get a directory', op: (k: Kernel) => k.bpf.objGet('/sys/fs/bpf/dir'), errno: ERRNO.EACCES },
    { name: 'mkdir an existing path', op: (k: Kernel) => k.bpf.mkdir('/sys/fs/bpf/dir'), errno: ERRNO.EEXIST },
    { name: 'rmdir a directory with pins', op: (k: Kernel) => k.bpf.rmdir('/sys/fs/bpf/dir'), errno: ERRNO.ENOTEMPTY },
    { name: 'unlink a directory', op: (k: Kernel) => k.bpf.unlink('/sys/fs/bpf/dir'), errno: ERRNO.EISDIR },
    { name: 'unlink what is not pinned', op: (k: Kernel) => k.bpf.unlink('/sys/fs/bpf/none'), errno: ERRNO.ENOENT },
    { name: 'pin a perf event', op: (k: Kernel) => { const p = k.bpf.perfEventOpen({ cpu: 0 }); return k.bpf.objPin(p.ok ? p.value : -1, '/sys/fs/bpf/perf'); }, errno: ERRNO.EINVAL },
  ])('$name: errno $errno', ({ op, errno }) => {
    const k = new Kernel();
    const fd = hashMap(k);
    expect(k.bpf.objPin(fd, '/sys/fs/bpf/m')).toMatchObject({ ok: true });
    expect(k.bpf.mkdir('/sys/fs/bpf/dir')).toMatchObject({ ok: true });
    expect(k.bpf.objPin(fd, '/sys/fs/bpf/dir/inner')).toMatchObject({ ok: true });
    expect(op(k, fd)).toMatchObject({ ok: false, errno });
  });

  it('lists directories and pins programs', () => {
    const k = new Kernel();
    const prog = load(k, 'r0 = 0\nexit');
    k.bpf.mkdir('/sys/fs/bpf/lab');
    k.bpf.objPin(prog, '/sys/fs/bpf/lab/prog');
    k.bpf.objPin(hashMap(k), '/sys/fs/bpf/lab/map');
    expect(k.bpf.readdir('/sys/fs/bpf//lab/')).toEqual({ ok: true, value: [{ name: 'map', kind: 'map' }, { name: 'prog', kind: 'prog' }] });
    const got = k.bpf.objGet('/sys/fs/bpf/lab/prog');
    expect(got.ok && k.bpf.progTestRun(got.value)).toMatchObject({ ok: true, value: { r0: 0n } });
  });
});

describe('links', () => {
  it('needs a hook for the program type', () => {
    const k = new Kernel();
    expect(k.bpf.linkCreate(load(k, 'r0 = 0\nexit'))).toMatchObject({ ok: false, errno: ERRNO.EINVAL, message: expect.stringMatching(/no hook is registered for program type TRACEPOINT/) });
  });

  it('attaches through the registered hook, detaches once, and keeps the program alive', () => {
    const k = new Kernel();
    const events: string[] = [];
    const tp = k.programTypes.require('TRACEPOINT');
    k.programTypes.register({
      ...tp,
      attach: (program, request) => {
        events.push(`attach ${program.name} to ${request.target}`);
        const body: LinkBody = { type: 'PERF_EVENT', attachType: undefined, target: request.target ?? '', detach: () => events.push(`detach ${program.name}`) };
        return { ok: true, value: body };
      },
    });
    const prog = load(k, 'r0 = 0\nexit', { name: 'traced' });
    const link = k.bpf.linkCreate(prog, { target: 'syscalls/sys_enter_getpid' });
    if (!link.ok) throw new Error(link.message);
    expect(k.bpf.objGetInfoByFd(link.value)).toMatchObject({ value: { kind: 'link', type: 'PERF_EVENT', target: 'syscalls/sys_enter_getpid', detached: false } });
    const info = k.bpf.objGetInfoByFd(prog);
    const progId = info.ok ? info.value.id : -1;
    k.bpf.close(prog);
    expect(k.bpf.progGetFdById(progId)).toMatchObject({ ok: true });
    expect(k.bpf.linkDetach(link.value)).toEqual({ ok: true, value: undefined });
    expect(k.bpf.linkDetach(link.value)).toMatchObject({ ok: false, errno: ERRNO.ENOLINK });
    expect(events).toEqual(['attach traced to syscalls/sys_enter_getpid', 'detach traced']);
  });

  it('detaches when the last reference to the link goes', () => {
    const k = new Kernel();
    const events: string[] = [];
    k.programTypes.register({ ...k.programTypes.require('XDP'), attach: (p) => ({ ok: true, value: { type: 'XDP', attachType: 'XDP', target: 'lo', detach: () => events.push(`detach ${p.name}`) } }) });
    const prog = load(k, 'r0 = 2\nexit', { type: 'XDP', name: 'fw' });
    const link = k.bpf.linkCreate(prog);
    if (!link.ok) throw new Error(link.message);
    k.bpf.objPin(link.value, '/sys/fs/bpf/fw_link');
    k.bpf.close(link.value);
    k.bpf.close(prog);
    expect(events).toEqual([]);
    expect(k.bpf.progGetNextId(0)).toMatchObject({ ok: true });
    k.bpf.unlink('/sys/fs/bpf/fw_link');
    expect(events).toEqual(['detach fw']);
    expect(k.bpf.progGetNextId(0)).toMatchObject({ ok: false, errno: ERRNO.ENOENT });
  });
});
