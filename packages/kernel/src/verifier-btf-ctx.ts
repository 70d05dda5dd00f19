/**
 * What the verifier needs to know about programs whose context Linux types
 * through BTF (`attach_btf_id`): the attach function's arguments, looked up
 * in the kernel's BTF, with the return rules of the program type. LSM
 * programs (`bpf_lsm_<hook>`, the kernel's `bpf_lsm_get_retval_range`),
 * tp_btf (`btf_trace_<tracepoint>`) and fentry/fexit (the function itself).
 *
 * When the kernel's BTF lacks an LSM hook's function, the hook plugin's
 * context layout for `lsm/<hook>` stands in for its prototype.
 */
import type { Btf, BtfType } from '@bpflab/btf';
import { PROG_LOAD_FLAG } from '@bpflab/uapi';
import {
  defineProgramType,
  type BtfContext,
  type BtfCtxArg,
  type BtfTypeDesc,
  type BtfTypeSource,
  type ProgramTypeDescription,
} from '@bpflab/verifier';
import type { HookRegistry } from './hooks/registry';
import type { ProgramTypeDef } from './program-types';
import type { VerifierProgram } from './verifier';

/** `MAX_ERRNO` */
const MAX_ERRNO = 4095n;

/** LSM hooks returning 0 or 1 (the kernel's `bool_lsm_hooks`). */
const BOOL_LSM_HOOKS: ReadonlySet<string> = new Set(['bpf_lsm_xfrm_state_pol_flow_match', 'bpf_lsm_audit_rule_known', 'bpf_lsm_inode_xattr_skipcap']);

/** LSM hooks whose arguments are not trusted (the kernel's `untrusted_lsm_hooks`). */
const UNTRUSTED_LSM_HOOKS: ReadonlySet<string> = new Set([
  'bpf_lsm_bpf_map_free',
  'bpf_lsm_bpf_prog_free',
  'bpf_lsm_file_alloc_security',
  'bpf_lsm_file_free_security',
  'bpf_lsm_sk_alloc_security',
  'bpf_lsm_sk_free_security',
  'bpf_lsm_task_free',
]);

/** The description of a BTF-typed program type, or why there is none. */
export type BtfProgramType =
  | { readonly kind: 'described'; readonly description: ProgramTypeDescription }
  | { readonly kind: 'none'; readonly reason: string };

/** The kernel's BTF as the verifier reads it, plus synthetic types a hook plugin's layout needs. */
class KernelBtfSource implements BtfTypeSource {
  private readonly cache = new Map<number, BtfTypeDesc | undefined>();
  private readonly extra: BtfTypeDesc[] = [];
  private readonly base: number;

  constructor(private readonly btf: Btf) {
    this.base = btf.firstId + btf.types.length + 1;
  }

  type(id: number): BtfTypeDesc | undefined {
    if (id >= this.base) return this.extra[id - this.base];
    if (!this.cache.has(id)) this.cache.set(id, this.decode(id));
    return this.cache.get(id);
  }

  /** Adds a type of our own (a pointer the kernel's BTF does not have); returns its id. */
  add(t: BtfTypeDesc): number {
    this.extra.push(t);
    return this.base + this.extra.length - 1;
  }

  structId(name: string): number | undefined {
    return this.findKind(name, ['struct', 'union']);
  }

  /** The id of a named type of the given kinds, or `undefined`. */
  findKind(name: string, kinds: readonly string[]): number | undefined {
    return this.btf.byName(name).find((t) => kinds.includes(t.kind))?.id;
  }

  raw(id: number): BtfType | undefined {
    try {
      return this.btf.type(id);
    } catch {
      return undefined;
    }
  }

  private decode(id: number): BtfTypeDesc | undefined {
    const t = this.raw(id);
    if (t === undefined) return undefined;
    switch (t.kind) {
      case 'void':
        return { kind: 'void' };
      case 'int':
        return { kind: 'int', name: t.name, size: t.size };
      case 'enum':
      case 'enum64':
        return { kind: 'enum', name: t.name, size: t.size };
      case 'ptr':
        return { kind: 'ptr', type: t.type };
      case 'struct':
      case 'union':
        return { kind: t.kind, name: t.name, size: t.size, members: t.members.map((m) => ({ name: m.name, type: m.type, bitOffset: m.bitOffset, bitSize: m.bitSize })) };
      case 'array':
        return { kind: 'array', type: t.type, nelems: t.length };
      case 'typedef':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
        return { kind: t.kind, name: t.name, type: t.type };
      default:
        return { kind: 'other', name: t.name, btfKind: t.kind.toUpperCase() };
    }
  }
}

