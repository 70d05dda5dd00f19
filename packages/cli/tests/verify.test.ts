// `bpflab verify`: the seed's XDP firewall is accepted; the same firewall
// without the UDP header's data_end check is rejected with the kernel's
// `invalid access to packet` line, the C line and a hint; a missing NULL
// check after bpf_map_lookup_elem is rejected with
// `R0 invalid mem access 'map_value_or_null'`. The C is built with clang
// in a temp dir (a visible skip without clang). The outputs are golden
// files in tests/goldens/verify/ (UPDATE_GOLDEN=1 rewrites them), checked
// only with the clang major version recorded in tests/goldens/clang-major,
// since they depend on clang's code generation.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const HERE = dirname(fileURLToPath(import.meta.url));
const SEED = join(HERE, '..', '..', 'toolchain', 'tests', 'fixtures', 'programs', 'xdp_firewall.bpf.c');
const GOLDENS = join(HERE, 'goldens', 'verify');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-verify-'));

function clangMajor(): number | undefined {
  try {
    const m = /clang version (\d+)\./.exec(execFileSync(process.env.CLANG ?? 'clang', ['--version'], { encoding: 'utf8' }));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
const major = clangMajor();
const recordedPath = join(HERE, 'goldens', 'clang-major');
const recorded = existsSync(recordedPath) ? Number(readFileSync(recordedPath, 'utf8').trim()) : undefined;
if (major === undefined) console.warn('bpflab verify tests skipped: clang not found (apt-get install clang)');
else if (!UPDATE && recorded !== major) console.warn(`bpflab verify golden comparisons skipped: the goldens were made with clang ${recorded}, this is clang ${major}`);
const describeClang = major === undefined ? describe.skip : describe;
const checkGoldens = major !== undefined && (UPDATE || recorded === major);

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

/** Copies a C source into the temp dir (sources are compiled where they are named, by relative path). */
function stage(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  copyFileSync(path, join(tmp, name));
  return name;
}

function golden(name: string, text: string): void {
  if (!checkGoldens) return;
  const path = join(GOLDENS, name);
  if (UPDATE) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describeClang('bpflab verify', () => {
  it.each<{ name: string; source: string; code: number; lines: readonly string[]; at?: RegExp; hint?: RegExp }>([
    {
      name: 'xdp_firewall',
      source: SEED,
      code: 0,
      lines: ['xdp_firewall: accepted (program type xdp; context from hook plugin xdp)'],
    },
    {
      name: 'xdp_no_bounds',
      source: join(GOLDENS, 'xdp_no_bounds.bpf.c'),
      code: 1,
      lines: ['invalid access to packet, off=16 size=2, R1(id=1,off=16,r=0)', 'R1 offset is outside of the packet'],
      at: /^ {2}at xdp_no_bounds\.bpf\.c:\d+: if \(udp->dest == bpf_htons\(BLOCKED_PORT\)\)$/m,
      hint: /^hint: .*data_end/m,
    },
    {
      name: 'lookup_no_null',
      source: join(GOLDENS, 'lookup_no_null.bpf.c'),
      code: 1,
      lines: ["R0 invalid mem access 'map_value_or_null'"],
      at: /^ {2}at lookup_no_null\.bpf\.c:\d+: \*count \+= 1;$/m,
      hint: /^hint: Test the pointer before using it/m,
    },
  ])('$name', async ({ name, source, code, lines, at, hint }) => {
    const r = await bpflab('verify', stage(source));
    expect(r.code).toBe(code);
    const out = r.out.split('\n');
    for (const l of lines) expect(out).toContain(l);
    expect(r.out).toMatch(/^processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read 0$/m);
    if (code === 0) {
      expect(r.err).toBe('');
      expect(r.out).not.toContain('error:');
    } else {
      expect(r.err).toMatch(/was rejected by the verifier: permission denied \(EACCES\)\n$/);
      expect(r.out).toMatch(at!);
      expect(r.out).toMatch(hint!);
      expect(r.out).toMatch(/^why: /m);
    }
    golden(`${name}.out`, `${r.out}exit: ${r.code}\n`);
  });

  it('--log-level 2 logs every path with live registers; --prog picks a program', async () => {
    const r = await bpflab('verify', stage(SEED), '--prog', 'xdp_firewall', '--log-level', '2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('\nLive regs before insn:\n');
    expect(r.out).toMatch(/^from \d+ to \d+: /m);
    golden('xdp_firewall.level2.out', `${r.out}exit: ${r.code}\n`);
  });

  it('--unprivileged: XDP needs CAP_BPF', async () => {
    const r = await bpflab('verify', stage(SEED), '--unprivileged');
    expect(r.code).toBe(1);
    expect(r.out).toContain('program type xdp needs CAP_BPF and CAP_PERFMON (or CAP_NET_ADMIN); load it as root');
  });

  it.each<[what: string, args: readonly string[], message: RegExp]>([
    ['an unknown program', ['--prog', 'nope'], /no program nope \(programs: xdp_firewall\)/],
    ['a bad log level', ['--log-level', '3'], /--log-level must be 1 or 2, got '3'/],
  ])('exits 2 on %s', async (_what, args, message) => {
    const r = await bpflab('verify', stage(SEED), ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe('bpflab verify without clang', () => {
  it('exits 2 on a file that is not an object', async () => {
    writeFileSync(join(tmp, 'notes.o'), 'not an ELF file');
    const r = await bpflab('verify', 'notes.o');
    expect(r.code).toBe(2);
    expect(r.err).toContain('notes.o: not an ELF object file');
  });
});
