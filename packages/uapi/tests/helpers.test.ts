import {
  argTypeName,
  checkHelperProto,
  defineHelperProto,
  HELPER,
  HELPER_MAX_ID,
  helperById,
  helperByName,
  helperName,
  HELPERS,
  retTypeName,
  type ArgInput,
  type ArgSpelling,
  type RetInput,
  type RetSpelling,
} from '../src/index';

describe('helper ids', () => {
  // Values of enum bpf_func_id (include/uapi/linux/bpf.h), spread over the whole range.
  it.each<[string, number]>([
    ['unspec', 0],
    ['map_lookup_elem', 1],
    ['map_update_elem', 2],
    ['map_delete_elem', 3],
    ['probe_read', 4],
    ['ktime_get_ns', 5],
    ['trace_printk', 6],
    ['get_prandom_u32', 7],
    ['get_smp_processor_id', 8],
    ['skb_store_bytes', 9],
    ['l3_csum_replace', 10],
    ['l4_csum_replace', 11],
    ['tail_call', 12],
    ['clone_redirect', 13],
    ['get_current_pid_tgid', 14],
    ['get_current_uid_gid', 15],
    ['get_current_comm', 16],
    ['redirect', 23],
    ['perf_event_output', 25],
    ['skb_load_bytes', 26],
    ['get_stackid', 27],
    ['csum_diff', 28],
    ['get_current_task', 35],
    ['probe_write_user', 36],
    ['xdp_adjust_head', 44],
    ['probe_read_str', 45],
    ['redirect_map', 51],
    ['xdp_adjust_meta', 54],
    ['override_return', 58],
    ['xdp_adjust_tail', 65],
    ['get_stack', 67],
    ['fib_lookup', 69],
    ['get_current_cgroup_id', 80],
    ['map_push_elem', 87],
    ['map_pop_elem', 88],
    ['map_peek_elem', 89],
    ['spin_lock', 93],
    ['spin_unlock', 94],
    ['send_signal', 109],
    ['probe_read_user', 112],
    ['probe_read_kernel', 113],
    ['probe_read_user_str', 114],
    ['probe_read_kernel_str', 115],
    ['ktime_get_boot_ns', 125],
    ['ringbuf_output', 130],
    ['ringbuf_reserve', 131],
    ['ringbuf_submit', 132],
    ['ringbuf_discard', 133],
    ['ringbuf_query', 134],
    ['d_path', 147],
    ['get_current_task_btf', 158],
    ['for_each_map_elem', 164],
    ['snprintf', 165],
    ['timer_init', 169],
    ['trace_vprintk', 177],
    ['loop', 181],
    ['strncmp', 182],
    ['kptr_xchg', 194],
    ['map_lookup_percpu_elem', 195],
    ['dynptr_data', 203],
    ['ktime_get_tai_ns', 208],
    ['user_ringbuf_drain', 209],
    ['cgrp_storage_get', 210],
    ['cgrp_storage_delete', 211],
  ])('BPF_FUNC_%s = %i', (name, id) => {
    expect(HELPER[name as keyof typeof HELPER]).toBe(id);
    if (id === 0) {
      expect(helperById(0)).toBeUndefined();
      return;
    }
    expect(helperById(id)?.name).toBe(name);
    expect(helperByName(name)?.id).toBe(id);
    expect(helperByName(`bpf_${name}`)?.id).toBe(id);
    expect(helperName(id)).toBe(`bpf_${name}`);
  });

  it('HELPER is dense from 0 to HELPER_MAX_ID with unique names', () => {
    const ids = Object.values(HELPER).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: HELPER_MAX_ID + 1 }, (_, i) => i));
    expect(HELPER_MAX_ID).toBe(211);
  });

  it('HELPERS holds every helper but unspec, once, in id order', () => {
    expect(HELPERS.map((h) => h.id)).toEqual(Array.from({ length: HELPER_MAX_ID }, (_, i) => i + 1));
    expect(new Set(HELPERS.map((h) => h.name)).size).toBe(HELPERS.length);
    for (const h of HELPERS) {
      expect(HELPER[h.name]).toBe(h.id);
      expect(h.fullName).toBe(`bpf_${h.name}`);
    }
  });

  it.each<[string, unknown]>([
    ['an id past the end', helperById(212)],
    ['a negative id', helperById(-1)],
    ['a fractional id', helperById(1.5)],
    ['an unknown name', helperByName('bpf_frobnicate')],
    ['unspec', helperByName('bpf_unspec')],
    ['a doubled prefix', helperByName('bpf_bpf_map_lookup_elem')],
  ])('finds nothing for %s', (_what, have) => {
    expect(have).toBeUndefined();
  });
});

