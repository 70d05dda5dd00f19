/**
 * Program types as the simulated kernel knows them: the place where a type
 * is looked up by name, and where hook plugins register what their type
 * adds (helpers, the context its programs run in, the attach logic).
 *
 * Every `BPF_PROG_TYPE_*` of Linux has a default entry whose helper set is
 * what Linux lets a program of that type call when loaded as root (the
 * `*_func_proto` functions of the kernel, written down as data). A helper
 * outside the set is refused at load time with the kernel's message
 * (`program of this type cannot use helper bpf_get_current_pid_tgid#14`).
 */
import { PROG_TYPE, PROG_TYPES, type AttachTypeName, type LinkTypeName, type ProgTypeName } from '@bpflab/uapi';
import type { Helper } from '@bpflab/vm';
import { KernelError } from './errors';
import type { HelperEnv } from './helpers/env';
import type { SysResult } from './result';
import { PROCESS_TRACE_CONTEXT, type TraceContext } from './trace-pipe';
import type { LoadedProgram } from './program';

/** What user space asks for when it attaches a program (the attributes of `BPF_LINK_CREATE`). */
export interface AttachRequest {
  /** `attach_type`; default the program's expected attach type */
  readonly attachType?: AttachTypeName;
  /** `target_fd` (an interface index, a cgroup fd, a BTF object...), as the hook reads it */
  readonly targetFd?: number;
  /** the target named in words (`syscalls/sys_enter_execve`, `eth0`, `file_open`) */
  readonly target?: string;
  /** `link_create.flags` */
  readonly flags?: number;
  /** the BPF cookie (`bpf_get_attach_cookie`) */
  readonly cookie?: bigint;
}

/** What a hook gives back for an attached program: the body of a generic link. */
export interface LinkBody {
  /** `BPF_LINK_TYPE_*` short name */
  readonly type: LinkTypeName;
  readonly attachType: AttachTypeName | undefined;
  /** where it is attached, in words (shown by `bpftool link`-like listings) */
  readonly target: string;
  /** detaches the program from the hook (called once) */
  detach(): void;
}

/** The attach logic of a program type (a hook plugin's): a link body or the kernel's errno. */
export type AttachHandler = (program: LoadedProgram, request: AttachRequest) => SysResult<LinkBody>;

/** A program type: what the kernel needs to load, run and attach programs of it. */
export interface ProgramTypeDef {
  /** `BPF_PROG_TYPE_*` short name */
  readonly name: ProgTypeName;
  /** `BPF_PROG_TYPE_*` value */
  readonly type: number;
  /** helper ids Linux lets a program of this type call (loaded as root) */
  readonly helpers: ReadonlySet<number>;
  /**
   * helper implementations the type adds or replaces (an XDP plugin's
   * `bpf_xdp_adjust_head`); their ids must be in `helpers`
   */
  readonly extraHelpers?: (env: HelperEnv) => ReadonlyMap<number, Helper>;
  /** the execution context its programs run in (the trace pipe's latency flags); default process context */
  readonly traceContext?: TraceContext;
  /** how its programs attach (`BPF_LINK_CREATE`); absent: no hook is registered for the type */
  readonly attach?: AttachHandler;
}

// Helper sets measured on Linux 6.18 as root (the verifier package keeps the same data):
const TRACEPOINT_SET = [1,2,3,4,5,6,7,8,12,14,15,16,17,22,25,27,35,37,42,45,55,67,80,87,88,89,93,94,105,106,109,112,113,114,115,117,118,120,123,125,130,131,132,133,134,141,148,149,153,154,156,157,158,164,165,169,170,171,172,173,174,175,176,177,180,181,182,191,194,195,197,198,199,200,201,202,203,208,209,210,211];
const XDP_SET = [1,2,3,5,6,7,8,12,14,15,16,17,22,23,25,28,35,37,42,44,51,54,55,65,69,80,84,85,86,87,88,89,93,94,99,100,105,106,109,110,112,113,114,115,117,118,120,123,125,130,131,132,133,134,136,137,138,139,140,141,148,149,153,154,156,157,158,160,163,164,165,169,170,171,172,175,176,177,178,180,181,182,188,189,190,191,194,195,196,197,198,199,200,201,202,203,204,205,206,207,208,209,210,211];
const SOCKET_FILTER_SET = [1,2,3,5,6,7,8,12,14,15,16,17,22,25,26,35,37,42,46,47,55,68,80,87,88,89,93,94,105,106,109,112,113,114,115,117,118,120,122,123,125,130,131,132,133,134,136,137,138,139,140,141,148,149,153,154,156,157,158,160,164,165,169,170,171,172,175,176,177,178,180,181,182,191,194,195,196,197,198,199,200,201,202,203,208,209,210,211];

