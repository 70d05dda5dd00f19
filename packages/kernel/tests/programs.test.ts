// Programs built from C exercising the loader and the base helpers: tail
// calls and their limit, bpf_loop, ring buffers, trace_printk formats,
// spin locks, global data, kconfig, maps of maps, legacy maps, pinning by
// name, and programs that must fail to load, naming why.
import { readObject } from '@bpflab/object';
import { ERRNO } from '@bpflab/uapi';
import { Kernel, MAX_TAIL_CALL_CNT, type BpfObject } from '../src/index';
import { buildFixture, buildSeed, haveClang } from './support/clang';

const CLANG = haveClang('programs.test.ts');
const maybe = CLANG ? describe : describe.skip;

function open(kernel: Kernel, bytes: Uint8Array | undefined, name: string, autoload?: readonly string[]): BpfObject {
  const obj = kernel.openObject(bytes!, { name: `${name}.bpf.o` });
  if (autoload !== undefined) for (const p of obj.programs()) p.setAutoload(autoload.includes(p.name));
  return obj;
}

function loaded(kernel: Kernel, bytes: Uint8Array | undefined, name: string, autoload?: readonly string[]): BpfObject {
  const obj = open(kernel, bytes, name, autoload);
  const r = obj.load();
  if (!r.ok) throw new Error(r.message);
  return obj;
}

const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};

maybe('tail calls', () => {
  function setup(): { kernel: Kernel; obj: BpfObject } {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildFixture('tail_calls'), 'tail_calls', ['chain', 'other', 'via_preset']);
    const jumps = obj.map('jumps');
    expect(jumps.updateElem(u32(0), u32(obj.program('chain').fd))).toEqual({ ok: true, value: undefined });
    expect(jumps.updateElem(u32(1), u32(obj.program('other').fd))).toEqual({ ok: true, value: undefined });
    return { kernel, obj };
  }

  it.each([
    { name: 'into itself until the limit', slot: 0, retval: 7, runs: 1n + BigInt(MAX_TAIL_CALL_CNT), tailCalls: MAX_TAIL_CALL_CNT },
    { name: 'into another program', slot: 1, retval: 42, runs: 101n, tailCalls: 1 },
    { name: 'to an empty slot: falls through', slot: 2, retval: 7, runs: 1n, tailCalls: 0 },
    { name: 'past max_entries: falls through', slot: 9, retval: 7, runs: 1n, tailCalls: 0 },
  ])('$name', ({ slot, retval, runs, tailCalls }) => {
    const { obj } = setup();
    obj.map('.bss').update(0, { runs: 0n, slot });
    const r = obj.program('chain').run(new Uint8Array(8));
    expect(r.retval).toBe(retval);
    expect(r.tailCalls).toBe(tailCalls);
    expect(obj.map('.bss').lookup(0)).toEqual({ runs, slot });
  });

  it('counts 33 tail calls then falls through (MAX_TAIL_CALL_CNT)', () => {
    expect(MAX_TAIL_CALL_CNT).toBe(33);
    const { obj } = setup();
    const r = obj.program('chain').run(new Uint8Array(8));
    expect(r.finalProgram.name).toBe('chain');
    expect(r.tailCalls).toBe(33);
  });

  it('tells onRun of each finished run, tail calls counted in the first program', () => {
    const heard: { program: string; cpu: number; executed: number }[] = [];
    const kernel = new Kernel({ onRun: (r) => heard.push(r) });
    const obj = loaded(kernel, buildFixture('tail_calls'), 'tail_calls', ['chain', 'other', 'via_preset']);
    obj.map('jumps').updateElem(u32(1), u32(obj.program('other').fd));
    obj.map('.bss').update(0, { runs: 0n, slot: 1 });
    const r = obj.program('chain').run(new Uint8Array(8), { cpu: 1 });
    expect(heard).toEqual([{ program: 'chain', cpu: 1, executed: r.executed }]);
    expect(r.executed).toBeGreaterThan(1);
  });

  it('follows a prog array slot the object fills itself', () => {
    const { obj } = setup();
    expect(obj.map('preset').lookup(1)).toBe(obj.program('other').id);
    expect(obj.program('via_preset').run(new Uint8Array(8))).toMatchObject({ retval: 42, tailCalls: 1 });
  });

  it('refuses a program of another type in the prog array', () => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildFixture('tail_calls'), 'tail_calls');
    const r = obj.map('jumps').updateElem(u32(3), u32(obj.program('wrong_type').fd));
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
  });
});

