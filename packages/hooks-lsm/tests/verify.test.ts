// LSM programs through the verifier, as `bpflab load/sim` and the grader
// load them: the context is the hook function's arguments from the kernel's
// BTF (or, for hooks the BTF lacks, this plugin's layout), pointers are
// PTR_TO_BTF_ID, and R0 must lie in the hook's range at exit.
import { createKernelVerifier, HookRegistry, Kernel, type KernelVerifierReport } from '@bpflab/kernel';
import { ERRNO } from '@bpflab/uapi';
import { lsmHook } from '../src/index';
import { buildC, buildFixture, haveClang } from './support/clang';

const maybe = haveClang('verify.test.ts') ? describe : describe.skip;

/** Loads an object into a kernel whose verifier knows the LSM plugin; returns the load result and every verdict. */
function load(bytes: Uint8Array, name: string, logLevel: 1 | 2 = 1) {
  const reports: KernelVerifierReport[] = [];
  const registry = new HookRegistry().register(lsmHook);
  const kernel = new Kernel({ verifier: createKernelVerifier({ registry, logLevel, onVerdict: (r) => reports.push(r) }) });
  registry.install(kernel);
  const r = kernel.openObject(bytes, { name }).load();
  return { r, reports };
}

const HEADER = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
`;

maybe('LSM programs are verified', () => {
  it.each(['file_open', 'file_permission', 'mmap_file', 'bprm_check_security', 'inode_unlink', 'core_checks'])(
    'the %s fixture is verified and accepted',
    (name) => {
      const { r, reports } = load(buildFixture(name)!, `${name}.bpf.o`);
      expect(r).toEqual({ ok: true });
      expect(reports.length).toBeGreaterThan(0);
      for (const { verdict } of reports) {
        expect({ verified: verdict.verified, ok: verdict.ok, log: verdict.log.includes('not verified') }).toEqual({ verified: true, ok: true, log: false });
        expect(verdict.lookup.kind === 'described' && verdict.lookup.description.btfCtx?.func).toMatch(/^bpf_lsm_/);
      }
    },
  );

  it('refuses the chain fixture, which returns a verdict user space chose (Linux checks the range)', () => {
    const { r, reports } = load(buildFixture('chain')!, 'chain.bpf.o');
    expect(r.ok).toBe(false);
    expect(reports[0]!.verdict.errors[0]!.message).toBe('At program exit the register R0 has smin=0 smax=4294967295 should have been in [-4095, 0]');
  });

  it('loads task_kill unchecked: the kernel BTF lacks its function and struct kernel_siginfo', () => {
    const { r, reports } = load(buildFixture('task_kill')!, 'task_kill.bpf.o');
    expect(r).toEqual({ ok: true });
    expect(reports[0]!.verdict.verified).toBe(false);
    expect(reports[0]!.verdict.log).toContain("the kernel's BTF has neither the function bpf_lsm_task_kill nor struct kernel_siginfo of its argument info");
  });

  it('gives hook arguments BTF types: file is a trusted struct file pointer', () => {
    const src = `${HEADER}
SEC("lsm/file_open")
int BPF_PROG(show, struct file *file, int ret)
{
	return file->f_flags == 0 ? 0 : -1;
}`;
    const { r, reports } = load(buildC(src, 'show.bpf.c')!, 'show.bpf.o', 2);
    expect(r).toEqual({ ok: true });
    const log = reports[0]!.verdict.result!.log;
    expect(log).toMatch(/func 'bpf_lsm_file_open' arg0 has btf_id \d+ type STRUCT 'file'\n1: R1=trusted_ptr_file\(\)/);
  });

  it.each([
    {
      what: 'returning a positive EPERM',
      body: 'return 1;',
      error: 'At program exit the register R0 has smin=1 smax=1 should have been in [-4095, 0]',
    },
    {
      what: 'writing through the file pointer',
      body: 'file->f_flags = 0; return 0;',
      error: 'only read is supported',
    },
    {
      what: 'reading past the end of struct file',
      body: 'return ((int *)file)[sizeof(struct file) / 4] ? -1 : 0;',
      error: /^access beyond struct file at off \d+ size 4$/,
    },
  ])('refuses $what with EACCES and the kernel message', ({ body, error }) => {
    const src = `${HEADER}
SEC("lsm/file_open")
int BPF_PROG(bad, struct file *file, int ret)
{
	${body}
}`;
    const { r, reports } = load(buildC(src, 'bad.bpf.c')!, 'bad.bpf.o');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errno).toBe(ERRNO.EACCES);
    expect(reports[0]!.verdict.errors[0]!.message).toEqual(typeof error === 'string' ? error : expect.stringMatching(error));
  });
});
