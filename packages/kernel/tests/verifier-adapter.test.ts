// The verifier package in the kernel's verification seam: BPF_PROG_LOAD
// with createKernelVerifier accepts safe programs as "verified", refuses
// unsafe ones with the kernel's log and errno (EACCES, EINVAL for helper
// calls and control flow, as Linux 6.18 answers), takes a hook plugin's
// context layout over the verifier's built-in type, and loads programs of
// types nothing describes as "not verified". Helper calls are the
// verifier's to judge (a refused helper in dead code loads, as in Linux);
// the kernel checks them itself only when nothing verified the program.
import { createBtf } from '@bpflab/btf';
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
    | { readonly kind: 'rejected'; readonly error: string; readonly pc: number; readonly explains: RegExp; readonly logLine?: string; readonly errno?: number }
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
  {
    name: 'xdp calling a helper of sk_buff programs',
    type: 'XDP',
    asm: 'r0 = 2\ncall 26\nr0 = 2\nexit',
    expect: { kind: 'rejected', error: 'program of this type cannot use helper bpf_skb_load_bytes#26', logLine: '1: (85) call bpf_skb_load_bytes#26', pc: 1, explains: /programs of this type may not call it/, errno: ERRNO.EINVAL },
  },
  {
    name: 'a helper Linux does not have',
    type: 'SOCKET_FILTER',
    asm: 'call 999\nr0 = 0\nexit',
    expect: { kind: 'rejected', error: 'invalid func unknown#999', pc: 0, explains: /Helper number 999 does not exist/, errno: ERRNO.EINVAL },
  },
  { name: 'kprobe with the plugin, inside pt_regs', type: 'KPROBE', registry: true, asm: 'r0 = *(u64 *)(r1 + 160)\nr0 = 0\nexit', expect: { kind: 'verified' } },
  {
    name: 'kprobe without a plugin',
    type: 'KPROBE',
    asm: 'r0 = *(u64 *)(r1 + 4096)\nr0 = 0\nexit',
    expect: { kind: 'not-verified', reason: /neither a hook plugin nor the verifier describes its context/ },
  },
  {
    name: 'lsm without an attach function (attach_btf_id)',
    type: 'LSM',
    asm: 'r0 = 0\nexit',
    expect: { kind: 'not-verified', reason: /names no attach function/ },
  },
  {
    name: 'ext: a BTF-typed context',
    type: 'EXT',
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
        expect(r).toMatchObject({ ok: false, errno: c.expect.errno ?? ERRNO.EACCES, reason: 'rejected', pc: c.expect.pc });
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
    // check_cfg answers EINVAL
    expect(bad).toMatchObject({ ok: false, errno: ERRNO.EINVAL });
    expect(bad.ok ? '' : bad.log).toContain('back-edge from insn 4 to 2');
  });
});

describe('helper calls: the verifier judges them, the kernel only when nothing verified', () => {
  // the unknown helper sits behind a test of a stack slot the program zeroed: dead code the verifier never walks
  const dead = 'r1 = 0\n*(u32 *)(r10 - 4) = r1\nr0 = 2\nr1 = *(u32 *)(r10 - 4)\nif r1 == 0 goto +1\ncall 999\nexit';
  const load = (kernel: Kernel, asm: string, type = 'XDP') => kernel.bpf.progLoad({ type, insns: assembleLlvm(asm), license: 'GPL', name: 'prog' });

  it('a refused helper in dead code loads when verified, as on Linux, and the program runs', () => {
    const kernel = new Kernel({ verifier: createKernelVerifier() });
    const r = load(kernel, dead);
    expect(r.ok).toBe(true);
    expect(kernel.bpf.objGetInfoByFd(r.ok ? r.value : -1)).toMatchObject({ value: { verification: 'verified' } });
  });

  it('the same program is refused without a verifier: the VM needs every helper', () => {
    const r = load(new Kernel(), dead);
    expect(r).toMatchObject({ ok: false, reason: 'invalid', errno: ERRNO.EINVAL, pc: 5, message: 'program prog: pc 5: invalid func unknown#999' });
  });

  it('pre-checks helpers of types the verifier does not describe', () => {
    const kernel = new Kernel({ verifier: createKernelVerifier() });
    const r = load(kernel, 'r0 = 0\ncall 26\nexit', 'KPROBE');
    expect(r).toMatchObject({ ok: false, reason: 'invalid', errno: ERRNO.EINVAL, message: 'program prog: pc 1: program of this type cannot use helper bpf_skb_load_bytes#26' });
  });

  it('the verifier sees the program with the log, not a load error, when the helper is reached', () => {
    const reports: KernelVerifierReport[] = [];
    const kernel = new Kernel({ verifier: createKernelVerifier({ onVerdict: (v) => reports.push(v) }) });
    const r = load(kernel, dead.replace('if r1 == 0 goto +1', 'if r1 != 0 goto +1'));
    expect(r).toMatchObject({ ok: false, reason: 'rejected', errno: ERRNO.EINVAL, pc: 5 });
    expect(r.ok ? '' : r.log).toContain('5: (85) call unknown#999\ninvalid func unknown#999\n');
    expect(reports[0]?.verdict.explanation?.hint).toMatch(/bpf_helpers\.h/);
  });
});

describe('objects with BTF', () => {
  // LD_ABS in a subprogram needs BTF function info
  const asm = 'call f\nr0 = 0\nexit\nf:\nr6 = r1\nr0 = *(u8 *)skb[12]\nr0 = 0\nexit';
  const load = (btf: boolean) =>
    new Kernel({ verifier: createKernelVerifier() }).bpf.progLoad({ type: 'SOCKET_FILTER', insns: assembleLlvm(asm), license: 'GPL', name: 'prog', ...(btf ? { btf: createBtf([]) } : {}) });

  it('are verified with btf: true', () => {
    expect(load(true).ok).toBe(true);
    const without = load(false);
    expect(without.ok ? '' : without.log).toContain('LD_ABS is not allowed in subprogs without BTF');
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
