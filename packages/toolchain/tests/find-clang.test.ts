// Finding clang: the search order, what disqualifies a candidate, and the
// message when nothing fits. The system is faked; one test uses the real one.
import {
  CLANG_CANDIDATES,
  findClang,
  ToolchainError,
  type Exec,
  type FindClangOptions,
} from '../src/index';

const TARGETS_BPF = [
  '  Registered Targets:',
  '    aarch64    - AArch64 (little endian)',
  '    bpf        - BPF (host endian)',
  '    bpfeb      - BPF (big endian)',
  '    bpfel      - BPF (little endian)',
  '    x86-64     - 64-bit X86: EM64T and AMD64',
  '',
].join('\n');
const TARGETS_NO_BPF = '  Registered Targets:\n    aarch64    - AArch64 (little endian)\n    x86-64     - 64-bit X86: EM64T and AMD64\n';

/** A fake executable: what `--version` and `-print-targets` print. */
interface Fake {
  readonly version: string;
  readonly targets: string;
  readonly broken?: boolean;
}

const DEBIAN14: Fake = { version: 'Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu\n', targets: TARGETS_BPF };
const LLVM19: Fake = { version: 'Ubuntu clang version 19.1.1 (1ubuntu1)\nTarget: x86_64-pc-linux-gnu\n', targets: TARGETS_BPF };
const BREW17: Fake = { version: 'Homebrew clang version 17.0.6\nTarget: arm64-apple-darwin23.4.0\n', targets: TARGETS_BPF };
const APPLE: Fake = { version: 'Apple clang version 15.0.0 (clang-1500.3.9.4)\nTarget: arm64-apple-darwin23.4.0\n', targets: TARGETS_NO_BPF };
const OLD13: Fake = { version: 'clang version 13.0.1\n', targets: TARGETS_BPF };
const GCC: Fake = { version: 'gcc (Debian 12.2.0-14) 12.2.0\n', targets: '' };
const BROKEN: Fake = { version: '', targets: '', broken: true };

function system(files: Readonly<Record<string, Fake>>, env: Readonly<Record<string, string>>, extra: Partial<FindClangOptions> = {}): FindClangOptions {
  const exec: Exec = async (file, args) => {
    const f = files[file];
    if (f === undefined || f.broken === true) throw new Error(`spawn ${file} EACCES`);
    if (args[0] === '--version') return { status: 0, stdout: f.version, stderr: '' };
    return { status: 0, stdout: f.targets, stderr: '' };
  };
  return { env, exec, isExecutable: (p) => p in files, platform: 'linux', ...extra };
}

describe('findClang picks', () => {
  it.each([
    ['clang on PATH', { '/usr/bin/clang': DEBIAN14 }, { PATH: '/usr/local/bin:/usr/bin' }, {}, { path: '/usr/bin/clang', via: 'PATH', name: 'clang', version: '14.0.6', major: 14 }],
    ['a versioned clang when clang is missing', { '/usr/bin/clang-19': LLVM19, '/usr/bin/clang-14': DEBIAN14 }, { PATH: '/usr/bin' }, {}, { path: '/usr/bin/clang-19', name: 'clang-19', major: 19 }],
    ['the next candidate after Apple\'s clang (no BPF)', { '/usr/bin/clang': APPLE, '/opt/homebrew/opt/llvm/bin/clang-17': BREW17 }, { PATH: '/usr/bin:/opt/homebrew/opt/llvm/bin' }, {}, { path: '/opt/homebrew/opt/llvm/bin/clang-17', major: 17 }],
    ['the next candidate after a too old clang', { '/usr/bin/clang': OLD13, '/usr/bin/clang-14': DEBIAN14 }, { PATH: '/usr/bin' }, {}, { name: 'clang-14' }],
    ['$CLANG as a path, before PATH', { '/usr/bin/clang': DEBIAN14, '/opt/llvm/bin/clang': LLVM19 }, { PATH: '/usr/bin', CLANG: '/opt/llvm/bin/clang' }, {}, { path: '/opt/llvm/bin/clang', via: 'CLANG', name: '/opt/llvm/bin/clang', major: 19 }],
    ['$CLANG as a name on PATH', { '/usr/bin/clang': DEBIAN14, '/usr/bin/clang-19': LLVM19 }, { PATH: '/usr/bin', CLANG: 'clang-19' }, {}, { path: '/usr/bin/clang-19', via: 'CLANG', major: 19 }],
    ['clang.exe on Windows', { 'C:\\LLVM\\bin\\clang.exe': LLVM19 }, { Path: 'C:\\Windows;C:\\LLVM\\bin' }, { platform: 'win32' as const }, { path: 'C:\\LLVM\\bin\\clang.exe' }],
  ])('%s', async (_name, files, env, extra, want) => {
    const have = await findClang(system(files, env, extra));
    expect(have).toMatchObject(want);
    expect(have.bpfTargets).toEqual(['bpf', 'bpfeb', 'bpfel']);
  });

  it('looks for clang, then clang-21 ... clang-14', () => {
    expect(CLANG_CANDIDATES).toEqual(['clang', 'clang-21', 'clang-20', 'clang-19', 'clang-18', 'clang-17', 'clang-16', 'clang-15', 'clang-14']);
  });
});

