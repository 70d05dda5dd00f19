// The hook registry and plugin API: defineHook's checks, context layouts,
// the registry's refusals and lookups, and a kprobe plugin written in the
// test with the public API only, attached through BPF_LINK_CREATE and by
// section, driven by its own step kind.
import { assembleLlvm } from '@bpflab/isa';
import { ERRNO } from '@bpflab/uapi';
import {
  ctxLayout,
  defineHook,
  formatCtxLayout,
  HookRegistry,
  Kernel,
  KernelError,
  ok,
  type HookDef,
  type ProgramRun,
} from '../src/index';
import { buildC, haveClang } from './support/clang';
import { kprobeHook } from './support/kprobe-plugin';

const CTX = ctxLayout('struct tiny', 8, { a: [0, 4], b: [4, 4] });

/** A minimal valid plugin definition, changed by `over`. */
function def(over: Partial<HookDef> = {}): HookDef {
  return {
    name: 'tiny',
    doc: 'a test plugin',
    programTypes: [{ progType: 'SOCKET_FILTER', sections: ['socket'], ctx: CTX }],
    attach: () => ok({ point: 'here', link: 'UNSPEC' }),
    ...over,
  };
}

function thrown(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a KernelError');
}

describe('defineHook', () => {
  it.each([
    { name: 'an uppercase name', have: def({ name: 'Tiny' }), want: 'the name must be lowercase' },
    { name: 'an empty doc', have: def({ doc: ' ' }), want: 'doc is empty' },
    { name: 'no program type', have: def({ programTypes: [] }), want: 'claims no program type' },
    {
      name: 'a section libbpf does not know',
      have: def({ programTypes: [{ progType: 'KPROBE', sections: ['kprobes+'], ctx: CTX }] }),
      want: `section "kprobes+" is not one of libbpf's SEC() definitions`,
    },
    {
      name: 'a prefix written without its +',
      have: def({ programTypes: [{ progType: 'KPROBE', sections: ['kprobe'], ctx: CTX }] }),
      want: `section "kprobe" is not one of libbpf's SEC() definitions`,
    },
    {
      name: 'a section of another program type',
      have: def({ programTypes: [{ progType: 'KPROBE', sections: ['xdp'], ctx: CTX }] }),
      want: 'section "xdp" is a XDP section, not KPROBE',
    },
    {
      name: 'a reversed return range',
      have: def({ programTypes: [{ progType: 'SOCKET_FILTER', sections: ['socket'], ctx: CTX, returns: { min: 1n, max: 0n } }] }),
      want: 'return range min 1 > max 0',
    },
    {
      name: 'a step kind with a bad name',
      have: def({ events: { 'Bad-Kind': { doc: 'x', schema: { type: 'object', properties: { 'Bad-Kind': {} } }, observation: {}, run: () => 0 } } }),
      want: 'step kind "Bad-Kind": use lowercase',
    },
    {
      name: 'a step schema without its kind',
      have: def({ events: { poke: { doc: 'x', schema: { type: 'object', properties: { other: {} } }, observation: {}, run: () => 0 } } }),
      want: 'step kind poke: the schema has no property poke',
    },
    {
      name: 'the reserved step key',
      have: def({ events: { name: { doc: 'x', schema: { type: 'object', properties: { name: {} } }, observation: {}, run: () => 0 } } }),
      want: 'step kind "name" is reserved',
    },
  ])('refuses $name', ({ have, want }) => {
    const e = thrown(() => defineHook(have));
    expect(e.code).toBe('bad-call');
    expect(e.message).toContain(want);
    expect(e.message).toMatch(/^hook plugin "/);
  });

  it('freezes what it returns', () => {
    const p = defineHook(def());
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.programTypes[0]!.ctx.fields)).toBe(true);
  });
});

