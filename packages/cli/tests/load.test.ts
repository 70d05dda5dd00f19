// `bpflab load`: the seed examples (and the course's vmlinux.h hello world)
// load into a fresh simulated kernel, whose loader runs the verifier, and
// list their programs and maps: programs the verifier accepted are
// "verified", programs of a type it cannot check (LSM) "not verified" with a
// note saying why; a program the verifier rejects exits 1 with the log and
// the explained error on stderr; any other load the kernel refuses exits 2
// with the kernel's message. Built with clang from the toolchain's fixtures;
// skipped visibly without clang.
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
  it.each<{
    source: string;
    verified: boolean;
    programs: readonly [name: string, section: string, type: string][];
    maps: readonly [name: string, type: string, key: number, value: number, max: number][];
  }>([
    {
      source: 'programs/hello.bpf.c',
      verified: true,
      programs: [['hello', 'tracepoint/syscalls/sys_enter_execve', 'tracepoint']],
      maps: [['hello.rodata', 'array', 4, 28, 1]],
    },
    {
      source: 'programs/syscount.bpf.c',
      verified: true,
      programs: [['count_syscalls', 'tracepoint/raw_syscalls/sys_enter', 'tracepoint']],
      maps: [['syscall_counts', 'percpu_hash', 4, 8, 512]],
    },
    {
      source: 'programs/xdp_firewall.bpf.c',
      verified: true,
      programs: [['xdp_firewall', 'xdp', 'xdp']],
      maps: [],
    },
    {
      source: 'programs/lsm_access.bpf.c',
      verified: true,
      programs: [
        ['restrict_file_open', 'lsm/file_open', 'lsm'],
        ['restrict_file_permission', 'lsm/file_permission', 'lsm'],
      ],
      maps: [['compromised_users', 'hash', 4, 1, 1024]],
    },
    {
      source: 'vmlinux/hello.bpf.c',
      verified: true,
      programs: [['handle_tracepoint', 'tracepoint/syscalls/sys_enter_execve', 'tracepoint']],
      maps: [['hello.rodata', 'array', 4, 28, 1]],
    },
  ])('$source: programs and maps, verified: $verified', async ({ source, verified, programs, maps }) => {
    const r = await bpflab('load', join(FIXTURES, source), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const have = JSON.parse(r.out) as LoadJson;
    expect(have.cpus).toBe(2);
    expect(have.programs.map((p) => [p.name, p.section, p.type])).toEqual(programs);
    for (const p of have.programs) {
      expect(p).toMatchObject({ loaded: true, verified, verification: verified ? 'verified' : 'not verified' });
      expect(p.insns).toBeGreaterThan(5);
    }
    expect(have.maps.map((m) => [m.name, m.type, m.bytes_key, m.bytes_value, m.max_entries])).toEqual(maps);
  });

  it('prints a table of programs and maps; the verifier checked the program', async () => {
    expect((await bpflab('build', join(FIXTURES, 'programs/syscount.bpf.c'), '-o', 'syscount.bpf.o')).code).toBe(0);
    const r = await bpflab('load', 'syscount.bpf.o');
    expect(r).toMatchObject({ code: 0, err: '' });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('syscount.bpf.o: loaded into a simulated kernel with 2 CPUs');
    expect(lines.slice(1, 4)).toEqual([
      'programs:',
      '  NAME            SECTION                            TYPE        INSNS  VERIFICATION',
      expect.stringMatching(/^ {2}count_syscalls {2}tracepoint\/raw_syscalls\/sys_enter {2}tracepoint +\d+ {2}verified$/),
    ]);
    expect(lines.slice(4, 8)).toEqual(['maps:', '  NAME            TYPE         KEY  VALUE  MAX_ENTRIES', '  syscall_counts  percpu_hash    4      8          512', '']);
    expect(r.out).not.toContain('not verified');
  });

  it('says which programs the verifier could not check, and why, never calling them verified', async () => {
    // task_kill: the simulated kernel's BTF lacks bpf_lsm_task_kill and struct kernel_siginfo
    writeFileSync(
      join(tmp, 'kill.bpf.c'),
      '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\nchar LICENSE[] SEC("license") = "GPL";\nstruct kernel_siginfo;\n' +
        'SEC("lsm/task_kill") int BPF_PROG(restrict_kill, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred, int ret) { return 0; }\n',
    );
    const r = await bpflab('load', 'kill.bpf.c');
    expect(r).toMatchObject({ code: 0, err: '' });
    const rows = r.out.split('\n').filter((l) => l.startsWith('  restrict_'));
    expect(rows).toEqual([expect.stringMatching(/ {2}not verified$/)]);
    const notes = r.out.split('\n').filter((l) => l.startsWith('note: '));
    expect(notes).toEqual(
      ['restrict_kill'].map((p) => expect.stringMatching(new RegExp(`^note: ${p}: not verified: bpflab has no verifier description for program type LSM \\(.*BTF.*\\); the program was loaded unchecked$`))),
    );
    expect(r.out.replace(/not verified/g, '')).not.toMatch(/verified/);
  });

  it('exits 1 when the verifier rejects a program: the kernel-style log and the explanation on stderr', async () => {
    writeFileSync(
      join(tmp, 'nonull.bpf.c'),
      [
        '#include <linux/bpf.h>',
        '#include <bpf/bpf_helpers.h>',
        'struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");',
        'SEC("xdp") int nonull(struct xdp_md *ctx) {',
        '  __u32 key = 0;',
        '  __u64 *v = bpf_map_lookup_elem(&counts, &key);',
        '  *v += 1;',
        '  return XDP_PASS;',
        '}',
        'char LICENSE[] SEC("license") = "GPL";',
        '',
      ].join('\n'),
    );
    const r = await bpflab('load', 'nonull.bpf.c');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const err = r.err.split('\n');
    expect(err[0]).toBe('nonull: rejected (program type xdp; context from hook plugin xdp)');
    expect(err).toContain('--- verifier log ---');
    expect(err).toContain("R0 invalid mem access 'map_value_or_null'");
    expect(err).toContain('  at nonull.bpf.c:7: *v += 1;');
    expect(r.err).toMatch(/^why: R0 may be NULL here/m);
    expect(r.err).toMatch(/^hint: Test the pointer before using it/m);
    expect(r.err).toMatch(/\nbpflab: nonull\.bpf\.c: program nonull was rejected by the verifier: permission denied \(EACCES\)\n$/);
  });

  it('names a rejected program by its whole name, though the kernel keeps 15 characters of it', async () => {
    writeFileSync(
      join(tmp, 'longname.bpf.c'),
      '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp") int drop_every_other_frame(struct xdp_md *ctx) { long r; asm volatile("%0 = r9" : "=r"(r)); return r; }\nchar LICENSE[] SEC("license") = "GPL";\n',
    );
    const r = await bpflab('load', 'longname.bpf.c');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toBe('drop_every_other_frame: rejected (program type xdp; context from hook plugin xdp)');
    expect(r.err).toContain('\nR9 !read_ok\n');
    expect(r.err).toMatch(/^hint: Set the register before using it/m);
  });

  it('--unprivileged verifies as a loader without CAP_BPF: an XDP program may not be loaded', async () => {
    const r = await bpflab('load', join(FIXTURES, 'programs/xdp_firewall.bpf.c'), '--unprivileged');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('program type xdp needs CAP_BPF and CAP_PERFMON (or CAP_NET_ADMIN); load it as root');
  });

  it('sizes the kernel with --cpus', async () => {
    const r = await bpflab('load', join(FIXTURES, 'programs/xdp_firewall.bpf.c'), '--cpus', '4');
    expect(r.out).toContain('loaded into a simulated kernel with 4 CPUs');
    expect(r.out).toContain('maps: none');
  });

  it.each<[string, string, RegExp]>([
    [
      'a helper bpflab does not model',
      'SEC("tracepoint/syscalls/sys_enter_getpid") int cgroup(void *ctx) { return bpf_get_current_cgroup_id() != 0; }',
      /prog 'cgroup': failed to load: .*helper bpf_get_current_cgroup_id#80 is not modelled by bpflab/,
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

  it('a helper the program type may not call is the verifier\'s refusal, log and explanation included, as on Linux', async () => {
    writeFileSync(
      join(tmp, 'poke.bpf.c'),
      '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp") int poke(struct xdp_md *ctx) { char buf[4] = {}; bpf_probe_write_user((void *)(long)ctx->data, buf, 4); return XDP_PASS; }\nchar LICENSE[] SEC("license") = "GPL";\n',
    );
    const r = await bpflab('load', 'poke.bpf.c');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^\d+: \(85\) call bpf_probe_write_user#36\nprogram of this type cannot use helper bpf_probe_write_user#36\n/m);
    expect(r.err).toMatch(/^why: bpf_probe_write_user\(\) exists, but programs of this type may not call it/m);
    expect(r.err).toMatch(/was rejected by the verifier: invalid argument \(EINVAL\)\n$/);
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
