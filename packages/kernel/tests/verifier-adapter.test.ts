// The verifier package in the kernel's verification seam: BPF_PROG_LOAD
// with createKernelVerifier accepts safe programs as "verified", refuses
// unsafe ones with EACCES and the kernel's log, takes a hook plugin's
// context layout over the verifier's built-in type, and loads programs of
// types nothing describes as "not verified".
import { assembleLlvm } from '@bpflab/isa';
import { ERRNO } from '@bpflab/uapi';
import {
  createKernelVerifier,
  describeProgramType,
  HookRegistry,
  Kernel,
  notVerifiedLog,
  verifierLineInfo,
  type KernelVerifierReport,
} from '../src/index';
import { kprobeHook } from './support/kprobe-plugin';

interface Case {
  readonly name: string;
  readonly type: string;
  readonly asm: string;
  /** needs a hash map (4-byte keys, 8-byte values) whose fd replaces MAP */
  readonly map?: boolean;
  readonly registry?: boolean;
  readonly expect:
    | { readonly kind: 'verified' }
    | { readonly kind: 'rejected'; readonly error: string; readonly pc: number; readonly explains: RegExp; readonly logLine?: string }
    | { readonly kind: 'not-verified'; readonly reason: RegExp };
}

const CASES: readonly Case[] = [
  { name: 'xdp pass', type: 'XDP', asm: 'r0 = 2\nexit', expect: { kind: 'verified' } },
  {
    name: 'xdp bounds-checked read',
    type: 'XDP',
    asm: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 14\nif r4 > r3 goto +1\nr0 = *(u8 *)(r2 + 12)\nr0 = 2\nexit',
    expect: { kind: 'verified' },
  },
  {
    name: 'xdp read without the data_end check',
    type: 'XDP',
    asm: 'r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 12)\nr0 = 2\nexit',
    // Linux prints the detail line, then the error
    expect: { kind: 'rejected', error: 'R2 offset is outside of the packet', logLine: 'invalid access to packet, off=12 size=1, R2(id=0,off=12,r=0)', pc: 1, explains: /data_end/ },
  },
  {
    name: 'missing NULL check after bpf_map_lookup_elem',
    type: 'TRACEPOINT',
    map: true,
    asm: 'r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nld_pseudo r1, 1, MAP\ncall 1\nr0 = *(u64 *)(r0 + 0)\nexit',
    expect: { kind: 'rejected', error: "R0 invalid mem access 'map_value_or_null'", pc: 7, explains: /NULL/ },
  },
  {
    name: 'kprobe with the plugin: pt_regs is 168 bytes',
    type: 'KPROBE',
    registry: true,
    asm: 'r0 = *(u64 *)(r1 + 160)\nr0 = *(u64 *)(r1 + 168)\nr0 = 0\nexit',
    expect: { kind: 'rejected', error: 'invalid bpf_context access off=168 size=8', pc: 1, explains: /context/ },
  },
  { name: 'kprobe with the plugin, inside pt_regs', type: 'KPROBE', registry: true, asm: 'r0 = *(u64 *)(r1 + 160)\nr0 = 0\nexit', expect: { kind: 'verified' } },
  {
    name: 'kprobe without a plugin',
    type: 'KPROBE',
    asm: 'r0 = *(u64 *)(r1 + 4096)\nr0 = 0\nexit',
    expect: { kind: 'not-verified', reason: /neither a hook plugin nor the verifier describes its context/ },
  },
  {
    name: 'lsm: a BTF-typed context',
    type: 'LSM',
    asm: 'r0 = 0\nexit',
    expect: { kind: 'not-verified', reason: /typed through BTF/ },
  },
];

