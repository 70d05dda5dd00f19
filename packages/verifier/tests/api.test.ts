// The public API: results versus thrown errors, log levels, line info,
// explanations, program type descriptions and options.
import { assembleLlvm, assembleLlvmProgram } from '@bpflab/isa';
import {
  defineProgramType,
  explain,
  PROGRAM_TYPES,
  SOCKET_FILTER,
  TEST_PROG_TYPE,
  VerifierError,
  verify,
  XDP,
  type ProgramTypeDescription,
} from '../src/index';

const prog = (asm: string, license = 'GPL') => ({ insns: assembleLlvm(asm), license });
const HASH = { type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 };
const LOOKUP = 'r1 = 0\n*(u64 *)(r10 - 8) = r1\nr2 = r10\nr2 += -8\nld_pseudo r1, 1, 0\ncall 1\n';

describe('results, not exceptions', () => {
  it('accepts a valid program with an empty log at level 0', () => {
    const r = verify(prog('r0 = 0\nexit'), SOCKET_FILTER);
    expect(r).toMatchObject({ ok: true, errors: [], log: '' });
    expect(r.stats.processed).toBe(2);
  });

  it('returns a rejection with the kernel message, code and pc', () => {
    const r = verify(prog(`${LOOKUP}r0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit`), SOCKET_FILTER, { maps: [HASH] });
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0] as VerifierError;
    expect(e).toBeInstanceOf(VerifierError);
    expect(e.message).toBe("R0 invalid mem access 'map_value_or_null'");
    expect(e.code).toBe('invalidMemAccess');
    expect(e.pc).toBe(7);
  });

  it.each([
    ['a register out of range', { insns: [{ kind: 'exit' }, { kind: 'alu', op: 'mov', wide: true, dst: 11, src: { imm: 0 } }], license: 'GPL' }, {}],
    ['a bad log level', prog('r0 = 0\nexit'), { logLevel: 3 }],
    ['a bad map', prog('r0 = 0\nexit'), { maps: [{ type: 'hash', keySize: -1, valueSize: 8, maxEntries: 1 }] }],
    ['no license', { insns: assembleLlvm('r0 = 0\nexit') }, {}],
  ])('throws VerifierError for misuse: %s', (_name, program, options) => {
    expect(() => verify(program as never, SOCKET_FILTER, options as never)).toThrow(VerifierError);
  });

  it('rejects an empty program', () => {
    expect(verify({ insns: [], license: 'GPL' }, SOCKET_FILTER).errors[0]?.message).toBe('BPF program is empty');
  });

  it('refuses program types that need privileges when unprivileged', () => {
    const r = verify(prog('r0 = 2\nexit'), XDP, { privileged: false });
    expect(r.errors[0]?.code).toBe('unprivilegedType');
  });

  it('stops at the configured instruction limit', () => {
    const r = verify(prog('r0 = 0\nloop:\nr0 += 1\nif r0 < 2000000 goto loop\nexit'), SOCKET_FILTER, { insnLimit: 5000 });
    expect(r.errors[0]?.message).toBe('BPF program is too large. Processed 5001 insn');
    expect(r.stats.processed).toBe(5001);
  });

  it('reports the sequence-of-jumps limit (checked against the kernel: processed 8194, 1024 states)', () => {
    // Each `if r0 < i` can still go both ways on the fall-through path: 8193 pending branches.
    const asm = ['call 7', ...Array.from({ length: 8300 }, (_, i) => `if r0 < ${i + 1} goto +0`), 'r0 = 0', 'exit'].join('\n');
    const r = verify(prog(asm), SOCKET_FILTER);
    expect(r.errors[0]?.message).toBe('The sequence of 8193 jumps is too complex.');
    expect([r.stats.processed, r.stats.totalStates, r.stats.peakStates]).toEqual([8194, 1024, 1024]);
  });
});

describe('log levels', () => {
  const bad = `${LOOKUP}r0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit`;

  it('level 1 on success keeps only the counters, like the kernel', () => {
    const r = verify(prog('r0 = 0\nexit'), SOCKET_FILTER, { logLevel: 1 });
    expect(r.log).toBe('processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n');
  });

  it('level 1 on failure shows the failing path and the error', () => {
    const r = verify(prog(bad), SOCKET_FILTER, { logLevel: 1, maps: [HASH] });
    const lines = r.log.trimEnd().split('\n');
    expect(lines[0]).toBe('0: R1=ctx() R10=fp0');
    expect(lines.at(-2)).toBe("R0 invalid mem access 'map_value_or_null'");
    expect(lines.at(-1)).toMatch(/^processed 7 insns/);
  });

  it('level 2 shows live registers and every state', () => {
    const r = verify(prog('r0 = 0\nexit'), SOCKET_FILTER, { logLevel: 2 });
    expect(r.log).toContain('Live regs before insn:\n      0: .......... (b7) r0 = 0\n');
    expect(r.log).toContain('0: (b7) r0 = 0                        ; R0=0\n');
  });
});

