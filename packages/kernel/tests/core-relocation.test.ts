// CO-RE relocations resolved by a default Kernel against its own BTF, end to
// end: the course's vmlinux.h programs load with every relocation resolved;
// programs with `___flavor` structs read the running task's fields at the
// kernel's offsets; size, existence, enumerator and bitfield questions get
// the kernel's answers; a field the kernel lacks poisons its instruction,
// which is harmless in dead code and refuses the load, naming the
// relocation, where the program reaches it. Built with clang from the
// toolchain's fixtures; skipped visibly without clang.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readObject } from '@bpflab/object';
import { ERRNO } from '@bpflab/uapi';
import {
  CORE_POISON_HELPER,
  defaultCoreRelocator,
  Kernel,
  kernelBtf,
  kernelOffsetOf,
  KernelError,
  NOT_VERIFIED_LOG,
  type CoreRelocatedProgram,
  type CoreRelocator,
  type Verifier,
} from '../src/index';
import { buildC, buildSeed, haveClang } from './support/clang';

const VMLINUX = join(dirname(fileURLToPath(import.meta.url)), '../../toolchain/tests/fixtures/vmlinux');
const clang = haveClang('core-relocation.test.ts');
const withClang = clang ? it : it.skip;
const eachWithClang = clang ? it.each : it.skip.each;

const HEADERS = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_core_read.h>\nchar LICENSE[] SEC("license") = "GPL";\n';

function build(name: string, body: string): Uint8Array {
  return buildC(`${HEADERS}${body}\n`, `${name}.bpf.c`)!;
}

/** A relocator that records what the default one did, by program. */
function spy(): { readonly relocator: CoreRelocator; readonly seen: Map<string, CoreRelocatedProgram> } {
  const seen = new Map<string, CoreRelocatedProgram>();
  const relocator: CoreRelocator = (request) => {
    const r = defaultCoreRelocator(request);
    if (r.ok) seen.set(request.program.name, r.value);
    return r;
  };
  return { relocator, seen };
}

/** The slot of the first CO-RE relocation of `program` whose description matches. */
function reloPc(bytes: Uint8Array, program: string, description: RegExp): number {
  const p = readObject(bytes).programs.find((x) => x.name === program)!;
  const c = p.coreRelocations.find((r) => description.test(r.description));
  if (c === undefined) throw new Error(`${program}: no CO-RE relocation of ${description}`);
  return c.pc;
}