describe('context layouts', () => {
  it.each([
    { name: 'overlapping fields', have: () => ctxLayout('struct x', 8, { a: [0, 8], b: [4, 4] }), want: 'field b (offset 4) overlaps a' },
    { name: 'a field past the end', have: () => ctxLayout('struct x', 8, { a: [4, 8] }), want: 'field a ends at 12, past the context\'s 8 bytes' },
    { name: 'a written pointer', have: () => ctxLayout('struct x', 8, { p: [0, 4, 'pkt', { write: [4] }] }), want: 'a pkt pointer field cannot be written' },
    { name: 'a narrow pointer read', have: () => ctxLayout('struct x', 8, { p: [0, 8, 'pkt', { read: [4] }] }), want: 'a pkt pointer field is read whole' },
    { name: 'a btf_id without its type', have: () => ctxLayout('struct x', 8, { f: [0, 8, 'btf_id'] }), want: 'a btf_id field names its btfType' },
    { name: 'an access size of 3', have: () => ctxLayout('struct x', 8, { a: [0, 4, 'scalar', { read: [3 as 4] }] }), want: 'access size 3 is not 1, 2, 4 or 8' },
  ])('refuses $name', ({ have, want }) => {
    expect(thrown(have).message).toContain(want);
  });

  it('gives scalars narrow reads and pointers whole reads, sorted by offset', () => {
    const l = ctxLayout('struct xdp_md', 24, { data_end: [4, 4, 'pkt_end'], data: [0, 4, 'pkt'], ingress_ifindex: [12, 4] });
    expect(l.fields.map((f) => [f.name, f.read, f.yields ?? 'scalar'])).toEqual([
      ['data', [4], 'pkt'],
      ['data_end', [4], 'pkt_end'],
      ['ingress_ifindex', [1, 2, 4], 'scalar'],
    ]);
  });

  it('prints as tracefs format lines', () => {
    const l = ctxLayout('struct x', 24, {
      nr: [8, 4, 'scalar', { cType: 'int', signed: true }],
      file: [16, 8, 'btf_id', { btfType: 'struct file' }],
      mark: [0, 4, 'scalar', { write: [4] }],
    });
    expect(formatCtxLayout(l)).toBe(
      [
        'struct x (24 bytes)',
        '\tfield:__u32 mark;\toffset:0;\tsize:4;\tsigned:0;\twritable',
        '\tfield:int nr;\toffset:8;\tsize:4;\tsigned:1;',
        '\tfield:struct file * file;\toffset:16;\tsize:8;\tsigned:0;\tptr_to_btf_id(struct file)',
        '',
      ].join('\n'),
    );
  });
});

