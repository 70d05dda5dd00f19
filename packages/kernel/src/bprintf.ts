/**
 * The kernel's BPF printf: the format checks of `bpf_bprintf_prepare` and
 * the formatting of `bstr_printf`, shared by `bpf_trace_printk`,
 * `bpf_trace_vprintk` and `bpf_snprintf`.
 *
 * Accepted conversions (anything else is -EINVAL):
 *
 * | conversion | argument |
 * | --- | --- |
 * | `%d %i %u %x %X` | 32-bit int (the low half of the u64 argument) |
 * | `%ld %li %lu %lx %lX`, `%lld %lli %llu %llx %llX` | 64-bit |
 * | `%c` | one byte |
 * | `%s`, `%pks`, `%pus` | a NUL-terminated string read from kernel (`%s`, `%pks`) or user (`%pus`) memory; empty when unreadable |
 * | `%p` | a hashed pointer (`%pK` too); NULL and error pointers print as they are |
 * | `%px` | the raw pointer |
 * | `%ps %pS %pB` | the kernel symbol at the address (`name`, `name+0xoff/0xsize`) |
 * | `%pi4 %pI4 %pi6 %pI6` | an IPv4/IPv6 address read from memory |
 * | `%%` | a percent sign |
 *
 * Each conversion may have the flags `0 + - space` and a width; no
 * precision, no `#`, no `h`/`z`/`j` length. `%s` and `%p...s` must be
 * followed by the end, a space or punctuation. Every character of the
 * format must be printable ASCII or white space. More conversions than
 * arguments is -EINVAL; arguments beyond are ignored. Strings and values
 * are staged in a 512-byte buffer (`MAX_BPRINTF_BIN_ARGS`; -ENOSPC when it
 * overflows), and the output is cut to 1023 bytes (`MAX_BPRINTF_BUF`).
 */
import { ERRNO } from '@bpflab/uapi';

/** `MAX_BPRINTF_VARARGS`: the most arguments `bpf_trace_vprintk` and `bpf_snprintf` take. */
export const MAX_BPRINTF_VARARGS = 12;
/** `MAX_TRACE_PRINTK_VARARGS`: `bpf_trace_printk` takes three. */
export const MAX_TRACE_PRINTK_VARARGS = 3;
/** `MAX_BPRINTF_BUF`: bytes of the output buffer (the output is at most one less). */
export const MAX_BPRINTF_BUF = 1024;
/** `MAX_BPRINTF_BIN_ARGS`: bytes of the buffer staging the arguments. */
export const MAX_BPRINTF_BIN_ARGS = 512;

/** A kernel symbol, as kallsyms knows it. */
export interface KernelSymbol {
  readonly name: string;
  readonly address: bigint;
  readonly size: bigint;
}

/** What formatting reads from the machine. */
export interface BprintfEnv {
  /**
   * The string at `address` in kernel or user memory: at most `max - 1`
   * bytes (without the NUL), or undefined when the first byte cannot be
   * read (`strncpy_from_*_nofault`).
   */
  readString(address: bigint, max: number, space: 'kernel' | 'user'): Uint8Array | undefined;
  /** `size` bytes of kernel memory, or undefined when unreadable. */
  readKernel(address: bigint, size: number): Uint8Array | undefined;
  /** The symbol containing `address`, if any. */
  symbolAt(address: bigint): KernelSymbol | undefined;
  /** `%p`'s hash of a pointer (a stable 32-bit value). */
  hashPointer(address: bigint): number;
}

/** The outcome of formatting. */
export type BprintfResult =
  /** `bytes` is the full output (before any truncation); `length` its byte length (`bstr_printf`'s return) */
  | { readonly ok: true; readonly bytes: Uint8Array; readonly length: number }
  | { readonly ok: false; readonly errno: number; readonly why: string };

interface Spec {
  readonly left: boolean;
  readonly plus: boolean;
  readonly space: boolean;
  readonly zero: boolean;
  readonly width: number | undefined;
}