describe('verifier prototypes', () => {
  // From the kernel's struct bpf_func_proto definitions (kernel/bpf/helpers.c,
  // kernel/trace/bpf_trace.c, net/core/filter.c, kernel/bpf/ringbuf.c, ...).
  it.each<[string, boolean, string, string[]]>([
    ['map_lookup_elem', false, 'RET_PTR_TO_MAP_VALUE_OR_NULL', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY']],
    [
      'map_update_elem',
      false,
      'RET_INTEGER',
      ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING'],
    ],
    ['map_delete_elem', false, 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY']],
    ['probe_read', true, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['ktime_get_ns', false, 'RET_INTEGER', []],
    // args 3-5 of bpf_trace_printk are ARG_DONTCARE in the kernel: they are not checked
    ['trace_printk', true, 'RET_INTEGER', ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE']],
    ['get_prandom_u32', false, 'RET_INTEGER', []],
    ['get_smp_processor_id', false, 'RET_INTEGER', []],
    [
      'skb_store_bytes',
      false,
      'RET_INTEGER',
      ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING'],
    ],
    ['l3_csum_replace', false, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING', 'ARG_ANYTHING']],
    ['tail_call', false, 'RET_VOID', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']],
    ['clone_redirect', false, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_ANYTHING']],
    ['get_current_pid_tgid', false, 'RET_INTEGER', []],
    ['get_current_uid_gid', false, 'RET_INTEGER', []],
    ['get_current_comm', false, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE']],
    ['redirect', false, 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_ANYTHING']],
    [
      'perf_event_output',
      true,
      'RET_INTEGER',
      ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'],
    ],
    ['skb_load_bytes', false, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE']],
    ['get_stackid', true, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']],
    [
      'csum_diff',
      false,
      'RET_INTEGER',
      [
        'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
      ],
    ],
    ['get_current_task', true, 'RET_INTEGER', []],
    ['probe_write_user', true, 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE']],
    ['xdp_adjust_head', false, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']],
    ['probe_read_str', true, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['override_return', true, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']],
    ['xdp_adjust_meta', false, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']],
    ['redirect_map', false, 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING', 'ARG_ANYTHING']],
    ['xdp_adjust_tail', false, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_ANYTHING']],
    ['get_stack', true, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['fib_lookup', true, 'RET_INTEGER', ['ARG_PTR_TO_CTX', 'ARG_PTR_TO_MEM', 'ARG_CONST_SIZE', 'ARG_ANYTHING']],
    ['map_push_elem', false, 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING']],
    ['map_pop_elem', false, 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE']],
    ['map_peek_elem', false, 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE']],
    ['spin_lock', false, 'RET_VOID', ['ARG_PTR_TO_SPIN_LOCK']],
    ['spin_unlock', false, 'RET_VOID', ['ARG_PTR_TO_SPIN_LOCK']],
    ['sk_release', false, 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE']],
    ['sk_fullsock', false, 'RET_PTR_TO_SOCKET_OR_NULL', ['ARG_PTR_TO_SOCK_COMMON']],
    ['tcp_sock', false, 'RET_PTR_TO_TCP_SOCK_OR_NULL', ['ARG_PTR_TO_SOCK_COMMON']],
    [
      'strtol',
      false,
      'RET_INTEGER',
      ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM | MEM_FIXED_SIZE | MEM_ALIGNED'],
    ],
    ['send_signal', false, 'RET_INTEGER', ['ARG_ANYTHING']],
    ['probe_read_user', true, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['probe_read_kernel', true, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['probe_read_user_str', true, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['probe_read_kernel_str', true, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['ktime_get_boot_ns', false, 'RET_INTEGER', []],
    [
      'ringbuf_output',
      false,
      'RET_INTEGER',
      ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    ],
    [
      'ringbuf_reserve',
      false,
      'RET_PTR_TO_RINGBUF_MEM_OR_NULL',
      ['ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING'],
    ],
    ['ringbuf_submit', false, 'RET_VOID', ['ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_ANYTHING']],
    ['ringbuf_discard', false, 'RET_VOID', ['ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_ANYTHING']],
    ['ringbuf_query', false, 'RET_INTEGER', ['ARG_CONST_MAP_PTR', 'ARG_ANYTHING']],
    ['d_path', false, 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID', 'ARG_PTR_TO_MEM', 'ARG_CONST_SIZE_OR_ZERO']],
    ['copy_from_user', false, 'RET_INTEGER', ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE_OR_ZERO', 'ARG_ANYTHING']],
    ['per_cpu_ptr', false, 'RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY', ['ARG_PTR_TO_PERCPU_BTF_ID', 'ARG_ANYTHING']],
    ['get_current_task_btf', true, 'RET_PTR_TO_BTF_ID_TRUSTED', []],
    [
      'for_each_map_elem',
      false,
      'RET_INTEGER',
      ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING'],
    ],
    [
      'snprintf',
      true,
      'RET_INTEGER',
      [
        'ARG_PTR_TO_MEM_OR_NULL',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_PTR_TO_CONST_STR',
        'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY',
        'ARG_CONST_SIZE_OR_ZERO',
      ],
    ],
    ['timer_init', true, 'RET_INTEGER', ['ARG_PTR_TO_TIMER', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']],
    [
      'trace_vprintk',
      true,
      'RET_INTEGER',
      ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_PTR_TO_MEM_OR_NULL | MEM_RDONLY', 'ARG_CONST_SIZE_OR_ZERO'],
    ],
    ['loop', false, 'RET_INTEGER', ['ARG_SCALAR', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING']],
    ['strncmp', false, 'RET_INTEGER', ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_PTR_TO_CONST_STR']],
    ['kptr_xchg', false, 'RET_PTR_TO_BTF_ID_OR_NULL', ['ARG_KPTR_XCHG_DEST', 'ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE']],
    [
      'dynptr_from_mem',
      false,
      'RET_INTEGER',
      [
        'ARG_PTR_TO_UNINIT_MEM',
        'ARG_CONST_SIZE_OR_ZERO',
        'ARG_ANYTHING',
        'ARG_PTR_TO_DYNPTR | MEM_UNINIT | DYNPTR_TYPE_LOCAL | MEM_WRITE',
      ],
    ],
    ['dynptr_data', false, 'RET_PTR_TO_DYNPTR_MEM_OR_NULL', ['ARG_PTR_TO_DYNPTR | MEM_RDONLY', 'ARG_ANYTHING', 'ARG_CONST_ALLOC_SIZE_OR_ZERO']],
    [
      'cgrp_storage_get',
      false,
      'RET_PTR_TO_MAP_VALUE_OR_NULL',
      ['ARG_CONST_MAP_PTR', 'ARG_PTR_TO_BTF_ID_OR_NULL', 'ARG_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_ANYTHING'],
    ],
  ])('bpf_%s', (name, gplOnly, ret, args) => {
    const h = helperByName(name);
    expect(h).toBeDefined();
    if (h === undefined) return;
    expect(h.gplOnly).toBe(gplOnly);
    expect(retTypeName(h.ret)).toBe(ret);
    expect(h.args.map(argTypeName)).toEqual(args);
    // the helper's own fields are those of its primary proto
    expect(h.protos[0]).toMatchObject({ gplOnly: h.gplOnly, ret: h.ret, args: h.args });
  });

  it.each<[string, string, number, number | undefined, string | undefined]>([
    // helper, proto, arg index, fixed size, BTF struct ('*' for BPF_PTR_POISON)
    ['strtol', 'bpf_strtol_proto', 3, 8, undefined],
    ['get_func_arg', 'bpf_get_func_arg_proto', 2, 8, undefined],
    ['check_mtu', 'bpf_skb_check_mtu_proto', 2, 4, undefined],
    ['tcp_raw_gen_syncookie_ipv4', 'bpf_tcp_raw_gen_syncookie_ipv4_proto', 0, 20, undefined],
    ['tcp_raw_gen_syncookie_ipv6', 'bpf_tcp_raw_gen_syncookie_ipv6_proto', 0, 40, undefined],
    ['d_path', 'bpf_d_path_proto', 0, undefined, 'path'],
    ['get_task_stack', 'bpf_get_task_stack_proto', 0, undefined, 'task_struct'],
    ['inode_storage_get', 'bpf_inode_storage_get_proto', 1, undefined, 'inode'],
    ['cgrp_storage_get', 'bpf_cgrp_storage_get_proto', 1, undefined, 'cgroup'],
    ['sk_storage_get', 'bpf_sk_storage_get_tracing_proto', 1, undefined, 'sock_common'],
    ['seq_printf', 'bpf_seq_printf_proto', 0, undefined, 'seq_file'],
    ['spin_lock', 'bpf_spin_lock_proto', 0, undefined, '*'],
    ['kptr_xchg', 'bpf_kptr_xchg_proto', 1, undefined, '*'],
  ])('bpf_%s: %s arg%i has size %s and BTF type %s', (name, protoName, arg, size, btf) => {
    const p = helperByName(name)?.protos.find((x) => x.protoName === protoName);
    expect(p).toBeDefined();
    const a = p?.args[arg];
    expect(a?.size).toBe(size);
    const ref = a?.btf;
    expect(ref === undefined ? undefined : ref.kind === 'poison' ? '*' : ref.name).toBe(btf);
  });

  it.each<[string, string]>([
    ['get_current_task_btf', 'task_struct'],
    ['skc_to_tcp_sock', 'tcp_sock'],
    ['skc_to_tcp6_sock', 'tcp6_sock'],
    ['skc_to_unix_sock', 'unix_sock'],
    ['skc_to_mptcp_sock', 'mptcp_sock'],
    ['sock_from_file', 'socket'],
    ['task_pt_regs', 'pt_regs'],
  ])('bpf_%s returns a %s', (name, struct) => {
    expect(helperByName(name)?.ret.btf).toEqual({ kind: 'struct', name: struct });
  });

  it.each<[string, string[]]>([
    [
      'perf_event_output',
      [
        'bpf_perf_event_output_proto',
        'bpf_event_output_data_proto',
        'bpf_skb_event_output_proto',
        'bpf_xdp_event_output_proto',
        'bpf_perf_event_output_proto_tp',
        'bpf_perf_event_output_proto_raw_tp',
      ],
    ],
    ['fib_lookup', ['bpf_skb_fib_lookup_proto', 'bpf_xdp_fib_lookup_proto']],
    ['redirect', ['bpf_redirect_proto', 'bpf_xdp_redirect_proto']],
    ['redirect_map', ['bpf_xdp_redirect_map_proto']],
    ['probe_read', ['bpf_probe_read_compat_proto']],
  ])('bpf_%s has the kernel protos %j', (name, protos) => {
    expect(helperByName(name)?.protos.map((p) => p.protoName)).toEqual(protos);
  });

  it('gives pkt_access and might_sleep where the kernel sets them', () => {
    expect(helperByName('map_lookup_elem')?.pktAccess).toBe(true);
    expect(helperByName('skb_load_bytes')?.pktAccess).toBe(false);
    expect(helperByName('csum_diff')?.pktAccess).toBe(true);
    expect(helperByName('copy_from_user')?.mightSleep).toBe(true);
    expect(helperByName('probe_read_user')?.mightSleep).toBe(false);
  });

  it('every proto of every helper is well-formed by the kernel rules', () => {
    const bad = HELPERS.flatMap((h) => h.protos.map((p) => [h.name, p.protoName, checkHelperProto(p)] as const)).filter(
      ([, , problems]) => problems.length > 0,
    );
    expect(bad).toEqual([]);
  });

  it('every variant proto takes as many arguments as the primary one', () => {
    // bpf_get_cgroup_classid's variant for cgroup programs reads the current task instead of the skb.
    const odd = HELPERS.flatMap((h) =>
      h.protos.filter((p) => p.args.length !== h.args.length).map((p) => `${h.name}: ${p.protoName}`),
    );
    expect(odd).toEqual(['get_cgroup_classid: bpf_get_cgroup_classid_curr_proto']);
  });
});

describe('C prototypes', () => {
  it('name the helper and return a known type', () => {
    for (const h of HELPERS) {
      expect(h.prototype).toMatch(
        new RegExp(`^(void|long|int|__u32|__u64|__s64|(struct \\w+)) \\*?${h.fullName}\\((void|[^()]+)\\)$`),
      );
    }
  });

  it('have as many parameters as the verifier checks arguments', () => {
    // The kernel leaves printk's varargs and get_branch_snapshot's flags unchecked (ARG_DONTCARE).
    const mismatched = HELPERS.filter((h) => {
      const params = h.prototype.slice(h.prototype.indexOf('(') + 1, -1);
      const count = params === 'void' ? 0 : params.split(', ').length;
      return count !== h.args.length;
    }).map((h) => h.name);
    expect(mismatched).toEqual(['trace_printk', 'get_branch_snapshot']);
  });

  it.each<[string, string]>([
    ['map_update_elem', 'long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)'],
    ['map_lookup_elem', 'void *bpf_map_lookup_elem(void *map, const void *key)'],
    ['trace_printk', 'long bpf_trace_printk(const char *fmt, __u32 fmt_size, ...)'],
    ['get_current_comm', 'long bpf_get_current_comm(void *buf, __u32 size_of_buf)'],
    ['xdp_adjust_head', 'long bpf_xdp_adjust_head(struct xdp_md *xdp_md, int delta)'],
    ['skb_load_bytes', 'long bpf_skb_load_bytes(const void *skb, __u32 offset, void *to, __u32 len)'],
    ['get_socket_cookie', '__u64 bpf_get_socket_cookie(void *ctx)'],
    ['sk_lookup_tcp', 'struct bpf_sock *bpf_sk_lookup_tcp(void *ctx, struct bpf_sock_tuple *tuple, __u32 tuple_size, __u64 netns, __u64 flags)'],
    ['ringbuf_submit', 'void bpf_ringbuf_submit(void *data, __u64 flags)'],
    ['strtoul', 'long bpf_strtoul(const char *buf, unsigned long buf_len, __u64 flags, unsigned long *res)'],
  ])('bpf_%s', (name, want) => {
    expect(helperByName(name)?.prototype).toBe(want);
  });

  it('every helper has a one-line summary', () => {
    for (const h of HELPERS) expect(h.summary).toMatch(/^[a-z][^\n]{10,100}[^.\s]$/);
  });
});

describe('checkHelperProto', () => {
  const make = (ret: RetSpelling | RetInput, args: (ArgSpelling | ArgInput)[]) => defineHelperProto('test_proto', ret, args);

  it.each<[string, RetSpelling | RetInput, (ArgSpelling | ArgInput)[], string]>([
    ['a size first', 'RET_INTEGER', ['ARG_CONST_SIZE'], 'arg1 ARG_CONST_SIZE: a size with no memory argument'],
    ['a size after a scalar', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_CONST_SIZE'], 'does not follow a memory argument'],
    ['memory with no size', 'RET_INTEGER', ['ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_ANYTHING'], 'no size argument after it'],
    ['memory last', 'RET_INTEGER', ['ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM'], 'no size argument after it'],
    [
      'fixed memory also sized',
      'RET_INTEGER',
      [{ type: 'ARG_PTR_TO_FIXED_SIZE_MEM', size: 8 }, 'ARG_CONST_SIZE'],
      'also fixed-size',
    ],
    ['fixed memory without a size', 'RET_INTEGER', ['ARG_PTR_TO_FIXED_SIZE_MEM'], 'no fixed size'],
    [
      'two uninit buffers',
      'RET_INTEGER',
      ['ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE'],
      '2 MEM_UNINIT memory arguments',
    ],
    ['a BTF pointer without a type', 'RET_INTEGER', ['ARG_PTR_TO_BTF_ID'], 'no BTF type'],
    ['a spin lock with a struct type', 'RET_VOID', [{ type: 'ARG_PTR_TO_SPIN_LOCK', btf: 'task_struct' }], 'BPF_PTR_POISON'],
    ['a BTF type on a scalar', 'RET_INTEGER', [{ type: 'ARG_ANYTHING', btf: 'task_struct' }], 'a BTF type on a kind'],
    ['a size on a scalar', 'RET_INTEGER', [{ type: 'ARG_ANYTHING', size: 4 }], 'a fixed size on a kind'],
    ['a key without a map', 'RET_INTEGER', ['ARG_PTR_TO_MAP_KEY', 'ARG_CONST_MAP_PTR'], 'no map argument before it'],
    ['a map value result without a map', 'RET_PTR_TO_MAP_VALUE_OR_NULL', ['ARG_ANYTHING'], 'no map argument'],
    ['memory result without a size', 'RET_PTR_TO_RINGBUF_MEM_OR_NULL', ['ARG_CONST_MAP_PTR'], 'ARG_CONST_ALLOC_SIZE_OR_ZERO'],
    ['a BTF result without a type', 'RET_PTR_TO_BTF_ID_OR_NULL', [], 'no BTF type'],
    ['a BTF type on an integer result', { type: 'RET_INTEGER', btf: 'task_struct' }, [], 'a BTF type on a kind'],
  ])('reports %s', (_what, ret, args, problem) => {
    const problems = checkHelperProto(make(ret, args));
    expect(problems).toEqual([expect.stringContaining(problem)]);
  });

  it('accepts a well-formed proto', () => {
    const p = make('RET_PTR_TO_RINGBUF_MEM_OR_NULL', ['ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING']);
    expect(checkHelperProto(p)).toEqual([]);
    expect(p).toMatchObject({ protoName: 'test_proto', gplOnly: false, pktAccess: false, mightSleep: false });
  });

  it('refuses more than five arguments', () => {
    expect(() => make('RET_INTEGER', Array<ArgSpelling>(6).fill('ARG_ANYTHING'))).toThrow(
      expect.objectContaining({ code: 'bad_table' }),
    );
  });
});
