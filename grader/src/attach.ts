/**
 * Attach targets named by program or by section: `attach: { xdp: eth0 }`
 * attaches every `SEC("xdp")` program to eth0, whatever the student named
 * the function; a program's own name wins over its section. Lab files and
 * `bpflab sim` scenarios read `attach:` this way.
 */
import type { AttachRequest } from '@bpflab/kernel';

/** A program as attaching needs it. */
export interface AttachableProgram {
  readonly name: string;
  readonly section: string;
}

/** The attach requests by program name, and the keys that name no program and no section. */
export function attachRequests(
  programs: readonly AttachableProgram[],
  attach: Readonly<Record<string, AttachRequest>>,
): { readonly requests: Record<string, AttachRequest>; readonly unknown: readonly string[] } {
  const requests: Record<string, AttachRequest> = {};
  for (const p of programs) {
    const r = attach[p.name] ?? attach[p.section];
    if (r !== undefined) requests[p.name] = r;
  }
  const unknown = Object.keys(attach).filter((k) => !programs.some((p) => p.name === k || p.section === k));
  return { requests, unknown };
}
