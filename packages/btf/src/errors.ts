/** Stable codes of the btf package's errors. */
export type BtfErrorCode =
  /** a `.BTF` or `.BTF.ext` header that is not valid: magic, version, flags, lengths, section placement */
  | 'bad-header'
  /** a section, record or string that runs past the end of its data */
  | 'truncated'
  /** a string offset outside the string section, or a string that is not NUL-terminated */
  | 'bad-string'
  /** a kind number out of range, reserved bits set, or a kind_flag / vlen not allowed for the kind */
  | 'bad-kind'
  /** a type id that does not exist (or 0 where void is not allowed) */
  | 'bad-id'
  /** a type that breaks a rule of its kind: size, name, encoding, member layout, referenced kind */
  | 'bad-type'
  /** a type that contains itself by value, or a typedef / modifier chain loop */
  | 'loop'
  /** a size or alignment asked of a type that has none (void, function, forward declaration) */
  | 'unsized'
  /** a `.BTF.ext` record that is not valid: record size, empty section, instruction offset, access string */
  | 'bad-ext'
  /** a type graph too deep to print as C (nesting beyond the dumper's limit) */
  | 'too-deep'
  /** a type too large to print as C (a struct hole needing an absurd amount of padding) */
  | 'too-large';

/**
 * The btf package's error. `byteOffset` is the offset in the section bytes
 * (`.BTF` or `.BTF.ext`) where the problem was found, when it comes from
 * bytes; `typeId` names the type at fault, when there is one. The message
 * says what is wrong and where, context joined by `: `.
 */
export class BtfError extends Error {
  override readonly name = 'BtfError';
  constructor(
    readonly code: BtfErrorCode,
    message: string,
    readonly byteOffset?: number,
    readonly typeId?: number,
  ) {
    super(message);
  }
}
