// A small hook plugin written the way an instructor would: kprobes on a
// few kernel functions, a pt_regs context, a `kcall` step that calls one
// of them. It uses only the kernel's public API (the package's index), as
// docs/plugins.md walks through it.
import { ERRNO } from '@bpflab/uapi';
import {
  ctxLayout,
  defineHook,
  fail,
  ok,
  PROGRAM_RUN_SCHEMA,
  TASK_REF_SCHEMA,
  type EventDriver,
  type ProgramRun,
  type TaskRef,
} from '../../src/index';

/** x86-64 `struct pt_regs`, 21 words; function arguments in di, si, dx, cx, r8, r9. */
const REGS = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'];
const ARG_REGS = ['di', 'si', 'dx', 'cx', 'r8', 'r9'];
const PT_REGS = ctxLayout('struct pt_regs', 168, Object.fromEntries(REGS.map((r, i) => [r, [i * 8, 8, 'scalar', { cType: 'unsigned long' }] as const])));

/** The functions this plugin can probe, with their parameters. */
const FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  do_unlinkat: ['int dfd', 'struct filename *name'],
  vfs_read: ['struct file *file', 'char *buf', 'size_t count', 'loff_t *pos'],
};

/** What the plugin keeps per kernel: how many calls it simulated. */
interface KprobeState {
  calls: number;
}

interface KcallStep {
  readonly kcall: string;
  readonly args?: readonly number[];
  readonly ret?: number;
  readonly task?: TaskRef;
  readonly cpu?: number;
}

interface KcallObservation {
  readonly function: string;
  readonly runs: readonly ProgramRun[];
}

const kcall: EventDriver<KprobeState, KcallStep, KcallObservation> = {
  doc: 'the kernel calls a function: kprobes on it run, then kretprobes with ret in ax',
  schema: {
    type: 'object',
    properties: {
      kcall: { enum: Object.keys(FUNCTIONS) },
      args: { type: 'array', items: { type: 'integer' }, maxItems: 6 },
      ret: { type: 'integer' },
      task: TASK_REF_SCHEMA,
      cpu: { type: 'integer', minimum: 0 },
    },
    required: ['kcall'],
  },
  observation: {
    type: 'object',
    properties: { function: { type: 'string' }, runs: { type: 'array', items: PROGRAM_RUN_SCHEMA } },
    required: ['function', 'runs'],
    additionalProperties: false,
  },
  run(hook, step) {
    const task = hook.task(step.task);
    const cpu = hook.cpu(step.cpu);
    hook.state.calls++;
    const regs = new Uint8Array(168);
    const view = new DataView(regs.buffer);
    (step.args ?? []).forEach((a, i) => view.setBigInt64(REGS.indexOf(ARG_REGS[i]!) * 8, BigInt(a), true));
    const runs: ProgramRun[] = [];
    for (const point of [step.kcall, `${step.kcall}%return`]) {
      if (point.endsWith('%return')) view.setBigInt64(REGS.indexOf('ax') * 8, BigInt(step.ret ?? 0), true);
      for (const att of hook.attached(point)) {
        const ctx = hook.kernel.memory.allocate({ name: 'pt_regs', kind: 'ctx', size: regs.length, init: regs, writable: false });
        try {
          runs.push(hook.run(att, ctx.start, { cpu, task }));
        } finally {
          hook.kernel.memory.free(ctx);
        }
      }
    }
    return { function: step.kcall, runs };
  },
  format: (o) => [`kcall ${o.function}: ${o.runs.map((r) => `${r.program} r0=${r.retval}`).join(', ') || 'no program attached'}`],
};

/** The example kprobe plugin. */
export const kprobeHook = defineHook<KprobeState>({
  name: 'kprobe',
  doc: 'kprobes and kretprobes on a few kernel functions; the context is the pt_regs of the call',
  programTypes: [{ progType: 'KPROBE', sections: ['kprobe+', 'kretprobe+'], ctx: PT_REGS }],
  setup: () => ({ calls: 0 }),
  autoAttach: (sec) =>
    sec.target.kind === 'kprobe'
      ? { kind: 'attach', request: { target: sec.secDef === 'kretprobe+' ? `${sec.target.function}%return` : sec.target.function } }
      : { kind: 'manual', reason: `SEC("${sec.section}") names no function: attach it with a target` },
  attach(_hook, program, request) {
    const target = request.target ?? '';
    const fn = target.replace(/%return$/, '');
    if (FUNCTIONS[fn] === undefined) return fail(ERRNO.ENOENT, `${program.describe()}: no kernel function '${fn}' to probe`);
    return ok({ point: target, link: 'PERF_EVENT' });
  },
  points: () =>
    Object.keys(FUNCTIONS).flatMap((fn) => [
      { name: fn, section: `kprobe/${fn}`, progType: 'KPROBE' as const, ctx: PT_REGS, doc: `${fn}(${FUNCTIONS[fn]!.join(', ')})` },
      { name: `${fn}%return`, section: `kretprobe/${fn}`, progType: 'KPROBE' as const, ctx: PT_REGS },
    ]),
  events: { kcall },
  summary: (hook) => ({ title: 'kernel calls', data: { calls: hook.state.calls }, text: [`${hook.state.calls} kernel calls`] }),
});
