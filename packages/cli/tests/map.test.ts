// `bpflab map dump|lookup|update|delete` in bpftool's style, with the
// state file carrying map contents from one invocation to the next. The
// objects are the toolchain's seed fixtures built with clang (skipped
// visibly without clang); the output formatting is also checked alone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bpftoolHex, formatEntryPlain, parseElemArgs, type EntryShape } from '../src/commands/map';
import { main, type Io } from '../src/index';

const PROGRAMS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'toolchain', 'tests', 'fixtures', 'programs');
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-map-'));

function hasClang(): boolean {
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const clang = hasClang();
if (!clang) console.warn('bpflab map tests skipped: clang not found (apt-get install clang)');
const describeClang = clang ? describe : describe.skip;

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('bpftool plain output', () => {
  it.each<[string, Uint8Array, string]>([
    ['four bytes', bytes(1, 0, 0, 0), '01 00 00 00'],
    ['two spaces after eight', bytes(...Array.from({ length: 10 }, (_, i) => i)), '00 01 02 03 04 05 06 07  08 09'],
    ['a new line after sixteen', bytes(...Array.from({ length: 18 }, (_, i) => i + 0xf0 - 16)), 'e0 e1 e2 e3 e4 e5 e6 e7  e8 e9 ea eb ec ed ee ef\nf0 f1'],
  ])('lays out %s', (_name, have, want) => {
    expect(bpftoolHex(have)).toBe(want);
  });

  it.each<[string, EntryShape, Uint8Array, readonly Uint8Array[], string]>([
    ['a small element on one line', { keySize: 8, valueSize: 16, perCpu: false }, new Uint8Array(8), [new Uint8Array(16)], `key: ${'00 '.repeat(8).trim()}  value: 00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00\n`],
    ['a smaller element on one line', { keySize: 4, valueSize: 8, perCpu: false }, bytes(1, 0, 0, 0), [bytes(5, 0, 0, 0, 0, 0, 0, 0)], 'key: 01 00 00 00  value: 05 00 00 00 00 00 00 00\n'],
    [
      'key and value on two lines past 24 bytes',
      { keySize: 12, valueSize: 16, perCpu: false },
      new Uint8Array(12),
      [new Uint8Array(16).fill(0xaa)],
      'key: 00 00 00 00 00 00 00 00  00 00 00 00\nvalue: aa aa aa aa aa aa aa aa  aa aa aa aa aa aa aa aa\n',
    ],
    [
      'names on their own lines past 16 bytes',
      { keySize: 4, valueSize: 17, perCpu: false },
      bytes(2, 0, 0, 0),
      [new Uint8Array(17)],
      'key:\n02 00 00 00\nvalue:\n00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00\n00\n',
    ],
    [
      'one value per CPU',
      { keySize: 4, valueSize: 8, perCpu: true },
      bytes(0x3b, 0, 0, 0),
      [bytes(2, 0, 0, 0, 0, 0, 0, 0), bytes(1, 0, 0, 0, 0, 0, 0, 0)],
      'key:\n3b 00 00 00\nvalue (CPU 00): 02 00 00 00 00 00 00 00\nvalue (CPU 01): 01 00 00 00 00 00 00 00\n',
    ],
    ['a queue value (no key)', { keySize: 0, valueSize: 2, perCpu: false }, new Uint8Array(0), [bytes(0xbe, 0xef)], 'value: be ef\n'],
  ])('prints %s', (_name, shape, key, values, want) => {
    expect(formatEntryPlain(shape, { key, values })).toBe(want);
  });
});

describe('key and value arguments', () => {
  const shape: EntryShape = { keySize: 4, valueSize: 2, perCpu: false };
  const update = { value: true, flags: true };

  it.each<[string, string, { key?: number[]; value?: number[]; flags?: number }]>([
    ['bytes as strtoul reads them', 'key 0x01 2 010 0 value 0xff 255', { key: [1, 2, 8, 0], value: [255, 255], flags: undefined }],
    ['hex bytes', 'key hex e9 03 00 0x00 value hex ff 0a', { key: [0xe9, 3, 0, 0], value: [255, 10] }],
    ['an update flag', 'key 1 0 0 0 value 1 0 noexist', { key: [1, 0, 0, 0], value: [1, 0], flags: 1 }],
    ['the flag anywhere, value first', 'exist value 1 0 key 1 0 0 0', { key: [1, 0, 0, 0], value: [1, 0], flags: 2 }],
  ])('reads %s', (_name, words, want) => {
    const have = parseElemArgs(words.split(' '), shape, update);
    expect(have.key === undefined ? undefined : [...have.key]).toEqual(want.key);
    expect(have.value === undefined ? undefined : [...have.value]).toEqual(want.value);
    if ('flags' in want) expect(have.flags).toBe(want.flags);
  });

  it.each<[string, string, string]>([
    ['too few key bytes', 'key 1 2 3 value 1 2', 'key expected 4 bytes, got 3'],
    ['too many value bytes', 'key 1 2 3 4 value 1 2 3', 'value expected 2 bytes, got 3'],
    ['a byte over 255', 'key 1 2 3 256 value 1 2', "key: byte '256' is more than 255"],
    ['a word that is not a byte', 'key 1 2 3 x value 1 2', "key: error parsing byte: 'x'"],
    ['too many key bytes', 'key 1 2 3 4 5 value 1 2', 'key expected 4 bytes, got 5'],
    ['a digit that is not hex after hex', 'key hex 1 2 3 4 value hex 1 g', "value: error parsing byte: 'g'"],
    ['no value', 'key 1 2 3 4', 'a value is needed: value BYTES... (2 bytes)'],
    ['no key', 'value 1 2', 'a key is needed: key BYTES... (4 bytes, e.g. key 0x00 0x00 0x00 0x00)'],
    ['a stray word', 'key 1 2 3 4 value 1 2 sometimes', "unexpected 'sometimes'"],
    ['a key twice', 'key 1 2 3 4 key 1 2 3 4 value 1 2', "'key' given twice"],
  ])('refuses %s', (_name, words, message) => {
    expect(() => parseElemArgs(words.split(' '), shape, update)).toThrow(message);
  });
});

describeClang('bpflab map with the LSM lab\'s compromised_users', () => {
  const state = join(tmp, 's.json');
  beforeAll(async () => {
    const r = await bpflab('build', join(PROGRAMS, 'lsm_access.bpf.c'), '-o', 'lsm.o');
    expect(r.code).toBe(0);
  });
  beforeEach(() => rmSync(state, { force: true }));

  it('updates, looks up, dumps and deletes through the state file', async () => {
    const mark = await bpflab('map', 'update', 'lsm.o', 'compromised_users', 'key', '0xe9', '0x03', '0x00', '0x00', 'value', '0x01', '--state', 's.json');
    expect(mark).toEqual({ code: 0, out: '', err: '' });
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved).toEqual({
      format: 'bpflab-state/1',
      object: 'lsm',
      cpus: 2,
      maps: [{ name: 'compromised_users', type: 'hash', key_size: 4, value_size: 1, max_entries: 1024, entries: [{ key: 'e9 03 00 00', value: '01' }] }],
    });

    // both spellings of a key reach the element
    const want = 'key: e9 03 00 00  value: 01\n';
    expect(await bpflab('map', 'lookup', 'lsm.o', 'compromised_users', 'key', '0xe9', '0x03', '0', '0', '--state', 's.json')).toEqual({ code: 0, out: want, err: '' });
    expect((await bpflab('map', 'lookup', 'lsm.o', 'compromised_users', 'key', 'hex', 'e9', '03', '00', '00', '--state', 's.json')).out).toBe(want);
    expect((await bpflab('map', 'lookup', 'lsm.o', 'compromised_users', 'key', 'hex', 'e9', '03', '00', '00', '--state', 's.json', '--json')).out).toBe(
      '{"key":["0xe9","0x03","0x00","0x00"],"value":["0x01"],"formatted":{"key":1001,"value":1}}\n',
    );

    // a second element, then the whole map
    expect((await bpflab('map', 'update', 'lsm.o', 'compromised_users', 'key', '7', '0', '0', '0', 'value', '1', 'noexist', '--state', 's.json')).code).toBe(0);
    const dump = await bpflab('map', 'dump', 'lsm.o', 'compromised_users', '--state', 's.json');
    expect(dump.code).toBe(0);
    expect(dump.out.split('\n').slice(0, 2).sort()).toEqual(['key: 07 00 00 00  value: 01', 'key: e9 03 00 00  value: 01']);
    expect(dump.out.endsWith('Found 2 elements\n')).toBe(true);
    const json = JSON.parse((await bpflab('map', 'dump', 'lsm.o', 'compromised_users', '--state', 's.json', '--json')).out) as { formatted: { key: number } }[];
    expect(json.map((e) => e.formatted.key).sort((a, b) => a - b)).toEqual([7, 1001]);

    // refusals carry the errno's words, and change nothing
    const again = await bpflab('map', 'update', 'lsm.o', 'compromised_users', 'key', '7', '0', '0', '0', 'value', '1', 'noexist', '--state', 's.json');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^bpflab: compromised_users: update failed: file exists \(EEXIST\)/);
    const absent = await bpflab('map', 'update', 'lsm.o', 'compromised_users', 'key', '8', '0', '0', '0', 'value', '1', 'exist', '--state', 's.json');
    expect(absent.err).toMatch(/^bpflab: compromised_users: update failed: no such file or directory \(ENOENT\)/);

    // delete, then the key is gone, as bpftool says it
    expect(await bpflab('map', 'delete', 'lsm.o', 'compromised_users', 'key', 'hex', 'e9', '03', '00', '00', '--state', 's.json')).toEqual({ code: 0, out: '', err: '' });
    const gone = await bpflab('map', 'lookup', 'lsm.o', 'compromised_users', 'key', 'hex', 'e9', '03', '00', '00', '--state', 's.json');
    expect(gone.code).toBe(2);
    expect(gone.out).toBe('key:\ne9 03 00 00\n\nNot found\n');
    expect(gone.err).toBe('bpflab: compromised_users: lookup failed: no such file or directory (ENOENT)\n');
    expect((await bpflab('map', 'lookup', 'lsm.o', 'compromised_users', 'key', 'hex', 'e9', '03', '00', '00', '--state', 's.json', '--json')).out).toBe('null\n');
    const twice = await bpflab('map', 'delete', 'lsm.o', 'compromised_users', 'key', 'hex', 'e9', '03', '00', '00', '--state', 's.json');
    expect(twice.err).toMatch(/^bpflab: compromised_users: delete failed: no such file or directory \(ENOENT\)/);
    expect((await bpflab('map', 'dump', 'lsm.o', 'compromised_users', '--state', 's.json')).out).toBe('key: 07 00 00 00  value: 01\nFound 1 element\n');
  });

  it('starts from empty maps without a state file, and does not create one for reads', async () => {
    expect(await bpflab('map', 'dump', 'lsm.o', 'compromised_users', '--state', 's.json')).toEqual({ code: 0, out: 'Found 0 elements\n', err: '' });
    expect((await bpflab('map', 'dump', 'lsm.o', 'compromised_users', '--json')).out).toBe('[]\n');
    expect(existsSync(state)).toBe(false);
    // without --state nothing is kept between invocations
    expect((await bpflab('map', 'update', 'lsm.o', 'compromised_users', 'key', '1', '0', '0', '0', 'value', '1')).code).toBe(0);
    expect((await bpflab('map', 'dump', 'lsm.o', 'compromised_users')).out).toBe('Found 0 elements\n');
  });

  it.each<[string, string, string]>([
    ['text that is not JSON', '{ nope', 's.json: not a bpflab state file'],
    ['another format', '{"format":"something/2","cpus":2,"maps":[]}', "format: expected 'bpflab-state/1'"],
    [
      'a map the object does not have',
      '{"format":"bpflab-state/1","cpus":2,"maps":[{"name":"counts","type":"hash","key_size":4,"value_size":8,"max_entries":8,"entries":[]}]}',
      "map 'counts': lsm.o has no such map",
    ],
    [
      'a map of other sizes',
      '{"format":"bpflab-state/1","cpus":2,"maps":[{"name":"compromised_users","type":"hash","key_size":8,"value_size":1,"max_entries":1024,"entries":[]}]}',
      'key/value sizes 8/1 in the state, 4/1 in the object',
    ],
    [
      'a key of the wrong size',
      '{"format":"bpflab-state/1","cpus":2,"maps":[{"name":"compromised_users","type":"hash","key_size":4,"value_size":1,"max_entries":1024,"entries":[{"key":"01 00","value":"01"}]}]}',
      'entries[0].key: 2 bytes',
    ],
  ])('refuses a state file with %s', async (_name, text, message) => {
    writeFileSync(state, text);
    const r = await bpflab('map', 'dump', 'lsm.o', 'compromised_users', '--state', 's.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('names the maps there are when the map is unknown, and refuses --cpus against the state', async () => {
    const r = await bpflab('map', 'dump', 'lsm.o', 'nope');
    expect(r).toMatchObject({ code: 2, err: "bpflab: lsm.o has no map 'nope' (maps: compromised_users)\n" });
    expect((await bpflab('map', 'update', 'lsm.o', 'compromised_users', 'key', '1', '0', '0', '0', 'value', '1', '--state', 's.json')).code).toBe(0);
    const cpus = await bpflab('map', 'dump', 'lsm.o', 'compromised_users', '--state', 's.json', '--cpus', '4');
    expect(cpus).toMatchObject({ code: 2, err: expect.stringContaining('--cpus 4: s.json was saved from a kernel with 2 CPUs') });
  });
});

