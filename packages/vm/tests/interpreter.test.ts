import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleConformance, type Insn } from '@bpflab/isa';
import { callNative, countNative, mixNative } from '../bench/native-reference';
import {
  AddressSpace,
  conformanceHelpers,
  defineFastHelper,
  defineHelper,
  Interpreter,
  MAX_CALL_FRAMES,
  runProgram,
  STACK_FRAME_SIZE,
  VmError,
  type Helper,
  type HelperContext,
  type HelperTable,
  type InterpreterOptions,
} from '../src/index';

const asm = (text: string): Insn[] => assembleConformance(text);

function refusal(f: () => unknown): VmError {
  try {
    f();
  } catch (e) {
    if (e instanceof VmError) return e;
    throw e;
  }
  throw new Error('expected a VmError, but nothing was thrown');
}

const helpers = (entries: Record<number, Helper>): HelperTable => entries;

describe('load-time checks', () => {
  it.each<[string, readonly Insn[], InterpreterOptions, string, string]>([
    ['an empty program', [], {}, 'empty-program', 'the program has no instructions'],
    [
      'a jump into the middle of an lddw',
      asm('ja +1\nlddw %r0, 1\nexit'),
      {},
      'bad-jump',
      'pc 0: goto +1 goes to 2, the middle of the lddw at pc 1',
    ],
    ['a jump before the start', asm('jeq %r1, 0, -3\nexit'), {}, 'bad-jump', 'pc 0: jeq -3 goes to -2, outside the program (pcs 0-1)'],
    ['a local call outside the program', [{ kind: 'call_local', off: 7 }, { kind: 'exit' }], {}, 'bad-jump', 'pc 0: call +7 goes to 8'],
    [
      'a helper call with no helpers supplied',
      asm('call 1\nexit'),
      {},
      'unknown-helper',
      'pc 0: call of helper 1, which is not supplied (supplied helpers: none)',
    ],
    [
      'a helper call missing from the table',
      asm('mov %r0, 0\ncall 4\nexit'),
      { helpers: helpers({ 1: conformanceHelpers.get(2)!, 2: conformanceHelpers.get(2)!, 3: conformanceHelpers.get(2)!, 7: conformanceHelpers.get(2)! }) },
      'unknown-helper',
      'pc 1: call of helper 4, which is not supplied (supplied helpers: 1-3, 7)',
    ],
    ['a kfunc call', asm('call runtime 77\nexit'), {}, 'unknown-kfunc', 'pc 0: call of kfunc with BTF id 77, which is not supplied'],
    [
      'an unresolved map_fd lddw',
      [{ kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 3n }, { kind: 'exit' }],
      {},
      'bad-insn',
      'pc 0: lddw with pseudo source map_fd must be resolved by the loader before the program runs',
    ],
    ['a load into r10', asm('ldxdw %r10, [%r1+0]\nexit'), {}, 'bad-insn', 'pc 0: load writes r10, the read-only frame pointer'],
    ['neg of r10', asm('neg %r10\nexit'), {}, 'bad-insn', 'pc 0: neg writes r10'],
    ['a fetching atomic into r10', asm('lock fetch add [%r1+0], %r10\nexit'), {}, 'bad-insn', 'pc 0: atomic add writes r10'],
    ['a zero budget', asm('exit'), { budget: 0 }, 'bad-call', 'budget must be a positive integer, is 0'],
  ])('refuses %s', (_name, program, options, code, message) => {
    const e = refusal(() => new Interpreter(program, options));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  it('records the pc and the helper id of an unknown helper', () => {
    const e = refusal(() => new Interpreter(asm('mov %r0, 0\nmov %r0, 0\ncall 12\nexit')));
    expect({ pc: e.pc, helper: e.helper }).toEqual({ pc: 2, helper: 12 });
  });

  it('accepts a helper table as a Map or as a record', () => {
    const h = defineFastHelper('seven', () => 7);
    expect(new Interpreter(asm('call 9\nexit'), { helpers: new Map([[9, h]]) }).run().r0).toBe(7n);
    expect(new Interpreter(asm('call 9\nexit'), { helpers: { 9: h } }).run().r0).toBe(7n);
  });
});

describe('helpers', () => {
  it('passes r1-r5 to a bigint helper as unsigned 64-bit values and takes r0 modulo 2^64', () => {
    const seen: bigint[][] = [];
    const vm = new Interpreter(asm('mov %r1, -1\nlddw %r2, 0x8000000000000000\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 20\nexit'), {
      helpers: {
        20: defineHelper('record', (_ctx, ...args) => {
          seen.push(args);
          return -2n;
        }),
      },
    });
    expect(vm.run().r0).toBe(0xfffffffffffffffen);
    expect(seen).toEqual([[0xffffffffffffffffn, 0x8000000000000000n, 3n, 4n, 5n]]);
  });

  it('gives a fast helper its arguments as numbers and sign-extends a negative return', () => {
    let got: unknown[] = [];
    const fast = defineFastHelper('peek', (ctx: HelperContext) => {
      got = [ctx.argLo(1), ctx.argHi(1), ctx.argNumber(2), ctx.arg(3), ctx.pc, ctx.helperId];
      return -2;
    });
    const vm = new Interpreter(asm('lddw %r1, 0x1234567890abcdef\nlddw %r2, 0x1fffffffffffff\nmov %r3, -1\ncall 8\nexit'), {
      helpers: { 8: fast },
    });
    expect(vm.run().r0).toBe(0xfffffffffffffffen);
    expect(got).toEqual([0x90abcdef, 0x12345678, 2 ** 53 - 1, 0xffffffffffffffffn, 5, 8]);
  });

  it.each<[string, Helper, string, string]>([
    [
      'an argument too large for a number',
      defineFastHelper('big', (ctx) => ctx.argNumber(1)),
      'helper',
      'pc 1: helper 1 (big): argument r1 = 0xffffffffffffffff does not fit in a number exactly (use arg(1) for a bigint)',
    ],
    [
      'a return value that is not an integer',
      defineFastHelper('half', () => 0.5),
      'helper',
      'pc 1: helper 1 (half) returned 0.5, not a bigint or a safe integer',
    ],
    [
      'an exception',
      defineHelper('boom', () => {
        throw new Error('disk on fire');
      }),
      'helper',
      'pc 1: helper 1 (boom) failed: disk on fire',
    ],
    [
      'a memory fault',
      defineFastHelper('deref', (ctx) => ctx.memory.readU32(ctx.arg(1))),
      'fault',
      'pc 1: helper 1 (deref): read of 4 bytes at 0xffffffffffffffff: outside the address space',
    ],
  ])('turn %s into a VmError naming the call', (_name, helper, code, message) => {
    const vm = new Interpreter(asm('mov %r1, -1\ncall 1\nexit'), { helpers: { 1: helper } });
    const e = refusal(() => vm.run());
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
    expect({ pc: e.pc, helper: e.helper }).toEqual({ pc: 1, helper: 1 });
    expect(vm.status).toBe('faulted');
  });

  it('lets a helper stop the program with its return value', () => {
    const stopper = defineFastHelper('stop', (ctx) => {
      ctx.stop();
      return 42;
    });
    const vm = new Interpreter(asm('call 1\nmov %r0, 0\nexit'), { helpers: { 1: stopper } });
    expect(vm.run()).toEqual({ r0: 42n, executed: 1, stop: 'helper-stop' });
  });

  it('calls kfuncs by BTF id', () => {
    const vm = new Interpreter(asm('mov %r1, 20\ncall runtime 1234\nexit'), {
      kfuncs: { 1234: defineHelper('double', (_ctx, x) => x * 2n) },
    });
    expect(vm.run().r0).toBe(40n);
  });

  it('sees memory the helper grew: the program can use a region allocated during the call', () => {
    const memory = new AddressSpace({ initialBytes: 65536 * 2 });
    const alloc = defineFastHelper('alloc', (ctx) => ctx.memory.allocate({ name: 'fresh', kind: 'kernel', size: 1 << 20, init: Uint8Array.of(77) }).start);
    const vm = new Interpreter(asm('call 1\nldxb %r0, [%r0+0]\nexit'), { memory, helpers: { 1: alloc } });
    expect(vm.run().r0).toBe(77n);
  });
});

describe('the conformance helpers', () => {
  it.each<[string, string, bigint]>([
    ['gather_bytes', 'mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 0\nexit', 0x0102030405n],
    ['no_op', 'mov %r0, 9\ncall 2\nexit', 0n],
    ['sqrti of a square', 'mov %r1, 144\ncall 3\nexit', 12n],
    ['sqrti rounds down', 'lddw %r1, 0xfffffffe00000001\ncall 3\nexit', 0xffffffffn],
    ['unwind of a non-zero value continues', 'mov %r1, 3\ncall 5\nadd %r0, 1\nexit', 4n],
  ])('%s', (_name, text, want) => {
    expect(runProgram(asm(text)).r0).toBe(want);
  });

  it('compares strings with strcmp_ext like C', () => {
    const mem = new TextEncoder().encode('abc\0abc\0ab\0');
    const cmp = (a: number, b: number): bigint =>
      runProgram(asm(`mov %r6, %r1\nadd %r1, ${a}\nmov %r2, %r6\nadd %r2, ${b}\ncall 4\nexit`), { mem }).r0;
    expect(cmp(0, 4)).toBe(0n);
    expect(BigInt.asIntN(64, cmp(0, 8))).toBeGreaterThan(0n);
    expect(BigInt.asIntN(64, cmp(8, 0))).toBeLessThan(0n);
  });
});

describe('the instruction budget', () => {
  const straight = asm('mov %r0, 1\nadd %r0, 1\nadd %r0, 1\nexit');

  it('allows exactly the budget', () => {
    expect(new Interpreter(straight, { budget: 4 }).run()).toEqual({ r0: 3n, executed: 4, stop: 'exit' });
  });

  it('stops one instruction short, naming the budget and the pc', () => {
    const vm = new Interpreter(straight);
    const e = refusal(() => vm.run({ budget: 3 }));
    expect(e.code).toBe('budget');
    expect(e.pc).toBe(3);
    expect(e.message).toBe(
      'pc 3: instruction budget of 3 exhausted before the program exited (an endless loop? a larger budget can be given with the budget option)',
    );
    expect(vm.executed).toBe(3);
  });

  it('counts a helper call as one instruction', () => {
    expect(runProgram(asm('call 2\ncall 2\nexit')).executed).toBe(3);
  });
});

describe('memory access from programs', () => {
  it('faults on a write to a read-only region, naming it', () => {
    const memory = new AddressSpace();
    const vm = new Interpreter(asm('ldxw %r0, [%r1+0]\nstw [%r1+0], 1\nexit'), { memory });
    const ro = memory.allocate({ name: '.rodata', kind: 'global', size: 8, writable: false });
    const e = refusal(() => vm.run({ args: [ro.start] }));
    expect(e.message).toBe('pc 1: write of 4 bytes at 0x11040 (.rodata+0): the region .rodata [0x11040, 0x11048) is read-only');
    expect(e.fault).toEqual({ access: 'write', size: 4, address: 0x11040n, region: '.rodata' });
  });

  it('computes addresses in 64 bits: -1 + 1 is NULL, not 4 GiB', () => {
    const e = refusal(() => runProgram(asm('mov %r1, -1\nldxb %r0, [%r1+1]\nexit')));
    expect(e.message).toBe('pc 1: read of 1 byte at 0x0 (NULL+0): null pointer dereference (nothing is mapped below 0x10000)');
  });

  it('faults on a pointer with high bits set', () => {
    const e = refusal(() => runProgram(asm('lddw %r1, 0x100011040\nldxb %r0, [%r1+0]\nexit'), { mem: Uint8Array.of(1) }));
    expect(e.message).toContain('pc 2: read of 1 byte at 0x100011040: outside the address space');
  });

  it('does not reuse a cached region after a helper freed it', () => {
    const memory = new AddressSpace();
    const box = memory.allocate({ name: 'box', kind: 'map_value', size: 8 });
    const free = defineFastHelper('free', (ctx) => {
      ctx.memory.free(box);
      return 0;
    });
    const vm = new Interpreter(asm('mov %r6, %r1\nldxdw %r0, [%r6+0]\ncall 1\nldxdw %r0, [%r6+0]\nexit'), { memory, helpers: { 1: free } });
    const e = refusal(() => vm.run({ args: [box.start] }));
    expect(e.pc).toBe(3);
    expect(e.code).toBe('fault');
  });

  it('lets every frame reach its caller\'s stack but not beyond the stack region', () => {
    const e = refusal(() => runProgram(asm(`stb [%r10-${MAX_CALL_FRAMES * STACK_FRAME_SIZE + 1}], 1\nexit`)));
    expect(e.message).toBe('pc 0: write of 1 byte at 0xffff (stack-1): outside the region stack [0x10000, 0x11000)');
  });
});

describe('legacy packet loads', () => {
  const memory = new AddressSpace();
  const packet = memory.allocate({ name: 'packet', kind: 'packet', size: 6, init: Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc) });

  it.each<[string, string, bigint]>([
    ['ldabsb', 'ldabsb 1\nexit', 0x34n],
    ['ldabsh (network order)', 'ldabsh 0\nexit', 0x1234n],
    ['ldabsw (network order, zero-extended)', 'ldabsw 2\nexit', 0x56789abcn],
    ['ldindh adds the register', 'mov %r3, 3\nldindh %r3, 1\nexit', 0x9abcn],
  ])('%s', (_name, text, want) => {
    const vm = new Interpreter(asm(text), { memory });
    expect(vm.run({ packet }).r0).toBe(want);
    vm.dispose();
  });

  it.each<[string, string]>([
    ['past the end', 'mov %r0, 5\nldabsw 4\nmov %r0, 7\nexit'],
    ['before the start', 'mov %r3, -1\nldindb %r3, 0\nmov %r0, 7\nexit'],
  ])('ends the program with r0 = 0 when the load is %s, as Linux does', (_name, text) => {
    const vm = new Interpreter(asm(text), { memory });
    expect(vm.run({ packet })).toMatchObject({ r0: 0n, stop: 'packet-bounds' });
    vm.dispose();
  });

  it('refuses a packet that is not mapped memory', () => {
    const vm = new Interpreter(asm('ldabsb 0\nexit'), { memory });
    const e = refusal(() => vm.run({ packet: { start: 0x100, size: 4 } }));
    expect(e.message).toBe('the packet [0x100, 0x104) does not lie inside one mapped region');
    vm.dispose();
  });
});

describe('single-stepping', () => {
  const program = asm('mov %r6, 5\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r6, 1\nmov %r0, 10\nexit');

  it('executes one instruction at a time and shows registers, pc and frames', () => {
    const vm = new Interpreter(program);
    expect(vm.status).toBe('idle');
    vm.start({ args: [7n] });
    const top = BigInt(vm.stack.start + vm.stack.size);
    expect(vm.registers()).toEqual([0n, 7n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, top]);
    expect(vm.step()).toEqual({ pc: 0, insn: program[0], done: false });
    expect(vm.register(6)).toBe(5n);
    vm.step();
    expect(vm.pc).toBe(4);
    expect(vm.frames()).toEqual([
      { depth: 0, entryPc: 0, pc: 1, fp: top },
      { depth: 1, entryPc: 4, pc: 4, fp: top - 512n },
    ]);
    vm.step();
    vm.step();
    expect(vm.register(6)).toBe(1n);
    vm.step();
    expect(vm.frames()).toHaveLength(1);
    expect(vm.register(6)).toBe(5n);
    expect(vm.register(10)).toBe(top);
    vm.step();
    expect(vm.step()).toEqual({ pc: 3, insn: { kind: 'exit' }, done: true });
    expect(vm.result()).toEqual({ r0: 15n, executed: 7, stop: 'exit' });
  });

  it('resumes for a number of steps or to the end, and lets registers be changed in between', () => {
    const vm = new Interpreter(program);
    vm.start();
    expect(vm.resume(2)).toBeUndefined();
    expect(vm.executed).toBe(2);
    vm.setRegister(6, 100n);
    vm.resume(2);
    expect(vm.resume()).toEqual({ r0: 15n, executed: 7, stop: 'exit' });
  });

  it.each<[string, (vm: Interpreter) => unknown, string]>([
    ['stepping before start', (vm) => vm.step(), 'cannot step: no run was started (call start first)'],
    ['asking for a result before the end', (vm) => { vm.start(); vm.result(); }, 'the program has not finished (status paused): no result yet'],
    ['stepping a finished program', (vm) => { vm.run(); vm.step(); }, 'cannot step: the program has finished'],
    ['setting r10', (vm) => vm.setRegister(10, 0n), 'only r0-r9 can be set, not r10 (r10 is the read-only frame pointer)'],
    ['reading r11', (vm) => vm.register(11 as 10), 'register must be r0-r10, is r11'],
    ['six arguments', (vm) => vm.start({ args: [1, 2, 3, 4, 5, 6] }), 'at most 5 arguments (r1-r5) can be passed, got 6'],
    ['a fractional argument', (vm) => vm.start({ args: [1.5] }), 'argument r1 must be a bigint or a safe integer, is 1.5'],
    ['running after dispose', (vm) => { vm.dispose(); vm.run(); }, 'this interpreter was disposed: its stack region is no longer mapped'],
  ])('refuses %s', (_name, f, message) => {
    const e = refusal(() => f(new Interpreter(program)));
    expect(e.code).toBe('bad-call');
    expect(e.message).toBe(message);
  });

  it('can start again after a fault', () => {
    const vm = new Interpreter(asm('ldxb %r0, [%r1+0]\nexit'));
    expect(refusal(() => vm.run()).code).toBe('fault');
    expect(vm.status).toBe('faulted');
    expect(refusal(() => vm.step()).message).toBe('cannot step: the last step failed');
    const memory = vm.memory;
    const r = memory.allocate({ name: 'm', kind: 'mem', size: 1, init: Uint8Array.of(9) });
    expect(vm.run({ args: [r.start] }).r0).toBe(9n);
  });

  it('gives each run a zeroed stack', () => {
    const vm = new Interpreter(asm('ldxdw %r0, [%r10-8]\nstdw [%r10-8], 5\nexit'));
    expect(vm.run().r0).toBe(0n);
    expect(vm.run().r0).toBe(0n);
  });
});

describe('runProgram', () => {
  it('returns the memory as the program left it, and passes its length in r2', () => {
    const r = runProgram(asm('stxb [%r1+1], %r2\nmov %r0, %r2\nexit'), { mem: Uint8Array.of(1, 2, 3) });
    expect(r.r0).toBe(3n);
    expect([...r.mem]).toEqual([1, 3, 3]);
  });

  it('streams trace lines to a function', () => {
    const lines: string[] = [];
    runProgram(asm('mov %r0, 42\nexit'), { trace: (l) => lines.push(l) });
    expect(lines).toEqual(['   0: r0 = 0x2a                  ; r0 = 0x2a', '   1: exit                       ; return 0x2a']);
  });

  it('takes a budget', () => {
    expect(refusal(() => runProgram(asm('ja -1'), { budget: 10 })).message).toContain('instruction budget of 10 exhausted');
  });

  it('uses the given helpers instead of the conformance ones', () => {
    expect(refusal(() => runProgram(asm('call 0\nexit'), { helpers: new Map() })).code).toBe('unknown-helper');
  });
});

describe('the benchmark programs', () => {
  const bench = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
  it.each<[string, bigint, number, () => bigint]>([
    ['count.asm', 3_000_000n, 3_000_003, countNative],
    ['mix.asm', 0x9d8326n, 3_000_005, mixNative],
    ['call.asm', 0x1f6ea76650n, 2_700_004, callNative],
  ])('%s returns what the benchmark checks, as its native reference does', (file, r0, executed, native) => {
    const program = assembleConformance(readFileSync(join(bench, file), 'utf8'), { file });
    expect(runProgram(program, { budget: 10_000_000 })).toMatchObject({ r0, executed });
    expect(native()).toBe(r0);
  });
});
