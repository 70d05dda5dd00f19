/**
 * Context layouts: what a program type's `ctx` (r1 at entry) looks like to
 * the verifier, as data — the kernel's `is_valid_access` callbacks written
 * down. Each field has an offset, a size, the access sizes allowed for
 * loads and stores, and what a load yields (a scalar, a packet pointer, the
 * packet end, the packet meta pointer, or a pointer to a kernel object of a
 * BTF type, `PTR_TO_BTF_ID`).
 *
 * The same layout, with C types, is what `bpflab hooks --ctx` prints, in
 * the format of tracefs `format` files:
 *
 * ```
 * 	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
 * ```
 *
 * The shapes match the verifier package's `CtxField` / `CtxLayout` for the
 * four yields it shares (`scalar`, `pkt`, `pkt_end`, `pkt_meta`) and add
 * `btf_id` with its `btfType`.
 */
import type { Size } from '@bpflab/isa';
import { KernelError } from '../errors';

/** What a context load yields (the register type the verifier gives the destination). */
export type CtxYield =
  /** `SCALAR_VALUE` */
  | 'scalar'
  /** `PTR_TO_PACKET`: the start of packet data */
  | 'pkt'
  /** `PTR_TO_PACKET_END` */
  | 'pkt_end'
  /** `PTR_TO_PACKET_META` */
  | 'pkt_meta'
  /** `PTR_TO_BTF_ID`: a pointer to a kernel object of the field's `btfType` */
  | 'btf_id';

/** One field (or readable region) of a context. */
export interface CtxField {
  /** C field name */
  readonly name: string;
  /** byte offset in the context */
  readonly offset: number;
  /** byte size */
  readonly size: number;
  /** access sizes allowed for loads; empty when not readable */
  readonly read: readonly Size[];
  /** access sizes allowed for stores; empty when not writable */
  readonly write: readonly Size[];
  /** what a load yields; default `scalar` */
  readonly yields?: CtxYield;
  /** for `btf_id`: the kernel type pointed to (`struct file`), as the kernel's BTF names it */
  readonly btfType?: string;
  /** the field's C type, for listings (`const char *`, `unsigned long`); default from the size */
  readonly cType?: string;
  /** whether the value is signed (tracefs `signed:`); default false */
  readonly signed?: boolean;
}

/** The context layout of a program type or of one hook point. */
export interface CtxLayout {
  /** C type name (`struct xdp_md`, `struct trace_event_raw_sys_enter`) */
  readonly type: string;
  /** `sizeof` the context */
  readonly size: number;
  readonly fields: readonly CtxField[];
}

/** Allowed range of r0 at program exit (`check_return_code`), inclusive. */
export interface ReturnRange {
  readonly min: bigint;
  readonly max: bigint;
}

/**
 * A field in shorthand: `[offset, size]`, `[offset, size, yields]` or
 * `[offset, size, yields, options]`. Readable at its own size (and
 * narrower for scalars), never writable, unless the options say otherwise.
 */
export type CtxFieldShorthand =
  | readonly [offset: number, size: number]
  | readonly [offset: number, size: number, yields: CtxYield]
  | readonly [offset: number, size: number, yields: CtxYield, options: Partial<Omit<CtxField, 'name' | 'offset' | 'size' | 'yields'>>];

const SIZES: readonly Size[] = [1, 2, 4, 8];

/** Access sizes up to `size` (a narrow load of a scalar field). */
function upTo(size: number): readonly Size[] {
  return SIZES.filter((s) => s <= size);
}

/**
 * Builds a context layout from shorthand fields.
 *
 * ```ts
 * ctxLayout('struct xdp_md', 24, { data: [0, 4, 'pkt'], data_end: [4, 4, 'pkt_end'] })
 * ```
 *
 * Scalar fields are readable at every size up to theirs; pointer fields
 * (`pkt`, `pkt_end`, `pkt_meta`, `btf_id`) only whole. Nothing is writable
 * unless `options.write` says so.
 */
export function ctxLayout(type: string, size: number, fields: Readonly<Record<string, CtxFieldShorthand>>): CtxLayout {
  const list = Object.entries(fields).map(([name, f]): CtxField => {
    const [offset, fsize, yields = 'scalar', options = {}] = f;
    return {
      name,
      offset,
      size: fsize,
      read: options.read ?? (yields === 'scalar' ? upTo(fsize) : [fsize as Size]),
      write: options.write ?? [],
      ...(yields === 'scalar' ? {} : { yields }),
      ...(options.btfType === undefined ? {} : { btfType: options.btfType }),
      ...(options.cType === undefined ? {} : { cType: options.cType }),
      ...(options.signed === undefined ? {} : { signed: options.signed }),
    };
  });
  return checkCtxLayout({ type, size, fields: list }, type);
}