describe('HookRegistry', () => {
  const other = (over: Partial<HookDef>) => defineHook(def({ name: 'other', ...over }));

  it.each([
    {
      name: 'a section another plugin claims',
      second: other({ programTypes: [{ progType: 'KPROBE', sections: ['uprobe+', 'kprobe+'], ctx: CTX }] }),
      want: 'hook plugin other: section "kprobe+" is already claimed by hook plugin kprobe',
    },
    {
      name: 'a step kind another plugin drives',
      second: other({
        events: { kcall: { doc: 'x', schema: { type: 'object', properties: { kcall: {} } }, observation: {}, run: () => 0 } },
      }),
      want: 'hook plugin other: step kind kcall is already claimed by hook plugin kprobe',
    },
    {
      name: 'a step kind of the registry itself',
      second: other({
        events: { map_update: { doc: 'x', schema: { type: 'object', properties: { map_update: {} } }, observation: {}, run: () => 0 } },
      }),
      want: "hook plugin other: step kind map_update is one of the registry's own user-space steps",
    },
    {
      name: 'the same program type and attach type in another section',
      second: other({ programTypes: [{ progType: 'KPROBE', sections: ['ksyscall+'], ctx: CTX }] }),
      want: 'hook plugin other: attaching KPROBE programs is already claimed by hook plugin kprobe',
    },
    { name: 'a second plugin of the same name', second: defineHook(def({ name: 'kprobe' })), want: 'hook plugin kprobe is already registered' },
  ])('refuses $name', ({ second, want }) => {
    const r = new HookRegistry().register(kprobeHook);
    const e = thrown(() => r.register(second));
    expect(e.code).toBe('hook-conflict');
    expect(e.message).toBe(want);
    expect(r.plugins().map((p) => p.name)).toEqual(['kprobe']); // nothing of the refused plugin stays
    expect(r.forStepKind('kcall')?.hook).toBe('kprobe');
  });

  it('refuses a plugin not made by defineHook', () => {
    const e = thrown(() => new HookRegistry().register(def() as never));
    expect(e.message).toContain('make it with defineHook()');
  });

  it('looks plugins up by section, program type and step kind', () => {
    const r = new HookRegistry().register(kprobeHook).register(defineHook(def()));
    expect(r.forSection('kretprobe/do_unlinkat')).toMatchObject({
      plugin: { name: 'kprobe' },
      info: { section: 'kretprobe/do_unlinkat', secDef: 'kretprobe+', target: { kind: 'kprobe', function: 'do_unlinkat', offset: 0 } },
    });
    expect(r.forSection('socket')?.plugin.name).toBe('tiny');
    expect(r.forSection('xdp')).toBeUndefined();
    expect(r.forSection('no_such_section')).toBeUndefined();
    expect(r.forProgramType('KPROBE', undefined)?.plugin.name).toBe('kprobe');
    expect(r.forProgramType('XDP', 'XDP')).toBeUndefined();
    expect(r.stepKinds()).toEqual(['advance_ns', 'kcall', 'map_delete', 'map_update']);
    expect(r.stepKindOf({ kcall: 'vfs_read', cpu: 1 })).toBe('kcall');
    expect(thrown(() => r.stepKindOf({ cpu: 1 })).message).toBe(
      'the step has none of the step kinds (advance_ns, kcall, map_delete, map_update); its keys: cpu',
    );
    expect(thrown(() => r.stepKindOf({ kcall: 'vfs_read', advance_ns: 5 })).message).toContain('several step kinds (kcall, advance_ns)');
    expect(r.points().map((p) => `${p.hook} ${p.section}`)).toEqual([
      'kprobe kprobe/do_unlinkat',
      'kprobe kretprobe/do_unlinkat',
      'kprobe kprobe/vfs_read',
      'kprobe kretprobe/vfs_read',
    ]);
  });

  it('builds one step schema from every driver, closed and with the common name', () => {
    const s = new HookRegistry().register(kprobeHook).stepSchema() as { definitions: Record<string, { required: string[]; additionalProperties: boolean; properties: object }> };
    expect(Object.keys(s.definitions).sort()).toEqual(['step', 'step_advance_ns', 'step_kcall', 'step_map_delete', 'step_map_update']);
    expect(s.definitions.step_kcall).toMatchObject({ required: ['kcall'], additionalProperties: false });
    expect(Object.keys(s.definitions.step_kcall!.properties)).toEqual(['name', 'kcall', 'args', 'ret', 'task', 'cpu']);
  });
});

/** A KPROBE program returning the first argument (di) plus 1, loaded through bpf(). */
function loadProbe(kernel: Kernel): number {
  // r1 = ctx (pt_regs); di is at offset 112
  const p = kernel.bpf.progLoad({ type: 'KPROBE', insns: assembleLlvm('r0 = *(u64 *)(r1 + 112)\nr0 += 1\nexit'), license: 'GPL', name: 'first_arg' });
  if (!p.ok) throw new Error(p.message);
  return p.value;
}

