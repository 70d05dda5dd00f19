/**
 * `BPF_MAP_TYPE_LPM_TRIE`: longest-prefix match. A key is
 * `struct bpf_lpm_trie_key { u32 prefixlen; u8 data[]; }` (prefixlen in host
 * order, data in network order, most significant bit first); an element
 * covers the addresses whose first `prefixlen` bits equal its data. A lookup
 * finds the element with the longest prefix, at most the lookup key's
 * prefixlen, that covers the key's data. Updates and deletes name an element
 * exactly (its prefixlen and the bits it covers; bits past prefixlen are
 * ignored). The map must be created with BPF_F_NO_PREALLOC; a new element
 * in a full trie fails with ENOSPC; a prefixlen above `8 * (key_size - 4)`
 * is EINVAL for updates and deletes and finds nothing for lookups.
 *
 * `get_next_key` walks the kernel trie in postorder, which puts more
 * specific prefixes before the prefixes that contain them and, where two
 * prefixes part, the 0 branch before the 1 branch; a key that is not an
 * element restarts from the first. bpflab keeps the elements sorted in that
 * order instead of building the trie. Values live in the address space, one
 * region per element, as for hash maps.
 */
import { VmError, type Region } from '@bpflab/vm';
import { ERRNO, UPDATE_FLAG } from '@bpflab/uapi';
import type { CheckedMapDef } from './def';
import { flagWord, keyString, readU32 } from './internal/bytes';
import { MapBase, type BatchSupport, type MapEnv } from './internal/base';
import { ok, OK } from './internal/results';
import type { MapResult } from './result';

interface LpmEntry {
  readonly prefixLen: number;
  readonly ident: string;
  /** the key as last stored (bits past prefixlen included, as the kernel keeps them) */
  key: Uint8Array;
  readonly region: Region;
}

/** The first `prefixLen` bits of `data` (whole bytes, the last one masked), as a map key. */
function identOf(prefixLen: number, data: Uint8Array): string {
  const n = Math.ceil(prefixLen / 8);
  const bytes = data.slice(0, n);
  const rem = prefixLen % 8;
  if (rem !== 0) bytes[n - 1] = bytes[n - 1]! & ((0xff << (8 - rem)) & 0xff);
  return `${prefixLen}:${keyString(bytes)}`;
}

/** The highest set bit of a non-zero byte. */
function topBit(x: number): number {
  return 1 << (31 - Math.clz32(x));
}

/** Postorder of the kernel's trie: negative when `a` comes first. */
function postorder(a: LpmEntry, b: LpmEntry): number {
  const m = Math.min(a.prefixLen, b.prefixLen);
  const whole = m >> 3;
  for (let i = 0; i <= whole && i < a.key.length - 4; i++) {
    const mask = i < whole ? 0xff : (0xff << (8 - (m & 7))) & 0xff;
    const x = ((a.key[4 + i]! ^ b.key[4 + i]!) & mask) >>> 0;
    if (x !== 0) return (a.key[4 + i]! & topBit(x)) !== 0 ? 1 : -1;
  }
  return b.prefixLen - a.prefixLen;
}