/** The attach function's prototype from the kernel's BTF: a FUNC, or tp_btf's `btf_trace_` typedef (its first argument dropped). */
function protoFromBtf(src: KernelBtfSource, name: string, traceTypedef: boolean): { readonly args: readonly BtfCtxArg[]; readonly ret: number } | undefined {
  const id = src.findKind(name, traceTypedef ? ['typedef'] : ['func']);
  if (id === undefined) return undefined;
  let t = src.raw(id);
  if (t?.kind === 'func') t = src.raw(t.type);
  else if (t?.kind === 'typedef') {
    const p = src.raw(t.type);
    t = p?.kind === 'ptr' ? src.raw(p.type) : undefined;
  }
  if (t?.kind !== 'func_proto') return undefined;
  const params = traceTypedef ? t.params.slice(1) : t.params;
  return { args: params.map((p) => ({ name: p.name, type: p.type })), ret: t.returnType };
}

/** An LSM hook's prototype from the hook plugin's context layout for `lsm/<hook>`. */
function protoFromHook(src: KernelBtfSource, registry: HookRegistry | undefined, func: string): { readonly args: readonly BtfCtxArg[]; readonly ret: number } | string {
  const section = `lsm/${func.slice('bpf_lsm_'.length)}`;
  const point = registry?.points().find((p) => p.progType === 'LSM' && p.section === section);
  if (point?.ctx === undefined) return `the kernel's BTF has no function ${func}, and no hook plugin describes ${section}`;
  const intId = src.findKind('int', ['int']) ?? src.add({ kind: 'int', name: 'int', size: 4 });
  const u64Id = src.findKind('long unsigned int', ['int']) ?? src.add({ kind: 'int', name: 'long unsigned int', size: 8 });
  const args: BtfCtxArg[] = [];
  let ret = 0;
  for (const f of point.ctx.fields) {
    if (f.name === 'ret') {
      ret = intId;
      continue;
    }
    if (f.yields === 'btf_id') {
      const struct = src.findKind((f.btfType ?? '').replace(/^struct /, ''), ['struct', 'union']);
      if (struct === undefined) return `the kernel's BTF has neither the function ${func} nor ${f.btfType ?? 'the type'} of its argument ${f.name}`;
      args.push({ name: f.name, type: src.add({ kind: 'ptr', type: struct }) });
    } else {
      args.push({ name: f.name, type: f.cType === 'int' ? intId : u64Id });
    }
  }
  return { args, ret };
}

/**
 * The program type description of an LSM, tp_btf, fentry or fexit program
 * attached to `program.attachBtfName`, from the kernel's BTF (and, for an
 * LSM hook missing there, the hook plugin's layout).
 */
export function describeBtfProgramType(typeDef: ProgramTypeDef, program: VerifierProgram, btf: Btf, registry?: HookRegistry): BtfProgramType {
  const func = program.attachBtfName;
  const at = program.expectedAttachType;
  if (func === undefined) return { kind: 'none', reason: 'it names no attach function (attach_btf_id)' };
  const lsm = typeDef.name === 'LSM';
  if (lsm && at !== 'LSM_MAC') return { kind: 'none', reason: `attach type ${at ?? 'none'} is not modelled (only BPF_LSM_MAC)` };
  if (!lsm && !(typeDef.name === 'TRACING' && (at === 'TRACE_RAW_TP' || at === 'TRACE_FENTRY' || at === 'TRACE_FEXIT'))) {
    return { kind: 'none', reason: `${typeDef.name} programs with attach type ${at ?? 'none'} are not modelled` };
  }
  const src = new KernelBtfSource(btf);
  const proto = protoFromBtf(src, func, at === 'TRACE_RAW_TP') ?? (lsm ? protoFromHook(src, registry, func) : `the kernel's BTF has no function ${func}`);
  if (typeof proto === 'string') return { kind: 'none', reason: proto };
  const voidRet = proto.ret === 0;
  const btfCtx: BtfContext = {
    func,
    args: proto.args,
    ret: proto.ret,
    ...(lsm ? { retSlot: 'retval' as const } : at === 'TRACE_FEXIT' ? { retSlot: 'fexit' as const } : {}),
    trusted: lsm ? !UNTRUSTED_LSM_HOOKS.has(func) : at === 'TRACE_RAW_TP',
    sleepable: (program.flags & PROG_LOAD_FLAG.SLEEPABLE) !== 0,
    ...(lsm ? {} : { tracing: true }),
    btf: src,
  };
  const slots = proto.args.length + (btfCtx.retSlot === undefined ? 0 : 1);
  // check_return_code: LSM hooks by their kind; fentry/fexit return 0; tp_btf anything
  const returns = lsm
    ? voidRet
      ? undefined
      : BOOL_LSM_HOOKS.has(func)
        ? { min: 0n, max: 1n }
        : { min: -MAX_ERRNO, max: 0n }
    : at === 'TRACE_RAW_TP'
      ? undefined
      : { min: 0n, max: 0n };
  const description = defineProgramType({
    name: typeDef.name.toLowerCase(),
    kernelType: typeDef.type,
    ctx: { type: `u64 ctx[${slots}] (${func})`, size: slots * 8, fields: [] },
    helpers: [...typeDef.helpers].sort((a, b) => a - b),
    ...(returns === undefined ? {} : { returns }),
    ...(lsm ? { returns32: true } : {}),
    btfCtx,
  });
  return { kind: 'described', description };
}
