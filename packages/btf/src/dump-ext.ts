/**
 * A readable dump of `.BTF.ext` (bpftool has none): one block per record
 * kind, one line per record. CO-RE relocations also show what their access
 * string reaches, in the notation libbpf's debug log uses:
 * `[5] struct bits.c (0:2 @ offset 1)`, `[14] enum big::HUGE = 4886718345`.
 *
 * ```
 * func_info:
 * 	section 'xdp': 1 records
 * 		insn_off=0 type_id=4 func 'prog'
 * line_info:
 * 	section 'xdp': 9 records
 * 		insn_off=0 a.c:19:0: int prog(void *ctx) {
 * core_relo:
 * 	section 'xdp': 5 records
 * 		insn_off=16 field_byte_offset type_id=5 access=0:2: [5] struct bits.c (0:2 @ offset 1)
 * ```
 */
import type { Btf } from './btf';
import type { BtfExt, BtfExtSection, CoreRelo } from './ext';
import type { BtfType } from './types';

function skipAliases(btf: Btf, t: BtfType): BtfType {
  return btf.resolve(t.id);
}

function typeLabel(t: BtfType): string {
  return `[${t.id}] ${t.kind} ${t.name === '' ? '<anon>' : t.name}`;
}

/** What a relocation's access string reaches, or why it reaches nothing. */
export function describeCoreAccess(btf: Btf, r: CoreRelo): string {
  const root = btf.types[r.typeId];
  if (!root) return `type id ${r.typeId} does not exist`;
  const label = typeLabel(root);
  const idx = r.access.split(':').map(Number);
  switch (r.kind) {
    case 'type_id_local':
    case 'type_id_target':
    case 'type_exists':
    case 'type_size':
    case 'type_matches':
      return label;
    case 'enumval_exists':
    case 'enumval_value': {
      const e = skipAliases(btf, root);
      if ((e.kind !== 'enum' && e.kind !== 'enum64') || idx.length !== 1 || idx[0]! >= e.values.length) {
        return `${label} (invalid enumerator access ${r.access})`;
      }
      const v = e.values[idx[0]!]!;
      return `${label}::${v.name} = ${v.value}`;
    }
    case 'field_byte_offset':
    case 'field_byte_size':
    case 'field_exists':
    case 'field_signed':
    case 'field_lshift_u64':
    case 'field_rshift_u64':
      return `${label}${fieldPath(btf, root, idx) ?? ' (invalid field access)'} (${r.access}${offsetNote(btf, root, idx)})`;
  }
}

function sizeOf(btf: Btf, t: BtfType): number | undefined {
  switch (t.kind) {
    case 'void':
    case 'fwd':
    case 'func':
    case 'func_proto':
    case 'decl_tag':
      return undefined;
    default:
      return btf.sizeof(t.id);
  }
}

function fieldPath(btf: Btf, root: BtfType, idx: readonly number[]): string | undefined {
  let path = idx[0]! > 0 ? `[${idx[0]}]` : '';
  let t = skipAliases(btf, root);
  for (let i = 1; i < idx.length; i++) {
    const k = idx[i]!;
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[k];
      if (!m) return undefined;
      if (m.name !== '') path += `.${m.name}`;
      t = skipAliases(btf, btf.type(m.type));
    } else if (t.kind === 'array') {
      if (k >= t.length && !(t.length === 0 && i === idx.length - 1)) return undefined;
      path += `[${k}]`;
      t = skipAliases(btf, btf.type(t.type));
    } else {
      return undefined;
    }
  }
  return path;
}

function offsetNote(btf: Btf, root: BtfType, idx: readonly number[]): string {
  let t = skipAliases(btf, root);
  const rootSize = sizeOf(btf, t);
  if (rootSize === undefined) return '';
  let bits = idx[0]! * rootSize * 8;
  for (let i = 1; i < idx.length; i++) {
    const k = idx[i]!;
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[k];
      if (!m) return '';
      bits += m.bitOffset;
      t = skipAliases(btf, btf.type(m.type));
    } else if (t.kind === 'array') {
      const elem = skipAliases(btf, btf.type(t.type));
      bits += k * (sizeOf(btf, elem) ?? 0) * 8;
      t = elem;
    } else {
      return '';
    }
  }
  return bits % 8 === 0 ? ` @ offset ${bits / 8}` : ` @ offset ${Math.floor(bits / 8)}.${bits % 8}`;
}

function block<R>(out: string[], title: string, sections: readonly BtfExtSection<R>[], line: (r: R) => string): void {
  out.push(`${title}:\n`);
  for (const s of sections) {
    out.push(`\tsection '${s.section}': ${s.records.length} records\n`);
    for (const r of s.records) out.push(`\t\t${line(r)}\n`);
  }
}

/** The `.BTF.ext` as text, resolving type ids through `btf`. */
export function dumpBtfExt(btf: Btf, ext: BtfExt): string {
  const out: string[] = [];
  block(out, 'func_info', ext.funcInfo, (r) => {
    const t = btf.types[r.typeId];
    return `insn_off=${r.insnOff} type_id=${r.typeId}${t ? ` ${t.kind} '${t.name}'` : ''}`;
  });
  block(out, 'line_info', ext.lineInfo, (r) => `insn_off=${r.insnOff} ${r.fileName}:${r.lineNum}:${r.column}: ${r.line}`);
  block(
    out,
    'core_relo',
    ext.coreRelos,
    (r) => `insn_off=${r.insnOff} ${r.kind} type_id=${r.typeId} access=${r.access}: ${describeCoreAccess(btf, r)}`,
  );
  return out.join('');
}
