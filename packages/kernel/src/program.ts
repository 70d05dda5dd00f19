/**
 * A loaded program: what `BPF_PROG_LOAD` creates. It keeps the program as
 * user space gave it, the runnable form (map references turned into
 * addresses), its code in the address space (what `bpf_prog_info`'s
 * `xlated_prog_insns` shows, and what callback pointers point into), its
 * helper table, the maps it uses and its verification status.
 */
import type { Btf } from '@bpflab/btf';
import { encode, type Insn } from '@bpflab/isa';
import type { ProgramRef } from '@bpflab/maps';
import type { LinkedFunction, SourceLine } from '@bpflab/object';
import type { AttachTypeName } from '@bpflab/uapi';
import { Interpreter, type AddressSpace, type Helper, type Region } from '@bpflab/vm';
import type { Kallsyms } from './kallsyms';
import { RefCounted } from './internal/refcount';
import type { KernelMap } from './objects';
import type { ProgramTypeDef } from './program-types';
import type { VerificationStatus } from './verifier';

/** Everything a loaded program is made of. */
export interface LoadedProgramParts {
  readonly id: number;
  readonly name: string;
  readonly typeDef: ProgramTypeDef;
  readonly expectedAttachType: AttachTypeName | undefined;
  readonly license: string;
  readonly gplCompatible: boolean;
  readonly flags: number;
  /** the program as loaded (map references by fd) */
  readonly insns: readonly Insn[];
  /** the runnable form */
  readonly xlated: readonly Insn[];
  /** `prog->tag`: 16 hex digits */
  readonly tag: string;
  /** the code region: `xlated` encoded, 8 bytes a slot */
  readonly code: Region;
  readonly helpers: ReadonlyMap<number, Helper>;
  readonly maps: readonly KernelMap[];
  /** whether a verifier checked the program */
  readonly status: VerificationStatus;
  /** the verifier's log */
  readonly verifierLog: string;
  readonly functions: readonly LinkedFunction[];
  readonly lineInfo: readonly SourceLine[];
  readonly btf: Btf | undefined;
  readonly loadTimeNs: bigint;
  /** the pid of the process that loaded it */
  readonly loaderPid: number;
}

/** A program loaded into the simulated kernel: its {@link LoadedProgramParts}, and its runs. */
export interface LoadedProgram extends LoadedProgramParts {}

/** A program loaded into the simulated kernel. */
export class LoadedProgram extends RefCounted {
  readonly kind = 'prog';
  /** whether a run of it is in progress */
  running = false;
  /** completed runs (`run_cnt`) */
  runCount = 0;
  private engineNow: Interpreter | undefined;
  private readonly callbackPool = new Map<number, Interpreter[]>();
  private readonly engines: Interpreter[] = [];

  constructor(
    parts: LoadedProgramParts,
    private readonly memory: AddressSpace,
    private readonly budget: number,
    private readonly kallsyms: Kallsyms,
  ) {
    super();
    Object.assign(this, parts);
    this.memory.bytes().set(encode(this.xlated), this.code.start);
  }

  describe(): string {
    return this.name === '' ? `prog #${this.id}` : `prog ${this.name}`;
  }

  /** `BPF_PROG_TYPE_*` value. */
  get type(): number {
    return this.typeDef.type;
  }

  /** What a prog_array holds of it. */
  get ref(): ProgramRef {
    return { id: this.id, type: this.typeDef.type };
  }

  /** The kallsyms name of the program (`bpf_prog_<tag>_<name>`). */
  get symbol(): string {
    return `bpf_prog_${this.tag}_${this.name}`;
  }

  /** The engine that runs the program from its first instruction. */
  engine(): Interpreter {
    this.engineNow ??= this.newEngine(this.xlated);
    return this.engineNow;
  }

  /**
   * An engine that calls the function starting at slot `pc` (a callback):
   * a two-instruction trampoline (`call pc; exit`) in front of the
   * program. Give it back with `releaseCallbackEngine`.
   */
  acquireCallbackEngine(pc: number): Interpreter {
    const pool = this.callbackPool.get(pc) ?? [];
    this.callbackPool.set(pc, pool);
    const free = pool.pop();
    if (free !== undefined) return free;
    const trampoline: Insn[] = [{ kind: 'call_local', off: pc + 1 }, { kind: 'exit' }, ...this.xlated];
    return this.newEngine(trampoline);
  }

  /** Returns a callback engine to the pool. */
  releaseCallbackEngine(pc: number, engine: Interpreter): void {
    this.callbackPool.get(pc)?.push(engine);
  }

  private newEngine(insns: readonly Insn[]): Interpreter {
    const e = new Interpreter(insns, { memory: this.memory, helpers: this.helpers, budget: this.budget });
    this.engines.push(e);
    return e;
  }

  protected onLastRelease(): void {
    for (const e of this.engines) e.dispose();
    this.engines.length = 0;
    this.engineNow = undefined;
    this.callbackPool.clear();
    this.memory.free(this.code);
    this.kallsyms.remove(this.code.start);
    for (const m of this.maps) m.release();
  }
}
