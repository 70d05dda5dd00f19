// Patching instructions with resolved CO-RE relocations: immediates,
// offsets, access sizes and 64-bit constants, libbpf's check that the
// instruction holds what the program's BTF gives, and poisoning.
import { applyCoreRelocation, CORE_POISON_HELPER_ID, type CorePatch, type CorePoisoned, type CoreResolved } from '../src/index';

/** The instruction shapes of @bpflab/isa that CO-RE touches (btf does not depend on isa). */
type Insn =
  | { readonly kind: 'alu'; readonly op: 'mov' | 'add'; readonly wide: boolean; readonly dst: number; readonly src: { readonly imm: number } | { readonly reg: number } }
  | { readonly kind: 'load'; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean; readonly dst: number; readonly base: number; readonly off: number }
  | { readonly kind: 'store'; readonly size: 1 | 2 | 4 | 8; readonly base: number; readonly off: number; readonly src: { readonly imm: number } | { readonly reg: number } }
  | { readonly kind: 'atomic'; readonly op: 'add'; readonly fetch: boolean; readonly size: 4 | 8; readonly base: number; readonly off: number; readonly src: number }
  | { readonly kind: 'lddw'; readonly dst: number; readonly pseudo: 'imm64' | 'map_fd'; readonly value: bigint }
  | { readonly kind: 'jump'; readonly op: 'jeq'; readonly wide: boolean; readonly dst: number; readonly src: { readonly imm: number }; readonly off: number }
  | { readonly kind: 'call'; readonly helper: number };

/** A resolved field offset relocation: `localValue` -> `value`, sizes 4 -> 4 unless given. */
function resolved(localValue: bigint, value: bigint, more: Partial<CoreResolved> = {}): CoreResolved {
  return {
    kind: 'ok',
    reloKind: 'field_byte_offset',
    local: '[5] struct task_struct.pid (0:0 @ offset 0)',
    path: 'task_struct.pid',
    localValue,
    value,
    validate: true,
    candidates: [7],
    candidateId: 7,
    target: '[7] struct task_struct.pid (0:1 @ offset 8)',
    localSize: 4,
    size: 4,
    sizeMismatch: undefined,
    ...more,
  };
}

const poison: CorePoisoned = {
  kind: 'poison',
  reloKind: 'field_byte_offset',
  local: '[5] struct task_struct.pidx (0:3 @ offset 12)',
  path: 'task_struct.pidx',
  localValue: 12n,
  validate: true,
  candidates: [7],
  missing: 'field',
  reason: "field 'task_struct.pidx' not found in the target BTF",
};

const CALL = { kind: 'call', helper: CORE_POISON_HELPER_ID } as const;
const mov = (imm: number): Insn => ({ kind: 'alu', op: 'mov', wide: true, dst: 1, src: { imm } });
const ldx = (size: 1 | 2 | 4 | 8, off: number): Insn => ({ kind: 'load', size, signed: false, dst: 0, base: 1, off });