type Piece =
  | { readonly kind: 'lit'; readonly bytes: Uint8Array }
  | { readonly kind: 'num'; readonly spec: Spec; readonly value: bigint; readonly base: 10 | 16; readonly signed: boolean; readonly upper: boolean }
  | { readonly kind: 'str'; readonly spec: Spec; readonly bytes: Uint8Array }
  | { readonly kind: 'ptr'; readonly spec: Spec; readonly value: bigint };

const PCT = 0x25;
const enc = new TextEncoder();

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
function isPunct(c: number): boolean {
  return isPrint(c) && c !== 0x20 && !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
}
/** What may follow `%s`: the end, white space or punctuation. */
function endsString(c: number): boolean {
  return c === 0 || isSpace(c) || isPunct(c);
}

const fail = (errno: number, why: string): BprintfResult => ({ ok: false, errno, why });

/** Text of a kernel symbol for `%ps` / `%pS` / `%pB`. */
function symbolText(env: BprintfEnv, address: bigint, kind: 's' | 'S' | 'B'): Uint8Array {
  const lookup = kind === 'B' ? address - 1n : address;
  const sym = env.symbolAt(lookup);
  if (sym === undefined) return enc.encode(`0x${address.toString(16)}`);
  if (kind === 's') return enc.encode(sym.name);
  const offset = lookup - sym.address + (kind === 'B' ? 1n : 0n);
  return enc.encode(`${sym.name}+0x${offset.toString(16)}/0x${sym.size.toString(16)}`);
}

function ipText(bytes: Uint8Array, kind: 'i4' | 'I4' | 'i6' | 'I6'): string {
  const b = [...bytes];
  switch (kind) {
    case 'I4':
      return b.join('.');
    case 'i4':
      return b.map((x) => String(x).padStart(3, '0')).join('.');
    case 'i6':
      return b.map((x) => x.toString(16).padStart(2, '0')).join('');
    case 'I6': {
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).padStart(4, '0'));
      return groups.join(':');
    }
  }
}

/**
 * Checks `fmt` (the `fmt_size` bytes the program passed) against `args`
 * as `bpf_bprintf_prepare` does and formats it as `bstr_printf` does.
 */
