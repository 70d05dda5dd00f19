// Parsing what clang prints, and printing it back for students.
import { formatDiagnostics, hintFor, parseDiagnostics, type Diagnostic } from '../src/index';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

// The same two mistakes as clang 14 and clang 19 print them.
const CLANG14 = lines(
  "d.c:7:35: error: too few arguments to function call, expected 2, have 1",
  '        void *p = bpf_map_lookup_elem(ctx);',
  '                  ~~~~~~~~~~~~~~~~~~~    ^',
  "d.c:8:10: error: expected ';' after return statement",
  '        return 0',
  '                ^',
  '                ;',
  '2 errors generated.',
);
const CLANG19 = lines(
  "d.c:7:35: error: too few arguments to function call, expected 2, have 1",
  '    7 |         void *p = bpf_map_lookup_elem(ctx);',
  '      |                   ~~~~~~~~~~~~~~~~~~~    ^',
  "d.c:8:10: error: expected ';' after return statement",
  '    8 |         return 0',
  '      |                 ^',
  '      |                 ;',
  '2 errors generated.',
);
const WANT_BOTH: readonly Diagnostic[] = [
  {
    file: 'd.c',
    line: 7,
    column: 35,
    severity: 'error',
    message: 'too few arguments to function call, expected 2, have 1',
    sourceLine: '        void *p = bpf_map_lookup_elem(ctx);',
    caret: '                  ~~~~~~~~~~~~~~~~~~~    ^',
    includedFrom: [],
  },
  {
    file: 'd.c',
    line: 8,
    column: 10,
    severity: 'error',
    message: "expected ';' after return statement",
    sourceLine: '        return 0',
    caret: '                ^',
    fixIt: '                ;',
    includedFrom: [],
    hint: 'a statement or declaration is missing its ; (look at the end of the previous line too)',
  },
];

const HEADERS = lines(
  'In file included from prog.c:3:',
  'In file included from /kit/include/bpf/bpf_helpers.h:2:',
  '/kit/include/bpf/types.h:4:8: error: unknown type name \'__u64\'',
  'static __u64 x;',
  '       ^',
  '/kit/include/bpf/types.h:5:8: warning: declaration does not declare anything [-Wmissing-declarations]',
  'struct;',
  '^~~~~~',
  'prog.c:10:6: warning: unused variable \'pid\' [-Wunused-variable]',
  '        int pid;',
  '            ^',
  'prog.c:11:2: note: expanded from macro \'X\'',
  '1 error and 2 warnings generated.',
);

describe('parseDiagnostics', () => {
  it.each([
    ['clang 14 (classic snippets)', CLANG14],
    ['clang 19 (line-number gutter)', CLANG19],
  ])('%s', (_name, stderr) => {
    expect(parseDiagnostics(stderr)).toEqual(WANT_BOTH);
  });

  it('records include chains, options and notes', () => {
    const have = parseDiagnostics(HEADERS);
    const chain = [
      { file: 'prog.c', line: 3 },
      { file: '/kit/include/bpf/bpf_helpers.h', line: 2 },
    ];
    expect(have.map((d) => [d.file, d.line, d.column, d.severity, d.option, d.includedFrom])).toEqual([
      ['/kit/include/bpf/types.h', 4, 8, 'error', undefined, chain],
      ['/kit/include/bpf/types.h', 5, 8, 'warning', '-Wmissing-declarations', chain],
      ['prog.c', 10, 6, 'warning', '-Wunused-variable', []],
      ['prog.c', 11, 2, 'note', undefined, []],
    ]);
    expect(have[1]?.message).toBe('declaration does not declare anything');
    expect(have[3]).not.toHaveProperty('sourceLine');
  });

  it.each([
    ['a driver error', "clang-19: error: unknown argument: '-mfoo'", { file: '', line: 0, column: 0, severity: 'error', message: "unknown argument: '-mfoo'" }],
    ['a fatal error', "x.c:1:10: fatal error: 'linux/bpf.h' file not found", { file: 'x.c', line: 1, column: 10, severity: 'error' }],
    ['a remark', 'x.c:2:3: remark: loop not unrolled', { severity: 'note', message: 'loop not unrolled' }],
    ['a path with colons', 'C:\\labs\\x.c:2:3: warning: w [-Wfoo]', { file: 'C:\\labs\\x.c', line: 2, column: 3, option: '-Wfoo' }],
    ['an option with -Werror', 'x.c:2:3: error: unused variable \'y\' [-Werror,-Wunused-variable]', { option: '-Werror,-Wunused-variable' }],
  ])('%s', (_name, stderr, want) => {
    const have = parseDiagnostics(`${stderr}\n`);
    expect(have).toHaveLength(1);
    expect(have[0]).toMatchObject(want);
  });

  it('skips summaries and crash reports', () => {
    const stderr = lines(
      'PLEASE submit a bug report to https://example.invalid and include the crash backtrace.',
      'Stack dump:',
      '0.\tProgram arguments: clang -target bpf',
      '3 warnings generated.',
    );
    expect(parseDiagnostics(stderr)).toEqual([]);
  });
});

