// `bpflab load`: the seed examples (and the course's vmlinux.h hello world)
// load into a fresh simulated kernel and list their programs and maps;
// programs the pass-through verifier let in are "not verified"; a load the
// kernel refuses exits 2 with the kernel's message. Built with clang from
// the toolchain's fixtures; skipped visibly without clang.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'tests', 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-load-'));

function hasClang(): boolean {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const clang = hasClang();
if (!clang) console.warn('bpflab load tests skipped: clang not found (apt-get install clang)');
const describeClang = clang ? describe : describe.skip;

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

interface LoadJson {
  readonly object: string;
  readonly cpus: number;
  readonly programs: readonly { name: string; section: string; type: string; insns: number; verification: string; verified: boolean; loaded: boolean }[];
  readonly maps: readonly { name: string; type: string; bytes_key: number; bytes_value: number; max_entries: number }[];
}

describeClang('bpflab load', () => {
  it.each<{ source: string; programs: readonly [name: string, section: string, type: string][]; maps: readonly [name: string, type: string, key: number, value: number, max: number][] }>([
    {
      source: 'programs/hello.bpf.c',
      programs: [['hello', 'tracepoint/syscalls/sys_enter_execve', 'tracepoint']],
      maps: [['hello.rodata', 'array', 4, 28, 1]],
    },
    {
      source: 'programs/syscount.bpf.c',
      programs: [['count_syscalls', 'tracepoint/raw_syscalls/sys_enter', 'tracepoint']],
      maps: [['syscall_counts', 'percpu_hash', 4, 8, 512]],
    },
    {
      source: 'programs/xdp_firewall.bpf.c',
      programs: [['xdp_firewall', 'xdp', 'xdp']],
      maps: [],
    },
    {
      source: 'programs/lsm_access.bpf.c',
      programs: [
        ['restrict_file_open', 'lsm/file_open', 'lsm'],
        ['restrict_file_permission', 'lsm/file_permission', 'lsm'],
      ],
      maps: [['compromised_users', 'hash', 4, 1, 1024]],
    },
    {
      source: 'vmlinux/hello.bpf.c',
      programs: [['handle_tracepoint', 'tracepoint/syscalls/sys_enter_execve', 'tracepoint']],
      maps: [['hello.rodata', 'array', 4, 28, 1]],
    },
  ])('$source: programs and maps, "not verified"', async ({ source, programs, maps }) => {
    const r = await bpflab('load', join(FIXTURES, source), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const have = JSON.parse(r.out) as LoadJson;
    expect(have.cpus).toBe(2);
    expect(have.programs.map((p) => [p.name, p.section, p.type])).toEqual(programs);
    for (const p of have.programs) {
      expect(p).toMatchObject({ loaded: true, verified: false, verification: 'not verified' });
      expect(p.insns).toBeGreaterThan(5);
    }
    expect(have.maps.map((m) => [m.name, m.type, m.bytes_key, m.bytes_value, m.max_entries])).toEqual(maps);
  });

  it('prints a table of programs and maps, never calling an unchecked program verified', async () => {
    expect((await bpflab('build', join(FIXTURES, 'programs/syscount.bpf.c'), '-o', 'syscount.bpf.o')).code).toBe(0);
    const r = await bpflab('load', 'syscount.bpf.o');
    expect(r).toMatchObject({ code: 0, err: '' });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('syscount.bpf.o: loaded into a simulated kernel with 2 CPUs');
    expect(lines.slice(1, 4)).toEqual([
      'programs:',
      '  NAME            SECTION                            TYPE        INSNS  VERIFICATION',
      expect.stringMatching(/^ {2}count_syscalls {2}tracepoint\/raw_syscalls\/sys_enter {2}tracepoint +\d+ {2}not verified$/),
    ]);
    expect(lines.slice(4, 7)).toEqual(['maps:', '  NAME            TYPE         KEY  VALUE  MAX_ENTRIES', '  syscall_counts  percpu_hash    4      8          512']);
    expect(lines[7]).toMatch(/^note: not verified: no verifier is installed/);
    expect(r.out.replace(/not verified/g, '')).not.toMatch(/verified/);
  });

  it('sizes the kernel with --cpus', async () => {
    const r = await bpflab('load', join(FIXTURES, 'programs/xdp_firewall.bpf.c'), '--cpus', '4');
    expect(r.out).toContain('loaded into a simulated kernel with 4 CPUs');
    expect(r.out).toContain('maps: none');
  });

  it.each<[string, string, RegExp]>([
    [
      'a helper the program type may not call',
      'SEC("xdp") int poke(struct xdp_md *ctx) { char buf[4] = {}; bpf_probe_write_user((void *)(long)ctx->data, buf, 4); return XDP_PASS; }',
      /prog 'poke': failed to load: .*program of this type cannot use helper bpf_probe_write_user#36/,
    ],
    [
      'a helper bpflab does not model',
      'SEC("tracepoint/syscalls/sys_enter_getpid") int stack(void *ctx) { return bpf_get_stackid(ctx, 0, 0); }',
      /prog 'stack': failed to load: .*helper bpf_get_stackid#27 is not modelled by bpflab/,
    ],
    [
      'a kconfig extern the kernel does not have',
      'extern int CONFIG_BPFLAB_NO_SUCH_OPTION __kconfig;\nSEC("tracepoint/syscalls/sys_enter_getpid") int cfg(void *ctx) { return CONFIG_BPFLAB_NO_SUCH_OPTION; }',
      /CONFIG_BPFLAB_NO_SUCH_OPTION/,
    ],
  ])('refuses %s with exit code 2 and the kernel\'s message', async (what, body, message) => {
    const name = `${what.replace(/\W+/g, '_')}.bpf.c`;
    writeFileSync(join(tmp, name), `#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n${body}\nchar LICENSE[] SEC("license") = "GPL";\n`);
    const r = await bpflab('load', name);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^bpflab: ${name}: `));
    expect(r.err).toMatch(message);
    expect(r.err).not.toContain('internal error');
  });

  it('refuses C that does not compile, and a file that is not an object', async () => {
    writeFileSync(join(tmp, 'broken.bpf.c'), 'int f(void) { return x; }\n');
    const broken = await bpflab('load', 'broken.bpf.c');
    expect(broken.code).toBe(2);
    expect(broken.err).toContain("broken.bpf.c:1:22: error: use of undeclared identifier 'x'");
    writeFileSync(join(tmp, 'prog.s'), 'r0 = 0\nexit\n');
    const asm = await bpflab('load', 'prog.s');
    expect(asm).toMatchObject({ code: 2, err: expect.stringContaining('prog.s: not an ELF object file') });
  });
});

describe('bpflab load, map, gen --help', () => {
  it.each([[['load']], [['map']], [['map', 'dump']], [['map', 'update']], [['gen', 'vmlinux']]])('documents exit codes (%j)', async (cmd) => {
    const r = await bpflab(...cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Exit codes:');
  });
});