maybe('bpf_loop', () => {
  it.each([
    { n: 10, stop: 100, iterations: 10n, sum: 45n },
    { n: 10, stop: 3, iterations: 4n, sum: 3n },
    { n: 0, stop: 0, iterations: 0n, sum: 0n },
    { n: (1 << 23) + 1, stop: 0, iterations: BigInt(-ERRNO.E2BIG), sum: 0n },
  ])('n=$n stop=$stop: $iterations iterations, sum $sum', ({ n, stop, iterations, sum }) => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildFixture('loop'), 'loop');
    obj.map('.bss').update(0, { result: 0n, iterations: 0n, n, stop });
    obj.program('looper').run(new Uint8Array(8));
    expect(obj.map('.bss').lookup(0)).toMatchObject({ result: sum, iterations });
  });
});

maybe('ring buffer', () => {
  it('delivers the records a program submits, in order', () => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildSeed('ringbuf'), 'ringbuf');
    const a = kernel.tasks.spawn({ pid: 501, comm: 'ls', uid: 1000 });
    const b = kernel.tasks.spawn({ pid: 502, tgid: 501, comm: 'ls-worker', uid: 1000 });
    obj.program('report_exec').run(new Uint8Array(8), { task: a });
    obj.program('report_exec').run(new Uint8Array(8), { task: b });
    const records = obj.map('events').consumeRingBuffer();
    expect(records).toHaveLength(2);
    const decode = (r: Uint8Array) => {
      const v = new DataView(r.buffer, r.byteOffset);
      const comm = r.subarray(8, 24);
      return { pid: v.getUint32(0, true), uid: v.getUint32(4, true), comm: new TextDecoder().decode(comm.subarray(0, comm.indexOf(0))) };
    };
    expect(records.map(decode)).toEqual([
      { pid: 501, uid: 1000, comm: 'ls' },
      { pid: 501, uid: 1000, comm: 'ls-worker' },
    ]);
    expect(obj.map('events').consumeRingBuffer()).toEqual([]);
  });
});

maybe('bpf_printk and bpf_snprintf', () => {
  it('formats, refuses a bad conversion with -EINVAL, and goes through vprintk past three arguments', () => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildFixture('printk'), 'printk');
    obj.map('names').update(0, 'bpflab');
    const r = obj.program('printer').run(new Uint8Array(8), { task: kernel.tasks.spawn({ pid: 77, comm: 'tester' }) });
    expect(r.trace.map((l) => l.slice(l.indexOf('bpf_trace_printk: ') + 18))).toEqual(['bpflab is -5 (0xff), z%', '1 2 3 4 5 -6']);
    expect(obj.map('.bss').lookup(0)).toEqual({
      ret_ok: BigInt('bpflab is -5 (0xff), z%'.length),
      ret_bad: BigInt(-ERRNO.EINVAL),
      ret_many: BigInt('1 2 3 4 5 -6'.length),
      ret_snprintf: BigInt('42-7'.length + 1),
      formatted: '42-7',
    });
  });
});

maybe('bpf_spin_lock', () => {
  it('guards a counter in a map value', () => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildFixture('spin_lock'), 'spin_lock');
    for (let i = 0; i < 3; i++) obj.program('bump').run(new Uint8Array(8), { cpu: i % 2 });
    expect(obj.map('counter').lookup(0)).toEqual({ lock: { val: 0 }, count: 3n });
  });
});