describeClang('bpflab map on per-CPU maps and global data', () => {
  beforeAll(async () => {
    expect((await bpflab('build', join(PROGRAMS, 'syscount.bpf.c'), '-o', 'syscount.o')).code).toBe(0);
    expect((await bpflab('build', join(PROGRAMS, 'globals.bpf.c'), '-o', 'globals.o')).code).toBe(0);
  });

  it('gives an updated per-CPU element the value on every CPU, as bpftool does', async () => {
    rmSync(join(tmp, 'pc.json'), { force: true });
    expect((await bpflab('map', 'update', 'syscount.o', 'syscall_counts', 'key', '59', '0', '0', '0', 'value', 'hex', '05', '00', '00', '00', '00', '00', '00', '00', '--state', 'pc.json', '--cpus', '3')).code).toBe(0);
    const dump = await bpflab('map', 'dump', 'syscount.o', 'syscall_counts', '--state', 'pc.json');
    expect(dump.out).toBe(
      'key:\n3b 00 00 00\nvalue (CPU 00): 05 00 00 00 00 00 00 00\nvalue (CPU 01): 05 00 00 00 00 00 00 00\nvalue (CPU 02): 05 00 00 00 00 00 00 00\nFound 1 element\n',
    );
    const json = JSON.parse((await bpflab('map', 'dump', 'syscount.o', 'syscall_counts', '--state', 'pc.json', '--json')).out);
    expect(json[0].values[2]).toEqual({ cpu: 2, value: ['0x05', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00', '0x00'] });
    expect(json[0].formatted).toEqual({ key: 59, values: [0, 1, 2].map((cpu) => ({ cpu, value: 5 })) });
  });

  it('reaches global data by section name, formatted as bpftool prints a DATASEC', async () => {
    const r = await bpflab('map', 'dump', 'globals.o', '.data.custom', '--json');
    expect(JSON.parse(r.out)).toEqual([{ key: ['0x00', '0x00', '0x00', '0x00'], value: ['0x2a', '0x00', '0x00', '0x00'], formatted: { key: 0, value: { '.data.custom': [{ custom_step: 42 }] } } }]);
    expect((await bpflab('map', 'lookup', 'globals.o', '.bss', 'key', '0', '0', '0', '0')).out).toBe(
      'key: 00 00 00 00  value: 00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00\n',
    );
  });
});
