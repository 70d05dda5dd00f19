// Checks the tables against the machine: bpftool's built-in name lists (from
// libbpf), the running kernel's BTF (/sys/kernel/btf/vmlinux), and Node's
// errno constants. Each part skips with a visible warning where its oracle
// is missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants, platform } from 'node:os';
import {
  ARG_ALIASES,
  ARG_BASES,
  ATTACH_TYPES,
  CMDS,
  ERRNOS,
  HELPER,
  LINK_TYPES,
  MAP_TYPES,
  PROG_TYPES,
  RET_ALIASES,
  RET_BASES,
  TYPE_FLAGS,
  XDP_ACTIONS,
  type UapiEnum,
} from '../src/index';

function bpftool(args: readonly string[]): string | undefined {
  try {
    return execFileSync('bpftool', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    console.warn(`uapi oracle: skipped, \`bpftool ${args.join(' ')}\` failed: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

const primaryShortNames = (e: UapiEnum): string[] =>
  e.entries.filter((x) => x.aliasOf === undefined).map((x) => x.short.toLowerCase());

describe('bpftool feature list_builtins', () => {
  it.each<[string, () => string[]]>([
    ['prog_types', () => primaryShortNames(PROG_TYPES)],
    ['map_types', () => primaryShortNames(MAP_TYPES)],
    ['attach_types', () => primaryShortNames(ATTACH_TYPES)],
    ['link_types', () => primaryShortNames(LINK_TYPES)],
    ['helpers', () => Object.keys(HELPER).map((n) => `bpf_${n}`)],
  ])('%s: names and order match the start of ours', (group, ours) => {
    const out = bpftool(['feature', 'list_builtins', group]);
    if (out === undefined) return;
    const theirs = out.split('\n').filter((l) => l !== '');
    // bpftool knows what its libbpf knew; the tables may be newer, never older.
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours().slice(0, theirs.length)).toEqual(theirs);
  });
});

type KernelEnums = ReadonlyMap<string, ReadonlyMap<string, number>>;

function kernelEnums(): KernelEnums | undefined {
  const vmlinux = '/sys/kernel/btf/vmlinux';
  if (!existsSync(vmlinux)) {
    console.warn(`uapi oracle: skipped, no kernel BTF at ${vmlinux}`);
    return undefined;
  }
  const c = bpftool(['btf', 'dump', 'file', vmlinux, 'format', 'c']);
  if (c === undefined) return undefined;
  const enums = new Map<string, Map<string, number>>();
  for (const m of c.matchAll(/^enum (\w+) \{\n([\s\S]*?)\n\};/gm)) {
    const values = new Map<string, number>();
    for (const v of (m[2] ?? '').matchAll(/^\t(\w+) = (-?\d+)(?:ULL)?,$/gm)) values.set(v[1] ?? '', Number(v[2]));
    enums.set(m[1] ?? '', values);
  }
  return enums;
}

describe('the running kernel', () => {
  const kernel = kernelEnums();
  const get = (name: string): ReadonlyMap<string, number> => {
    const e = kernel?.get(name);
    if (e === undefined) throw new Error(`the kernel BTF has no enum ${name}`);
    return e;
  };

  it.each<[string, () => ReadonlyMap<string, number>, RegExp]>([
    [
      'enum bpf_func_id',
      () => new Map(Object.entries(HELPER).map(([n, v]) => [`BPF_FUNC_${n}`, v])),
      /^__BPF_FUNC_MAX_ID$/,
    ],
    ['enum bpf_prog_type', () => enumMap(PROG_TYPES), /^__MAX_/],
    ['enum bpf_map_type', () => enumMap(MAP_TYPES), /^__MAX_/],
    ['enum bpf_attach_type', () => enumMap(ATTACH_TYPES), /^__MAX_/],
    ['enum bpf_link_type', () => enumMap(LINK_TYPES), /^__MAX_/],
    ['enum bpf_cmd', () => enumMap(CMDS), /^__MAX_/],
    ['enum xdp_action', () => enumMap(XDP_ACTIONS), /^$/],
  ])('%s agrees with ours', (cName, ours, internal) => {
    if (kernel === undefined) return;
    const theirs = get(cName.replace(/^enum /, ''));
    const mine = ours();
    const ourMax = Math.max(...mine.values());
    const wrong: string[] = [];
    const newer: string[] = [];
    for (const [name, value] of theirs) {
      if (internal.test(name)) continue;
      const v = mine.get(name);
      if (v === undefined) (value > ourMax ? newer : wrong).push(`${name} = ${value}: missing`);
      else if (v !== value) wrong.push(`${name} = ${value}: ours ${v}`);
    }
    // UAPI enums only grow: an older kernel lacks our newest names, never has other values.
    for (const [name, value] of mine) {
      if (!theirs.has(name) && value <= Math.max(...theirs.values())) wrong.push(`${name} = ${value}: not in the kernel`);
    }
    if (newer.length > 0) console.warn(`uapi oracle: the kernel's ${cName} is newer than the table: ${newer.join(', ')}`);
    expect(wrong).toEqual([]);
  });

  it('knows every verifier kind and flag we name', () => {
    if (kernel === undefined) return;
    const args = get('bpf_arg_type');
    const rets = get('bpf_return_type');
    const flags = get('bpf_type_flag');
    // ARG_SCALAR is in the 6.12 sources the helper table follows but not in every kernel.
    const maybeAbsent = new Set(['ARG_SCALAR']);
    const missing = [
      ...[...ARG_BASES, ...Object.keys(ARG_ALIASES)].filter((n) => !args.has(n) && !maybeAbsent.has(n)),
      ...[...RET_BASES, ...Object.keys(RET_ALIASES)].filter((n) => !rets.has(n)),
      ...TYPE_FLAGS.filter((n) => !flags.has(n)),
    ];
    expect(missing).toEqual([]);
  });

  it('composes every alias from the same base and flags as the kernel', () => {
    if (kernel === undefined) return;
    const flags = get('bpf_type_flag');
    const compose = (values: ReadonlyMap<string, number>, base: string, fs: readonly string[]): number =>
      fs.reduce((acc, f) => acc | (flags.get(f) ?? Number.NaN), values.get(base) ?? Number.NaN);
    for (const [enumName, aliases] of [
      ['bpf_arg_type', ARG_ALIASES],
      ['bpf_return_type', RET_ALIASES],
    ] as const) {
      const values = get(enumName);
      for (const [alias, { base, flags: fs }] of Object.entries(aliases)) {
        expect([alias, compose(values, base, fs)]).toEqual([alias, values.get(alias)]);
      }
    }
  });

  it('orders the type flags as the kernel numbers them', () => {
    if (kernel === undefined) return;
    const flags = get('bpf_type_flag');
    const values = TYPE_FLAGS.map((f) => flags.get(f) ?? Number.NaN);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.every((v, i) => i === 0 || v === (values[i - 1] ?? 0) * 2)).toBe(true);
  });
});

function enumMap(e: UapiEnum): ReadonlyMap<string, number> {
  return new Map(e.entries.map((x) => [x.name, x.value]));
}

describe('errno numbers of this platform', () => {
  it('match where Node knows the name', () => {
    if (platform() !== 'linux') {
      console.warn(`uapi oracle: skipped, errno numbers differ on ${platform()}`);
      return;
    }
    const node = constants.errno as Readonly<Record<string, number>>;
    const shared = Object.keys(node).filter((n) => ERRNOS.valueOf(n) !== undefined);
    expect(shared.length).toBeGreaterThan(60);
    for (const n of shared) expect([n, ERRNOS.valueOf(n)]).toEqual([n, node[n]]);
  });
});
