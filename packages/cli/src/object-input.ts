import { BtfError, parseBtf, type Btf } from '@bpflab/btf';
import { ObjectError, readObject, type ObjectSpec } from '@bpflab/object';
import { basename } from 'node:path';
import { CliError } from './errors';
import { readInput } from './input';

/** True when the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** True when the bytes start with the raw BTF magic 0xeb9f (either byte order). */
function isRawBtf(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x9f && bytes[1] === 0xeb) || (bytes[0] === 0xeb && bytes[1] === 0x9f);
}

/** Reads an ELF object file as libbpf opens it, turning its errors into CLI errors. */
export function objectFromBytes(path: string, bytes: Uint8Array): ObjectSpec {
  if (!isElf(bytes)) {
    throw new CliError('bad-input', `${path}: not an ELF object file (build one with 'bpflab build FILE.c')`);
  }
  try {
    return readObject(bytes, { name: basename(path) });
  } catch (e) {
    if (e instanceof ObjectError) throw new CliError('bad-input', `${path}: ${e.message}`);
    throw e;
  }
}

/** Reads an ELF object file. */
export function readObjectFile(path: string, cwd: string): ObjectSpec {
  return objectFromBytes(path, new Uint8Array(readInput(path, cwd)));
}

/**
 * The BTF of a file: an object's `.BTF` section, or a raw BTF file such as
 * `/sys/kernel/btf/vmlinux`.
 */
export function readBtfFile(path: string, cwd: string): Btf {
  const bytes = new Uint8Array(readInput(path, cwd));
  if (isRawBtf(bytes)) {
    try {
      return parseBtf(bytes);
    } catch (e) {
      if (e instanceof BtfError) throw new CliError('bad-input', `${path}: ${e.message}`);
      throw e;
    }
  }
  const spec = objectFromBytes(path, bytes);
  if (spec.btf === undefined) {
    throw new CliError('bad-input', `${path}: the object has no .BTF section (compile with -g, as 'bpflab build' does)`);
  }
  return spec.btf;
}
