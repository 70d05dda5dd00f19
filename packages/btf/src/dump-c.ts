/**
 * BTF as a C header, the way `bpftool btf dump file X format c` writes it
 * (libbpf's BTF-to-C dumper), so that a generated `vmlinux.h` reads like
 * the one students get from bpftool.
 *
 * Two passes per root type, in id order:
 *
 * 1. Ordering: a depth-first walk that queues every type needing a
 *    top-level definition after the types it needs "strongly" (by value:
 *    struct members, array elements, typedef targets). A named struct or
 *    union reached through a pointer is a weak link and needs at most a
 *    forward declaration, which is what lets `struct list { struct list
 *    *next; }` and mutually referencing structs be printed. A strong cycle
 *    cannot be written in C and is an error.
 * 2. Emission: each queued type is printed; on the way, types that are
 *    still being emitted get forward declarations (`struct other;`) and
 *    anonymous structs, unions and enums are printed inline where used.
 *
 * Struct layouts are reproduced: bitfields, explicit padding (`long: 64;`,
 * `int: 0;`) where natural alignment would not put a member at its BTF
 * offset, and `__attribute__((packed))` when the layout cannot be natural.
 * Names used by two different types get a `___2` suffix, as libbpf does.
 */
import type { Btf } from './btf';
import { BtfError } from './errors';
import { checkDepth, declare, type ActiveSet, type DeclStyle } from './internal/declarator';
import type { BtfComposite, BtfEnum, BtfEnum64, BtfType, TypeId } from './types';

/** Options of `dumpC`. */
export interface DumpCOptions {
  /** Wrap the output in the include guard and the `preserve_access_index` pragma, as bpftool does. Default: `true`. */
  readonly header?: boolean;
  /** The include guard macro. Default: `'__VMLINUX_H__'`. */
  readonly guard?: string;
  /** Dump these types (and what they need) instead of every type. Default: `'all'`. */
  readonly rootTypes?: readonly TypeId[] | 'all';
  /**
   * Give enums the size their BTF says when C would not: one-byte enums get
   * `__attribute__((mode(byte)))`, eight-byte enums whose values all fit
   * 32 bits get `__attribute__((mode(word)))`, as libbpf 1.2 and later
   * print them. `false` prints what libbpf 1.1 (bpftool 7.1) prints, where
   * a struct holding a packed enum gets the wrong layout. Default: `true`.
   */
  readonly enumSizeAttributes?: boolean;
}

/** Defaults of `DumpCOptions`. */
export const DEFAULT_DUMP_C_OPTIONS: Required<DumpCOptions> = {
  header: true,
  guard: '__VMLINUX_H__',
  rootTypes: 'all',
  enumSizeAttributes: true,
};

// Order states: 0 (the initial, not ordered), ORDERING, ORDERED.
const ORDERING = 1;
const ORDERED = 2;
const NOT_EMITTED = 0;
const EMITTING = 1;
const EMITTED = 2;

/** A struct needing more filler lines than this (a hole of 512 KiB) is refused rather than printed. */
const MAX_PADDING_LINES = 1 << 16;

/** Order and emit recursion beyond this depth is refused (a graph no C header could hold). */
const MAX_WALK_DEPTH = 1000;

/** Kinds the ordering walk passes through without recording a state. */
const STATELESS: ReadonlySet<BtfType['kind']> = new Set(['ptr', 'array', 'typedef', 'volatile', 'const', 'restrict', 'type_tag', 'func_proto']);

/** GCC's Arm SIMD internal types, aliased to standard types as libbpf does. */
const MISSING_BASE_TYPES: ReadonlyMap<string, string> = new Map([
  ['__Poly8_t', 'unsigned char'],
  ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'],
  ['__Poly128_t', 'unsigned __int128'],
]);

function pfx(lvl: number): string {
  return '\t'.repeat(lvl);
}

function roundup(x: number, y: number): number {
  return Math.ceil(x / y) * y;
}

/**
 * Prints the BTF as a compilable C header (types only; functions and
 * variables are not declared, as bpftool does). Throws `BtfError` `loop`
 * for a graph C cannot express (a strong type cycle, an anonymous struct
 * reaching itself) and `too-deep` for absurd nesting.
 */
