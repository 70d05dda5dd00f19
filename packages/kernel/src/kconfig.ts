/**
 * The simulated kernel's configuration (`/proc/config.gz`) and how libbpf
 * turns it into the values of `__kconfig` externs (`.kconfig`), with
 * libbpf's rules and messages:
 *
 * - `y`/`n`/`m` fill `bool` (y=1, n=0), `enum libbpf_tristate` (y=1, n=0,
 *   m=2) and `char` externs ('y', 'n', 'm');
 * - numbers (decimal, `0x` hex, `0` octal, optionally negative) fill integer
 *   and `char` externs that can hold them;
 * - quoted strings fill `char[]` externs (cut to fit, NUL-terminated);
 * - `LINUX_KERNEL_VERSION`, `LINUX_HAS_BPF_COOKIE` and
 *   `LINUX_HAS_SYSCALL_WRAPPER` are libbpf's virtual externs;
 * - a missing extern is 0 when `__weak`, else the load fails with ESRCH.
 */
import type { ExternSpec } from '@bpflab/object';
import { ERRNO } from '@bpflab/uapi';
import { fail, ok, type SysResult } from './result';

/** A kconfig: option name to value as the `.config` file spells it (`y`, `250`, `"text"`). */
export type Kconfig = Readonly<Record<string, string>>;

/** `KERNEL_VERSION(a, b, c)`. */
export function kernelVersionCode(major: number, minor: number, patch: number): number {
  return major * 65536 + minor * 256 + Math.min(patch, 255);
}

/** The version code of a release string such as `6.18.0-bpflab` (0 when it has no `a.b.c` prefix). */
export function versionCodeOf(release: string): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (m === null) return 0;
  return kernelVersionCode(Number(m[1]), Number(m[2]), Number(m[3] ?? 0));
}

/** The configuration of the simulated kernel, before `KernelOptions.kconfig` overrides. */
export function defaultKconfig(hz: number, cpus: number): Kconfig {
  return Object.freeze({
    CONFIG_64BIT: 'y',
    CONFIG_X86_64: 'y',
    CONFIG_SMP: 'y',
    CONFIG_NR_CPUS: String(Math.max(64, cpus)),
    CONFIG_HZ: String(hz),
    [`CONFIG_HZ_${hz}`]: 'y',
    CONFIG_PREEMPT_VOLUNTARY: 'y',
    CONFIG_BPF: 'y',
    CONFIG_BPF_SYSCALL: 'y',
    CONFIG_BPF_JIT: 'y',
    CONFIG_BPF_JIT_ALWAYS_ON: 'y',
    CONFIG_BPF_EVENTS: 'y',
    CONFIG_BPF_LSM: 'y',
    CONFIG_BPF_KPROBE_OVERRIDE: 'y',
    CONFIG_DEBUG_INFO_BTF: 'y',
    CONFIG_KPROBES: 'y',
    CONFIG_UPROBES: 'y',
    CONFIG_TRACEPOINTS: 'y',
    CONFIG_FTRACE: 'y',
    CONFIG_NET: 'y',
    CONFIG_INET: 'y',
    CONFIG_IPV6: 'y',
    CONFIG_XDP_SOCKETS: 'y',
    CONFIG_NET_CLS_BPF: 'm',
    CONFIG_NET_ACT_BPF: 'm',
    CONFIG_SECURITY: 'y',
    CONFIG_LSM: '"landlock,lockdown,yama,integrity,bpf"',
    CONFIG_DEFAULT_HOSTNAME: '"(none)"',
    CONFIG_LOCALVERSION: '"-bpflab"',
  });
}

type KconfigExtern = Extract<ExternSpec, { kind: 'kconfig' }>;

function inRange(v: bigint, size: number, signed: boolean): boolean {
  const bits = BigInt(size * 8);
  return signed ? v >= -(1n << (bits - 1n)) && v < 1n << (bits - 1n) : v >= 0n && v < 1n << bits;
}

function parseNumber(text: string): bigint | undefined {
  const m = /^(-?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/i.exec(text.trim());
  if (m === null) return undefined;
  const body = m[2]!;
  const v = /^0x/i.test(body) ? BigInt(body) : body.length > 1 && body.startsWith('0') ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  return m[1] === '-' ? -v : v;
}

function writeInt(out: Uint8Array, at: number, size: number, v: bigint): void {
  const u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) out[at + i] = Number((u >> BigInt(8 * i)) & 0xffn);
}

