/**
 * `bpflab hooks [PATTERN] [--ctx] [--steps] [--json]`: what programs can
 * attach to, as `ls /sys/kernel/tracing/events/` and `perf list
 * tracepoint` show it on Linux — every hook point of every shipped plugin
 * with the `SEC()` name that attaches there, its program type and a line
 * about it; `--ctx` adds each one's context layout (tracefs `format`
 * style), `--steps` lists the scenario step kinds instead.
 */
import type { Command } from 'commander';
import { formatCtxLayout, type CtxLayout, type HookPointInfo, type HookRegistry } from '@bpflab/kernel';
import { CliError } from '../errors';
import type { Io } from '../io';
import { shippedHookRegistry } from '../shipped-hooks';

/** Options of `bpflab hooks`. */
export interface HooksOptions {
  readonly ctx?: boolean;
  readonly steps?: boolean;
  readonly json?: boolean;
}

/** Whether `text` matches `pattern`: a substring, or a glob with `*` and `?`. */
export function matchesPattern(text: string, pattern: string): boolean {
  if (!/[*?]/.test(pattern)) return text.includes(pattern);
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(text);
}

/** The context a point's programs get: its own, or its program type's. */
function ctxOf(registry: HookRegistry, p: HookPointInfo): CtxLayout | undefined {
  if (p.ctx !== undefined) return p.ctx;
  const plugin = registry.get(p.hook);
  return plugin?.programTypes.find((t) => t.progType === p.progType)?.ctx;
}

function listPoints(io: Io, registry: HookRegistry, pattern: string | undefined, opts: HooksOptions): void {
  const points = registry.points().filter((p) => pattern === undefined || matchesPattern(p.section, pattern) || matchesPattern(p.name, pattern));
  if (pattern !== undefined && points.length === 0) {
    throw new CliError('bad-input', `no hook point matches '${pattern}' (bpflab hooks lists them all)`);
  }
  if (opts.json === true) {
    const rows = points.map((p) => ({
      hook: p.hook,
      name: p.name,
      section: p.section,
      prog_type: p.progType,
      ...(p.id === undefined ? {} : { id: p.id }),
      ...(p.doc === undefined ? {} : { doc: p.doc }),
      ...(opts.ctx === true ? { ctx: ctxOf(registry, p) ?? null } : {}),
    }));
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const secWidth = Math.max(7, ...points.map((p) => p.section.length));
  const typeWidth = Math.max(4, ...points.map((p) => p.progType.length));
  const hookWidth = Math.max(6, ...points.map((p) => p.hook.length));
  const lines = [`${'PLUGIN'.padEnd(hookWidth)}  ${'SEC'.padEnd(secWidth)}  ${'TYPE'.padEnd(typeWidth)}  DESCRIPTION`];
  for (const p of points) {
    lines.push(`${p.hook.padEnd(hookWidth)}  ${p.section.padEnd(secWidth)}  ${p.progType.padEnd(typeWidth)}  ${p.doc ?? ''}${p.id === undefined ? '' : ` [id ${p.id}]`}`.trimEnd());
    if (opts.ctx === true) {
      const ctx = ctxOf(registry, p);
      if (ctx !== undefined) lines.push(...formatCtxLayout(ctx).trimEnd().split('\n').map((l) => `    ${l}`), '');
    }
  }
  io.out(`${lines.join('\n')}\n`);
}

function listSteps(io: Io, registry: HookRegistry, pattern: string | undefined, opts: HooksOptions): void {
  const kinds = registry.stepKinds().filter((k) => pattern === undefined || matchesPattern(k, pattern));
  if (pattern !== undefined && kinds.length === 0) throw new CliError('bad-input', `no step kind matches '${pattern}' (kinds: ${registry.stepKinds().join(', ')})`);
  if (opts.json === true) {
    const rows = kinds.map((k) => {
      const m = registry.forStepKind(k)!;
      return { kind: k, hook: m.hook ?? null, doc: m.driver.doc, schema: m.driver.schema, observation: m.driver.observation };
    });
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const width = Math.max(...kinds.map((k) => k.length), 4);
  const lines = kinds.map((k) => {
    const m = registry.forStepKind(k)!;
    return `${k.padEnd(width)}  ${(m.hook ?? 'user space').padEnd(12)}  ${m.driver.doc}`;
  });
  io.out(`${['STEP'.padEnd(width) + '  ' + 'PLUGIN'.padEnd(12) + '  DESCRIPTION', ...lines].join('\n')}\n`);
}

/** `bpflab hooks [PATTERN] [--ctx] [--steps] [--json]` */
export function hooksCommand(io: Io, pattern: string | undefined, opts: HooksOptions): void {
  const registry = shippedHookRegistry();
  if (opts.steps === true) listSteps(io, registry, pattern, opts);
  else listPoints(io, registry, pattern, opts);
}

/** Adds `bpflab hooks` to the command tree. */
export function registerHooksCommand(program: Command, io: Io, exitHelp: string): void {
  program
    .command('hooks')
    .description('list the hook points programs can attach to (like ls /sys/kernel/tracing/events and perf list tracepoint)')
    .argument('[pattern]', 'only hook points whose SEC name or name contains this (or matches it as a glob: \'syscalls/*open*\')')
    .option('--ctx', 'show the context each one\'s programs get, field by field (tracefs format style)')
    .option('--steps', 'list the scenario step kinds (for bpflab sim) instead')
    .option('--json', 'print JSON (with --steps: each kind\'s JSON Schema)')
    .addHelpText('after', exitHelp)
    .action((pattern: string | undefined, opts: HooksOptions) => hooksCommand(io, pattern, opts));
}
