// Scalar range tracking: results the 6.18 kernel printed for the same
// operations (see tests/fixtures/alu/mask-range.log for the whole program).
import { scalarAlu } from '../src/domain/scalar-alu';
import { formatReg } from '../src/log/state-printer';
import { coerceToSize } from '../src/pipeline/transfer-mem';
import { knownScalar, regBoundsSync, unknownScalar, type RegState } from '../src/state/reg-state';
import { tnum } from '../src/domain/tnum';

const u8 = (): RegState => coerceToSize(unknownScalar(), 1);
const show = (r: RegState): string => formatReg(r, 0);

describe('scalar ALU', () => {
  it('a byte load is 0..255', () => {
    expect(show(u8())).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
  });

  it('masking keeps the known bits', () => {
    const r = scalarAlu('and', u8(), knownScalar(0xf0n), false, false);
    expect(show(r)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0))');
  });

  it('adding -3 to 0..240 wraps unsigned bounds, keeps signed ones', () => {
    const masked = scalarAlu('and', u8(), knownScalar(0xf0n), false, false);
    const r = scalarAlu('add', masked, knownScalar(-3n), false, false);
    expect(show(r)).toBe(
      'scalar(smin=smin32=-3,smax=smax32=237,umin=umin32=13,umax=0xfffffffffffffffd,umax32=0xfffffffd,var_off=(0xd; 0xfffffffffffffff0))',
    );
  });

  it('signed shift right halves signed bounds', () => {
    const masked = scalarAlu('and', u8(), knownScalar(0xf0n), false, false);
    const r = scalarAlu('arsh', scalarAlu('add', masked, knownScalar(-3n), false, false), knownScalar(1n), false, false);
    expect(r.smin).toBe(-2n);
    expect(r.smax).toBe(118n);
  });

  it('32-bit ops zero-extend', () => {
    const r = scalarAlu('add', knownScalar(0xffffffffn), knownScalar(1n), true, false);
    expect(show(r)).toBe('0');
  });

  it('division is not tracked: the result is unknown', () => {
    expect(show(scalarAlu('div', knownScalar(10n), knownScalar(2n), false, false))).toBe('scalar()');
  });

  it('shifts by an unknown amount give an unknown value', () => {
    expect(show(scalarAlu('lsh', knownScalar(1n), u8(), false, false))).toBe('scalar()');
  });

  it('multiplication of small ranges stays bounded', () => {
    const r = scalarAlu('mul', u8(), knownScalar(3n), false, false);
    expect(r.umax).toBe(765n);
    expect(r.smin).toBe(0n);
  });
});

describe('reg_bounds_sync', () => {
  it('learns signed bounds from unsigned ones that do not cross the sign bit', () => {
    const r = regBoundsSync({ ...unknownScalar(), umin: 10n, umax: 20n });
    expect([r.smin, r.smax, r.u32min, r.u32max, r.s32min, r.s32max]).toEqual([10n, 20n, 10n, 20n, 10n, 20n]);
  });

  it('learns var_off from bounds', () => {
    const r = regBoundsSync({ ...unknownScalar(), umin: 0n, umax: 7n });
    expect(r.varOff).toEqual(tnum(0n, 7n));
  });

  it('a single value left by var_off and bounds becomes a constant', () => {
    const r = regBoundsSync({ ...unknownScalar(), varOff: tnum(0n, 2n), umin: 1n, umax: 2n });
    expect(show(r)).toBe('2');
  });
});