describe('createKernelVerifier through BPF_PROG_LOAD', () => {
  it.each(CASES)('$name', (c) => {
    const reports: KernelVerifierReport[] = [];
    const registry = c.registry === true ? new HookRegistry().register(kprobeHook) : undefined;
    const kernel = new Kernel({ verifier: createKernelVerifier({ ...(registry === undefined ? {} : { registry }), onVerdict: (r) => reports.push(r) }) });
    if (registry !== undefined) registry.install(kernel);
    let asm = c.asm;
    if (c.map === true) {
      const fd = kernel.bpf.mapCreate({ type: 'HASH', name: 'vals', keySize: 4, valueSize: 8, maxEntries: 8 });
      if (!fd.ok) throw new Error(fd.message);
      asm = asm.replace('MAP', String(fd.value));
    }
    const r = kernel.bpf.progLoad({ type: c.type, insns: assembleLlvm(asm), license: 'GPL', name: 'prog' });
    expect(reports).toHaveLength(1);
    const verdict = reports[0]!.verdict;
    switch (c.expect.kind) {
      case 'verified': {
        expect(r.ok).toBe(true);
        expect(verdict).toMatchObject({ ok: true, verified: true });
        expect(verdict.lookup.kind).toBe('described');
        expect(kernel.bpf.objGetInfoByFd(r.ok ? r.value : -1)).toMatchObject({ value: { verification: 'verified' } });
        // level 1 on success: only the counters line, as Linux
        expect(r.ok && r.log).toMatch(/^processed \d+ insns \(limit 1000000\)/);
        break;
      }
      case 'rejected': {
        expect(r).toMatchObject({ ok: false, errno: ERRNO.EACCES, reason: 'rejected', pc: c.expect.pc });
        const log = r.ok ? '' : (r.log ?? '');
        expect(log.split('\n')).toContain(c.expect.error);
        if (c.expect.logLine !== undefined) expect(log.split('\n')).toContain(c.expect.logLine);
        expect(log).toMatch(/processed \d+ insns/);
        expect(r.ok ? '' : r.message).toBe(`program prog: the verifier refused it: ${c.expect.error}`);
        expect(verdict.explanation?.error).toBe(c.expect.error);
        expect(`${verdict.explanation?.explanation} ${verdict.explanation?.hint}`).toMatch(c.expect.explains);
        break;
      }
      case 'not-verified': {
        expect(r.ok).toBe(true);
        expect(verdict).toMatchObject({ ok: true, verified: false });
        expect(verdict.lookup.kind).toBe('none');
        expect(verdict.log).toMatch(c.expect.reason);
        expect(verdict.log).toContain(`not verified: bpflab has no verifier description for program type ${c.type}`);
        expect(kernel.bpf.objGetInfoByFd(r.ok ? r.value : -1)).toMatchObject({ value: { verification: 'not-verified' } });
        break;
      }
    }
  });

  it('refuses loops and leaks for unprivileged loaders and logs every path at level 2', () => {
    const asm = 'r0 = 0\nr1 = 10\nr0 += 1\nr1 += -1\nif r1 != 0 goto -3\nexit';
    const root = new Kernel({ verifier: createKernelVerifier({ logLevel: 2 }) });
    const ok = root.bpf.progLoad({ type: 'SOCKET_FILTER', insns: assembleLlvm(asm), license: 'GPL', name: 'loop' });
    expect(ok.ok).toBe(true);
    expect(ok.ok && ok.log).toContain('\nLive regs before insn:\n');
    expect(ok.ok && ok.log).toContain('4: (55) if r1 != 0x0 goto pc-3');
    const user = new Kernel({ verifier: createKernelVerifier({ privileged: false }) });
    const bad = user.bpf.progLoad({ type: 'SOCKET_FILTER', insns: assembleLlvm(asm), license: 'GPL', name: 'loop' });
    expect(bad).toMatchObject({ ok: false, errno: ERRNO.EACCES });
    expect(bad.ok ? '' : bad.log).toContain('back-edge from insn 4 to 2');
  });
});

describe('describeProgramType', () => {
  const kernel = new Kernel();
  it.each<[type: string, withRegistry: boolean, kind: 'described' | 'none', source: string | undefined]>([
    ['XDP', false, 'described', 'builtin'],
    ['SOCKET_FILTER', false, 'described', 'builtin'],
    ['TRACEPOINT', false, 'described', 'builtin'],
    ['KPROBE', true, 'described', 'hook'],
    ['KPROBE', false, 'none', undefined],
    ['TRACING', false, 'none', undefined],
    ['CGROUP_SKB', false, 'none', undefined],
  ])('%s (registry: %s): %s %s', (type, withRegistry, kind, source) => {
    const registry = withRegistry ? new HookRegistry().register(kprobeHook) : undefined;
    const def = kernel.programTypes.require(type);
    const d = describeProgramType(def, undefined, registry);
    expect(d.kind).toBe(kind);
    if (d.kind === 'described') {
      expect(d.source).toBe(source);
      // the kernel's helper set is the authority
      expect(new Set(d.description.helpers)).toEqual(def.helpers);
    }
  });

  it('names the program type and the reason in the not-verified log', () => {
    expect(notVerifiedLog('KPROBE', 'why')).toBe('not verified: bpflab has no verifier description for program type KPROBE (why); the program was loaded unchecked\n');
  });
});

describe('verifierLineInfo', () => {
  it('puts each record on the instruction that starts at its slot (an lddw takes two)', () => {
    const insns = assembleLlvm('r1 = 0 ll\nr0 = 1\nexit');
    const li = verifierLineInfo({
      insns,
      lineInfo: [
        { pc: 0, file: '/tmp/x/prog.bpf.c', line: 3, column: 2, text: 'long a = 0;' },
        { pc: 2, file: '/tmp/x/prog.bpf.c', line: 4, column: 2, text: 'return 1;' },
      ],
    });
    expect(li).toEqual([
      { line: 'long a = 0;', file: 'prog.bpf.c', lineNumber: 3, column: 2 },
      { line: 'return 1;', file: 'prog.bpf.c', lineNumber: 4, column: 2 },
      undefined,
    ]);
  });
});