describe('installing a registry in a kernel', () => {
  it('attaches through BPF_LINK_CREATE and runs the plugin\'s step', () => {
    const kernel = new Kernel({ cpus: 2 });
    const host = new HookRegistry().register(kprobeHook).install(kernel);
    const fd = loadProbe(kernel);
    const link = kernel.bpf.linkCreate(fd, { target: 'vfs_read' });
    expect(link.ok).toBe(true);
    expect(host.attachments().map((a) => [a.hook, a.point, a.program.name])).toEqual([['kprobe', 'vfs_read', 'first_arg']]);

    const r = host.runStep({ kcall: 'vfs_read', args: [41], task: { pid: 4242, comm: 'cat' }, cpu: 1, name: 'a read' });
    expect(r).toMatchObject({ kind: 'kcall', hook: 'kprobe', name: 'a read', text: ['kcall vfs_read: first_arg r0=42'] });
    const runs = (r.observation as { runs: ProgramRun[] }).runs;
    expect(runs).toEqual([{ program: 'first_arg', point: 'vfs_read', cpu: 1, pid: 4242, retval: 42, r0: '0x2a', trace: [] }]);
    expect(host.runStep({ kcall: 'do_unlinkat' }).text).toEqual(['kcall do_unlinkat: no program attached']);
    expect(host.summaries()).toEqual([{ hook: 'kprobe', title: 'kernel calls', data: { calls: 2 }, text: ['2 kernel calls'] }]);

    // detaching forgets the attachment
    if (!link.ok) throw new Error('unreachable');
    expect(kernel.bpf.linkDetach(link.value).ok).toBe(true);
    expect(host.attachments()).toEqual([]);
    expect(host.runStep({ kcall: 'vfs_read', args: [1] }).text).toEqual(['kcall vfs_read: no program attached']);
  });

  it('answers the plugin\'s errno for a target it does not know', () => {
    const kernel = new Kernel();
    new HookRegistry().register(kprobeHook).install(kernel);
    const r = kernel.bpf.linkCreate(loadProbe(kernel), { target: 'no_such_function' });
    expect(r).toEqual({ ok: false, errno: ERRNO.ENOENT, message: 'prog first_arg: no kernel function \'no_such_function\' to probe' });
  });

  it('leaves unclaimed program types without a hook', () => {
    const kernel = new Kernel();
    new HookRegistry().register(kprobeHook).install(kernel);
    const p = kernel.bpf.progLoad({ type: 'TRACEPOINT', insns: assembleLlvm('r0 = 0\nexit'), license: 'GPL' });
    if (!p.ok) throw new Error(p.message);
    const r = kernel.bpf.linkCreate(p.value, { target: 'x/y' });
    expect(r.ok).toBe(false);
  });

  it('refuses a second installation in one kernel', () => {
    const kernel = new Kernel();
    new HookRegistry().install(kernel);
    expect(thrown(() => new HookRegistry().register(kprobeHook).install(kernel)).code).toBe('hook-conflict');
  });

  it('checks step tasks and CPUs', () => {
    const kernel = new Kernel({ cpus: 2 });
    const host = new HookRegistry().register(kprobeHook).install(kernel);
    host.runStep({ kcall: 'vfs_read', task: { pid: 500, comm: 'cat', uid: 1000 } });
    expect(kernel.tasks.get(500)?.uid).toBe(1000);
    expect(host.runStep({ kcall: 'vfs_read', task: 500 }).kind).toBe('kcall');
    expect(host.runStep({ kcall: 'vfs_read', task: { pid: 500, comm: 'cat' } }).kind).toBe('kcall');
    expect(thrown(() => host.runStep({ kcall: 'vfs_read', task: { pid: 500, comm: 'ls' } })).message).toBe(
      'task 500 already exists with comm "cat", this step says "ls"',
    );
    expect(thrown(() => host.runStep({ kcall: 'vfs_read', task: 501 })).message).toContain('task 501 does not exist');
    const e = thrown(() => host.runStep({ kcall: 'vfs_read', cpu: 2 }));
    expect([e.code, e.message]).toEqual(['bad-step', "cpu 2 is not one of the machine's 2 CPUs (0-1)"]);
  });

  it('writes the files plugins make at the end, and refuses two writers of one kind', () => {
    const pcap = (name: string, bytes: Uint8Array | undefined) =>
      defineHook(
        def({
          name,
          programTypes: [{ progType: name === 'a' ? 'SOCKET_FILTER' : 'XDP', sections: [name === 'a' ? 'socket' : 'xdp'], ctx: CTX }],
          artifacts: { pcap: { doc: 'packets', write: () => bytes } },
        }),
      );
    const one = new HookRegistry().register(pcap('a', new Uint8Array([1, 2]))).register(kprobeHook).install(new Kernel());
    expect(one.artifactKinds()).toEqual(['pcap']);
    expect(one.artifact('pcap')).toEqual({ hook: 'a', bytes: new Uint8Array([1, 2]) });
    expect(one.artifact('json')).toBeUndefined();
    expect(new HookRegistry().register(pcap('a', undefined)).install(new Kernel()).artifact('pcap')).toBeUndefined();
    const two = new HookRegistry().register(pcap('a', new Uint8Array(1))).register(pcap('b', new Uint8Array(1))).install(new Kernel());
    expect(thrown(() => two.artifact('pcap')).message).toBe('hook plugins a and b both write pcap files');
  });

  it('refuses extra helpers the program type may not call', () => {
    const bad = defineHook(
      def({ programTypes: [{ progType: 'SOCKET_FILTER', sections: ['socket'], ctx: CTX, helpers: [1], extraHelpers: () => new Map([[2, { kind: 'bigint', name: 'x', fn: () => 0n }]]) }] }),
    );
    expect(thrown(() => new HookRegistry().register(bad).install(new Kernel())).message).toBe(
      'hook plugin tiny: extra helper x#2 is not allowed for SOCKET_FILTER programs (add it to helpers)',
    );
  });
});