/**
 * Checks a layout and returns it frozen, fields sorted by offset: fields
 * inside the context and not overlapping, access sizes 1/2/4/8 no wider
 * than the field, pointer fields read whole and never written, `btf_id`
 * fields naming their type.
 *
 * @throws {@link KernelError} `bad-call` naming `owner` and the field
 */
export function checkCtxLayout(layout: CtxLayout, owner: string): CtxLayout {
  const fail = (why: string): never => {
    throw new KernelError('bad-call', `${owner}: context ${layout.type}: ${why}`);
  };
  if (!Number.isInteger(layout.size) || layout.size < 0) fail(`size ${layout.size} is not a byte count`);
  const fields = [...layout.fields].sort((a, b) => a.offset - b.offset);
  let end = 0;
  let before = '';
  for (const f of fields) {
    if (!Number.isInteger(f.offset) || f.offset < 0 || !Number.isInteger(f.size) || f.size < 1) fail(`field ${f.name}: offset ${f.offset} size ${f.size}`);
    if (f.offset < end) fail(`field ${f.name} (offset ${f.offset}) overlaps ${before}`);
    if (f.offset + f.size > layout.size) fail(`field ${f.name} ends at ${f.offset + f.size}, past the context's ${layout.size} bytes`);
    for (const s of [...f.read, ...f.write]) {
      if (!SIZES.includes(s)) fail(`field ${f.name}: access size ${s} is not 1, 2, 4 or 8`);
      if (s > f.size) fail(`field ${f.name}: access size ${s} is wider than the field's ${f.size} bytes`);
    }
    const yields = f.yields ?? 'scalar';
    if (yields !== 'scalar') {
      if (f.write.length > 0) fail(`field ${f.name}: a ${yields} pointer field cannot be written`);
      if (f.read.some((s) => s !== f.size)) fail(`field ${f.name}: a ${yields} pointer field is read whole (${f.size} bytes)`);
    }
    if (yields === 'btf_id' && (f.btfType === undefined || f.btfType === '')) fail(`field ${f.name}: a btf_id field names its btfType`);
    if (yields !== 'btf_id' && f.btfType !== undefined) fail(`field ${f.name}: btfType is only for btf_id fields`);
    end = f.offset + f.size;
    before = f.name;
  }
  return Object.freeze({ type: layout.type, size: layout.size, fields: Object.freeze(fields.map((f) => Object.freeze({ ...f }))) });
}

/** The C type a listing shows for a field. */
export function ctxFieldCType(f: CtxField): string {
  if (f.cType !== undefined) return f.cType;
  if (f.yields === 'btf_id') return `${f.btfType} *`;
  if (f.yields !== undefined && f.yields !== 'scalar') return f.size === 4 ? '__u32' : 'void *';
  switch (f.size) {
    case 1:
    case 2:
    case 4:
    case 8:
      return `${f.signed === true ? '__s' : '__u'}${f.size * 8}`;
    default:
      return `__u8[${f.size}]`;
  }
}

/**
 * A layout printed as tracefs prints a `format` file's fields, one a line,
 * with what a load yields and whether the field can be written added at
 * the end when it is not a read-only scalar:
 *
 * ```
 * 	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
 * 	field:__u32 data;	offset:0;	size:4;	signed:0;	pkt
 * ```
 */
export function formatCtxLayout(layout: CtxLayout): string {
  const lines = layout.fields.map((f) => {
    const type = ctxFieldCType(f);
    const arrayAt = type.indexOf('[');
    const decl = arrayAt < 0 ? `${type} ${f.name}` : `${type.slice(0, arrayAt)} ${f.name}${type.slice(arrayAt)}`;
    const notes: string[] = [];
    if ((f.yields ?? 'scalar') !== 'scalar') notes.push(f.yields === 'btf_id' ? `ptr_to_btf_id(${f.btfType})` : f.yields!);
    if (f.read.length === 0) notes.push('no-read');
    if (f.write.length > 0) notes.push('writable');
    return `\tfield:${decl};\toffset:${f.offset};\tsize:${f.size};\tsigned:${f.signed === true ? 1 : 0};${notes.length > 0 ? `\t${notes.join(' ')}` : ''}`;
  });
  return `${layout.type} (${layout.size} bytes)\n${lines.join('\n')}\n`;
}
