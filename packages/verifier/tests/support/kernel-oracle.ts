/**
 * The running Linux kernel as a test oracle: loads a fixture's
 * instructions with BPF_PROG_LOAD through a small C helper
 * (`tools/kernel-oracle.c`, compiled on first use) and returns the kernel's
 * verdict and log. Nothing is attached or pinned; the helper closes every
 * fd before it exits, so the program is freed at once.
 *
 * Available only as root with a C compiler; `oracleUnavailable()` says why not.
 */
import { encode, type Insn } from '@bpflab/isa';
import { mapTypeValue } from '@bpflab/uapi';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROGRAM_TYPES, type MapDescription } from '../../src/index';
import type { Fixture } from './fixture-file';

const SOURCE = fileURLToPath(new URL('../../tools/kernel-oracle.c', import.meta.url));

/** Why the oracle cannot run here, or `undefined` when it can. */
export function oracleUnavailable(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  if (!existsSync('/sys/fs/bpf') && !existsSync('/proc/sys/kernel/unprivileged_bpf_disabled')) return 'no BPF support visible in /sys or /proc';
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.status !== 0) return 'no C compiler (cc) to build the oracle helper';
  return undefined;
}

let binary: string | undefined;

function helper(): string {
  if (binary) return binary;
  const dir = mkdtempSync(join(tmpdir(), 'bpflab-oracle-'));
  const out = join(dir, 'kernel-oracle');
  execFileSync('cc', ['-O2', '-o', out, SOURCE]);
  binary = out;
  return out;
}

/** The kernel's answer. */
export interface KernelAnswer {
  readonly ok: boolean;
  readonly errno: number;
  readonly log: string;
  readonly processed?: number;
  /** the kernel's own measure of the verification (`verification time N usec`, log level 4 only) */
  readonly verificationUsec?: number;
  /** lines after the last instruction line, before the counters: the error */
  readonly errorLines: readonly string[];
}

/** Loads a fixture into the kernel at the given log level. */
export function loadInKernel(f: Fixture, logLevel: 1 | 2): KernelAnswer {
  const pt = PROGRAM_TYPES[f.progType];
  if (pt?.kernelType === undefined) throw new Error(`${f.file}: program type ${f.progType} has no kernel equivalent`);
  return loadRaw(f.insns, pt.kernelType, logLevel, f.license, f.privileged === true ? 'root' : 'bpf', f.maps, f.btf);
}

/** Loads instructions with BPF_PROG_LOAD (log level 4 is `BPF_LOG_STATS`: the counters and the verification time only). */
export function loadRaw(
  insns: readonly Insn[],
  kernelType: number,
  logLevel: 1 | 2 | 4,
  license: string,
  caps: 'root' | 'bpf',
  maps: readonly MapDescription[],
  btf = false,
): KernelAnswer {
  const dir = mkdtempSync(join(tmpdir(), 'bpflab-prog-'));
  const bin = join(dir, 'prog.bin');
  writeFileSync(bin, encode(insns));
  const mapArgs = maps.map((m) => `${mapTypeValue(m.type.toUpperCase()) ?? 0}:${m.keySize}:${m.valueSize}:${m.maxEntries}${m.name ? `:${m.name}` : ''}`);
  const out = execFileSync(helper(), [String(kernelType), String(logLevel), license, caps, bin, ...mapArgs, ...(btf ? ['btf'] : [])], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  rmSync(dir, { recursive: true, force: true });
  const nl = out.indexOf('\n');
  const head = nl < 0 ? out : out.slice(0, nl);
  const log = nl < 0 ? '' : out.slice(nl + 1);
  const ok = head === 'ok';
  const errno = ok ? 0 : Number(head.split(' ')[1]);
  const m = /processed (\d+) insns/.exec(log);
  const t = /verification time (\d+) usec/.exec(log);
  return {
    ok,
    errno,
    log,
    ...(m ? { processed: Number(m[1]) } : {}),
    ...(t ? { verificationUsec: Number(t[1]) } : {}),
    errorLines: errorLinesOf(log),
  };
}

/** The lines a log ends with after its last instruction line: the error. */
export function errorLinesOf(log: string): string[] {
  const lines = log.split('\n').filter((l) => l !== '');
  const end = lines.findIndex((l) => l.startsWith('processed '));
  const body = end < 0 ? lines : lines.slice(0, end);
  let start = 0;
  body.forEach((l, i) => {
    if (/^\d+: \([0-9a-f]{2}\) /.test(l) || /^func#\d+ @\d+$/.test(l) || /^\s+\d+: [.0-9]{10} /.test(l)) start = i + 1;
  });
  return body.slice(start).filter((l) => !/^(mark_precise|\([\d,]+\) |frame \d+: propagating|force_precise)/.test(l));
}

/** Replaces map addresses in a log so that kernel and bpflab logs compare. */
export function normalizeLog(log: string): string {
  return log.replace(/(\(18\) r\d+ = )0x[0-9a-f]+/g, '$10xADDR');
}
