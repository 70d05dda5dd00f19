// compile(): the clang command, inputs, options, results and failures. Most
// tests build with the real clang; the failure modes of the compiler process
// itself (hangs, crashes, silent failures) use small fake compilers.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  autoSystemIncludeDirs,
  compile,
  DEBUG_INCLUDE_DIR,
  formatDiagnostics,
  includeDir,
  ToolchainError,
  type ClangInfo,
  type CompileInput,
  type CompileOptions,
} from '../src/index';
import { availableClangs, describeEachClang, FIXTURES } from './support/clangs';
import { insns, isElf, section } from './support/elf';

const HELLO = {
  name: 'prog.bpf.c',
  source: [
    '#include <linux/bpf.h>',
    '#include <bpf/bpf_helpers.h>',
    'SEC("tracepoint/syscalls/sys_enter_execve")',
    'int hello(void *ctx)',
    '{',
    '\tbpf_printk("pid %d", bpf_get_current_pid_tgid() >> 32);',
    '\treturn 0;',
    '}',
    'char LICENSE[] SEC("license") = "GPL";',
    '',
  ].join('\n'),
};

async function failure(p: Promise<unknown>): Promise<ToolchainError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ToolchainError)) throw new Error(`expected a ToolchainError, got ${String(e)}`);
  return e;
}

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bpflab-toolchain-test-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A fake compiler: a shell script standing in for clang. */
function fakeClang(name: string, script: string): ClangInfo {
  const path = join(scratch, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return { path, via: 'CLANG', name: path, version: '14.0.6', major: 14, versionLine: 'fake clang version 14.0.6', bpfTargets: ['bpf'] };
}

/** The value after `-o` in a fake compiler's arguments, in sh. */
const OUTPUT = 'out=""; prev=""; for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done';

const posix = process.platform !== 'win32';
const posixIt = posix ? it : it.skip;

describe('compile with a fake compiler', () => {
  posixIt('passes the kit include directory first, then the options, and reads back the object and warnings', async () => {
    const clang = fakeClang(
      'ok-clang',
      `${OUTPUT}\nprintf '\\177ELFfake' > "$out"\necho "prog.bpf.c:3:5: warning: unused variable 'x' [-Wunused-variable]" >&2\necho "  int x;" >&2\necho "      ^" >&2\necho "1 warning generated." >&2`,
    );
    const r = await compile(HELLO, {
      clang,
      cpu: 'v2',
      defines: { DEBUG: true, LEVEL: 3, NAME: 'lab' },
      includeDirs: ['/opt/lab/include'],
      systemIncludeDirs: ['/usr/include/x86_64-linux-gnu'],
      warnings: ['all', 'no-unused-function'],
      werror: true,
      extraArgs: ['-fno-stack-protector'],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Buffer.from(r.object).toString('latin1')).toBe('\x7fELFfake');
    expect(r.diagnostics).toEqual([
      {
        file: 'prog.bpf.c',
        line: 3,
        column: 5,
        severity: 'warning',
        message: "unused variable 'x'",
        option: '-Wunused-variable',
        sourceLine: '  int x;',
        caret: '      ^',
        includedFrom: [],
      },
    ]);
    const args = r.command.slice(1);
    expect(r.command[0]).toBe(clang.path);
    expect(args.slice(0, 8)).toEqual(['-O2', '-g', '-target', 'bpf', '-mcpu=v2', '-c', '-fno-color-diagnostics', '-fmessage-length=0']);
    expect(args).toContain(`-fdebug-prefix-map=${includeDir}=${DEBUG_INCLUDE_DIR}`);
    const includes = args.filter((a) => a.startsWith('-I') || a.startsWith('-idirafter'));
    expect(includes).toEqual([`-I${includeDir}`, '-I/opt/lab/include', '-idirafter/usr/include/x86_64-linux-gnu']);
    expect(args).toEqual(expect.arrayContaining(['-Wall', '-Wno-unused-function', '-Werror', '-DDEBUG', '-DLEVEL=3', '-DNAME=lab', '-fno-stack-protector']));
    expect(args.slice(-3, -1)).toEqual(['-o', expect.stringMatching(/out\.o$/)]);
    expect(args.at(-1)).toBe('prog.bpf.c');
  });

  posixIt.each([
    ['hangs', 'sleep 10', 'timeout', /^clang did not finish in 300 ms: prog\.bpf\.c$/],
    ['crashes with a signal', 'kill -SEGV $$', 'clang-failed', /^clang crashed compiling prog\.bpf\.c: SIGSEGV/],
    ['reports a crash', 'echo "PLEASE submit a bug report to https://example.invalid" >&2; exit 134', 'clang-failed', /^clang crashed compiling prog\.bpf\.c\nPLEASE submit/],
    ['fails without a diagnostic', 'echo "out of memory" >&2; exit 1', 'clang-failed', /^clang exited with status 1 compiling prog\.bpf\.c\nout of memory$/],
    ['succeeds without an object', 'exit 0', 'clang-failed', /^clang wrote no object for prog\.bpf\.c$/],
  ])('throws when clang %s', async (name, script, code, message) => {
    const clang = fakeClang(name.replace(/\W+/g, '-'), script);
    const e = await failure(compile(HELLO, { clang, timeoutMs: 300 }));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.file).toBe('prog.bpf.c');
  });

  posixIt('removes its temporary directory, even when clang hangs', async () => {
    const own = mkdtempSync(join(scratch, 'tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own;
    try {
      await failure(compile(HELLO, { clang: fakeClang('hang', 'sleep 10'), timeoutMs: 200 }));
      await compile(HELLO, { clang: fakeClang('obj', `${OUTPUT}\nprintf x > "$out"`) });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(own)).toEqual([]);
  });

  it('cannot run a compiler that is not there', async () => {
    const clang = { ...fakeClang('x', 'exit 0'), path: join(scratch, 'no-such-clang') };
    const e = await failure(compile(HELLO, { clang }));
    expect(e.code).toBe('clang-failed');
    expect(e.message).toMatch(/^cannot run clang: .*no-such-clang: spawn .*ENOENT/);
  });
});

describe('compile rejects bad input and options', () => {
  const clang = (): ClangInfo => fakeClang('unused', 'exit 1');

  it.each<[string, CompileInput, CompileOptions, string, string]>([
    ['a missing file', 'no/such/prog.bpf.c', {}, 'bad-input', 'cannot read source: no/such/prog.bpf.c: ENOENT'],
    ['a directory', '.', {}, 'bad-input', 'cannot read source: .: not a file'],
    ['a source named with ..', { source: '', name: '../prog.bpf.c' }, {}, 'bad-input', 'source name must be a relative path without \'..\': "../prog.bpf.c"'],
    ['a source with an absolute name', { source: '', name: '/tmp/prog.bpf.c' }, {}, 'bad-input', 'source name must be a relative path without \'..\': "/tmp/prog.bpf.c"'],
    ['a source without a name', { source: '', name: '' }, {}, 'bad-input', 'source name must be a relative path without \'..\': ""'],
    ['a bad macro name', HELLO, { defines: { '1X': true } }, 'bad-option', 'bad macro name in defines: "1X"'],
    ['a macro value with a newline', HELLO, { defines: { X: 'a\nb' } }, 'bad-option', 'macro value has a line break: X'],
    ['a bad warning flag', HELLO, { warnings: ['all; rm'] }, 'bad-option', 'bad warning flag: -Wall; rm'],
    ['cpu v4 on clang 14', HELLO, { cpu: 'v4' }, 'bad-option', 'cpu v4 needs clang 18 or newer: fake clang version 14.0.6'],
    ['a zero timeout', HELLO, { timeoutMs: 0 }, 'bad-option', 'timeoutMs must be positive: 0'],
  ])('%s', async (_name, input, options, code, message) => {
    const e = await failure(compile(input, { clang: clang(), cwd: FIXTURES, ...options }));
    expect([e.code, e.message]).toEqual([code, message]);
  });
});

describe('autoSystemIncludeDirs', () => {
  it.each([
    ['x64', true, ['x86_64-linux-gnu']],
    ['arm64', true, []],
    ['x64', false, []],
    ['sparc', true, []],
  ])('%s with asm/types.h present: %s', (arch, present, want) => {
    const root = mkdtempSync(join(scratch, 'usr-include-'));
    if (present) {
      mkdirSync(join(root, 'x86_64-linux-gnu', 'asm'), { recursive: true });
      writeFileSync(join(root, 'x86_64-linux-gnu', 'asm', 'types.h'), '');
    }
    expect(autoSystemIncludeDirs(arch, root)).toEqual(want.map((d) => join(root, d)));
  });
});

const clangs = await availableClangs('compile.test.ts');

describeEachClang(clangs)('compile', (clang: ClangInfo) => {
  it('builds source text into an ELF object, the same bytes every time, with no temporary paths', async () => {
    const a = await compile(HELLO, { clang });
    const b = await compile(HELLO, { clang });
    if (!a.ok || !b.ok) throw new Error(formatDiagnostics(a.diagnostics));
    expect(a.diagnostics).toEqual([]);
    expect(a.log).toBe('');
    expect(isElf(a.object)).toBe(true);
    expect(Buffer.from(a.object).equals(Buffer.from(b.object))).toBe(true);
    const bytes = Buffer.from(a.object);
    expect(bytes.includes('bpflab-cc-')).toBe(false);
    expect(bytes.includes(includeDir)).toBe(false);
    expect(bytes.includes(`${DEBUG_INCLUDE_DIR}/bpf`)).toBe(true);
    // BTF line info names the source as given
    expect(Buffer.from(section(a.object, '.BTF').data).includes('\0prog.bpf.c\0')).toBe(true);
  });

  it('builds a file, relative to cwd, with include directories relative to cwd', async () => {
    const r = await compile('headers/tracing_vmlinux.bpf.c', { clang, cwd: FIXTURES, includeDirs: ['headers'] });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
    expect(r.file).toBe('headers/tracing_vmlinux.bpf.c');
    expect(isElf(r.object)).toBe(true);
  });

  it('passes defines', async () => {
    const source = '#if !defined(ON) || LEVEL != 3\n#error "defines missing"\n#endif\nconst char name[] = NAME;\n';
    const without = await compile({ source, name: 'd.bpf.c' }, { clang });
    expect(without.ok).toBe(false);
    expect(without.diagnostics[0]).toMatchObject({ file: 'd.bpf.c', line: 2, severity: 'error', message: '"defines missing"' });
    const r = await compile({ source, name: 'd.bpf.c' }, { clang, defines: { ON: true, LEVEL: 3, NAME: '"lab"' } });
    expect(r.ok).toBe(true);
  });

  it.each<[string, CompileOptions, boolean, readonly string[]]>([
    ['default -Wall warns', {}, true, ['warning:-Wunused-variable']],
    ['werror fails', { werror: true }, false, ['error:-Werror,-Wunused-variable']],
    ['no warnings', { warnings: [] }, true, []],
  ])('%s', async (_name, options, ok, want) => {
    const source = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp")\nint f(void *ctx)\n{\n\tint unused;\n\treturn XDP_PASS;\n}\n';
    const r = await compile({ source, name: 'w.bpf.c' }, { clang, ...options });
    expect(r.ok).toBe(ok);
    expect(r.diagnostics.map((d) => `${d.severity}:${d.option}`)).toEqual(want);
    for (const d of r.diagnostics) expect([d.line, d.column, d.message]).toEqual([6, 6, "unused variable 'unused'"]);
  });

  it('cpu v3 (the default) uses 32-bit jumps, v1 does not', async () => {
    const source = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp")\nint f(struct xdp_md *ctx)\n{\n\treturn ctx->ingress_ifindex == 7 ? XDP_DROP : XDP_PASS;\n}\n';
    const jmp32 = async (options: CompileOptions): Promise<boolean> => {
      const r = await compile({ source, name: 'cpu.bpf.c' }, { clang, ...options });
      if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
      return insns(section(r.object, 'xdp').data).some((i) => (i.code & 7) === 6);
    };
    expect([await jmp32({}), await jmp32({ cpu: 'v1' })]).toEqual([true, false]);
  });

  (clang.major >= 18 ? it : it.skip)('cpu v4 builds with clang 18 and newer', async () => {
    const r = await compile(HELLO, { clang, cpu: 'v4' });
    expect(r.ok).toBe(true);
  });

  it('returns the diagnostics of a program that does not compile', async () => {
    const r = await compile({ source: 'int f(void)\n{\n\treturn x;\n}\n', name: 'bad.bpf.c' }, { clang });
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toMatchObject([{ file: 'bad.bpf.c', line: 3, column: 9, severity: 'error', message: "use of undeclared identifier 'x'" }]);
    expect(r.log).toContain('1 error generated.');
    expect(formatDiagnostics(r.diagnostics)).toBe(
      "bad.bpf.c:3:9: error: use of undeclared identifier 'x'\n 3 |         return x;\n   |                ^\n1 error\n",
    );
  });
});

describe('compile finds clang itself', () => {
  it('uses $CLANG or PATH when no clang is given', async () => {
    if (clangs.length === 0) {
      const e = await failure(compile(HELLO));
      expect(e.code).toBe('clang-missing');
      return;
    }
    const r = await compile(HELLO);
    expect(r.ok).toBe(true);
    expect(r.clang.major).toBeGreaterThanOrEqual(14);
  });
});