maybe('global data and kconfig', () => {
  it('maps .data, .rodata, .bss and custom sections; .rodata is set before load and frozen', () => {
    const kernel = new Kernel();
    const obj = open(kernel, buildSeed('globals'), 'globals');
    obj.map('.rodata').setGlobals({ target_pid: 600 });
    expect(obj.load()).toEqual({ ok: true });
    const prog = obj.program('use_globals');
    const other = kernel.tasks.spawn({ pid: 601 });
    const target = kernel.tasks.spawn({ pid: 600 });
    prog.run(new Uint8Array(8), { task: other });
    const r = prog.run(new Uint8Array(8), { task: target });
    expect(r.trace[0]).toMatch(/bpf_trace_printk: seen 1 2$/);
    expect(obj.map('.bss').lookup(0)).toEqual({ total_calls: 1n, hidden_total: 2n });
    expect(obj.map('.data').lookup(0)).toEqual({ calls_seen: 43 });
    expect(obj.map('.data.custom').lookup(0)).toEqual({ custom_step: 42 });
    expect(obj.map('globals.rodata').lookup(0)).toMatchObject({ target_pid: 600, greeting: 'seen' });
    expect(obj.map('.rodata').updateElem(u32(0), new Uint8Array(obj.map('.rodata').spec.valueSize))).toMatchObject({ ok: false, errno: ERRNO.EPERM });
  });

  it('fills __kconfig externs from the kernel configuration', () => {
    const kernel = new Kernel({ release: '6.8.12-lab', clock: { hz: 1000 } });
    const obj = loaded(kernel, buildSeed('kconfig'), 'kconfig');
    const r = obj.program('show_version').run(new Uint8Array(8));
    expect(r.trace[0]).toMatch(/bpf_trace_printk: kernel 6\.8, HZ 1000$/);
    expect(obj.map('.kconfig').lookup(0)).toEqual({ CONFIG_HZ: 1000, LINUX_KERNEL_VERSION: (6 << 16) | (8 << 8) | 12 });
  });

  it('resolves typeless __ksym externs through kallsyms; a missing weak one is NULL', () => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildSeed('ksym'), 'ksym');
    const r = obj.program('show_symbols').run(new Uint8Array(8));
    const fops = kernel.kallsyms.lookup('bpf_prog_fops')!;
    expect(r.trace).toHaveLength(1);
    expect(r.trace[0]).toMatch(new RegExp(`bpf_trace_printk: bpf_prog_fops at ${fops.address.toString(16)}$`));
  });

  it('fails to load naming a strong extern it cannot resolve; a weak one is 0', () => {
    const kernel = new Kernel({ kconfig: { CONFIG_BPFLAB_NO_SUCH_OPTION: '5' } });
    const ok = loaded(kernel, buildFixture('bad_extern'), 'bad_extern');
    expect(ok.program('missing_extern').run(new Uint8Array(8)).retval).toBe(5);
    const r = open(new Kernel(), buildFixture('bad_extern'), 'bad_extern').load();
    expect(r).toMatchObject({ ok: false, errno: ERRNO.ESRCH, reason: 'extern', message: "extern 'CONFIG_BPFLAB_NO_SUCH_OPTION' (strong): not resolved" });
    const k = open(new Kernel(), buildFixture('bad_ksym'), 'bad_ksym').load();
    expect(k).toMatchObject({ ok: false, errno: ERRNO.ESRCH, reason: 'extern', message: "extern 'bpflab_no_such_symbol' (strong): not resolved" });
  });
});

maybe('maps of maps and legacy maps', () => {
  it('fills the outer map from the object and reaches inner maps from the program', () => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildSeed('map_in_map'), 'map_in_map');
    for (const pid of [10, 11, 13, 15]) obj.program('count_by_parity').run(new Uint8Array(8), { task: kernel.tasks.spawn({ pid }) });
    expect(obj.map('inner_even').lookup(0)).toBe(1n);
    expect(obj.map('inner_odd').lookup(0)).toBe(3n);
    expect(obj.map('outer').lookup(1)).toBe(obj.map('inner_odd').id);
  });

  it('loads a legacy map definition', () => {
    const kernel = new Kernel();
    const obj = loaded(kernel, buildSeed('legacy_maps'), 'legacy_maps');
    const t = kernel.tasks.spawn({ pid: 900, uid: 1234 });
    obj.program('count_execs').run(new Uint8Array(8), { task: t });
    obj.program('count_execs').run(new Uint8Array(8), { task: t });
    expect(obj.map('legacy_counts').entries()).toEqual([[1234, 2n]]);
  });
});

