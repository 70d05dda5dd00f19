// Instructions and states in the kernel log's notation, from lines the 6.18
// kernel printed.
import { assembleLlvm } from '@bpflab/isa';
import { formatKernelInsn } from '../src/log/insn-printer';
import { formatReg } from '../src/log/state-printer';
import { knownScalar, pointer } from '../src/state/reg-state';

const one = (asm: string): string => {
  const [insn] = assembleLlvm(asm);
  if (!insn) throw new Error('no instruction');
  return formatKernelInsn(insn);
};

describe('kernel instruction syntax', () => {
  it.each([
    ['r0 = 2', '(b7) r0 = 2'],
    ['r3 = 0x12345678', '(b7) r3 = 305419896'],
    ['w9 = -1', '(b4) w9 = -1'],
    ['r2 += -8', '(07) r2 += -8'],
    ['r0 &= 0xf0', '(57) r0 &= 240'],
    ['r7 s>>= 1', '(c7) r7 s>>= 1'],
    ['r6 = r0', '(bf) r6 = r0'],
    ['r0 /= r1', '(3f) r0 /= r1'],
    ['r0 = -r0', '(87) r0 = -r0'],
    ['r3 = (s8)r2', '(bf) r3 = (s8)r2'],
    ['r1 = be16 r1', '(dc) r1 = be16 r1'],
    ['r0 = *(u8 *)(r1 + 0)', '(71) r0 = *(u8 *)(r1 +0)'],
    ['r1 = *(u64 *)(r10 - 8)', '(79) r1 = *(u64 *)(r10 -8)'],
    ['*(u64 *)(r10 - 8) = r1', '(7b) *(u64 *)(r10 -8) = r1'],
    ['*(u8 *)(r10 - 11) = 1', '(72) *(u8 *)(r10 -11) = 1'],
    ['lock *(u64 *)(r0 + 0) += r6', '(db) lock *(u64 *)(r0 +0) += r6'],
    ['r8 = 0xffffffffffff ll', '(18) r8 = 0xffffffffffff'],
    ['if r0 == 0 goto +1', '(15) if r0 == 0x0 goto pc+1'],
    ['if r0 < 5 goto -2', '(a5) if r0 < 0x5 goto pc-2'],
    ['if r6 & 128 goto +1', '(45) if r6 & 0x80 goto pc+1'],
    ['if r4 > r3 goto +2', '(2d) if r4 > r3 goto pc+2'],
    ['goto -3', '(05) goto pc-3'],
    ['call 1', '(85) call bpf_map_lookup_elem#1'],
    ['call 999', '(85) call unknown#999'],
    ['exit', '(95) exit'],
  ])('%s', (asm, want) => {
    expect(one(asm)).toBe(want);
  });

  it('prints a map load as the map address, 0 without pointer leaks', () => {
    const [insn] = assembleLlvm('ld_pseudo r1, 1, 0');
    if (insn?.kind !== 'lddw') throw new Error('not lddw');
    expect(formatKernelInsn(insn, { mapAddress: () => 0n })).toBe('(18) r1 = 0x0');
  });
});

describe('register notation', () => {
  const map = { index: 0, type: 'hash', keySize: 4, valueSize: 8, maxEntries: 1 };
  it.each([
    ['a constant', knownScalar(2n), '2'],
    ['a negative constant', knownScalar(-5n), '-5'],
    ['a large constant', knownScalar(70000n), '0x11170'],
    ['ctx', pointer('ctx'), 'ctx()'],
    ['fp', pointer('fp'), 'fp0'],
    ['fp-8', pointer('fp', { off: -8 }), 'fp-8'],
    ['map_ptr', pointer('map_ptr', { map }), 'map_ptr(ks=4,vs=8)'],
    ['map_value_or_null', pointer('map_value', { map, maybeNull: true, id: 1 }), 'map_value_or_null(id=1,ks=4,vs=8)'],
    ['pkt', pointer('pkt', { off: 14, range: 14 }), 'pkt(off=14,r=14)'],
    ['pkt_end', pointer('pkt_end'), 'pkt_end()'],
    ['ringbuf mem', pointer('mem', { ringbuf: true, maybeNull: true, id: 2, refObjId: 2, memSize: 8 }), 'ringbuf_mem_or_null(id=2,ref_obj_id=2,sz=8)'],
    ['precise', { ...knownScalar(3n), precise: true }, 'P3'],
  ])('%s', (_name, reg, want) => {
    expect(formatReg(reg, 0)).toBe(want);
  });
});