/**
 * The tracing family (`bpf_tracing_func_proto`): the measured tracepoint
 * set, plus `bpf_probe_write_user` (36), which the measuring machine's
 * lockdown (integrity mode, as under Secure Boot) hid.
 */
const TRACING = new Set([...TRACEPOINT_SET, 36]);
/** What every type gets (`bpf_base_func_proto`): the helpers the three measured sets share. */
const BASE = new Set(TRACEPOINT_SET.filter((id) => XDP_SET.includes(id) && SOCKET_FILTER_SET.includes(id)));

function set(...parts: readonly (Iterable<number> | number)[]): ReadonlySet<number> {
  const out = new Set<number>();
  for (const p of parts) {
    if (typeof p === 'number') out.add(p);
    else for (const id of p) out.add(id);
  }
  return out;
}

/** The helper set of each program type by default. */
function defaultHelpers(name: ProgTypeName): ReadonlySet<number> {
  switch (name) {
    case 'TRACEPOINT':
    case 'RAW_TRACEPOINT':
    case 'RAW_TRACEPOINT_WRITABLE':
    case 'TRACING':
      return TRACING;
    case 'KPROBE':
      return set(TRACING, 58 /* override_return */);
    case 'PERF_EVENT':
      return set(TRACING, 56 /* perf_prog_read_value */, 68 /* read_branch_records */);
    case 'LSM':
      return set(TRACING, 145, 146, 159 /* inode storage, bprm_opts_set */);
    case 'XDP':
      return set(XDP_SET);
    case 'SOCKET_FILTER':
      return set(SOCKET_FILTER_SET);
    case 'SYSCALL':
      return set(BASE, 166 /* sys_bpf */, 167 /* btf_find_by_name_kind */, 168 /* sys_close */);
    default:
      return BASE;
  }
}

/** The program types of a kernel, looked up by name; hook plugins register theirs here. */
export class ProgramTypeRegistry {
  private readonly byName = new Map<ProgTypeName, ProgramTypeDef>();

  constructor() {
    for (const [name, type] of Object.entries(PROG_TYPE) as [ProgTypeName, number][]) {
      if (name === 'UNSPEC') continue;
      this.byName.set(name, Object.freeze({ name, type, helpers: defaultHelpers(name), traceContext: PROCESS_TRACE_CONTEXT }));
    }
  }

  /**
   * The program type called `name`: its short name (`XDP`), kernel name
   * (`BPF_PROG_TYPE_XDP`), lowercase short name (`xdp`) or value.
   */
  get(name: string | number): ProgramTypeDef | undefined {
    if (typeof name === 'number') {
      const short = PROG_TYPES.shortNameOf(name) as ProgTypeName | undefined;
      return short === undefined ? undefined : this.byName.get(short);
    }
    const upper = name.toUpperCase();
    const short = (upper.startsWith('BPF_PROG_TYPE_') ? upper.slice('BPF_PROG_TYPE_'.length) : upper) as ProgTypeName;
    return this.byName.get(short);
  }

  /** Like `get`, throwing `not-found` with the known names. */
  require(name: string | number): ProgramTypeDef {
    const def = this.get(name);
    if (def === undefined) {
      throw new KernelError('not-found', `no program type ${String(name)} (known: ${[...this.byName.keys()].join(', ')})`);
    }
    return def;
  }

  /**
   * Registers (or replaces) a program type: what a hook plugin does for
   * the type it drives. Extra helpers must belong to the type's set.
   */
  register(def: ProgramTypeDef): void {
    if (PROG_TYPE[def.name] !== def.type) {
      throw new KernelError('bad-call', `program type ${def.name} has value ${PROG_TYPE[def.name]}, not ${def.type}`);
    }
    this.byName.set(def.name, Object.freeze({ ...def }));
  }

  /** Every program type, by value. */
  list(): readonly ProgramTypeDef[] {
    return [...this.byName.values()].sort((a, b) => a.type - b.type);
  }
}
