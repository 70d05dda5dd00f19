// LSM programs through BPF_PROG_LOAD with the verifier installed: the
// attach function (attach_btf_id) is looked up in the kernel's BTF, its
// arguments become the context, and the hook's return range is enforced.
import { assembleLlvm } from '@bpflab/isa';
import { createKernelVerifier, describeBtfProgramType, Kernel, kernelBtf, ProgramTypeRegistry, type KernelVerifierReport } from '../src/index';

function load(asm: string, attachBtfName: string | undefined, expectedAttachType: 'LSM_MAC' | 'LSM_CGROUP' = 'LSM_MAC') {
  const reports: KernelVerifierReport[] = [];
  const kernel = new Kernel({ verifier: createKernelVerifier({ logLevel: 2, onVerdict: (r) => reports.push(r) }) });
  const r = kernel.bpf.progLoad({
    type: 'LSM',
    insns: assembleLlvm(asm),
    license: 'GPL',
    name: 'prog',
    expectedAttachType,
    ...(attachBtfName === undefined ? {} : { attachBtfName }),
  });
  return { r, verdict: reports[0]!.verdict };
}

describe('LSM programs are verified against their hook', () => {
  it.each([
    { have: 'r0 = -1\nexit', want: { ok: true } },
    { have: 'r0 = *(u64 *)(r1 + 8)\nexit', want: { ok: true } },
    { have: 'r0 = 1\nexit', want: { ok: false, error: 'At program exit the register R0 has smin=1 smax=1 should have been in [-4095, 0]' } },
    { have: 'r0 = *(u64 *)(r1 + 16)\nr0 = 0\nexit', want: { ok: false, error: 'invalid bpf_context access off=16 size=8' } },
    { have: 'r2 = *(u64 *)(r1 + 0)\nr3 = 0\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nexit', want: { ok: false, error: 'only read is supported' } },
  ])('bpf_lsm_file_open: $have', ({ have, want }) => {
    const { r, verdict } = load(have, 'bpf_lsm_file_open');
    expect(verdict.verified).toBe(true);
    expect({ ok: r.ok, ...(want.ok ? {} : { error: verdict.errors[0]?.message }) }).toEqual(want);
  });

  it('reads the hook arguments as BTF types', () => {
    const { verdict } = load('r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit', 'bpf_lsm_file_permission');
    expect(verdict.log).toMatch(/func 'bpf_lsm_file_permission' arg0 has btf_id \d+ type STRUCT 'file'\n1: R1=ctx\(\) R2=trusted_ptr_file\(\)/);
  });

  it.each([
    { attach: undefined, type: 'LSM_MAC' as const, reason: 'it names no attach function (attach_btf_id)' },
    { attach: 'bpf_lsm_nope', type: 'LSM_MAC' as const, reason: "the kernel's BTF has no function bpf_lsm_nope" },
    { attach: 'bpf_lsm_file_open', type: 'LSM_CGROUP' as const, reason: 'attach type LSM_CGROUP is not modelled (only BPF_LSM_MAC)' },
  ])('loads unchecked, saying why, when it cannot describe the context: $reason', ({ attach, type, reason }) => {
    const { r, verdict } = load('r0 = 0\nexit', attach, type);
    expect(r.ok).toBe(true);
    expect(verdict.verified).toBe(false);
    expect(verdict.log).toContain(reason);
  });

  it.each([
    { have: 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r2 + 112)\nr0 = *(u64 *)(r1 + 8)\nexit', want: { ok: true } },
    { have: 'r0 = 0\n*(u64 *)(r1 + 8) = r0\nexit', want: { ok: false, error: 'invalid bpf_context access off=8 size=8' } },
    { have: 'r0 = *(u64 *)(r1 + 16)\nexit', want: { ok: false, error: 'invalid bpf_context access off=16 size=8' } },
  ])('tp_btf/sys_enter: $have', ({ have, want }) => {
    const reports: KernelVerifierReport[] = [];
    const kernel = new Kernel({ verifier: createKernelVerifier({ onVerdict: (r) => reports.push(r) }) });
    const r = kernel.bpf.progLoad({ type: 'TRACING', insns: assembleLlvm(have), license: 'GPL', name: 'tp', expectedAttachType: 'TRACE_RAW_TP', attachBtfName: 'btf_trace_sys_enter' });
    expect(reports[0]!.verdict.verified).toBe(true);
    expect({ ok: r.ok, ...(want.ok ? {} : { error: reports[0]!.verdict.errors[0]?.message }) }).toEqual(want);
  });

  it('describes tp_btf and fentry programs from the same BTF (return 0 for fentry, anything for tp_btf)', () => {
    const tracing = new ProgramTypeRegistry().get('TRACING')!;
    const base = { name: 'p', insns: [], license: 'GPL', gplCompatible: true, functions: [], lineInfo: [], btf: undefined, flags: 0 };
    const tp = describeBtfProgramType(tracing, { ...base, expectedAttachType: 'TRACE_RAW_TP', attachBtfName: 'btf_trace_sys_enter' }, kernelBtf());
    expect(tp.kind === 'described' && { args: tp.description.btfCtx?.args.map((a) => a.name), returns: tp.description.returns }).toEqual({ args: ['', ''], returns: undefined });
  });
});