export function bprintf(fmt: Uint8Array, args: readonly bigint[], env: BprintfEnv): BprintfResult {
  const nul = fmt.indexOf(0);
  if (nul < 0) return fail(ERRNO.EINVAL, `the format string has no terminating NUL within its ${fmt.length} bytes (fmt_size)`);
  const f = (i: number): number => (i < nul ? fmt[i]! : 0);
  const pieces: Piece[] = [];
  let litStart = 0;
  let numSpec = 0;
  let buf = 0;
  const end = MAX_BPRINTF_BIN_ARGS;
  const noSpace = (): BprintfResult => fail(ERRNO.ENOSPC, `the arguments need more than the ${MAX_BPRINTF_BIN_ARGS} bytes the kernel stages them in`);
  const flushLiteral = (upTo: number): void => {
    if (upTo > litStart) pieces.push({ kind: 'lit', bytes: fmt.slice(litStart, upTo) });
  };
  const value = (size: 4 | 8): bigint | undefined => {
    buf = Math.ceil(buf / 4) * 4;
    if (end - buf < size) return undefined;
    buf += size;
    return args[numSpec]!;
  };

  for (let i = 0; i < nul; i++) {
    const c = fmt[i]!;
    if ((!isPrint(c) && !isSpace(c)) || c > 0x7f) {
      return fail(ERRNO.EINVAL, `the format string has the non-printable byte 0x${c.toString(16).padStart(2, '0')} at offset ${i}`);
    }
    if (c !== PCT) continue;
    if (f(i + 1) === PCT) {
      flushLiteral(i + 1);
      i++;
      litStart = i + 1;
      continue;
    }
    const start = i;
    if (numSpec >= args.length) {
      return fail(ERRNO.EINVAL, `the format string has more conversions than the ${args.length} argument${args.length === 1 ? '' : 's'} given (at offset ${start})`);
    }
    flushLiteral(start);
    i++;
    let left = false;
    let plus = false;
    let space = false;
    let zero = false;
    for (;;) {
      const ch = f(i);
      if (ch === 0x30) zero = true;
      else if (ch === 0x2b) plus = true;
      else if (ch === 0x2d) left = true;
      else if (ch === 0x20) space = true;
      else break;
      i++;
    }
    let width: number | undefined;
    if (f(i) >= 0x31 && f(i) <= 0x39) {
      width = f(i) - 0x30;
      i++;
      while (f(i) >= 0x30 && f(i) <= 0x39) {
        width = width * 10 + (f(i) - 0x30);
        i++;
      }
    }
    const spec: Spec = { left, plus, space, zero, width };
    const bad = (why: string): BprintfResult =>
      fail(ERRNO.EINVAL, `unsupported conversion '${new TextDecoder().decode(fmt.slice(start, Math.min(i + 1, nul)))}' at offset ${start}: ${why}`);
    const conv = f(i);

    if (conv === 0x70 /* p */) {
      const next = f(i + 1);
      if (endsString(next)) {
        const v = value(8);
        if (v === undefined) return noSpace();
        pieces.push({ kind: 'ptr', spec, value: v });
      } else if ((next === 0x6b || next === 0x75) && f(i + 2) === 0x73 /* %pks %pus */) {
        i += 2;
        if (!endsString(f(i + 1))) return bad('a string conversion must be followed by the end, a space or punctuation');
        if (buf === end) return noSpace();
        const s = env.readString(args[numSpec]!, end - buf, next === 0x75 ? 'user' : 'kernel') ?? new Uint8Array(0);
        buf += s.length + 1;
        pieces.push({ kind: 'str', spec, bytes: s });
      } else if (next === 0x4b || next === 0x78 || next === 0x73 || next === 0x53 /* K x s S */) {
        i++;
        const v = value(8);
        if (v === undefined) return noSpace();
        if (next === 0x4b) pieces.push({ kind: 'ptr', spec, value: v });
        else if (next === 0x78) pieces.push({ kind: 'num', spec: pointerSpec(spec), value: BigInt.asUintN(64, v), base: 16, signed: false, upper: false });
        else pieces.push({ kind: 'str', spec, bytes: symbolText(env, BigInt.asUintN(64, v), next === 0x73 ? 's' : 'S') });
      } else if (next === 0x42 /* B */) {
        i++;
        const text = symbolText(env, BigInt.asUintN(64, args[numSpec]!), 'B');
        const room = Math.max(0, end - buf - 1);
        buf += text.length + 1;
        pieces.push({ kind: 'str', spec, bytes: text.subarray(0, room) });
      } else if ((next === 0x69 || next === 0x49) && (f(i + 2) === 0x34 || f(i + 2) === 0x36) /* i4 I4 i6 I6 */) {
        i += 2;
        const size = f(i) === 0x34 ? 4 : 16;
        if (end - buf < size) return noSpace();
        const raw = env.readKernel(BigInt.asUintN(64, args[numSpec]!), size) ?? new Uint8Array(size);
        const text = enc.encode(ipText(raw, `${String.fromCharCode(next)}${size === 4 ? '4' : '6'}` as 'i4' | 'I4' | 'i6' | 'I6'));
        buf += text.length + 1;
        pieces.push({ kind: 'str', spec, bytes: text });
      } else {
        return bad('of the %p extensions only %pK %px %ps %pS %pB %pks %pus %pi4 %pI4 %pi6 %pI6 are allowed');
      }
      numSpec++;
      litStart = i + 1;
      continue;
    }
    if (conv === 0x73 /* s */) {
      if (!endsString(f(i + 1))) return bad('%s must be followed by the end, a space or punctuation');
      if (buf === end) return noSpace();
      const s = env.readString(args[numSpec]!, end - buf, 'kernel') ?? new Uint8Array(0);
      buf += s.length + 1;
      pieces.push({ kind: 'str', spec, bytes: s });
      numSpec++;
      litStart = i + 1;
      continue;
    }
    if (conv === 0x63 /* c */) {
      if (buf === end) return noSpace();
      buf += 1;
      pieces.push({ kind: 'str', spec, bytes: Uint8Array.of(Number(BigInt.asUintN(8, args[numSpec]!))) });
      numSpec++;
      litStart = i + 1;
      continue;
    }
    let long = false;
    if (f(i) === 0x6c) {
      long = true;
      i++;
    }
    if (f(i) === 0x6c) i++;
    const t = f(i);
    if (t !== 0x69 && t !== 0x64 && t !== 0x75 && t !== 0x78 && t !== 0x58) {
      return bad('the kernel accepts d i u x X (with l or ll), c, s, p and its extensions');
    }
    const v = value(long ? 8 : 4);
    if (v === undefined) return noSpace();
    const signed = t === 0x69 || t === 0x64;
    const bits = long ? 64 : 32;
    pieces.push({
      kind: 'num',
      spec,
      value: signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v),
      base: t === 0x78 || t === 0x58 ? 16 : 10,
      signed,
      upper: t === 0x58,
    });
    numSpec++;
    litStart = i + 1;
  }
  flushLiteral(nul);
  const out = render(pieces, env);
  return { ok: true, bytes: out, length: out.length };
}