describe('findClang fails', () => {
  it.each([
    ['with nothing on PATH', {}, { PATH: '/usr/bin' }, ['clang not found: tried $CLANG (unset), then clang, clang-21', 'clang-14 on PATH']],
    ['with only Apple\'s clang', { '/usr/bin/clang': APPLE }, { PATH: '/usr/bin' }, ['clang (/usr/bin/clang): Apple clang version 15.0.0 (clang-1500.3.9.4): no BPF target']],
    ['with only an old clang', { '/usr/bin/clang-13': OLD13, '/usr/bin/clang': OLD13 }, { PATH: '/usr/bin' }, ['older than clang 14']],
    ['when $CLANG names nothing, without trying PATH', { '/usr/bin/clang': DEBIAN14 }, { PATH: '/usr/bin', CLANG: '/nope/clang' }, ['clang not found: $CLANG is "/nope/clang": no such executable']],
    ['when $CLANG is not clang', { '/usr/bin/gcc': GCC }, { PATH: '/usr/bin', CLANG: 'gcc' }, ['clang not usable: $CLANG is "gcc" (/usr/bin/gcc): not a clang: `--version` printed "gcc (Debian 12.2.0-14) 12.2.0"']],
    ['when clang cannot run', { '/usr/bin/clang': BROKEN }, { PATH: '/usr/bin' }, ['clang (/usr/bin/clang): cannot run it: spawn /usr/bin/clang EACCES']],
  ])('%s', async (_name, files, env, wants) => {
    const err = await findClang(system(files, env)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolchainError);
    const e = err as ToolchainError;
    expect(e.code).toBe('clang-missing');
    for (const want of wants) expect(e.message).toContain(want);
    // every failure says how to install clang, and that a .o built elsewhere will do
    for (const hint of ['sudo apt-get install clang', 'sudo dnf install clang', 'brew install llvm', 'CLANG=', 'hand bpflab the .o']) {
      expect(e.message).toContain(hint);
    }
  });
});

describe('findClang on this machine', () => {
  it('finds a clang 14+ with the BPF target, or says how to install one', async () => {
    const have = await findClang().catch((e: unknown) => e);
    if (have instanceof ToolchainError) {
      console.warn(`find-clang.test.ts: no clang on this machine: ${have.message.split('\n')[0]}`);
      expect(have.code).toBe('clang-missing');
      return;
    }
    expect(have).toMatchObject({ via: expect.stringMatching(/^(CLANG|PATH)$/), bpfTargets: expect.arrayContaining(['bpf']) });
    expect((have as { major: number }).major).toBeGreaterThanOrEqual(14);
  });
});
