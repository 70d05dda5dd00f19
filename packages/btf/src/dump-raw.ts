/**
 * The raw text dump of a type graph, in the format of
 * `bpftool btf dump file X format raw`:
 *
 * ```
 * [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
 * [2] STRUCT 'bits' size=24 vlen=2
 * 	'a' type_id=6 bits_offset=0 bitfield_size=3
 * 	'b' type_id=1 bits_offset=8
 * ```
 * For split BTF only the BTF's own types are listed, as bpftool does.
 */
import type { Btf } from './btf';
import { assertNever, type BtfType } from './types';

const KIND_NAMES: Readonly<Record<BtfType['kind'], string>> = {
  void: 'UNKNOWN',
  int: 'INT',
  ptr: 'PTR',
  array: 'ARRAY',
  struct: 'STRUCT',
  union: 'UNION',
  enum: 'ENUM',
  fwd: 'FWD',
  typedef: 'TYPEDEF',
  volatile: 'VOLATILE',
  const: 'CONST',
  restrict: 'RESTRICT',
  func: 'FUNC',
  func_proto: 'FUNC_PROTO',
  var: 'VAR',
  datasec: 'DATASEC',
  float: 'FLOAT',
  decl_tag: 'DECL_TAG',
  type_tag: 'TYPE_TAG',
  enum64: 'ENUM64',
};

const INT_ENCODING_NAMES = { none: '(none)', signed: 'SIGNED', char: 'CHAR', bool: 'BOOL' } as const;

function quoted(name: string): string {
  return `'${name === '' ? '(anon)' : name}'`;
}

/** One type in bpftool's raw format (one or more lines, without the final newline). */
export function dumpRawType(btf: Btf, t: BtfType): string {
  const head = `[${t.id}] ${KIND_NAMES[t.kind]} ${quoted(t.name)}`;
  switch (t.kind) {
    case 'void':
      return head;
    case 'int':
      return `${head} size=${t.size} bits_offset=${t.offset} nr_bits=${t.bits} encoding=${INT_ENCODING_NAMES[t.encoding]}`;
    case 'ptr':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'typedef':
    case 'type_tag':
      return `${head} type_id=${t.type}`;
    case 'array':
      return `${head} type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.length}`;
    case 'struct':
    case 'union': {
      const lines = [`${head} size=${t.size} vlen=${t.members.length}`];
      for (const m of t.members) {
        const bits = m.bitSize !== 0 ? ` bitfield_size=${m.bitSize}` : '';
        lines.push(`\t${quoted(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}${bits}`);
      }
      return lines.join('\n');
    }
    case 'enum': {
      const lines = [`${head} encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`];
      for (const v of t.values) lines.push(`\t${quoted(v.name)} val=${v.value}`);
      return lines.join('\n');
    }
    case 'enum64': {
      const lines = [`${head} encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`];
      for (const v of t.values) lines.push(`\t${quoted(v.name)} val=${v.value}${t.signed ? 'LL' : 'ULL'}`);
      return lines.join('\n');
    }
    case 'fwd':
      return `${head} fwd_kind=${t.fwdKind}`;
    case 'func':
      return `${head} type_id=${t.type} linkage=${t.linkage}`;
    case 'func_proto': {
      const n = t.params.length + (t.variadic ? 1 : 0);
      const lines = [`${head} ret_type_id=${t.returnType} vlen=${n}`];
      for (const p of t.params) lines.push(`\t${quoted(p.name)} type_id=${p.type}`);
      if (t.variadic) lines.push(`\t'(anon)' type_id=0`);
      return lines.join('\n');
    }
    case 'var':
      return `${head} type_id=${t.type}, linkage=${t.linkage}`;
    case 'datasec': {
      const lines = [`${head} size=${t.size} vlen=${t.vars.length}`];
      for (const v of t.vars) {
        const vt = btf.type(v.type);
        lines.push(`\ttype_id=${v.type} offset=${v.offset} size=${v.size} (${KIND_NAMES[vt.kind]} ${quoted(vt.name)})`);
      }
      return lines.join('\n');
    }
    case 'float':
      return `${head} size=${t.size}`;
    case 'decl_tag':
      return `${head} type_id=${t.type} component_idx=${t.componentIdx}`;
    default:
      return assertNever(t);
  }
}

/**
 * The whole BTF in bpftool's raw format, one type per entry, each line
 * ending in a newline; for split BTF, only the types after the base.
 */
export function dumpRaw(btf: Btf): string {
  const out: string[] = [];
  for (let id = btf.firstId; id < btf.types.length; id++) out.push(dumpRawType(btf, btf.types[id]!), '\n');
  return out.join('');
}