maybe('pinning by name', () => {
  it('reuses a pinned map with the same definition and refuses one that differs', () => {
    const kernel = new Kernel();
    const first = loaded(kernel, buildFixture('pinned'), 'pinned');
    expect(first.map('shared_counts').pinPath).toBe('/sys/fs/bpf/shared_counts');
    first.program('count').run(new Uint8Array(8), { task: kernel.tasks.spawn({ pid: 44 }) });
    first.close();
    const second = loaded(kernel, buildFixture('pinned'), 'pinned');
    expect(second.map('shared_counts').lookup(44)).toBe(1n);
    const third = open(kernel, buildFixture('pinned_mismatch'), 'pinned_mismatch').load();
    expect(third).toMatchObject({
      ok: false,
      errno: ERRNO.EINVAL,
      reason: 'map',
      map: 'shared_counts',
      message: "map 'shared_counts': couldn't reuse pinned map at '/sys/fs/bpf/shared_counts': parameter mismatch",
    });
  });
});

maybe('programs that fail to load', () => {
  it.each([
    { program: 'unknown_helper', reason: 'program', message: /invalid func unknown#999/ },
    { program: 'forbidden_helper', reason: 'program', message: /program of this type cannot use helper bpf_probe_write_user#36/ },
    { program: 'unmodelled_helper', reason: 'unsupported', message: /helper bpf_get_stackid#27 is not modelled by bpflab/, feature: 'helper bpf_get_stackid#27' },
  ])('$program: $message', ({ program, reason, message, feature }) => {
    const r = open(new Kernel(), buildFixture('bad_refs'), 'bad_refs', [program]).load();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r).toMatchObject({ errno: ERRNO.EINVAL, reason, program });
    expect(r.message).toMatch(message);
    expect(r.message.startsWith(`prog '${program}': failed to load: `)).toBe(true);
    expect(r.feature).toBe(feature);
  });

  it('names a map the object does not define', () => {
    const bytes = buildSeed('syscount')!;
    const spec = readObject(bytes, { name: 'syscount.bpf.o' });
    const broken = { ...spec, maps: spec.maps.filter((m) => m.name !== 'syscall_counts') };
    const r = new Kernel().openObject(broken).load();
    expect(r).toMatchObject({ ok: false, reason: 'relocation', program: 'count_syscalls' });
    expect(r.ok ? '' : r.message).toMatch(/prog 'count_syscalls': pc \d+: refers to map 'syscall_counts', which the object does not define/);
  });

  it('closes what it created when a load fails', () => {
    const kernel = new Kernel();
    const before = kernel.fds.list().length;
    expect(open(kernel, buildFixture('bad_refs'), 'bad_refs', ['unknown_helper']).load().ok).toBe(false);
    expect(kernel.fds.list()).toHaveLength(before);
    expect(kernel.liveMaps()).toHaveLength(0);
  });

  it('refuses CO-RE relocations in a kernel without BTF, and hands them to the relocator when there is one', () => {
    const bytes = buildSeed('core_read')!;
    const r = new Kernel({ btf: null }).openObject(bytes, { name: 'core_read.bpf.o' }).load();
    expect(r).toMatchObject({ ok: false, reason: 'relocation', errno: ERRNO.ESRCH, program: 'read_task' });
    expect(r.ok ? '' : r.message).toMatch(/CO-RE relocation #0 at insn 2: field_byte_offset of .*task_struct___local\.pid.* needs the kernel's BTF, and this kernel has none/);

    const seen: string[] = [];
    const spec = readObject(bytes, { name: 'core_read.bpf.o' });
    const kernel = new Kernel({
      btf: { btf: spec.btf! },
      coreRelocator: ({ program, objectBtf }) => {
        seen.push(`${program.name}:${program.coreRelocations.length}:${objectBtf === spec.btf}`);
        return { ok: true, value: [{ kind: 'alu', op: 'mov', wide: true, dst: 0, src: { imm: 5 } }, { kind: 'exit' }] };
      },
    });
    const obj = kernel.openObject(spec);
    expect(obj.load()).toEqual({ ok: true });
    expect(seen).toEqual(['read_task:4:true']);
    expect(obj.program('read_task').run(new Uint8Array(8)).retval).toBe(5);
  });
});