const CLANG = haveClang('hooks.test.ts');
const maybe = CLANG ? describe : describe.skip;

const PROBES = `
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} watched SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd)
{
	__u32 uid = bpf_get_current_uid_gid();
	__u64 *hits = bpf_map_lookup_elem(&watched, &uid);

	if (!hits)
		return 0;
	*hits += 1;
	bpf_printk("unlink by watched uid %u (dfd %d)", uid, dfd);
	return 1;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(on_unlink_ret, long ret)
{
	return ret;
}

SEC("kprobe")
int unnamed(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

maybe('attaching an object by section (clang)', () => {
  it('auto-attaches as libbpf does, reports what it could not, and runs map steps', () => {
    const kernel = new Kernel({ cpus: 2 });
    const host = new HookRegistry().register(kprobeHook).install(kernel);
    const obj = kernel.openObject(buildC(PROBES, 'probes.bpf.c')!, { name: 'probes.bpf.o' });
    expect(obj.load()).toEqual({ ok: true });
    const outcomes = host.attachObject(obj);
    expect(outcomes.map((o) => [o.kind, o.program, 'point' in o ? o.point : 'reason' in o ? o.reason : ''])).toEqual([
      ['attached', 'on_unlink', 'do_unlinkat'],
      ['attached', 'on_unlink_ret', 'do_unlinkat%return'],
      ['manual', 'unnamed', 'SEC("kprobe") names no function: attach it with a target'],
    ]);

    const task = { pid: 77, comm: 'rm', uid: 1001 };
    const before = host.runStep({ kcall: 'do_unlinkat', args: [-100], ret: -2, task });
    expect((before.observation as { runs: ProgramRun[] }).runs.map((r) => [r.program, r.retval])).toEqual([
      ['on_unlink', 0],
      ['on_unlink_ret', -2],
    ]);
    expect(host.runStep({ map_update: { map: 'watched', key: 1001, value: 0 } }).text).toEqual(['map_update watched: ok']);
    const after = host.runStep({ kcall: 'do_unlinkat', args: [-100], task, cpu: 1 });
    const runs = (after.observation as { runs: ProgramRun[] }).runs;
    expect(runs[0]).toMatchObject({ program: 'on_unlink', retval: 1, cpu: 1, pid: 77 });
    expect(runs[0]!.trace).toHaveLength(1);
    expect(runs[0]!.trace[0]).toMatch(/rm-77 +\[001\] d\.\.\.1 +5\.000000: bpf_trace_printk: unlink by watched uid 1001 \(dfd -100\)$/);
    expect(obj.map('watched').lookup(1001)).toBe(1n);

    expect(host.runStep({ map_delete: { map: 'watched', key: 1001 } }).observation).toEqual({ map: 'watched', op: 'delete', existed: true });
    expect(host.runStep({ map_delete: { map: 'watched', key: 1001 } }).text).toEqual(['map_delete watched: no such key (ENOENT)']);
    expect(thrown(() => host.runStep({ map_update: { map: 'nope', key: 1, value: 1 } })).message).toBe("no map 'nope' (maps: watched, probes.rodata)");
    expect(thrown(() => host.runStep({ map_update: { map: 'watched', key: 'x', value: 1 } })).message).toMatch(/^map_update watched: a value of type/);

    // the manual one attaches with a target
    expect(host.attach(obj.program('unnamed'), { target: 'vfs_read' })).toMatchObject({ kind: 'attached', point: 'vfs_read' });
    expect(() => host.attachObject(obj, { nope: { target: 'x' } })).toThrow("attach: object probes has no program 'nope' (programs: on_unlink, on_unlink_ret, unnamed)");
  });
});
