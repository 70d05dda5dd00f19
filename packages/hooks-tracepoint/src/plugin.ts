/**
 * The tracepoint hook plugin: `SEC("tracepoint/<category>/<name>")` and
 * `tp/`, `SEC("raw_tracepoint/<name>")` and `raw_tp/`, and
 * `SEC("tp_btf/<name>")` programs, attached to the syscall tracepoints of
 * the simulated machine and run by the `syscall` and `mix` steps.
 */
import { defineHook, fail, ok, PROGRAM_RUN_SCHEMA, TASK_REF_SCHEMA, type HookPoint, type JsonSchema } from '@bpflab/kernel';
import { ERRNO } from '@bpflab/uapi';
import { MAX_SYSCALL_NR, syscallByNr, syscallNames } from './syscalls';
import { RAW_TRACEPOINT_CTX, RAW_TRACEPOINTS, rawTracepointByName, TP_BTF_CTX, TRACEPOINT_CTX, TRACEPOINTS, tracepointByPath } from './tracepoints';
import {
  formatSyscallObservation,
  newTracepointState,
  runMixStep,
  runSyscallStep,
  type MixStep,
  type SyscallObservation,
  type SyscallStep,
  type TracepointState,
} from './workload';

const SYSCALL_REF: JsonSchema = {
  description: 'a system call by name (openat) or x86-64 number (257)',
  anyOf: [{ enum: syscallNames() }, { type: 'integer', minimum: 0, maximum: MAX_SYSCALL_NR }],
};

const CPU: JsonSchema = { type: 'integer', minimum: 0, description: 'the CPU it runs on (default 0)' };

const EVENT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    syscall: { type: 'string' },
    nr: { type: 'integer', minimum: 0 },
    pid: { type: 'integer', minimum: 0 },
    comm: { type: 'string' },
    cpu: { type: 'integer', minimum: 0 },
    args: { type: 'array', items: { type: ['integer', 'string'] } },
    ret: { type: ['integer', 'null'] },
    runs: { type: 'array', items: PROGRAM_RUN_SCHEMA },
  },
  required: ['syscall', 'nr', 'pid', 'comm', 'cpu', 'args', 'ret', 'runs'],
  additionalProperties: false,
};

const COUNTS: JsonSchema = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } };

const OBSERVATION: JsonSchema = {
  type: 'object',
  properties: {
    syscalls: { type: 'integer', minimum: 0 },
    counts: COUNTS,
    runs: { type: 'integer', minimum: 0 },
    programs: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { runs: { type: 'integer', minimum: 0 }, retvals: COUNTS },
        required: ['runs', 'retvals'],
        additionalProperties: false,
      },
    },
    events: { type: 'array', items: EVENT_SCHEMA },
  },
  required: ['syscalls', 'counts', 'runs', 'programs', 'events'],
  additionalProperties: false,
};

function points(): readonly HookPoint[] {
  return [
    ...TRACEPOINTS.map((t) => ({
      name: `${t.category}/${t.name}`,
      section: `tracepoint/${t.category}/${t.name}`,
      progType: 'TRACEPOINT' as const,
      ctx: t.layout,
      id: t.id,
      doc:
        t.syscall === undefined
          ? `every system call, on ${t.phase === 'enter' ? 'entry' : 'exit'}`
          : `${t.syscall.name}(${t.syscall.params.map((p) => `${p.type} ${p.name}`).join(', ')}) ${t.phase === 'enter' ? 'entry' : 'exit'} (nr ${t.syscall.nr})`,
    })),
    ...RAW_TRACEPOINTS.map((t) => ({ name: t.name, section: `raw_tp/${t.name}`, progType: 'RAW_TRACEPOINT' as const, ctx: t.rawLayout, doc: t.proto })),
    ...RAW_TRACEPOINTS.map((t) => ({ name: t.name, section: `tp_btf/${t.name}`, progType: 'TRACING' as const, ctx: t.btfLayout, doc: t.proto })),
  ];
}