/**
 * Writes one extern's value into `out` (the `.kconfig` map value) from the
 * kconfig text `value`, as libbpf's `set_kcfg_value_*` do.
 */
export function setKconfigValue(out: Uint8Array, ext: KconfigExtern, value: string): SysResult {
  const name = `extern (kcfg) '${ext.name}'`;
  if (ext.offset + ext.size > out.length) {
    return fail(ERRNO.EINVAL, `${name}: ${ext.size} bytes at offset ${ext.offset} do not fit in the ${out.length}-byte .kconfig map`);
  }
  if (value === 'y' || value === 'n' || value === 'm') {
    switch (ext.valueKind) {
      case 'bool':
        if (value === 'm') return fail(ERRNO.EINVAL, `${name}: value '${value}' implies tristate or char type`);
        out[ext.offset] = value === 'y' ? 1 : 0;
        return ok(undefined);
      case 'tristate':
        writeInt(out, ext.offset, ext.size, value === 'y' ? 1n : value === 'm' ? 2n : 0n);
        return ok(undefined);
      case 'char':
        out[ext.offset] = value.charCodeAt(0);
        return ok(undefined);
      default:
        return fail(ERRNO.EINVAL, `${name}: value '${value}' implies bool, tristate, or char type`);
    }
  }
  if (value.startsWith('"')) {
    if (value.length < 2 || !value.endsWith('"')) return fail(ERRNO.EINVAL, `${name}: invalid string config '${value}'`);
    if (ext.valueKind !== 'char_array') return fail(ERRNO.EINVAL, `${name}: value '${value}' implies char array type`);
    const bytes = new TextEncoder().encode(value.slice(1, -1)).subarray(0, ext.size - 1);
    out.fill(0, ext.offset, ext.offset + ext.size);
    out.set(bytes, ext.offset);
    return ok(undefined);
  }
  const v = parseNumber(value);
  if (v === undefined) return fail(ERRNO.EINVAL, `${name}: failed to parse value '${value}'`);
  if (ext.valueKind !== 'int' && ext.valueKind !== 'char') return fail(ERRNO.EINVAL, `${name}: value '${value}' implies integer type`);
  if (!inRange(v, ext.size, ext.signed)) return fail(ERRNO.ERANGE, `${name}: value '${value}' doesn't fit in ${ext.size} bytes`);
  writeInt(out, ext.offset, ext.size, v);
  return ok(undefined);
}

/** What the libbpf virtual `LINUX_*` externs resolve to on the simulated kernel. */
export interface VirtualExterns {
  readonly kernelVersion: number;
  readonly hasBpfCookie: boolean;
  readonly hasSyscallWrapper: boolean;
}

/**
 * Builds the `.kconfig` map value for `externs` from `config`: each extern
 * set from its option, virtual ones from `virtuals`, weak missing ones
 * left 0. A strong extern the kernel cannot resolve fails with ESRCH and
 * libbpf's message.
 */
export function resolveKconfig(
  size: number,
  externs: readonly ExternSpec[],
  config: Kconfig,
  virtuals: VirtualExterns,
): SysResult<Uint8Array> {
  const out = new Uint8Array(size);
  for (const ext of externs) {
    if (ext.kind !== 'kconfig') continue;
    let value: string | undefined;
    if (ext.name.startsWith('LINUX_')) {
      if (ext.name === 'LINUX_KERNEL_VERSION') value = String(virtuals.kernelVersion);
      else if (ext.name === 'LINUX_HAS_BPF_COOKIE') value = virtuals.hasBpfCookie ? 'y' : 'n';
      else if (ext.name === 'LINUX_HAS_SYSCALL_WRAPPER') value = virtuals.hasSyscallWrapper ? 'y' : 'n';
      else if (!ext.weak) return fail(ERRNO.EINVAL, `extern (kcfg) '${ext.name}': unrecognized virtual extern`);
    } else {
      value = Object.prototype.hasOwnProperty.call(config, ext.name) ? config[ext.name] : undefined;
    }
    if (value === undefined) {
      if (!ext.weak) return fail(ERRNO.ESRCH, `extern '${ext.name}' (strong): not resolved`);
      continue;
    }
    const r = setKconfigValue(out, ext, value);
    if (!r.ok) return r;
  }
  return ok(out);
}