/** An LPM trie map. */
export class LpmTrieMap extends MapBase<'lpm_trie'> {
  protected readonly batchSupport: BatchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: true };
  /** `8 * (key_size - 4)` */
  readonly maxPrefixLen: number;
  private readonly byIdent = new Map<string, LpmEntry>();
  /** in get_next_key order */
  private readonly ordered: LpmEntry[] = [];
  /** how many elements have each prefix length */
  private readonly lengths = new Map<number, number>();
  private lengthsDesc: number[] = [];

  /** Use `MapStore.create`. */
  constructor(env: MapEnv, def: CheckedMapDef, id: number, handle: Region) {
    super(env, def, id, handle);
    this.maxPrefixLen = 8 * (def.keySize - 4);
  }

  /** Elements in the trie. */
  get size(): number {
    return this.ordered.length;
  }

  override lookupElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const e = this.longestMatch(this.readProgram(key, this.keySize));
    return e === undefined ? 0 : e.region.start;
  }

  override updateElem(key: number, value: number, flags: number | bigint, cpu: number): number {
    this.checkCpu(cpu);
    const r = this.put(this.readProgram(key, this.keySize), this.readProgram(value, this.valueSize), flagWord(flags));
    return r === undefined ? 0 : -r.errno;
  }

  override deleteElem(key: number, cpu: number): number {
    this.checkCpu(cpu);
    const r = this.remove(this.readProgram(key, this.keySize));
    return r === undefined ? 0 : -r.errno;
  }

  protected userLookup(key: Uint8Array | null): MapResult<Uint8Array> {
    const e = this.longestMatch(key!);
    if (e === undefined) return this.fail('lookup', ERRNO.ENOENT, `no prefix matches ${this.describeKey(key!)}`);
    return ok(this.load(e.region.start, this.valueSize));
  }

  protected userUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): MapResult {
    const r = this.put(key!, value, flagWord(flags));
    return r === undefined ? OK : this.fail('update', r.errno, r.why);
  }

  protected userDelete(key: Uint8Array | null): MapResult {
    const r = this.remove(key!);
    return r === undefined ? OK : this.fail('delete', r.errno, r.why);
  }

  protected userNextKey(key: Uint8Array | null): MapResult<Uint8Array> {
    const first = this.ordered[0];
    if (first === undefined) return this.fail('get_next_key', ERRNO.ENOENT, 'the trie is empty');
    if (key === null || readU32(key) > this.maxPrefixLen) return ok(first.key.slice());
    const e = this.byIdent.get(identOf(readU32(key), key.subarray(4)));
    if (e === undefined) return ok(first.key.slice());
    const next = this.ordered[this.indexOf(e) + 1];
    if (next === undefined) return this.fail('get_next_key', ERRNO.ENOENT, `${this.describeKey(key)} is the last prefix`);
    return ok(next.key.slice());
  }

  protected releaseStorage(): void {
    for (const e of this.ordered) this.memory.free(e.region);
  }

  /** `trie_lookup_elem`: the longest prefix of at most the key's prefixlen covering its data. */
  private longestMatch(key: Uint8Array): LpmEntry | undefined {
    const limit = readU32(key);
    if (limit > this.maxPrefixLen) return undefined;
    const data = key.subarray(4);
    for (const len of this.lengthsDesc) {
      if (len > limit) continue;
      const e = this.byIdent.get(identOf(len, data));
      if (e !== undefined) return e;
    }
    return undefined;
  }

  private put(key: Uint8Array, value: Uint8Array, f: number): { readonly errno: number; readonly why: string } | undefined {
    if (f < 0 || f > UPDATE_FLAG.EXIST) return { errno: ERRNO.EINVAL, why: 'flags must be BPF_ANY, BPF_NOEXIST or BPF_EXIST' };
    const prefixLen = readU32(key);
    if (prefixLen > this.maxPrefixLen) return { errno: ERRNO.EINVAL, why: this.tooLong(prefixLen) };
    const ident = identOf(prefixLen, key.subarray(4));
    const old = this.byIdent.get(ident);
    if (old !== undefined) {
      if (f === UPDATE_FLAG.NOEXIST) return { errno: ERRNO.EEXIST, why: `BPF_NOEXIST: ${this.describeKey(key)} already exists` };
      old.key = key.slice();
      this.store(old.region.start, value);
      return undefined;
    }
    if (f === UPDATE_FLAG.EXIST) return { errno: ERRNO.ENOENT, why: `BPF_EXIST: ${this.describeKey(key)} does not exist` };
    if (this.ordered.length >= this.maxEntries) {
      return { errno: ERRNO.ENOSPC, why: `the trie is full (max_entries ${this.maxEntries})` };
    }
    let region: Region;
    try {
      region = this.memory.allocate({ name: this.regionName, kind: 'map_value', size: this.valueSize, writable: this.progWritable });
    } catch (e) {
      if (e instanceof VmError && e.code === 'out-of-memory') return { errno: ERRNO.ENOMEM, why: e.message };
      throw e;
    }
    this.store(region.start, value);
    const entry: LpmEntry = { prefixLen, ident, key: key.slice(), region };
    this.byIdent.set(ident, entry);
    this.ordered.splice(this.insertionPoint(entry), 0, entry);
    this.countLength(prefixLen, 1);
    return undefined;
  }

  private remove(key: Uint8Array): { readonly errno: number; readonly why: string } | undefined {
    const prefixLen = readU32(key);
    if (prefixLen > this.maxPrefixLen) return { errno: ERRNO.EINVAL, why: this.tooLong(prefixLen) };
    const e = this.byIdent.get(identOf(prefixLen, key.subarray(4)));
    if (e === undefined) return { errno: ERRNO.ENOENT, why: `no element ${this.describeKey(key)}` };
    this.byIdent.delete(e.ident);
    this.ordered.splice(this.indexOf(e), 1);
    this.countLength(prefixLen, -1);
    this.memory.free(e.region);
    return undefined;
  }

  private insertionPoint(e: LpmEntry): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (postorder(this.ordered[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(e: LpmEntry): number {
    return this.insertionPoint(e);
  }

  private countLength(len: number, delta: number): void {
    const n = (this.lengths.get(len) ?? 0) + delta;
    if (n === 0) this.lengths.delete(len);
    else this.lengths.set(len, n);
    this.lengthsDesc = [...this.lengths.keys()].sort((a, b) => b - a);
  }

  private tooLong(prefixLen: number): string {
    return `prefixlen ${prefixLen} is longer than the ${this.maxPrefixLen} bits of the key's data`;
  }

  /** `10.1.0.0/16` for 4-byte data, `0a01.../16` otherwise. */
  private describeKey(key: Uint8Array): string {
    const prefixLen = readU32(key);
    const data = key.subarray(4);
    if (data.length === 4) return `${data.join('.')}/${prefixLen}`;
    return `${[...data].map((b) => b.toString(16).padStart(2, '0')).join('')}/${prefixLen}`;
  }
}