describe('applyCoreRelocation', () => {
  it.each<[string, Insn, CoreResolved | CorePoisoned, CorePatch<Insn>]>([
    ['an ALU immediate', mov(0), resolved(0n, 1264n), { kind: 'patched', insn: mov(1264) }],
    [
      'an ALU add',
      { kind: 'alu', op: 'add', wide: true, dst: 1, src: { imm: 4 } },
      resolved(4n, 12n),
      { kind: 'patched', insn: { kind: 'alu', op: 'add', wide: true, dst: 1, src: { imm: 12 } } },
    ],
    ['an ALU immediate, wrong as compiled', mov(5), resolved(0n, 8n), { kind: 'error', code: 'bad-insn', message: "unexpected ALU immediate 5: the program's BTF gives 0 (to become 8)" }],
    ['an ALU immediate not validated (a type id)', mov(99), resolved(12n, 40n, { validate: false }), { kind: 'patched', insn: mov(40) }],
    ['a sign-extended ALU immediate', mov(-1), resolved(0xffffffffffffffffn, 0xffffffff80000000n), { kind: 'patched', insn: mov(-2147483648) }],
    [
      'an ALU register operand',
      { kind: 'alu', op: 'add', wide: true, dst: 1, src: { reg: 2 } },
      resolved(4n, 12n),
      { kind: 'error', code: 'bad-insn', message: 'the ALU instruction has a register operand, not an immediate to relocate' },
    ],
    ['a load offset', ldx(4, 4), resolved(4n, 1268n), { kind: 'patched', insn: ldx(4, 1268) }],
    ['a load offset, wrong as compiled', ldx(4, 8), resolved(4n, 12n), { kind: 'error', code: 'bad-insn', message: "unexpected load offset 8: the program's BTF gives 4 (to become 12)" }],
    ['an offset past 32767', ldx(4, 4), resolved(4n, 40000n), { kind: 'error', code: 'range', message: "offset 40000 does not fit the instruction's 16-bit offset" }],
    ['an unsigned field that shrank', ldx(8, 40), resolved(40n, 48n, { localSize: 8, size: 4 }), { kind: 'patched', insn: ldx(4, 48) }],
    [
      'a resized field read at another size than compiled',
      ldx(4, 40),
      resolved(40n, 48n, { localSize: 8, size: 4 }),
      { kind: 'error', code: 'bad-insn', message: "the load accesses 4 bytes, but the field is 8 bytes in the program's BTF" },
    ],
    ['a field of a size no load has', ldx(8, 40), resolved(40n, 48n, { localSize: 8, size: 3 }), { kind: 'error', code: 'bad-insn', message: 'no load size fits the 3-byte field' }],
    ['a signed field that changed size', ldx(8, 48), resolved(48n, 52n, { localSize: 8, size: 4, sizeMismatch: 'sprio: sizes differ' }), { kind: 'poisoned', insns: [CALL], reason: 'sprio: sizes differ' }],
    [
      'a store offset',
      { kind: 'store', size: 4, base: 1, off: 4, src: { imm: 1 } },
      resolved(4n, 12n),
      { kind: 'patched', insn: { kind: 'store', size: 4, base: 1, off: 12, src: { imm: 1 } } },
    ],
    [
      'an atomic offset',
      { kind: 'atomic', op: 'add', fetch: false, size: 8, base: 1, off: 8, src: 2 },
      resolved(8n, 16n, { localSize: 8, size: 8 }),
      { kind: 'patched', insn: { kind: 'atomic', op: 'add', fetch: false, size: 8, base: 1, off: 16, src: 2 } },
    ],
    [
      'an atomic on a field that became 2 bytes',
      { kind: 'atomic', op: 'add', fetch: false, size: 4, base: 1, off: 8, src: 2 },
      resolved(8n, 16n, { localSize: 4, size: 2 }),
      { kind: 'error', code: 'bad-insn', message: 'no atomic size fits the 2-byte field' },
    ],
    [
      'a 64-bit constant',
      { kind: 'lddw', dst: 1, pseudo: 'imm64', value: 7n },
      resolved(7n, 1n << 40n),
      { kind: 'patched', insn: { kind: 'lddw', dst: 1, pseudo: 'imm64', value: 1n << 40n } },
    ],
    [
      'a 64-bit constant, wrong as compiled',
      { kind: 'lddw', dst: 1, pseudo: 'imm64', value: 8n },
      resolved(7n, 9n),
      { kind: 'error', code: 'bad-insn', message: "unexpected lddw immediate 8: the program's BTF gives 7 (to become 9)" },
    ],
    [
      'an lddw of a map',
      { kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 3n },
      resolved(3n, 9n),
      { kind: 'error', code: 'bad-insn', message: 'the lddw instruction loads a map_fd reference, not a constant' },
    ],
    [
      'a jump',
      { kind: 'jump', op: 'jeq', wide: true, dst: 1, src: { imm: 0 }, off: 2 },
      resolved(0n, 1n),
      { kind: 'error', code: 'bad-insn', message: 'a jump instruction cannot take a CO-RE relocation' },
    ],
    ['a poisoned relocation', ldx(4, 12), poison, { kind: 'poisoned', insns: [CALL], reason: "field 'task_struct.pidx' not found in the target BTF" }],
    ['a poisoned lddw: both slots', { kind: 'lddw', dst: 1, pseudo: 'imm64', value: 3n }, poison, { kind: 'poisoned', insns: [CALL, CALL], reason: poison.reason }],
  ])('%s', (_what, insn, result, want) => {
    expect(applyCoreRelocation(insn, result)).toEqual(want);
  });

  it('returns new values and leaves its arguments alone', () => {
    const insn = Object.freeze(ldx(8, 40));
    const r = applyCoreRelocation(insn, resolved(40n, 48n, { localSize: 8, size: 4 }));
    expect(r.kind === 'patched' ? r.insn : undefined).not.toBe(insn);
    expect(insn).toEqual(ldx(8, 40));
  });
});
