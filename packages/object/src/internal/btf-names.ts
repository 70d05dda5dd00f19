/**
 * BTF names for messages and listings that never throw: a type the btf
 * package cannot name or describe (too deep, unsized where a size is
 * needed) is shown by its id.
 */
import { BtfError, describeCoreAccess, type Btf, type CoreRelo, type TypeId } from '@bpflab/btf';

/** `struct flow`, or `[12]` when the type cannot be named. */
export function typeNameOf(btf: Btf, id: TypeId): string {
  try {
    return btf.typeName(id);
  } catch (e) {
    if (e instanceof BtfError) return `[${id}]`;
    throw e;
  }
}

/** What a CO-RE relocation reaches, or why it cannot be described. */
export function describeCore(btf: Btf, rec: CoreRelo): string {
  try {
    return describeCoreAccess(btf, rec);
  } catch (e) {
    if (e instanceof BtfError) return `[${rec.typeId}] ${rec.access}: ${e.message}`;
    throw e;
  }
}
