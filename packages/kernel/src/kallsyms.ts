/**
 * Kernel symbols (`/proc/kallsyms`): names of addresses in the simulated
 * kernel — tasks, the kernel's own objects, and loaded BPF programs
 * (`bpf_prog_<tag>_<name>`). `%pS` prints them, and typeless `__ksym`
 * externs resolve through them.
 */
import type { KernelSymbol } from './bprintf';
import { KernelError } from './errors';

/** One symbol with its `nm`-style type letter. */
export interface KallsymsEntry extends KernelSymbol {
  /** `T` text, `D` data, `B` bss, `R` read-only data, `t`/`d` local... */
  readonly type: string;
  /** the module in brackets (`bpf` for programs), if any */
  readonly module: string | undefined;
}

/**
 * The symbol table. As in Linux, a name may appear more than once (two
 * loads of the same program have the same tag and name); an address holds
 * one symbol.
 */
export class Kallsyms {
  private readonly byAddress = new Map<bigint, KallsymsEntry>();
  private sorted: KallsymsEntry[] | undefined = [];

  /** Adds a symbol; throws `bad-call` when its address already has one. */
  add(entry: { readonly name: string; readonly address: bigint | number; readonly size: bigint | number; readonly type?: string; readonly module?: string }): KallsymsEntry {
    const address = BigInt(entry.address);
    const old = this.byAddress.get(address);
    if (old !== undefined) throw new KernelError('bad-call', `kallsyms: address 0x${address.toString(16)} already has symbol ${old.name}`);
    const e: KallsymsEntry = Object.freeze({ name: entry.name, address, size: BigInt(entry.size), type: entry.type ?? 'D', module: entry.module });
    this.byAddress.set(address, e);
    this.sorted = undefined;
    return e;
  }

  /** Removes the symbol at `address` (a program unloaded). */
  remove(address: bigint | number): void {
    if (this.byAddress.delete(BigInt(address))) this.sorted = undefined;
  }

  /** The first symbol (by address) called `name`. */
  lookup(name: string): KallsymsEntry | undefined {
    return this.list().find((e) => e.name === name);
  }

  /** The symbol whose `[address, address + size)` contains `address`. */
  symbolAt(address: bigint): KallsymsEntry | undefined {
    const list = this.list();
    let lo = 0;
    let hi = list.length - 1;
    let best: KallsymsEntry | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = list[mid]!;
      if (e.address <= address) {
        best = e;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best !== undefined && address < best.address + (best.size === 0n ? 1n : best.size) ? best : undefined;
  }

  /** Every symbol by address. */
  list(): readonly KallsymsEntry[] {
    if (this.sorted === undefined) this.sorted = [...this.byAddress.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return this.sorted;
  }

  /** The table as `/proc/kallsyms` prints it (addresses shown, as for root). */
  format(): string {
    return this.list()
      .map((e) => `${e.address.toString(16).padStart(16, '0')} ${e.type} ${e.name}${e.module === undefined ? '' : `\t[${e.module}]`}`)
      .join('\n');
  }
}
