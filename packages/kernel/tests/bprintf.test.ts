// The kernel's printf rules (bpf_bprintf_prepare) and formatting
// (bstr_printf), table-driven over a fake memory: what each accepted
// conversion prints, and the formats the kernel refuses.
import { ERRNO } from '@bpflab/uapi';
import { bprintf, MAX_BPRINTF_BUF, traceText, type BprintfEnv } from '../src/index';

const enc = new TextEncoder();
const STR = 0x1000n;
const LONG = 0x2000n;
const IP4 = 0x3000n;
const IP6 = 0x4000n;
const USTR = 0x5000n;
const FUNC = 0xffffffff81000000n;

const env: BprintfEnv = {
  readString(address, max, space) {
    const table: Record<string, string> = { [`kernel:${STR}`]: 'hello', [`kernel:${LONG}`]: 'x'.repeat(600), [`user:${USTR}`]: 'from user' };
    const s = table[`${space}:${address}`];
    return s === undefined ? undefined : enc.encode(s).subarray(0, max - 1);
  },
  readKernel(address, size) {
    if (address === IP4 && size === 4) return Uint8Array.of(10, 0, 0, 1);
    if (address === IP6 && size === 16) return Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    return undefined;
  },
  symbolAt: (address) => (address >= FUNC && address < FUNC + 0x80n ? { name: 'do_sys_open', address: FUNC, size: 0x80n } : undefined),
  hashPointer: (address) => Number(address & 0xffffn) ^ 0x5a5a0000,
};

function fmt(s: string): Uint8Array {
  return enc.encode(`${s}\0`);
}

function print(format: string, args: readonly (bigint | number)[]): string | number {
  const r = bprintf(fmt(format), args.map((a) => BigInt.asUintN(64, BigInt(a))), env);
  return r.ok ? new TextDecoder().decode(r.bytes) : -r.errno;
}

describe('bprintf: accepted conversions', () => {
  it.each([
    { have: 'no conversion', args: [], want: 'no conversion' },
    { have: '%d %i', args: [-5, 7], want: '-5 7' },
    { have: '%d', args: [0xffffffffn + 1n + 3n], want: '3' },
    { have: '%u', args: [-1], want: '4294967295' },
    { have: '%x %X', args: [0xabcd, 0xabcd], want: 'abcd ABCD' },
    { have: '%ld %li', args: [-5, -6], want: '-5 -6' },
    { have: '%lu', args: [-1], want: '18446744073709551615' },
    { have: '%lx %llx %llX', args: [0xdeadbeefcafen, 1, 0xabn], want: 'deadbeefcafe 1 AB' },
    { have: '%lld %lli %llu', args: [-9, 9, 9], want: '-9 9 9' },
    { have: '%5d|%-5d|%05d', args: [42, 42, 42], want: '   42|42   |00042' },
    { have: '%+d % d %+d', args: [3, 3, -3], want: '+3  3 -3' },
    { have: '%08x', args: [0xbeef], want: '0000beef' },
    { have: '%c%c', args: [0x41, 0x142], want: 'AB' },
    { have: '%3c|', args: [0x41], want: '  A|' },
    { have: '100%%', args: [], want: '100%' },
    { have: '%s!', args: [STR], want: 'hello!' },
    { have: '%8s|%-8s|', args: [STR, STR], want: '   hello|hello   |' },
    { have: '[%s]', args: [0x9999], want: '[]' },
    { have: '%pks %pus', args: [STR, USTR], want: 'hello from user' },
    { have: '%px', args: [0x1234], want: '0000000000001234' },
    { have: '%p %p', args: [0, 0x1234], want: '0000000000000000 000000005a5a1234' },
    { have: '%pK', args: [0x1234], want: '000000005a5a1234' },
    { have: '%p', args: [-22], want: 'ffffffffffffffea' },
    { have: '%pS', args: [FUNC + 0x10n], want: 'do_sys_open+0x10/0x80' },
    { have: '%ps', args: [FUNC + 0x10n], want: 'do_sys_open' },
    { have: '%pB', args: [FUNC + 0x10n], want: 'do_sys_open+0x10/0x80' },
    { have: '%pS', args: [0x42], want: '0x42' },
    { have: '%pI4x', args: [IP4], want: '10.0.0.1x' },
    { have: '%pI4 %pi4', args: [IP4, IP4], want: '10.0.0.1 010.000.000.001' },
    { have: '%pI6', args: [IP6], want: '2001:0db8:0000:0000:0000:0000:0000:0001' },
    { have: '%pi6', args: [IP6], want: '20010db8000000000000000000000001' },
    { have: '%pI4', args: [0x77], want: '0.0.0.0' },
    { have: '%d', args: [1, 2, 3], want: '1' },
    { have: 'tab\tand newline\n', args: [], want: 'tab\tand newline\n' },
  ])('"$have" → "$want"', ({ have, args, want }) => {
    expect(print(have, args)).toBe(want);
  });
});

describe('bprintf: refused formats', () => {
  it.each([
    { have: '%d %d', args: [1], want: -ERRNO.EINVAL, why: 'more conversions than arguments' },
    { have: '%f', args: [1], want: -ERRNO.EINVAL, why: 'no floating point' },
    { have: '%o', args: [1], want: -ERRNO.EINVAL, why: 'no octal' },
    { have: '%hd', args: [1], want: -ERRNO.EINVAL, why: 'no h length' },
    { have: '%zu', args: [1], want: -ERRNO.EINVAL, why: 'no z length' },
    { have: '%lllx', args: [1], want: -ERRNO.EINVAL, why: 'at most ll' },
    { have: '%.2d', args: [1], want: -ERRNO.EINVAL, why: 'no precision' },
    { have: '%#x', args: [1], want: -ERRNO.EINVAL, why: 'no # flag' },
    { have: '%*d', args: [1, 2], want: -ERRNO.EINVAL, why: 'no * width' },
    { have: '%sx', args: [STR], want: -ERRNO.EINVAL, why: '%s followed by a letter' },
    { have: '%pM', args: [1], want: -ERRNO.EINVAL, why: 'an unsupported %p extension' },
    { have: 'ends with %', args: [1], want: -ERRNO.EINVAL, why: 'a lone %' },
    { have: 'caf\u00e9', args: [], want: -ERRNO.EINVAL, why: 'non-ASCII' },
    { have: 'bell\u0007', args: [], want: -ERRNO.EINVAL, why: 'non-printable' },
  ])('"$have": $why', ({ have, args, want }) => {
    expect(print(have, args)).toBe(want);
  });

  it('cuts a long string to the 512-byte staging buffer, then has no room left (-ENOSPC)', () => {
    expect(print('%s', [LONG])).toBe('x'.repeat(511));
    expect(print('%s %s', [LONG, STR])).toBe(-ERRNO.ENOSPC);
    expect(print('%s%d', [LONG, 1])).toBe(-ERRNO.ENOSPC);
  });

  it('needs a NUL inside fmt_size', () => {
    const r = bprintf(enc.encode('no terminator'), [], env);
    expect(r).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
  });

  it('ignores what follows the NUL', () => {
    const r = bprintf(enc.encode('ok\0%q'), [], env);
    expect(r.ok && new TextDecoder().decode(r.bytes)).toBe('ok');
  });
});

describe('traceText', () => {
  it('cuts at the first NUL (a %c of 0) and at 1023 bytes', () => {
    expect(traceText(Uint8Array.of(0x61, 0, 0x62))).toBe('a');
    expect(traceText(enc.encode('y'.repeat(2000)))).toHaveLength(MAX_BPRINTF_BUF - 1);
  });
});
