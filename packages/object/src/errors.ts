/** Stable codes of the object package's errors. */
export type ObjectErrorCode =
  /** not an ELF64 BPF relocatable object: magic, class, byte order, type, machine, header sizes */
  | 'bad-elf'
  /** a header, table, section or record that runs past the end of the file or of its section */
  | 'truncated'
  /** a string offset outside its string table, or a string without its terminating NUL */
  | 'bad-string'
  /** a bad symbol table, symbol index or symbol section index */
  | 'bad-symbol'
  /** a relocation that cannot be applied: bad offset, symbol, type or target instruction */
  | 'bad-relocation'
  /** program code that cannot be used: function bounds, overlapping functions, undecodable instructions */
  | 'bad-program'
  /** a map definition that is not valid (`.maps`, `maps`) */
  | 'bad-map'
  /** `.BTF` or `.BTF.ext` that does not parse, or BTF missing where it is required */
  | 'bad-btf'
  /** an extern (`__kconfig`, `__ksym`) that cannot be described */
  | 'bad-extern'
  /** a special section with the wrong size or type (`license`, `version`, ...) */
  | 'bad-section'
  /** something libbpf refuses or bpflab does not model (big-endian objects, static programs, ...) */
  | 'unsupported'
  /** a program asked for by name that the object does not have */
  | 'not-found';

/**
 * The object package's error. `section` names the ELF section at fault and
 * `offset` is the byte offset in the file where the problem was found, when
 * there is one; the message repeats both and says what is wrong, context
 * joined by `: `, for example
 * `section '.relxdp' (#4) at file offset 0x11d0: relocation #0: symbol #99 does not exist (14 symbols)`.
 */
export class ObjectError extends Error {
  override readonly name = 'ObjectError';
  constructor(
    readonly code: ObjectErrorCode,
    message: string,
    readonly section?: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** `0x1d0`: how messages print file offsets. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