/** The tracepoint plugin. */
export const tracepointHook = defineHook<TracepointState>({
  name: 'tracepoint',
  doc: [
    'Tracepoints: stable hooks the kernel calls at fixed places, here the system call entry and exit of an x86-64 machine.',
    '`SEC("tracepoint/<category>/<name>")` (or `tp/`) programs get the tracepoint\'s record, laid out as its tracefs format file says;',
    '`SEC("raw_tp/<name>")` programs get the raw arguments (`struct bpf_raw_tracepoint_args`), and `SEC("tp_btf/<name>")` the same',
    'arguments typed by BTF. The `syscall` and `mix` steps make tasks issue system calls on CPUs.',
  ].join(' '),
  programTypes: [
    { progType: 'TRACEPOINT', sections: ['tracepoint+', 'tp+'], ctx: TRACEPOINT_CTX },
    { progType: 'RAW_TRACEPOINT', sections: ['raw_tracepoint+', 'raw_tp+'], ctx: RAW_TRACEPOINT_CTX },
    { progType: 'TRACING', sections: ['tp_btf+'], ctx: TP_BTF_CTX },
  ],
  setup: () => newTracepointState(),
  autoAttach(sec) {
    const t = sec.target;
    const manual = (why: string) => ({ kind: 'manual' as const, reason: `SEC("${sec.section}") ${why}, so libbpf does not attach it by itself` });
    if (t.kind === 'tracepoint') return { kind: 'attach', request: { target: `${t.category}/${t.name}` } };
    if (t.kind === 'raw_tracepoint' || t.kind === 'btf') return { kind: 'attach', request: { target: t.name } };
    if (t.kind === 'invalid') return manual(`does not name a tracepoint (${t.reason})`);
    return manual('names no tracepoint');
  },
  attach(_hook, program, request) {
    const target = request.target;
    const type = program.typeDef.name;
    if (target === undefined || target === '') {
      return fail(ERRNO.EINVAL, `${program.describe()}: attaching a ${type} program needs the ${type === 'TRACEPOINT' ? 'tracepoint (<category>/<name>)' : 'raw tracepoint name'}`);
    }
    if (type === 'TRACEPOINT') {
      if (tracepointByPath(target) === undefined) {
        return fail(ERRNO.ENOENT, `${program.describe()}: tracepoint ${target} does not exist (no events/${target} in tracefs; bpflab hooks lists them)`);
      }
      return ok({ point: target, link: 'PERF_EVENT' });
    }
    if (rawTracepointByName(target) === undefined) {
      return fail(ERRNO.ENOENT, `${program.describe()}: raw tracepoint ${target} does not exist (raw tracepoints: ${RAW_TRACEPOINTS.map((t) => t.name).join(', ')})`);
    }
    return ok({ point: target, link: 'RAW_TRACEPOINT' });
  },
  points,
  events: {
    syscall: {
      doc: 'a task makes a system call: sys_enter then sys_exit programs run; repeat makes it several times',
      schema: {
        type: 'object',
        properties: {
          syscall: SYSCALL_REF,
          args: {
            type: 'array',
            maxItems: 6,
            items: { type: ['integer', 'string'], description: 'an integer, or text put in the task\'s memory (the argument points at it)' },
          },
          ret: { type: 'integer', description: 'the return value sys_exit sees' },
          task: TASK_REF_SCHEMA,
          cpu: CPU,
          repeat: { type: 'integer', minimum: 1, maximum: 10000000 },
        },
        required: ['syscall'],
      },
      observation: OBSERVATION,
      run: (hook, step: SyscallStep) => runSyscallStep(hook, step),
      format: (o: SyscallObservation) => formatSyscallObservation(o),
    },
    mix: {
      doc: 'many system calls: each named one as many times as given, in a fixed shuffled order (seed), tasks and CPUs taken in turn',
      schema: {
        type: 'object',
        properties: {
          mix: {
            type: 'object',
            minProperties: 1,
            propertyNames: { anyOf: [{ enum: syscallNames() }, { pattern: '^[0-9]+$' }] },
            additionalProperties: { type: 'integer', minimum: 0, maximum: 10000000 },
          },
          tasks: { type: 'array', minItems: 1, items: TASK_REF_SCHEMA },
          cpus: { type: 'array', minItems: 1, items: CPU },
          seed: { type: 'integer' },
        },
        required: ['mix'],
      },
      observation: OBSERVATION,
      run: (hook, step: MixStep) => runMixStep(hook, step),
      format: (o: SyscallObservation) => formatSyscallObservation(o),
    },
  },
  summary(hook) {
    const counts = [...hook.state.counts.entries()].sort((a, b) => a[0] - b[0]);
    if (counts.length === 0) return undefined;
    const rows = counts.map(([nr, count]) => ({ nr, name: syscallByNr(nr)?.name ?? `#${nr}`, count }));
    const total = rows.reduce((n, r) => n + r.count, 0);
    const width = Math.max(7, ...rows.map((r) => r.name.length));
    return {
      title: 'system calls',
      data: { total, syscalls: rows },
      text: [
        `${'SYSCALL'.padEnd(width)}  ${'ID'.padStart(4)}  ${'COUNT'.padStart(8)}`,
        ...rows.map((r) => `${r.name.padEnd(width)}  ${String(r.nr).padStart(4)}  ${String(r.count).padStart(8)}`),
        `${'total'.padEnd(width)}  ${''.padStart(4)}  ${String(total).padStart(8)}`,
      ],
    };
  },
});