describe('the course programs written against vmlinux.h', () => {
  // iter_task's relocations all resolve; its load then stops at bpf_seq_printf,
  // which only an iterator program may call: the iterators plugin registers that type
  eachWithClang<[string, number, RegExp | undefined]>([
    ['hello', 0, undefined],
    ['syscount', 1, undefined],
    ['xdp_firewall', 5, undefined],
    ['lsm_access', 5, undefined],
    ['iter_task', 11, /^prog 'dump_task': failed to load: program dump_task: pc \d+: program of this type cannot use helper bpf_seq_printf#126$/],
  ])('%s: a default kernel resolves its %d CO-RE relocations', (name, count, refusal) => {
    const bytes = buildC(readFileSync(join(VMLINUX, `${name}.bpf.c`), 'utf8'), `vmlinux-${name}.bpf.c`)!;
    const loaded = new Kernel().openObject(bytes, { name: `${name}.bpf.o` }).load();
    if (refusal === undefined) expect(loaded).toEqual({ ok: true });
    else expect(loaded.ok ? '' : loaded.message).toMatch(refusal);

    const { relocator, seen } = spy();
    const spec = readObject(bytes, { name: `${name}.bpf.o` });
    expect(new Kernel({ coreRelocator: relocator }).openObject(spec).load().ok).toBe(refusal === undefined);
    const relocations = spec.programs.flatMap((p) => p.coreRelocations);
    expect(relocations).toHaveLength(count);
    for (const p of spec.programs) {
      const done = seen.get(p.name);
      if (p.coreRelocations.length === 0) continue;
      expect(done?.poisoned).toEqual([]);
      // vmlinux.h is printed from the kernel's BTF: every offset stays what clang computed
      for (const c of p.coreRelocations) expect(done?.insns[c.insn]).toEqual(p.insns[c.insn]);
    }
  });

  withClang("reads task_struct and cred through CO-RE at the kernel's offsets (iter_task)", () => {
    const spec = readObject(buildC(readFileSync(join(VMLINUX, 'iter_task.bpf.c'), 'utf8'), 'vmlinux-iter_task.bpf.c')!);
    const described = spec.programs[0]!.coreRelocations.map((c) => c.description.replace(/^\[\d+\] /, ''));
    expect(described).toContain(`struct task_struct.pid (0:21 @ offset ${kernelOffsetOf('task_struct', 'pid')})`);
    expect(described).toContain(`struct task_struct.real_parent (0:23 @ offset ${kernelOffsetOf('task_struct', 'real_parent')})`);
    expect(described).toContain(`struct cred.euid.val (0:5:0 @ offset ${kernelOffsetOf('cred', 'euid')})`);
  });
});

describe('___flavor structs', () => {
  withClang('core_read reads the current task and its parent at the kernel offsets', () => {
    const kernel = new Kernel();
    const obj = kernel.openObject(buildSeed('core_read')!, { name: 'core_read.bpf.o' });
    expect(obj.load()).toEqual({ ok: true });
    const parent = kernel.tasks.spawn({ pid: 700, comm: 'bash' });
    const child = kernel.tasks.spawn({ pid: 4242, ppid: parent.pid, comm: 'cat' });
    const r = obj.program('read_task').run(new Uint8Array(8), { task: child });
    expect(r.retval).toBe(0);
    expect(r.trace).toHaveLength(1);
    expect(r.trace[0]).toMatch(/bpf_trace_printk: pid 4242 parent 700$/);
    // the relocated instructions hold the kernel's offsets, not task_struct___local's 0, 8 and 4
    const insns = obj.program('read_task').loaded.insns;
    expect(insns[2]).toMatchObject({ kind: 'alu', src: { imm: kernelOffsetOf('task_struct', 'pid') } });
    expect(insns[9]).toMatchObject({ kind: 'alu', src: { imm: kernelOffsetOf('task_struct', 'real_parent') } });
    expect(insns[17]).toMatchObject({ kind: 'alu', src: { imm: kernelOffsetOf('task_struct', 'tgid') } });
  });

  withClang('a field renamed between kernels: the guarded read of the old name is dead code, and harmless', () => {
    const bytes = build(
      'task_state',
      `struct task_struct___old { long state; } __attribute__((preserve_access_index));
SEC("tracepoint/syscalls/sys_enter_getpid")
int task_state(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	if (bpf_core_field_exists(((struct task_struct___old *)t)->state))
		return BPF_CORE_READ((struct task_struct___old *)t, state) + 1000;
	return BPF_CORE_READ(t, __state) + 2000;
}`,
    );
    const kernel = new Kernel();
    const obj = kernel.openObject(bytes);
    expect(obj.load()).toEqual({ ok: true });
    const loaded = obj.program('task_state').loaded;
    expect(loaded.insns.filter((i) => i.kind === 'call' && i.helper === CORE_POISON_HELPER)).toHaveLength(1);
    const task = kernel.tasks.spawn({ pid: 31, comm: 'sleep' });
    // TASK_INTERRUPTIBLE, written as the kernel would (task_struct is read-only to programs)
    kernel.memory.view().setUint32(task.address + kernelOffsetOf('task_struct', '__state'), 1, true);
    expect(obj.program('task_state').run(new Uint8Array(8), { task }).retval).toBe(2001);
  });

  // (bpf_core_type_matches needs clang 15: the btf package's tests cover it)
  withClang('size, offset, existence, enumerator and type id questions get the kernel answers', () => {
    const bytes = build(
      'questions',
      `struct task_struct___mini { int pid; int tgid; } __attribute__((preserve_access_index));
struct no_such_thing___x { int a; };
enum bpf_map_type___mine { BPF_MAP_TYPE_PERCPU_HASH___mine = 42, BPF_MAP_TYPE_GONE___mine = 43 };
SEC("tracepoint/syscalls/sys_enter_getpid")
int questions(void *ctx)
{
	bpf_printk("size %u offset %u field %u", bpf_core_type_size(struct task_struct___mini),
		bpf_core_field_offset(struct task_struct___mini, tgid), bpf_core_field_size(struct task_struct___mini, pid));
	bpf_printk("exists %d %d %d", bpf_core_type_exists(struct task_struct___mini), bpf_core_type_exists(struct no_such_thing___x),
		bpf_core_field_exists(struct task_struct___mini, tgid));
	bpf_printk("enum %d %d %d", bpf_core_enum_value(enum bpf_map_type___mine, BPF_MAP_TYPE_PERCPU_HASH___mine),
		bpf_core_enum_value_exists(enum bpf_map_type___mine, BPF_MAP_TYPE_PERCPU_HASH___mine),
		bpf_core_enum_value_exists(enum bpf_map_type___mine, BPF_MAP_TYPE_GONE___mine));
	bpf_printk("type %d", bpf_core_type_id_kernel(struct task_struct___mini));
	return 0;
}`,
    );
    const kernel = new Kernel();
    const obj = kernel.openObject(bytes);
    expect(obj.load()).toEqual({ ok: true });
    const messages = obj
      .program('questions')
      .run(new Uint8Array(8))
      .trace.map((l) => l.replace(/^.*bpf_trace_printk: /, ''));
    const taskStruct = kernelBtf().find('task_struct', 'struct')!;
    expect(messages).toEqual([
      `size ${taskStruct.size} offset ${kernelOffsetOf('task_struct', 'tgid')} field 4`,
      'exists 1 0 1',
      'enum 5 1 0',
      `type ${taskStruct.id}`,
    ]);
  });

  withClang('bitfields are read with the kernel layout (iphdr: ihl in the low nibble)', () => {
    const bytes = build(
      'ihl',
      `struct iphdr___swapped { __u8 version:4, ihl:4; __u8 tos; } __attribute__((preserve_access_index));
SEC("tracepoint/syscalls/sys_enter_getpid")
int ihl(struct iphdr___swapped *ip)
{
	return BPF_CORE_READ_BITFIELD(ip, ihl) * 100 + BPF_CORE_READ_BITFIELD(ip, version);
}`,
    );
    const kernel = new Kernel();
    const obj = kernel.openObject(bytes);
    expect(obj.load()).toEqual({ ok: true });
    // without relocation the swapped local layout would read ihl 4 and version 5 (405)
    expect(obj.program('ihl').run(new Uint8Array([0x45, 0, 0, 0, 0, 0, 0, 0])).retval).toBe(504);
  });
});

describe('relocations the kernel cannot satisfy', () => {
  const MISSING_FIELD = `struct task_struct___x { int pidx; } __attribute__((preserve_access_index));
SEC("tracepoint/syscalls/sys_enter_getpid")
int handle(void *ctx)
{
	struct task_struct___x *t = (void *)bpf_get_current_task();
	return BPF_CORE_READ(t, pidx);
}`;

  withClang('a reachable read of a field the kernel lacks refuses the load, naming the relocation', () => {
    const bytes = build('missing_field', MISSING_FIELD);
    const pc = reloPc(bytes, 'handle', /pidx/);
    const kernel = new Kernel();
    const r = kernel.openObject(bytes).load();
    expect(r).toEqual({
      ok: false,
      errno: ERRNO.EINVAL,
      reason: 'relocation',
      program: 'handle',
      message: `prog 'handle': CO-RE relocation #0 at insn ${pc}: field 'task_struct___x.pidx' not found in the kernel's BTF`,
      log: NOT_VERIFIED_LOG,
    });
    expect(kernel.loadedPrograms()).toEqual([]);
  });

  withClang('a relocator that returns bare instructions has its poisoned ones found and reported', () => {
    const bytes = build('missing_field', MISSING_FIELD);
    const pc = reloPc(bytes, 'handle', /pidx/);
    const bare: CoreRelocator = (request) => {
      const r = defaultCoreRelocator(request);
      return r.ok ? { ok: true, value: r.value.insns } : r;
    };
    const r = new Kernel({ coreRelocator: bare }).openObject(bytes).load();
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EINVAL, reason: 'relocation', program: 'handle' });
    expect(r.ok ? '' : r.message).toMatch(
      new RegExp(`^prog 'handle': CO-RE relocation #0 at insn ${pc}: field_byte_offset of \\[\\d+\\] struct task_struct___x\\.pidx \\(0:0 @ offset 0\\): the relocator poisoned the instruction$`),
    );
  });

  withClang('a struct the kernel does not have says so', () => {
    const bytes = build(
      'missing_struct',
      `struct no_such_struct { int a; } __attribute__((preserve_access_index));
SEC("tracepoint/syscalls/sys_enter_getpid")
int handle(struct no_such_struct *s) { return s->a; }`,
    );
    const r = new Kernel().openObject(bytes).load();
    expect(r.ok ? '' : r.message).toMatch(
      /^prog 'handle': CO-RE relocation #0 at insn \d+: field 'no_such_struct\.a' not found in the kernel's BTF: it has no struct named 'no_such_struct'$/,
    );
  });

  withClang("a verifier's refusal of the poisoned call is reported as the relocation, with its log", () => {
    const bytes = build('missing_field', MISSING_FIELD);
    const pc = reloPc(bytes, 'handle', /pidx/);
    const refusePoison: Verifier = (program) => {
      const i = program.insns.findIndex((x) => x.kind === 'call' && x.helper === CORE_POISON_HELPER);
      if (i < 0) return { ok: true, log: 'processed 1 insns\n', errors: [] };
      return { ok: false, log: `${i}: (85) call unknown#195896080\ninvalid func unknown#195896080\n`, errors: [{ message: 'invalid func unknown#195896080', pc: i }], errno: ERRNO.EINVAL };
    };
    const r = new Kernel({ verifier: refusePoison }).openObject(bytes).load();
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EINVAL, reason: 'relocation', program: 'handle', log: expect.stringContaining('invalid func unknown#195896080') });
    expect(r.ok ? '' : r.message).toBe(`prog 'handle': CO-RE relocation #0 at insn ${pc}: field 'task_struct___x.pidx' not found in the kernel's BTF`);
  });

  withClang('a poisoned call an unchecking verifier let through faults when it runs', () => {
    const acceptAll: Verifier = () => ({ ok: true, verified: true, log: '', errors: [] });
    const kernel = new Kernel({ verifier: acceptAll });
    const obj = kernel.openObject(build('missing_field', MISSING_FIELD));
    expect(obj.load()).toEqual({ ok: true });
    expect(() => obj.program('handle').run(new Uint8Array(8))).toThrow(KernelError);
    expect(() => obj.program('handle').run(new Uint8Array(8))).toThrow(/invalid func unknown#195896080: the program reached an instruction a failed CO-RE relocation poisoned/);
  });

  withClang('an instruction that disagrees with its BTF refuses the load (libbpf validates what it patches)', () => {
    const spec = readObject(buildSeed('core_read')!, { name: 'core_read.bpf.o' });
    const p = spec.programs[0]!;
    const c = p.coreRelocations[0]!;
    const insns = p.insns.map((insn, i) => (i === c.insn && insn.kind === 'alu' ? { ...insn, src: { imm: 7 } } : insn));
    const r = new Kernel().openObject({ ...spec, programs: [{ ...p, insns }] }).load();
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EINVAL, reason: 'relocation', program: 'read_task' });
    expect(r.ok ? '' : r.message).toBe(
      `prog 'read_task': CO-RE relocation #0 at insn ${c.pc}: field_byte_offset of [5] struct task_struct___local.pid (0:0 @ offset 0): unexpected ALU immediate 7: the program's BTF gives 0 (to become ${kernelOffsetOf('task_struct', 'pid')})`,
    );
  });
});
