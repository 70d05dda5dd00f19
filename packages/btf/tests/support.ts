// Shared test helpers: external tools (clang, bpftool), a minimal ELF
// section reader, golden files, and a synthetic BTF with every kind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BtfError, createBtf, type Btf, type BtfType, type BtfTypeInput } from '../src/index';

export const FIXTURES = join(dirname(new URL(import.meta.url).pathname), 'fixtures');
export const UPDATE_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';

/** Runs a command, returning stdout, or throws with its stderr. */
export function run(cmd: string, args: readonly string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function versionOf(cmd: string): string | undefined {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

/** A clang able to build the fixtures (enum64 needs clang 15 or later), and its major version. */
export interface Clang {
  readonly cmd: string;
  readonly major: number;
}

let clangCache: Clang | null | undefined;

/** `$CLANG`, `clang-19`, or `clang`, the first one of major version 15 or later; `null` when none. */
export function findClang(): Clang | null {
  if (clangCache !== undefined) return clangCache;
  clangCache = null;
  for (const cmd of [process.env['CLANG'], 'clang-19', 'clang'].filter((c): c is string => !!c)) {
    const v = versionOf(cmd);
    const m = v ? /clang version (\d+)/.exec(v) : null;
    if (m && Number(m[1]) >= 15) {
      clangCache = { cmd, major: Number(m[1]) };
      break;
    }
  }
  return clangCache;
}

/** Any clang, for syntax checks of headers (version does not matter). */
export function anyClang(): string | null {
  return findClang()?.cmd ?? (versionOf('clang') ? 'clang' : null);
}

/** bpftool and the libbpf version it was built with, or `null`. */
export interface Bpftool {
  readonly cmd: string;
  readonly libbpf: readonly [number, number];
}

let bpftoolCache: Bpftool | null | undefined;

export function findBpftool(): Bpftool | null {
  if (bpftoolCache !== undefined) return bpftoolCache;
  bpftoolCache = null;
  for (const cmd of ['bpftool', '/usr/sbin/bpftool']) {
    const r = spawnSync(cmd, ['version'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const m = /libbpf v(\d+)\.(\d+)/.exec(r.stdout);
    bpftoolCache = { cmd, libbpf: m ? [Number(m[1]), Number(m[2])] : [0, 0] };
    break;
  }
  return bpftoolCache;
}

/** dumpC options that reproduce what this bpftool prints (libbpf 1.1 has no enum size attributes). */
export function bpftoolDumpOptions(b: Bpftool): { enumSizeAttributes: boolean } {
  const [major, minor] = b.libbpf;
  return { enumSizeAttributes: major > 1 || (major === 1 && minor >= 2) };
}

/** Says once, visibly, why a group of checks is skipped. */
const warned = new Set<string>();
export function skipNote(what: string): void {
  if (warned.has(what)) return;
  warned.add(what);
  console.warn(`skipped: ${what}`);
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bpflab-btf-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The sections of an ELF64 little-endian object, by name. */
export function elfSections(bytes: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, false) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) {
    throw new Error('not an ELF64 little-endian object');
  }
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const header = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      name: v.getUint32(o, true),
      offset: Number(v.getBigUint64(o + 0x18, true)),
      size: Number(v.getBigUint64(o + 0x20, true)),
    };
  };
  const strtab = header(shstrndx);
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const start = strtab.offset + h.name;
    const end = bytes.indexOf(0, start);
    const name = new TextDecoder().decode(bytes.subarray(start, end));
    out.set(name, bytes.subarray(h.offset, h.offset + h.size));
  }
  return out;
}