export function dumpC(btf: Btf, options: DumpCOptions = {}): string {
  const opts = { ...DEFAULT_DUMP_C_OPTIONS, ...options };
  const d = new Dumper(btf, opts.enumSizeAttributes);
  const out: string[] = [];
  if (opts.header) {
    out.push(
      `#ifndef ${opts.guard}\n#define ${opts.guard}\n\n`,
      '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n',
      '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n',
      '#endif\n\n',
    );
  }
  if (opts.rootTypes === 'all') {
    for (let id = 1; id < btf.types.length; id++) d.dumpType(id);
  } else {
    for (const id of opts.rootTypes) {
      btf.type(id);
      d.dumpType(id);
    }
  }
  out.push(d.text());
  if (opts.header) {
    out.push('#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n', '#pragma clang attribute pop\n', '#endif\n\n', `#endif /* ${opts.guard} */\n`);
  }
  return out.join('');
}

/** The dumper's per-run state (a stateful runtime, hence a class). */
class Dumper {
  private readonly types: readonly BtfType[];
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly cachedNames: (string | undefined)[];
  private readonly nameResolved: Uint8Array;
  private readonly typeNames = new Map<string, number>();
  private readonly identNames = new Map<string, number>();
  private readonly out: string[] = [];
  private queue: TypeId[] = [];
  /** Stateless types (see STATELESS) on the current ordering path, as `id * 2 + throughPtr`. */
  private readonly onPath = new Set<TypeId>();
  private readonly style: DeclStyle;
  /** Types inside the declaration being printed (shared by nested inline definitions). */
  private readonly active: ActiveSet = new Set();

  constructor(
    private readonly btf: Btf,
    private readonly enumSizeAttributes: boolean,
  ) {
    const n = btf.types.length;
    this.types = btf.types;
    this.orderState = new Uint8Array(n);
    this.emitState = new Uint8Array(n);
    this.fwdEmitted = new Uint8Array(n);
    this.referenced = new Uint8Array(n);
    this.nameResolved = new Uint8Array(n);
    this.cachedNames = new Array<string | undefined>(n);
    // void is always defined
    this.orderState[0] = ORDERED;
    this.emitState[0] = EMITTED;
    this.markReferenced();
    this.style = {
      type: (id) => this.types[id]!,
      tagName: (t) => this.typeName(t.id),
      identName: (t) => this.identName(t.id),
      anonDef: (t, lvl, depth) =>
        'members' in t ? this.structDef(t, lvl, depth) : this.enumDef(t, lvl),
    };
  }

  text(): string {
    return this.out.join('');
  }

  dumpType(id: TypeId): void {
    this.queue = [];
    this.orderType(id, false, 0);
    for (const q of this.queue) this.emitType(q, 0, 0);
  }

  /** A type is "referenced" when another type points at it; unreferenced anonymous enums are printed on their own. */
  private markReferenced(): void {
    const ref = this.referenced;
    for (const t of this.types) {
      switch (t.kind) {
        case 'volatile':
        case 'const':
        case 'restrict':
        case 'ptr':
        case 'typedef':
        case 'func':
        case 'var':
        case 'decl_tag':
        case 'type_tag':
          ref[t.type] = 1;
          break;
        case 'array':
          ref[t.indexType] = 1;
          ref[t.type] = 1;
          break;
        case 'struct':
        case 'union':
          for (const m of t.members) ref[m.type] = 1;
          break;
        case 'func_proto':
          // Parameters only, not the return type (as libbpf).
          for (const p of t.params) ref[p.type] = 1;
          if (t.variadic) ref[0] = 1;
          break;
        case 'datasec':
          for (const v of t.vars) ref[v.type] = 1;
          break;
        case 'void':
        case 'int':
        case 'enum':
        case 'enum64':
        case 'fwd':
        case 'float':
          break;
      }
    }
  }

  private walkDepth(depth: number, id: TypeId): void {
    if (depth > MAX_WALK_DEPTH) {
      throw new BtfError('too-deep', `type [${id}]: type graph nests deeper than ${MAX_WALK_DEPTH} levels: cannot print as C`, undefined, id);
    }
  }