/** `pointer_string`: 16 zero-padded hex digits unless the conversion gave a width. */
function pointerSpec(spec: Spec): Spec {
  return spec.width === undefined ? { ...spec, width: 16, zero: true } : spec;
}

function pad(bytes: Uint8Array, spec: Spec, zeroAllowed: boolean, signLength = 0): Uint8Array {
  const width = spec.width ?? 0;
  if (bytes.length >= width) return bytes;
  const out = new Uint8Array(width);
  const n = width - bytes.length;
  if (spec.left) {
    out.set(bytes);
    out.fill(0x20, bytes.length);
  } else if (zeroAllowed && spec.zero) {
    out.set(bytes.subarray(0, signLength));
    out.fill(0x30, signLength, signLength + n);
    out.set(bytes.subarray(signLength), signLength + n);
  } else {
    out.fill(0x20, 0, n);
    out.set(bytes, n);
  }
  return out;
}

function formatNumber(p: Extract<Piece, { kind: 'num' }>): Uint8Array {
  let sign = '';
  let mag = p.value;
  if (p.signed && mag < 0n) {
    sign = '-';
    mag = -mag;
  } else if (p.signed && p.spec.plus) sign = '+';
  else if (p.signed && p.spec.space) sign = ' ';
  let digits = mag.toString(p.base);
  if (p.upper) digits = digits.toUpperCase();
  return pad(enc.encode(sign + digits), p.spec, true, sign.length);
}

function render(pieces: readonly Piece[], env: BprintfEnv): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const p of pieces) {
    switch (p.kind) {
      case 'lit':
        parts.push(p.bytes);
        break;
      case 'num':
        parts.push(formatNumber(p));
        break;
      case 'str':
        parts.push(pad(p.bytes, p.spec, false));
        break;
      case 'ptr': {
        const v = BigInt.asUintN(64, p.value);
        const errOrNull = v === 0n || v >= 2n ** 64n - 4095n;
        const shown = errOrNull ? v : BigInt(env.hashPointer(v) >>> 0);
        parts.push(formatNumber({ kind: 'num', spec: pointerSpec(p.spec), value: shown, base: 16, signed: false, upper: false }));
        break;
      }
    }
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** The text the trace event records: the output cut to 1023 bytes and at its first NUL, as UTF-8. */
export function traceText(bytes: Uint8Array): string {
  let n = Math.min(bytes.length, MAX_BPRINTF_BUF - 1);
  const z = bytes.subarray(0, n).indexOf(0);
  if (z >= 0) n = z;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, n));
}