/** Compares `actual` with the golden file, or rewrites it under UPDATE_GOLDEN=1. */
export function expectGolden(file: string, actual: string): void {
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden ${file}: run with UPDATE_GOLDEN=1 (pnpm run update-goldens)`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** Runs `f`, returning the BtfError it throws (failing the test if it throws anything else or nothing). */
export function catchBtfError(f: () => unknown): BtfError {
  try {
    f();
  } catch (e) {
    if (e instanceof BtfError) return e;
    throw e;
  }
  throw new Error('expected a BtfError, nothing was thrown');
}

/**
 * A small BTF using every kind, built in memory:
 * ```c
 * struct node { struct node *next; unsigned int a: 3, b: 5; long v; union { int i; float f; }; char name[4]; };
 * typedef const volatile int *restrict cvp_t;  enum e { E1 = -1 };  enum e64 { BIG = 1 << 40 };
 * union u;  int f(int x, ...);  int g;  SEC(".data") g;  btf_decl_tag, btf_type_tag
 * ```
 */
export function allKindsTypes(): BtfTypeInput[] {
  return [
    /* 1 */ { kind: 'int', name: 'int', size: 4, encoding: 'signed', offset: 0, bits: 32 },
    /* 2 */ { kind: 'int', name: 'unsigned int', size: 4, encoding: 'none', offset: 0, bits: 32 },
    /* 3 */ { kind: 'int', name: 'long', size: 8, encoding: 'signed', offset: 0, bits: 64 },
    /* 4 */ { kind: 'int', name: 'char', size: 1, encoding: 'char', offset: 0, bits: 8 },
    /* 5 */ { kind: 'int', name: '_Bool', size: 1, encoding: 'bool', offset: 0, bits: 8 },
    /* 6 */ { kind: 'ptr', name: '', type: 7 },
    /* 7 */ {
      kind: 'struct',
      name: 'node',
      size: 32,
      members: [
        { name: 'next', type: 6, bitOffset: 0, bitSize: 0 },
        { name: 'a', type: 2, bitOffset: 64, bitSize: 3 },
        { name: 'b', type: 2, bitOffset: 67, bitSize: 5 },
        { name: 'v', type: 3, bitOffset: 128, bitSize: 0 },
        { name: '', type: 8, bitOffset: 192, bitSize: 0 },
        { name: 'name', type: 10, bitOffset: 224, bitSize: 0 },
      ],
    },
    /* 8 */ {
      kind: 'union',
      name: '',
      size: 4,
      members: [
        { name: 'i', type: 1, bitOffset: 0, bitSize: 0 },
        { name: 'f', type: 9, bitOffset: 0, bitSize: 0 },
      ],
    },
    /* 9 */ { kind: 'float', name: 'float', size: 4 },
    /* 10 */ { kind: 'array', name: '', type: 4, indexType: 2, length: 4 },
    /* 11 */ { kind: 'const', name: '', type: 12 },
    /* 12 */ { kind: 'volatile', name: '', type: 1 },
    /* 13 */ { kind: 'ptr', name: '', type: 11 },
    /* 14 */ { kind: 'restrict', name: '', type: 13 },
    /* 15 */ { kind: 'typedef', name: 'cvp_t', type: 14 },
    /* 16 */ { kind: 'enum', name: 'e', size: 4, signed: true, values: [{ name: 'E1', value: -1 }, { name: 'E2', value: 7 }] },
    /* 17 */ {
      kind: 'enum64',
      name: 'e64',
      size: 8,
      signed: false,
      values: [{ name: 'BIG', value: 1n << 40n }, { name: 'MAX', value: 0xffffffffffffffffn }],
    },
    /* 18 */ { kind: 'fwd', name: 'u', fwdKind: 'union' },
    /* 19 */ { kind: 'func_proto', name: '', returnType: 1, params: [{ name: 'x', type: 1 }], variadic: true },
    /* 20 */ { kind: 'func', name: 'f', type: 19, linkage: 'global' },
    /* 21 */ { kind: 'var', name: 'g', type: 1, linkage: 'global' },
    /* 22 */ { kind: 'datasec', name: '.data', size: 4, vars: [{ type: 21, offset: 0, size: 4 }] },
    /* 23 */ { kind: 'decl_tag', name: 'tagged', type: 20, componentIdx: 0, attr: false },
    /* 24 */ { kind: 'type_tag', name: 'user', type: 4, attr: false },
    /* 25 */ { kind: 'ptr', name: '', type: 24 },
    /* 26 */ { kind: 'typedef', name: 'user_str', type: 25 },
    /* 27 */ { kind: 'ptr', name: '', type: 18 },
    /* 28 */ { kind: 'func_proto', name: '', returnType: 0, params: [{ name: '', type: 27 }, { name: '', type: 15 }], variadic: false },
    /* 29 */ { kind: 'ptr', name: '', type: 28 },
    /* 30 */ { kind: 'typedef', name: 'cb_t', type: 29 },
    /* 31 */ { kind: 'var', name: 'cb', type: 30, linkage: 'static' },
    /* 32 */ { kind: 'float', name: 'double', size: 8 },
  ];
}

export function allKindsBtf(): Btf {
  return createBtf(allKindsTypes());
}

/** True when a struct/union holds a `va_list` by value (its size differs between the kernel's arch and BPF). */
function holdsVaList(btf: Btf, t: BtfType, seen = new Set<number>()): boolean {
  if (seen.has(t.id)) return false;
  seen.add(t.id);
  switch (t.kind) {
    case 'typedef':
      return ['va_list', '__builtin_va_list', '__gnuc_va_list'].includes(t.name) || holdsVaList(btf, btf.type(t.type), seen);
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'type_tag':
    case 'array':
      return holdsVaList(btf, btf.type(t.type), seen);
    case 'struct':
    case 'union':
      return t.members.some((m) => holdsVaList(btf, btf.type(m.type), seen));
    default:
      return false;
  }
}

/**
 * A C file including `header` that checks, with `_Static_assert`, the size
 * of every named struct and union and the offset of every named non-bitfield
 * member: the dumped header must reproduce the BTF layout, not just compile.
 * Types whose tag name is shared (printed with a `___N` suffix) and types
 * holding a `va_list` are left out. Returns the source and the number of checks.
 */
export function layoutChecks(btf: Btf, header: string): { source: string; count: number } {
  const tags = new Map<string, number>();
  for (const t of btf.types) {
    if ((t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum' || t.kind === 'enum64') && t.name !== '') {
      tags.set(t.name, (tags.get(t.name) ?? 0) + 1);
    }
  }
  const lines = [`#include "${header}"`];
  let count = 0;
  for (const t of btf.types) {
    if ((t.kind !== 'struct' && t.kind !== 'union') || t.name === '' || tags.get(t.name) !== 1 || holdsVaList(btf, t)) continue;
    const tag = `${t.kind} ${t.name}`;
    lines.push(`_Static_assert(sizeof(${tag}) == ${t.size}, "sizeof ${tag}");`);
    count++;
    for (const m of t.members) {
      if (m.name === '' || m.bitSize !== 0) continue;
      lines.push(`_Static_assert(__builtin_offsetof(${tag}, ${m.name}) == ${m.bitOffset / 8}, "${tag}.${m.name}");`);
      count++;
    }
  }
  return { source: lines.join('\n') + '\n', count };
}
