// Every fixture program builds into a clean ELF object with the sections,
// symbols and helper calls it is there to show; every _error_ fixture fails
// with exactly the diagnostics annotated under its lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helperByName } from '@bpflab/uapi';
import { compile, formatDiagnostics, type ClangInfo } from '../src/index';
import { availableClangs, describeEachClang, FIXTURES } from './support/clangs';
import { coreReloKinds, helperCalls, insns, isElf, section, sections, symbols, type Sym } from './support/elf';

const PROGRAMS = join(FIXTURES, 'programs');
const ERRORS = join(FIXTURES, '_error_');

const id = (name: string): number => {
  const h = helperByName(name);
  if (h === undefined) throw new Error(`no helper ${name}`);
  return h.id;
};
const sym = (o: Uint8Array, name: string): Sym | undefined => symbols(o).find((s) => s.name === name);
const calls = (o: Uint8Array, sec: string): readonly number[] => helperCalls(section(o, sec).data);
const sectionNames = (o: Uint8Array): readonly string[] => sections(o).map((s) => s.name);
const btfHas = (o: Uint8Array, text: string): boolean => Buffer.from(section(o, '.BTF').data).includes(`\0${text}\0`);

/** What each program must contain besides a license. */
const CHECKS: Readonly<Record<string, (o: Uint8Array) => void>> = {
  'hello.bpf.c': (o) => {
    expect(calls(o, 'tracepoint/syscalls/sys_enter_execve')).toEqual([id('get_current_pid_tgid'), id('trace_printk')]);
    expect(sectionNames(o)).toContain('.rodata');
  },
  'syscount.bpf.c': (o) => {
    expect(sym(o, 'syscall_counts')).toMatchObject({ section: '.maps', type: 1 });
    expect(calls(o, 'tracepoint/raw_syscalls/sys_enter')).toEqual([id('map_lookup_elem'), id('map_update_elem')]);
  },
  'xdp_firewall.bpf.c': (o) => {
    expect(sym(o, 'xdp_firewall')).toMatchObject({ section: 'xdp', type: 2, bind: 1 });
    expect(calls(o, 'xdp')).toEqual([]);
  },
  'lsm_access.bpf.c': (o) => {
    for (const sec of ['lsm/file_open', 'lsm/file_permission']) {
      expect(calls(o, sec)).toEqual([id('get_current_uid_gid'), id('map_lookup_elem')]);
    }
    expect(sym(o, 'compromised_users')).toMatchObject({ section: '.maps' });
  },
  'globals.bpf.c': (o) => {
    const where = Object.fromEntries(
      ['calls_seen', 'target_pid', 'greeting', 'total_calls', 'hidden_total', 'custom_step'].map((n) => [n, sym(o, n)?.section]),
    );
    expect(where).toEqual({
      calls_seen: '.data',
      target_pid: '.rodata',
      greeting: '.rodata',
      total_calls: '.bss',
      hidden_total: '.bss',
      custom_step: '.data.custom',
    });
    expect(sym(o, 'hidden_total')?.bind).toBe(0);
  },
  'subprograms.bpf.c': (o) => {
    expect(sym(o, 'mix_static')).toMatchObject({ section: '.text', type: 2, bind: 0 });
    expect(sym(o, 'classify_global')).toMatchObject({ section: '.text', type: 2, bind: 1 });
    // BPF-to-BPF calls are `call` with src 1 (BPF_PSEUDO_CALL)
    expect(insns(section(o, 'xdp').data).filter((i) => i.code === 0x85 && i.src === 1)).toHaveLength(3);
  },
  'shared_maps.bpf.c': (o) => {
    for (const sec of ['openat', 'read', 'write'].map((s) => `tracepoint/syscalls/sys_enter_${s}`)) {
      expect(calls(o, sec)).toEqual([id('get_current_pid_tgid'), id('map_lookup_elem'), id('map_lookup_elem'), id('map_update_elem')]);
    }
    expect([sym(o, 'calls')?.section, sym(o, 'calls_by_pid')?.section]).toEqual(['.maps', '.maps']);
  },
  'legacy_maps.bpf.c': (o) => {
    expect(sym(o, 'legacy_counts')).toMatchObject({ section: 'maps', type: 1 });
    expect(section(o, 'maps').data).toHaveLength(20);
  },
  'map_in_map.bpf.c': (o) => {
    expect(['outer', 'inner_even', 'inner_odd'].map((n) => sym(o, n)?.section)).toEqual(['.maps', '.maps', '.maps']);
    expect(sectionNames(o)).toContain('.rel.maps');
  },
  'kconfig.bpf.c': (o) => {
    expect(sym(o, 'LINUX_KERNEL_VERSION')).toMatchObject({ section: '', bind: 1 });
    expect(sym(o, 'CONFIG_HZ')).toMatchObject({ section: '', bind: 2 });
    expect(btfHas(o, '.kconfig')).toBe(true);
  },
  'ksym.bpf.c': (o) => {
    expect(sym(o, 'bpf_prog_fops')).toMatchObject({ section: '', bind: 1 });
    expect(sym(o, 'bpflab_no_such_symbol')).toMatchObject({ section: '', bind: 2 });
    expect(btfHas(o, '.ksyms')).toBe(true);
  },
  'core_read.bpf.c': (o) => {
    expect(btfHas(o, 'task_struct___local')).toBe(true);
    // three field offsets (pid; real_parent, tgid) and one existence check
    expect([...coreReloKinds(o)].sort()).toEqual([0, 0, 0, 2]);
  },
  'ringbuf.bpf.c': (o) => {
    expect(calls(o, 'tracepoint/syscalls/sys_enter_execve')).toEqual(
      ['ringbuf_reserve', 'get_current_pid_tgid', 'get_current_uid_gid', 'get_current_comm', 'ringbuf_submit'].map(id),
    );
    expect(sym(o, 'events')).toMatchObject({ section: '.maps' });
  },
};

