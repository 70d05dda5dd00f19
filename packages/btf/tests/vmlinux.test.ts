// The running kernel's BTF (/sys/kernel/btf/vmlinux) as a large real-world
// input: parse, round trip, dumps against bpftool, and the C header compiled
// with clang together with static assertions on every struct's layout.
// Skipped, visibly, where the file is absent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpC, dumpRaw, encodeBtf, parseBtf, type Btf } from '../src/index';
import { anyClang, bpftoolDumpOptions, findBpftool, layoutChecks, run, skipNote, tempDir } from './support';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const present = existsSync(VMLINUX);
if (!present) skipNote(`vmlinux tests: ${VMLINUX} not found`);
const bpftool = findBpftool();
const clang = anyClang();
if (present && !bpftool) skipNote('vmlinux bpftool comparisons: bpftool not installed');
if (present && !clang) skipNote('vmlinux header compilation: clang not installed');

const withVmlinux = present ? it : it.skip;
const withBpftool = present && bpftool ? it : it.skip;
const withClang = present && clang ? it : it.skip;

let bytes: Uint8Array;
let btf: Btf;
let header: string;

beforeAll(() => {
  if (!present) return;
  bytes = new Uint8Array(readFileSync(VMLINUX));
  const start = performance.now();
  btf = parseBtf(bytes);
  const parsed = performance.now();
  header = dumpC(btf);
  const dumped = performance.now();
  console.log(
    `vmlinux: ${bytes.length} bytes, ${btf.types.length} types: parse ${(parsed - start).toFixed(0)} ms, dumpC ${(dumped - parsed).toFixed(0)} ms`,
  );
});

describe('vmlinux BTF', () => {
  withVmlinux('encodes and parses back to the same model', () => {
    const out = encodeBtf(btf);
    const again = parseBtf(out);
    expect(again.types.length).toBe(btf.types.length);
    // The encoding is a function of the model alone, so equal bytes mean equal models.
    expect(Buffer.from(encodeBtf(again)).equals(out)).toBe(true);
    expect(dumpRaw(again)).toBe(dumpRaw(btf));
  });

  withVmlinux('answers layout questions the way its structs are laid out', () => {
    const task = btf.find('task_struct', 'struct');
    expect(task).toBeDefined();
    expect(btf.sizeof(task!.id)).toBe(task!.size);
    const pid = task!.members.find((m) => m.name === 'pid');
    expect(btf.typeName(pid!.type)).toBe('pid_t');
    expect(btf.resolve(pid!.type)).toMatchObject({ kind: 'int', name: 'int', size: 4 });
    const u64 = btf.find('u64', 'typedef');
    expect(btf.resolve(u64!.id)).toMatchObject({ kind: 'int', size: 8, encoding: 'none' });
    expect(btf.alignof(task!.id)).toBeGreaterThanOrEqual(8);
    expect(btf.pointerSize).toBe(8);
  });

  withBpftool('raw dump is what bpftool prints', () => {
    expect(dumpRaw(btf)).toBe(run(bpftool!.cmd, ['btf', 'dump', 'file', VMLINUX, 'format', 'raw']));
  });

  withBpftool('C dump is what bpftool prints', () => {
    expect(dumpC(btf, bpftoolDumpOptions(bpftool!))).toBe(run(bpftool!.cmd, ['btf', 'dump', 'file', VMLINUX, 'format', 'c']));
  });

  withClang('C dump compiles and keeps every struct layout', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'vmlinux.h');
      writeFileSync(file, header);
      const checks = layoutChecks(btf, file);
      const source = join(tmp.dir, 'layout.c');
      writeFileSync(source, checks.source);
      run(clang!, ['-target', 'bpf', '-fsyntax-only', '-ferror-limit=0', source]);
      expect(checks.count).toBeGreaterThan(10000);
    } finally {
      tmp.cleanup();
    }
  });
});
