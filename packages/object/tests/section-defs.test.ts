// SEC() names to program types, attach types, targets and flags, as
// libbpf's section_defs table and matching rules give them; and the names
// libbpf gives objects and internal maps.
import { findSectionDef, internalMapName, objectName, programSectionInfo, SECTION_DEFS, type AttachTarget } from '../src/index';

describe('programSectionInfo', () => {
  it.each<[string, string, string | undefined, AttachTarget]>([
    ['socket', 'SOCKET_FILTER', undefined, { kind: 'none' }],
    ['xdp', 'XDP', 'XDP', { kind: 'none' }],
    ['xdp.frags', 'XDP', 'XDP', { kind: 'none' }],
    ['xdp/devmap', 'XDP', 'XDP_DEVMAP', { kind: 'none' }],
    ['xdp.frags/cpumap', 'XDP', 'XDP_CPUMAP', { kind: 'none' }],
    ['tracepoint/syscalls/sys_enter_execve', 'TRACEPOINT', undefined, { kind: 'tracepoint', category: 'syscalls', name: 'sys_enter_execve' }],
    ['tp/sched/sched_switch', 'TRACEPOINT', undefined, { kind: 'tracepoint', category: 'sched', name: 'sched_switch' }],
    ['tp', 'TRACEPOINT', undefined, { kind: 'none' }],
    ['tp/oops', 'TRACEPOINT', undefined, { kind: 'invalid', extras: 'oops', reason: 'want <category>/<name>' }],
    ['tp/', 'TRACEPOINT', undefined, { kind: 'invalid', extras: '', reason: 'nothing after the /' }],
    ['raw_tp/sys_enter', 'RAW_TRACEPOINT', undefined, { kind: 'raw_tracepoint', name: 'sys_enter' }],
    ['raw_tracepoint.w/x', 'RAW_TRACEPOINT_WRITABLE', undefined, { kind: 'raw_tracepoint', name: 'x' }],
    ['tp_btf/sched_switch', 'TRACING', 'TRACE_RAW_TP', { kind: 'btf', name: 'sched_switch' }],
    ['fentry/do_unlinkat', 'TRACING', 'TRACE_FENTRY', { kind: 'btf', name: 'do_unlinkat' }],
    ['fexit.s/do_unlinkat', 'TRACING', 'TRACE_FEXIT', { kind: 'btf', name: 'do_unlinkat' }],
    ['fmod_ret/security_x', 'TRACING', 'MODIFY_RETURN', { kind: 'btf', name: 'security_x' }],
    ['freplace/handler', 'EXT', undefined, { kind: 'btf', name: 'handler' }],
    ['lsm/file_open', 'LSM', 'LSM_MAC', { kind: 'btf', name: 'file_open' }],
    ['lsm.s/file_permission', 'LSM', 'LSM_MAC', { kind: 'btf', name: 'file_permission' }],
    ['lsm_cgroup/socket_bind', 'LSM', 'LSM_CGROUP', { kind: 'btf', name: 'socket_bind' }],
    ['iter/task', 'TRACING', 'TRACE_ITER', { kind: 'btf', name: 'task' }],
    ['iter.s/bpf_map_elem', 'TRACING', 'TRACE_ITER', { kind: 'btf', name: 'bpf_map_elem' }],
    ['kprobe/do_sys_open', 'KPROBE', undefined, { kind: 'kprobe', function: 'do_sys_open', offset: 0 }],
    ['kprobe/tcp_connect+16', 'KPROBE', undefined, { kind: 'kprobe', function: 'tcp_connect', offset: 16 }],
    ['kprobe/foo.isra.0+0x1f', 'KPROBE', undefined, { kind: 'kprobe', function: 'foo.isra.0', offset: 31 }],
    ['kprobe/bad name', 'KPROBE', undefined, { kind: 'invalid', extras: 'bad name', reason: 'want <function>[+<offset>]' }],
    ['kretprobe/do_exit', 'KPROBE', undefined, { kind: 'kprobe', function: 'do_exit', offset: 0 }],
    ['kprobe.multi/tcp_*', 'KPROBE', 'TRACE_KPROBE_MULTI', { kind: 'pattern', pattern: 'tcp_*' }],
    ['kprobe.session/vfs_*', 'KPROBE', 'TRACE_KPROBE_SESSION', { kind: 'pattern', pattern: 'vfs_*' }],
    ['ksyscall/openat', 'KPROBE', undefined, { kind: 'ksyscall', syscall: 'openat' }],
    ['uprobe//bin/bash:readline', 'KPROBE', undefined, { kind: 'uprobe', binary: '/bin/bash', function: 'readline' }],
    ['uprobe.multi/libc.so.6:str*', 'KPROBE', 'TRACE_UPROBE_MULTI', { kind: 'uprobe', binary: 'libc.so.6', function: 'str*' }],
    ['uprobe/bash', 'KPROBE', undefined, { kind: 'invalid', extras: 'bash', reason: 'want <binary>:<function>' }],
    ['usdt/libc.so.6:libc:setjmp', 'KPROBE', undefined, { kind: 'usdt', binary: 'libc.so.6', provider: 'libc', name: 'setjmp' }],
    ['usdt/a:b', 'KPROBE', undefined, { kind: 'invalid', extras: 'a:b', reason: 'want <binary>:<provider>:<name>' }],
    ['syscall', 'SYSCALL', undefined, { kind: 'none' }],
    ['struct_ops/init', 'STRUCT_OPS', undefined, { kind: 'struct_ops', name: 'init' }],
    ['tc', 'SCHED_CLS', undefined, { kind: 'none' }],
    ['tc/ingress', 'SCHED_CLS', 'TCX_INGRESS', { kind: 'none' }],
    ['tcx/egress', 'SCHED_CLS', 'TCX_EGRESS', { kind: 'none' }],
    ['classifier', 'SCHED_CLS', undefined, { kind: 'none' }],
    ['action', 'SCHED_ACT', undefined, { kind: 'none' }],
    ['cgroup_skb/ingress', 'CGROUP_SKB', 'CGROUP_INET_INGRESS', { kind: 'none' }],
    ['cgroup/sock', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE', { kind: 'none' }],
    ['cgroup/connect6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_CONNECT', { kind: 'none' }],
    ['sk_skb/stream_verdict', 'SK_SKB', 'SK_SKB_STREAM_VERDICT', { kind: 'none' }],
    ['sk_msg', 'SK_MSG', 'SK_MSG_VERDICT', { kind: 'none' }],
    ['sk_lookup', 'SK_LOOKUP', 'SK_LOOKUP', { kind: 'none' }],
    ['flow_dissector', 'FLOW_DISSECTOR', 'FLOW_DISSECTOR', { kind: 'none' }],
    ['netfilter', 'NETFILTER', 'NETFILTER', { kind: 'none' }],
    ['perf_event', 'PERF_EVENT', undefined, { kind: 'none' }],
    // Names libbpf does not know: exact names take no extras, `type+` needs a '/'.
    ['xdp/foo', 'UNSPEC', undefined, { kind: 'none' }],
    ['socket/filter', 'UNSPEC', undefined, { kind: 'none' }],
    ['tracepointx/a/b', 'UNSPEC', undefined, { kind: 'none' }],
    ['kprobes/do_exit', 'UNSPEC', undefined, { kind: 'none' }],
    ['.text', 'UNSPEC', undefined, { kind: 'none' }],
    ['', 'UNSPEC', undefined, { kind: 'none' }],
  ])('%s', (have, type, attach, target) => {
    const got = programSectionInfo(have);
    expect(got.progType).toBe(type);
    expect(got.attachType).toBe(attach);
    expect(got.target).toEqual(target);
    expect(got.def === undefined).toBe(type === 'UNSPEC');
  });

  it.each<[string, boolean, boolean]>([
    ['lsm.s/file_open', true, false],
    ['lsm/file_open', false, false],
    ['uprobe.s/bin:f', true, false],
    ['syscall', true, false],
    ['xdp.frags', false, true],
    ['xdp.frags/devmap', false, true],
    ['xdp', false, false],
    ['iter.s/task', true, false],
  ])('%s: sleepable %s, xdp frags %s', (have, sleepable, frags) => {
    const got = programSectionInfo(have);
    expect([got.sleepable, got.xdpFrags]).toEqual([sleepable, frags]);
  });

  it('has one definition per name, each either exact or type+', () => {
    const secs = SECTION_DEFS.map((d) => d.sec);
    expect(new Set(secs).size).toBe(secs.length);
    for (const d of SECTION_DEFS) {
      expect(d.sec).toMatch(/^[a-z0-9_.]+(\/[a-z0-9_]+)?\+?$/);
      // A definition with a BTF target takes extras.
      if (d.attachBtf) expect(d.sec.endsWith('+')).toBe(true);
    }
  });

  it('matches in table order: the first definition wins', () => {
    // 'sk_reuseport/migrate' precedes 'sk_reuseport'; 'tc/ingress' precedes 'tc'.
    expect(findSectionDef('sk_reuseport/migrate')?.attachType).toBe('SK_REUSEPORT_SELECT_OR_MIGRATE');
    expect(findSectionDef('sk_reuseport')?.attachType).toBe('SK_REUSEPORT_SELECT');
    expect(findSectionDef('tc/ingress')?.sec).toBe('tc/ingress');
    // 'kprobe.multi/x' must not match 'kprobe+' (no '/' right after 'kprobe').
    expect(findSectionDef('kprobe.multi/x')?.sec).toBe('kprobe.multi+');
  });
});

describe('objectName', () => {
  it.each([
    ['xdp_firewall.bpf.o', 'xdp_firewall'],
    ['/home/student/lab3/xdp_firewall.bpf.o', 'xdp_firewall'],
    ['C:\\labs\\hello.o', 'hello'],
    ['prog', 'prog'],
    ['a_very_long_object_name.o', 'a_very_long_obj'],
    ['.hidden.o', 'object'],
    ['', 'object'],
  ])('%s → %s', (have, want) => {
    expect(objectName(have)).toBe(want);
  });
});

describe('internalMapName', () => {
  it.each([
    ['xdp_firewall', '.data', 'xdp_fire.data'],
    ['xdp_firewall', '.rodata', 'xdp_fire.rodata'],
    ['xdp_firewall', '.bss', 'xdp_fire.bss'],
    ['xdp_firewall', '.kconfig', 'xdp_fir.kconfig'],
    ['hello', '.rodata', 'hello.rodata'],
    ['hello', '.data.tuning', '.data.tuning'],
    ['hello', '.rodata.str1.1', '.rodata.str1.1'],
    ['hello', '.rodata.abracadabra', '.rodata.abracad'],
    ['my-obj', '.bss', 'my-obj.bss'.replace('-', '_')],
  ])('%s + %s → %s', (obj, sec, want) => {
    expect(internalMapName(obj, sec)).toBe(want);
    expect(internalMapName(obj, sec).length).toBeLessThanOrEqual(15);
  });
});
