/**
 * The state dump as text (`bpflab verify --states`): one block per path,
 * one entry per processed instruction with the state the verifier had
 * when it reached it, in the kernel log's notation:
 *
 * ```
 * path 2: from 6 to 9
 *   ; if (!count)
 *   9: (15) if r0 == 0x0 goto pc+3
 *       R0=map_value(map=packets,ks=4,vs=8) R10=fp0 fp-8=mmmm????
 *   path ends: exit at 12
 * ```
 */
import type { PathEnd, StatePath, StateTrace, StateVisit } from './record';

/** Registers, then stack slots, then held references, as one line: `R1=ctx() R10=fp0 fp-8=mmmmmmmm`. */
export function formatVisitState(v: StateVisit): string {
  const items = [...v.regs, ...v.stack].map((i) => `${i.name}=${i.value}`);
  if (v.refs.length > 0) items.push(`refs=${v.refs.join(',')}`);
  return `${v.frame > 0 ? `frame${v.frame}: ` : ''}${items.join(' ')}`;
}

/** How a path ended, in words. */
export function describePathEnd(end: PathEnd): string {
  switch (end.kind) {
    case 'exit':
      return `exit at ${end.pc}`;
    case 'pruned':
      return `safe at ${end.pc} (pruned: a state already proven safe there covers this one)`;
    case 'rejected':
      return `rejected at ${end.pc}: ${end.message}`;
    case 'speculative':
      return `stopped at ${end.pc} (a speculative path ends at a speculation barrier, or where it would fail)`;
    case 'truncated':
      return 'not recorded further (the state dump stops after its visit limit)';
  }
}

/** Where a path starts, in words: `from the start` or `from 6 to 9` (the jump, and where it lands). */
export function describePathStart(p: StatePath): string {
  const start = p.from === undefined ? 'from the start' : `from ${p.from} to ${p.start}`;
  return p.speculative ? `${start} (speculative execution)` : start;
}

/** The state dump as text: a header line, one block per path, an end line. */
export function formatStateTrace(trace: StateTrace): string {
  const byPc = new Map(trace.insns.map((i) => [i.pc, i]));
  const visits = trace.paths.reduce((n, p) => n + p.visits.length, 0);
  let out = '--- states: registers and stack when the verifier reached each instruction, path by path ---\n';
  if (trace.paths.length === 0) out += 'no instruction was processed: the program was rejected before the paths were walked\n';
  for (const p of trace.paths) {
    out += `path ${p.index}: ${describePathStart(p)}\n`;
    let line: string | undefined;
    for (const v of p.visits) {
      const insn = byPc.get(v.pc);
      const source = insn?.source?.line.trim();
      if (source !== undefined && source !== line) {
        out += `  ; ${source}\n`;
        line = source;
      }
      out += `  ${v.pc}: ${insn?.text ?? '?'}\n      ${formatVisitState(v)}\n`;
    }
    out += `  path ends: ${describePathEnd(p.end)}\n`;
  }
  const n = trace.paths.length;
  out += `--- end of states (${n} path${n === 1 ? '' : 's'}, ${visits} instruction visit${visits === 1 ? '' : 's'}${trace.truncated ? ', truncated' : ''}) ---\n`;
  return out;
}