describe('hintFor', () => {
  it.each([
    ["unknown type name '__u64'", /"vmlinux\.h", <linux\/bpf\.h> or <bpf\/bpf_uapi\.h> first/],
    ["'asm/types.h' file not found", /multiarch include directory/],
    ["'linux/if_ether.h' file not found", /apt-get|linux-libc-dev/],
    ["'bpf/bpf_helper.h' file not found", /not one of the kit's headers/],
    ["call to undeclared function 'bpf_printk'; ISO C99 and later do not support implicit function declarations", /bpf_printk comes from <bpf\/bpf_helpers\.h>/],
    ["implicit declaration of function 'bpf_map_lookup_elem' is invalid in C99", /is a helper declared in <bpf\/bpf_helpers\.h>/],
    ["implicit declaration of function 'bpf_get_pid' is invalid in C99", /there is no helper called bpf_get_pid/],
    ["implicit declaration of function 'BPF_CORE_READ' is invalid in C99", /<bpf\/bpf_core_read\.h>/],
    ["use of undeclared identifier 'BPF_MAP_TYPE_HASH'", /constant of <linux\/bpf\.h>/],
    ["use of undeclared identifier 'XDP_DROP'", /constant of <linux\/bpf\.h>/],
    ["incomplete definition of type 'struct task_struct'", /struct task_struct is declared but its fields are not/],
    ["redefinition of enumerator 'BPF_MAP_TYPE_UNSPEC'", /include only one of them/],
  ])('%s', (message, want) => {
    expect(hintFor({ message, severity: 'error' })).toMatch(want);
  });

  it.each([["use of undeclared identifier 'pidd'"], ["implicit declaration of function 'strlen'"]])('no hint for %s', (message) => {
    expect(hintFor({ message, severity: 'error' })).toBeUndefined();
  });
});

describe('formatDiagnostics', () => {
  const diags = parseDiagnostics(CLANG14);

  it('prints locations, a numbered snippet, fix-its, hints and a count', () => {
    expect(formatDiagnostics(diags)).toBe(
      lines(
        'd.c:7:35: error: too few arguments to function call, expected 2, have 1',
        ' 7 |         void *p = bpf_map_lookup_elem(ctx);',
        '   |                   ~~~~~~~~~~~~~~~~~~~    ^',
        "d.c:8:10: error: expected ';' after return statement",
        ' 8 |         return 0',
        '   |                 ^',
        '   |                 ;',
        'hint: a statement or declaration is missing its ; (look at the end of the previous line too)',
        '2 errors',
      ),
    );
  });

  it.each([
    ['without hints and summary', { hints: false, summary: false }, (s: string) => !s.includes('hint:') && !s.includes('2 errors')],
    ['in colour', { color: true }, (s: string) => s.includes('\x1b[1m\x1b[31merror:\x1b[0m')],
  ])('%s', (_name, options, check) => {
    expect(check(formatDiagnostics(diags, options))).toBe(true);
  });

  it('prints include chains, options, driver messages and counts warnings', () => {
    const have = formatDiagnostics([
      ...parseDiagnostics(HEADERS).slice(0, 3),
      ...parseDiagnostics("clang: warning: argument unused during compilation: '-s'\n"),
    ]);
    expect(have).toBe(
      lines(
        'In file included from prog.c:3:',
        'In file included from /kit/include/bpf/bpf_helpers.h:2:',
        "/kit/include/bpf/types.h:4:8: error: unknown type name '__u64'",
        ' 4 | static __u64 x;',
        '   |        ^',
        'hint: the kernel\'s integer types are missing: include "vmlinux.h", <linux/bpf.h> or <bpf/bpf_uapi.h> first, before the <bpf/...> headers',
        '/kit/include/bpf/types.h:5:8: warning: declaration does not declare anything [-Wmissing-declarations]',
        ' 5 | struct;',
        '   | ^~~~~~',
        "prog.c:10:6: warning: unused variable 'pid' [-Wunused-variable]",
        ' 10 |         int pid;',
        '    |             ^',
        "warning: argument unused during compilation: '-s'",
        '1 error and 3 warnings',
      ),
    );
  });

  it('says so when there is nothing to report', () => {
    expect(formatDiagnostics([])).toBe('no errors or warnings\n');
  });
});