/** One expected diagnostic of an _error_ fixture. */
interface Expected {
  readonly line: number;
  readonly column: number;
  readonly severity: string;
  readonly message: string;
}

/** The `// ~~~ col N: severity: message` annotations, each about the nearest line above that is not one. */
function annotations(text: string): readonly Expected[] {
  const out: Expected[] = [];
  let target = 0;
  text.split('\n').forEach((line, i) => {
    const m = /^\/\/ ~~~ col (\d+): (error|warning|note): (.*)$/.exec(line);
    if (m === null) {
      target = i + 1;
      return;
    }
    out.push({ line: target, column: Number(m[1]), severity: m[2] ?? '', message: m[3] ?? '' });
  });
  return out;
}

const programs = readdirSync(PROGRAMS).filter((f) => f.endsWith('.bpf.c')).sort();
const broken = readdirSync(ERRORS).filter((f) => f.endsWith('.bpf.c')).sort();

it('every fixture program has its checks', () => {
  expect(programs).toEqual(Object.keys(CHECKS).sort());
  for (const f of broken) expect(annotations(readFileSync(join(ERRORS, f), 'utf8')).length).toBeGreaterThan(0);
});

const clangs = await availableClangs('fixtures.test.ts');

describeEachClang(clangs)('fixtures', (clang: ClangInfo) => {
  it.each(programs)('programs/%s builds cleanly', async (file) => {
    const r = await compile(join('programs', file), { clang, cwd: FIXTURES });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(r.diagnostics).toEqual([]);
    expect(isElf(r.object)).toBe(true);
    expect(Buffer.from(section(r.object, 'license').data).toString()).toBe('GPL\0');
    CHECKS[file]?.(r.object);
  });

  it.each(broken)('_error_/%s fails at the annotated file:line:column', async (file) => {
    const path = join('_error_', file);
    const r = await compile(path, { clang, cwd: FIXTURES });
    expect(r.ok).toBe(false);
    const have = r.diagnostics
      .filter((d) => d.file === path && d.severity !== 'note')
      .map(({ line, column, severity, message }) => ({ line, column, severity, message }));
    const want = annotations(readFileSync(join(ERRORS, file), 'utf8'));
    expect(have).toEqual(want);
    const text = formatDiagnostics(r.diagnostics);
    for (const w of want) expect(text).toContain(`${path}:${w.line}:${w.column}: ${w.severity}: ${w.message}`);
  });
});