  /**
   * Queues `id` after what it needs. Returns 1 when the type is a strong
   * definition (usable by value), 0 when only a weak link was followed.
   */
  private orderType(id: TypeId, throughPtr: boolean, depth: number): number {
    this.walkDepth(depth, id);
    const state = this.orderState[id]!;
    if (state === ORDERED) return 1;
    const t = this.types[id]!;
    if (state === ORDERING) {
      // A loop, fine when it goes through a pointer to a named struct or union (forward declaration).
      if ((t.kind === 'struct' || t.kind === 'union') && throughPtr && t.name !== '') return 0;
      throw new BtfError('loop', `type [${id}] ${t.kind} '${t.name}': unsatisfiable type cycle: cannot print as C`, undefined, id);
    }
    // Kinds without an order state (pointers, arrays, typedefs, qualifiers, prototypes) met
    // again on the current path, the same way (through a pointer or not), would walk the same
    // path again: into a struct already being ordered, which is a cycle C cannot write, or, with
    // no struct on the path, forever. (libbpf fails or recurses without end there.)
    if (STATELESS.has(t.kind)) {
      const key = id * 2 + (throughPtr ? 1 : 0);
      if (this.onPath.has(key)) {
        throw new BtfError('loop', `type [${id}] ${t.kind} '${t.name}': refers to itself: cannot print as C`, undefined, id);
      }
      this.onPath.add(key);
      try {
        return this.orderStateless(t, throughPtr, depth);
      } finally {
        this.onPath.delete(key);
      }
    }
    switch (t.kind) {
      case 'int':
      case 'float':
        this.orderState[id] = ORDERED;
        return 0;
      case 'struct':
      case 'union':
        // Only embedded (not through a pointer) or anonymous ones are strong links.
        if (throughPtr && t.name !== '') return 0;
        this.orderState[id] = ORDERING;
        for (const m of t.members) this.orderType(m.type, false, depth + 1);
        if (t.name !== '') this.queue.push(id);
        this.orderState[id] = ORDERED;
        return 1;
      case 'enum':
      case 'enum64':
      case 'fwd':
        if (t.name !== '' || !this.referenced[id]) this.queue.push(id);
        this.orderState[id] = ORDERED;
        return 1;
      case 'func':
      case 'var':
      case 'datasec':
      case 'decl_tag':
        this.orderState[id] = ORDERED;
        return 0;
      default:
        return 1;
    }
  }

  private orderStateless(t: BtfType, throughPtr: boolean, depth: number): number {
    const id = t.id;
    switch (t.kind) {
      case 'ptr': {
        const r = this.orderType(t.type, true, depth + 1);
        this.orderState[id] = ORDERED;
        return r;
      }
      case 'array':
        return this.orderType(t.type, false, depth + 1);
      case 'typedef': {
        const strong = this.orderType(t.type, throughPtr, depth + 1);
        if (throughPtr && !strong) return 0;
        this.queue.push(id);
        this.orderState[id] = ORDERED;
        return 1;
      }
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        return this.orderType(t.type, throughPtr, depth + 1);
      case 'func_proto': {
        let strong = this.orderType(t.returnType, throughPtr, depth + 1) > 0;
        for (const p of t.params) if (this.orderType(p.type, throughPtr, depth + 1) > 0) strong = true;
        // The vararg marker is a void parameter, and void is always defined.
        if (t.variadic) strong = true;
        return strong ? 1 : 0;
      }
      default:
        return 1;
    }
  }