describe('source lines and explanations', () => {
  const src = assembleLlvmProgram(`${LOOKUP}r0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit`);
  const lineInfo = src.insns.map((_, i) => (i === 6 ? { line: '  __u64 v = *val;', file: 'prog.c', lineNumber: 12 } : undefined));

  it('prints the C line before the failing instruction and reports it', () => {
    const r = verify({ insns: src.insns, lineInfo, license: 'GPL' }, SOCKET_FILTER, { logLevel: 1, maps: [HASH] });
    expect(r.log).toContain('; __u64 v = *val;\n7: (79) r0 = *(u64 *)(r0 +0)\n');
    expect(r.sourceLine?.lineNumber).toBe(12);
  });

  it('explains a missing NULL check with a hint', () => {
    const r = verify({ insns: src.insns, lineInfo, license: 'GPL' }, SOCKET_FILTER, { maps: [HASH] });
    const e = explain(r);
    expect(e?.explanation).toMatch(/may be NULL/);
    expect(e?.hint).toMatch(/if \(!value\)/);
    expect(e?.text).toContain('at prog.c:12: __u64 v = *val;');
  });

  it.each([
    ['packet bounds', 'r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 0)\nr0 = 2\nexit', XDP, /data_end/],
    ['helper not allowed', 'r2 = 0\ncall 44\nr0 = 0\nexit', SOCKET_FILTER, /sibling helper of your program type/],
    ['unbounded loop', 'r0 = 0\nl:\nif r0 == 0 goto l\nexit', SOCKET_FILTER, /bound/],
    ['uninitialised register', 'r0 = r3\nexit', SOCKET_FILTER, /Set the register/],
  ])('explains %s', (_name, asm, type, hint) => {
    const e = explain(verify(prog(asm), type as ProgramTypeDescription));
    expect(e?.hint).toMatch(hint);
  });

  it('explains the license rule', () => {
    const r = verify(prog('r1 = r10\nr1 += -8\nr2 = 8\nr3 = 0\ncall 113\nr0 = 0\nexit', 'MIT'), PROGRAM_TYPES.tracepoint as ProgramTypeDescription);
    expect(explain(r)?.hint).toMatch(/SEC\("license"\)/);
  });

  it('has nothing to explain for an accepted program', () => {
    expect(explain(verify(prog('r0 = 0\nexit'), SOCKET_FILTER))).toBeUndefined();
  });
});

describe('program type descriptions', () => {
  it('the test type enforces its return range', () => {
    const r = verify(prog('r0 = 7\nexit'), TEST_PROG_TYPE);
    expect(r.errors[0]?.message).toBe('At program exit the register R0 has smin=7 smax=7 should have been in [0, 1]');
  });

  it.each([
    ['overlapping fields', [{ name: 'a', offset: 0, size: 8, read: [8], write: [] }, { name: 'b', offset: 4, size: 4, read: [4], write: [] }]],
    ['a field past the end', [{ name: 'a', offset: 60, size: 8, read: [8], write: [] }]],
    ['a writable pointer field', [{ name: 'data', offset: 0, size: 4, read: [4], write: [4], yields: 'pkt' }]],
  ])('refuses %s', (_name, fields) => {
    expect(() => defineProgramType({ name: 'bad', ctx: { type: 'struct bad', size: 64, fields: fields as never }, helpers: [] })).toThrow(VerifierError);
  });

  it('a plugin type with its own context and helpers', () => {
    const mine = defineProgramType({
      name: 'mine',
      ctx: { type: 'struct mine', size: 16, fields: [{ name: 'x', offset: 0, size: 8, read: [8], write: [] }] },
      helpers: [7],
      returns: { min: 0n, max: 0n },
    });
    expect(verify(prog('r0 = *(u64 *)(r1 + 0)\ncall 7\nr0 = 0\nexit'), mine).ok).toBe(true);
    expect(verify(prog('call 5\nr0 = 0\nexit'), mine).errors[0]?.message).toBe('program of this type cannot use helper bpf_ktime_get_ns#5');
    expect(verify(prog('r0 = *(u64 *)(r1 + 8)\nexit'), mine).errors[0]?.message).toBe('invalid bpf_context access off=8 size=8');
  });
});
