/**
 * C declarators from BTF type chains: `int (*cbs[4])(int, void *)`,
 * `volatile const int *cv`, `char * restrict r`. The spelling (spaces,
 * qualifier order, `(void)` for empty parameter lists, dropped qualifiers on
 * arrays and function types) follows what `bpftool btf dump format c`
 * prints, so that `typeName` and `dumpC` agree with it.
 *
 * A declaration is read from the outside in: `ptr -> array -> const -> int`
 * is pushed in that order and printed from the innermost type outwards.
 */
import { BtfError } from '../errors';
import type { BtfComposite, BtfEnum, BtfEnum64, BtfType, TypeId } from '../types';

/** How names and anonymous definitions are spelled; the dumper and `typeName` differ here. */
export interface DeclStyle {
  /** Looks a type up by id. */
  type(id: TypeId): BtfType;
  /** The tag name of a struct, union, enum or fwd (`''` when anonymous). */
  tagName(t: BtfType): string;
  /** The identifier of a typedef. */
  identName(t: BtfType): string;
  /**
   * The inline definition of an anonymous struct, union or enum at nesting
   * level `lvl`; without it the type is printed as `struct (anon)`.
   */
  anonDef?(t: BtfComposite<'struct' | 'union'> | BtfEnum | BtfEnum64, lvl: number, depth: number): string;
}

/** Nesting beyond this many declarators or inline definitions is refused, never a stack overflow. */
export const MAX_DECL_DEPTH = 256;

/** Types being printed in the current declaration (to refuse unprintable self references). */
export type ActiveSet = Set<TypeId>;

/** Throws `too-deep` when `depth` exceeds the limit. */
export function checkDepth(depth: number, id: TypeId): void {
  if (depth > MAX_DECL_DEPTH) {
    throw new BtfError(
      'too-deep',
      `type [${id}]: declaration nests deeper than ${MAX_DECL_DEPTH} levels: cannot print as C`,
      undefined,
      id,
    );
  }
}

/** `struct name` / `union name` (for an anonymous type without an inline definition, `struct (anon)`). */
export function compositeRef(style: DeclStyle, t: BtfType & { kind: 'struct' | 'union' }): string {
  const name = style.tagName(t);
  return name === '' ? t.kind : `${t.kind} ${name}`;
}

/** The declaration of `fname` with type `id` (`fname` may be `''` for an abstract declarator). */
export function declare(style: DeclStyle, id: TypeId, fname: string, lvl: number, depth: number, active: ActiveSet): string {
  checkDepth(depth, id);
  const stack: TypeId[] = [];
  const seen = new Set<TypeId>();
  let cur = id;
  for (;;) {
    if (seen.has(cur)) {
      throw new BtfError('loop', `type [${cur}]: declarator chain refers to itself: cannot print as C`, undefined, cur);
    }
    seen.add(cur);
    stack.push(cur);
    if (cur === 0) break;
    const t = style.type(cur);
    if (
      t.kind === 'ptr' ||
      t.kind === 'volatile' ||
      t.kind === 'const' ||
      t.kind === 'restrict' ||
      t.kind === 'type_tag' ||
      t.kind === 'array'
    ) {
      cur = t.type;
    } else if (t.kind === 'func_proto') {
      cur = t.returnType;
    } else if (
      t.kind === 'int' ||
      t.kind === 'float' ||
      t.kind === 'enum' ||
      t.kind === 'enum64' ||
      t.kind === 'fwd' ||
      t.kind === 'struct' ||
      t.kind === 'union' ||
      t.kind === 'typedef'
    ) {
      break;
    } else {
      throw new BtfError(
        'bad-type',
        `type [${cur}] ${t.kind} '${t.name}': not a type that can appear in a C declaration`,
        undefined,
        cur,
      );
    }
  }
  return emitChain(style, stack, fname, lvl, depth, active);
}

function isQualifier(t: BtfType): boolean {
  return t.kind === 'volatile' || t.kind === 'const' || t.kind === 'restrict';
}

/** Pops the qualifiers on top of the stack, printed as a prefix (`volatile const `). */
function prefixQualifiers(style: DeclStyle, stack: TypeId[]): string {
  let out = '';
  while (stack.length > 0) {
    const t = style.type(stack[stack.length - 1]!);
    if (!isQualifier(t)) break;
    out += `${t.kind} `;
    stack.pop();
  }
  return out;
}