  private emitType(id: TypeId, contId: TypeId, depth: number): void {
    this.walkDepth(depth, id);
    const state = this.emitState[id]!;
    if (state === EMITTED) return;
    const t = this.types[id]!;
    const topLevel = contId === 0;
    if (state === EMITTING) {
      // Needed while being emitted: a forward declaration does.
      if (this.fwdEmitted[id]) return;
      if (t.kind === 'struct' || t.kind === 'union') {
        // A struct referencing itself needs nothing; an anonymous one cannot be forward declared.
        if (id === contId || t.name === '') return;
        this.out.push(`${this.compositeFwd(t)};\n\n`);
        this.fwdEmitted[id] = 1;
      } else if (t.kind === 'typedef') {
        if (!this.isBlacklisted(t)) this.out.push(`${this.typedefDef(t, 0)};\n\n`);
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    switch (t.kind) {
      case 'int': {
        const alias = MISSING_BASE_TYPES.get(this.typeName(id));
        if (alias !== undefined) this.out.push(`typedef ${alias} ${this.typeName(id)};\n\n`);
        this.emitState[id] = EMITTED;
        return;
      }
      case 'enum':
      case 'enum64':
        if (topLevel) this.out.push(`${this.enumDef(t, 0)};\n\n`);
        this.emitState[id] = EMITTED;
        return;
      case 'ptr':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
      case 'array':
        this.emitType(t.type, contId, depth + 1);
        return;
      case 'fwd':
        this.out.push(`${t.fwdKind} ${this.typeName(id)};\n\n`);
        this.emitState[id] = EMITTED;
        return;
      case 'typedef':
        this.emitState[id] = EMITTING;
        this.emitType(t.type, id, depth + 1);
        if (!this.fwdEmitted[id] && !this.isBlacklisted(t)) this.out.push(`${this.typedefDef(t, 0)};\n\n`);
        this.emitState[id] = EMITTED;
        return;
      case 'struct':
      case 'union':
        this.emitState[id] = EMITTING;
        if (topLevel || t.name === '') {
          // The definition is printed here (or inline): its members' types need declaring first.
          const inner = t.name === '' ? contId : id;
          for (const m of t.members) this.emitType(m.type, inner, depth + 1);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.out.push(`${this.compositeFwd(t)};\n\n`);
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          this.out.push(`${this.structDef(t, 0, 0)};\n\n`);
          this.emitState[id] = EMITTED;
        } else {
          this.emitState[id] = NOT_EMITTED;
        }
        return;
      case 'func_proto':
        // Ordering refused prototypes that reach themselves, so this walk ends.
        this.emitType(t.returnType, contId, depth + 1);
        for (const p of t.params) this.emitType(p.type, contId, depth + 1);
        return;
      case 'void':
      case 'float':
      case 'func':
      case 'var':
      case 'datasec':
      case 'decl_tag':
        return;
    }
  }

  /** `__builtin_va_list` is the compiler's own; redefining it breaks compilation. */
  private isBlacklisted(t: BtfType): boolean {
    return t.name === '__builtin_va_list';
  }

  private nameDups(map: Map<string, number>, name: string): number {
    const n = (map.get(name) ?? 0) + 1;
    map.set(name, n);
    return n;
  }

  private resolveName(id: TypeId, map: Map<string, number>): string {
    const t = this.types[id]!;
    if (t.name === '') return '';
    if (this.nameResolved[id]) return this.cachedNames[id] ?? t.name;
    this.nameResolved[id] = 1;
    // Forward declarations and forward enums may repeat a name freely.
    if (t.kind === 'fwd' || (t.kind === 'enum' && t.values.length === 0)) return t.name;
    const dups = this.nameDups(map, t.name);
    if (dups > 1) this.cachedNames[id] = `${t.name}___${dups}`;
    return this.cachedNames[id] ?? t.name;
  }

  /** The tag name of a struct, union, enum or fwd, deduplicated. */
  private typeName(id: TypeId): string {
    return this.resolveName(id, this.typeNames);
  }

  /** The identifier of a typedef, deduplicated. */
  private identName(id: TypeId): string {
    return this.resolveName(id, this.identNames);
  }

  private compositeFwd(t: BtfType & { kind: 'struct' | 'union' }): string {
    return `${t.kind}${t.name !== '' ? ' ' : ''}${this.typeName(t.id)}`;
  }

  private declare(id: TypeId, name: string, lvl: number, depth: number): string {
    return declare(this.style, id, name, lvl, depth, this.active);
  }

  private typedefDef(t: BtfType & { kind: 'typedef' }, lvl: number): string {
    const name = this.identName(t.id);
    // Old GCC emits __gnuc_va_list as a typedef of void.
    if (t.type === 0 && name === '__gnuc_va_list') return 'typedef __builtin_va_list __gnuc_va_list';
    return `typedef ${this.declare(t.type, name, lvl, 0)}`;
  }

  private enumDef(t: BtfEnum | BtfEnum64, lvl: number): string {
    let out = `enum${t.name !== '' ? ' ' : ''}${this.typeName(t.id)}`;
    if (t.values.length === 0) return out;
    out += ' {';
    for (const v of t.values) {
      // Enumerators share the namespace of typedef identifiers.
      const dups = this.nameDups(this.identNames, v.name);
      const name = dups > 1 ? `${v.name}___${dups}` : v.name;
      const suffix = t.kind === 'enum64' ? (t.signed ? 'LL' : 'ULL') : '';
      out += `\n${pfx(lvl + 1)}${name} = ${v.value}${suffix},`;
    }
    out += `\n${pfx(lvl)}}`;
    if (this.enumSizeAttributes) {
      if (t.size === 1) {
        out += ' __attribute__((mode(byte)))';
      } else if (t.size === 8 && this.btf.pointerSize === 8) {
        // An enum64 with a value past 32 bits is 8 bytes by itself; otherwise force it.
        const wide = t.kind === 'enum64' && t.values.some((v) => BigInt.asUintN(64, v.value) >> 32n !== 0n);
        if (!wide) out += ' __attribute__((mode(word)))';
      }
    }
    return out;
  }

  /** libbpf's packed test: a member off its natural alignment, or a size that is not a multiple of it. */
  private isPacked(t: BtfComposite<'struct' | 'union'>): boolean {
    let maxAlign = 1;
    for (const m of t.members) {
      const a = this.btf.alignof(m.type);
      if (m.bitSize === 0 && m.bitOffset % (8 * a) !== 0) return true;
      maxAlign = Math.max(maxAlign, a);
    }
    return t.size % maxAlign !== 0;
  }

  private structDef(t: BtfComposite<'struct' | 'union'>, lvl: number, depth: number): string {
    checkDepth(depth, t.id);
    const isStruct = t.kind === 'struct';
    const packed = isStruct && this.isPacked(t);
    let out = `${t.kind}${t.name !== '' ? ' ' : ''}${this.typeName(t.id)} {`;
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const mAlign = packed ? 1 : this.btf.alignof(m.type);
      out += this.bitPadding(t.id, off, m.bitOffset, mAlign, prevBitfield && m.bitSize !== 0, lvl + 1);
      out += `\n${pfx(lvl + 1)}${this.declare(m.type, m.name, lvl + 1, depth + 1)}`;
      if (m.bitSize !== 0) {
        out += `: ${m.bitSize}`;
        off = m.bitOffset + m.bitSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + this.btf.sizeof(m.type) * 8;
        prevBitfield = false;
      }
      out += ';';
    }
    if (isStruct) out += this.bitPadding(t.id, off, t.size * 8, packed ? 1 : this.btf.alignof(t.id), false, lvl + 1);
    // `struct empty {}` stays on one line.
    out += t.members.length > 0 || t.size > 0 ? `\n${pfx(lvl)}}` : '}';
    if (packed) out += ' __attribute__((packed))';
    return out;
  }

  /**
   * Explicit padding from bit `cur` to bit `next`: first, if needed, a
   * `<type>: 0;` (or, inside a run of bitfields, `<type>: n;`) to reach
   * the largest natural boundary that fits, then full-width `<type>: bits;`
   * fillers, the last one with the smallest type that holds the rest.
   */
  private bitPadding(id: TypeId, cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): string {
    if (cur >= next) return '';
    const pads: readonly (readonly [string, number])[] = [
      ['long', this.btf.pointerSize * 8],
      ['int', 32],
      ['short', 16],
      ['char', 8],
    ];
    let out = '';
    let padType = 'char';
    let padBits = 8;
    let newOff = cur;
    for (const [name, bits] of pads) {
      padType = name;
      padBits = bits;
      newOff = roundup(cur, bits);
      if (newOff <= next) break;
    }
    if (newOff > cur && newOff <= next) {
      if (
        inBitfield ||
        (newOff === next && roundup(cur, nextAlign * 8) !== newOff) ||
        (newOff !== next && next - newOff <= newOff - cur)
      ) {
        out += `\n${pfx(lvl)}${padType}: ${inBitfield ? newOff - cur : 0};`;
      }
      cur = newOff;
    }
    const full = Math.floor((next - cur) / padBits);
    if (full > MAX_PADDING_LINES) {
      throw new BtfError(
        'too-large',
        `type [${id}]: a hole of ${next - cur} bits needs more than ${MAX_PADDING_LINES} lines of padding: cannot print as C`,
        undefined,
        id,
      );
    }
    out += `\n${pfx(lvl)}${padType}: ${padBits};`.repeat(full);
    cur += full * padBits;
    if (cur !== next) {
      // The rest, with the smallest type that holds it.
      const bits = next - cur;
      const [name] = pads.slice().reverse().find(([, width]) => width >= bits)!;
      out += `\n${pfx(lvl)}${name}: ${bits};`;
    }
    return out;
  }
}