/** Pops qualifiers on top of the stack without printing them (on arrays and function types). */
function dropQualifiers(style: DeclStyle, stack: TypeId[]): void {
  while (stack.length > 0 && (isQualifier(style.type(stack[stack.length - 1]!)) || style.type(stack[stack.length - 1]!).kind === 'type_tag')) {
    stack.pop();
  }
}

function nameAfter(fname: string, lastWasPtr: boolean): string {
  return fname !== '' && !lastWasPtr ? ` ${fname}` : fname;
}

function emitChain(style: DeclStyle, stack: TypeId[], fname: string, lvl: number, depth: number, active: ActiveSet): string {
  checkDepth(depth, stack[0] ?? 0);
  // True at the start so that a lone pointer inside `(...)` prints as `(*name)`.
  let lastWasPtr = true;
  let out = '';
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === 0) {
      out += prefixQualifiers(style, stack) + 'void';
      lastWasPtr = false;
      continue;
    }
    const t = style.type(id);
    switch (t.kind) {
      case 'int':
      case 'float':
        out += prefixQualifiers(style, stack) + t.name;
        break;
      case 'struct':
      case 'union':
        out += prefixQualifiers(style, stack);
        out += t.name === '' && style.anonDef ? inline(style, t, lvl, depth, active) : compositeRef(style, t);
        break;
      case 'enum':
      case 'enum64': {
        out += prefixQualifiers(style, stack);
        const name = style.tagName(t);
        out += t.name === '' && style.anonDef ? inline(style, t, lvl, depth, active) : name === '' ? 'enum' : `enum ${name}`;
        break;
      }
      case 'fwd':
        out += `${prefixQualifiers(style, stack)}${t.fwdKind} ${style.tagName(t)}`;
        break;
      case 'typedef':
        out += prefixQualifiers(style, stack) + style.identName(t);
        break;
      case 'ptr':
        out += lastWasPtr ? '*' : ' *';
        break;
      case 'volatile':
      case 'const':
      case 'restrict':
        out += ` ${t.kind}`;
        break;
      case 'type_tag':
        out += prefixQualifiers(style, stack);
        out += t.attr ? ` __attribute__((${t.name}))` : ` __attribute__((btf_type_tag("${t.name}")))`;
        break;
      case 'array': {
        dropQualifiers(style, stack);
        if (stack.length === 0) {
          return `${out}${nameAfter(fname, lastWasPtr)}[${t.length}]`;
        }
        const multidim = style.type(stack[stack.length - 1]!).kind === 'array';
        if (fname !== '' && !lastWasPtr) out += ' ';
        const inner = emitChain(style, stack, fname, lvl, depth + 1, active);
        return multidim ? `${out}${inner}[${t.length}]` : `${out}(${inner})[${t.length}]`;
      }
      case 'func_proto': {
        dropQualifiers(style, stack);
        if (active.has(id)) {
          throw new BtfError('loop', `type [${id}] func_proto: refers to itself through its parameters: cannot print as C`, undefined, id);
        }
        active.add(id);
        out += stack.length > 0 ? ` (${emitChain(style, stack, fname, lvl, depth + 1, active)})` : nameAfter(fname, lastWasPtr);
        if (t.params.length === 0) {
          out += '(void)';
        } else {
          const parts = t.params.map((p) => declare(style, p.type, p.name, lvl, depth + 1, active));
          if (t.variadic) parts.push('...');
          out += `(${parts.join(', ')})`;
        }
        active.delete(id);
        return out;
      }
      case 'void':
      case 'func':
      case 'var':
      case 'datasec':
      case 'decl_tag':
        throw new BtfError('bad-type', `type [${id}] ${t.kind} '${t.name}': not a type that can appear in a C declaration`, undefined, id);
    }
    lastWasPtr = t.kind === 'ptr';
  }
  return out + nameAfter(fname, lastWasPtr);
}

function inline(
  style: DeclStyle,
  t: BtfComposite<'struct' | 'union'> | BtfEnum | BtfEnum64,
  lvl: number,
  depth: number,
  active: ActiveSet,
): string {
  if (active.has(t.id)) {
    throw new BtfError('loop', `type [${t.id}] anonymous ${t.kind}: refers to itself: cannot print as C`, undefined, t.id);
  }
  active.add(t.id);
  const out = style.anonDef!(t, lvl, depth + 1);
  active.delete(t.id);
  return out;
}
