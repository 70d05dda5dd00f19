import {
  ADJ_ROOM_MODES,
  ATTACH_FLAGS,
  ATTACH_TYPE,
  ATTACH_TYPES,
  attachTypeName,
  attachTypeShortName,
  attachTypeValue,
  CMD,
  cmdName,
  CMDS,
  cmdShortName,
  cmdValue,
  CSUM_FLAGS,
  defineUapiEnum,
  ERRNO,
  errnoName,
  ERRNOS,
  errnoText,
  errnoValue,
  FIB_LKUP_RETS,
  FIB_LOOKUP_FLAGS,
  flagNames,
  LINK_TYPE,
  LINK_TYPES,
  linkTypeName,
  LOCAL_STORAGE_FLAGS,
  MAP_FLAG,
  MAP_FLAGS,
  MAP_TYPE,
  mapTypeName,
  MAP_TYPES,
  mapTypeShortName,
  mapTypeValue,
  PERF_EVENT_FLAG,
  PERF_EVENT_FLAGS,
  PROG_LOAD_FLAGS,
  PROG_TYPE,
  progTypeName,
  PROG_TYPES,
  progTypeShortName,
  progTypeValue,
  REDIRECT_FLAGS,
  RINGBUF_FLAGS,
  RINGBUF_QUERIES,
  STACK_FLAGS,
  TC_ACT,
  tcActName,
  TC_ACTS,
  tcActValue,
  TIMER_FLAGS,
  UPDATE_FLAG,
  UPDATE_FLAGS,
  XDP_ACTION,
  xdpActionName,
  XDP_ACTIONS,
  xdpActionShortName,
  xdpActionValue,
  type UapiEnum,
} from '../src/index';

// Full enum bpf_prog_type (include/uapi/linux/bpf.h).
const PROG_TYPES_WANT: [string, number][] = [
  ['UNSPEC', 0],
  ['SOCKET_FILTER', 1],
  ['KPROBE', 2],
  ['SCHED_CLS', 3],
  ['SCHED_ACT', 4],
  ['TRACEPOINT', 5],
  ['XDP', 6],
  ['PERF_EVENT', 7],
  ['CGROUP_SKB', 8],
  ['CGROUP_SOCK', 9],
  ['LWT_IN', 10],
  ['LWT_OUT', 11],
  ['LWT_XMIT', 12],
  ['SOCK_OPS', 13],
  ['SK_SKB', 14],
  ['CGROUP_DEVICE', 15],
  ['SK_MSG', 16],
  ['RAW_TRACEPOINT', 17],
  ['CGROUP_SOCK_ADDR', 18],
  ['LWT_SEG6LOCAL', 19],
  ['LIRC_MODE2', 20],
  ['SK_REUSEPORT', 21],
  ['FLOW_DISSECTOR', 22],
  ['CGROUP_SYSCTL', 23],
  ['RAW_TRACEPOINT_WRITABLE', 24],
  ['CGROUP_SOCKOPT', 25],
  ['TRACING', 26],
  ['STRUCT_OPS', 27],
  ['EXT', 28],
  ['LSM', 29],
  ['SK_LOOKUP', 30],
  ['SYSCALL', 31],
  ['NETFILTER', 32],
];

// Full enum bpf_map_type, primary names (the _DEPRECATED aliases are checked apart).
const MAP_TYPES_WANT: [string, number][] = [
  ['UNSPEC', 0],
  ['HASH', 1],
  ['ARRAY', 2],
  ['PROG_ARRAY', 3],
  ['PERF_EVENT_ARRAY', 4],
  ['PERCPU_HASH', 5],
  ['PERCPU_ARRAY', 6],
  ['STACK_TRACE', 7],
  ['CGROUP_ARRAY', 8],
  ['LRU_HASH', 9],
  ['LRU_PERCPU_HASH', 10],
  ['LPM_TRIE', 11],
  ['ARRAY_OF_MAPS', 12],
  ['HASH_OF_MAPS', 13],
  ['DEVMAP', 14],
  ['SOCKMAP', 15],
  ['CPUMAP', 16],
  ['XSKMAP', 17],
  ['SOCKHASH', 18],
  ['CGROUP_STORAGE', 19],
  ['REUSEPORT_SOCKARRAY', 20],
  ['PERCPU_CGROUP_STORAGE', 21],
  ['QUEUE', 22],
  ['STACK', 23],
  ['SK_STORAGE', 24],
  ['DEVMAP_HASH', 25],
  ['STRUCT_OPS', 26],
  ['RINGBUF', 27],
  ['INODE_STORAGE', 28],
  ['TASK_STORAGE', 29],
  ['BLOOM_FILTER', 30],
  ['USER_RINGBUF', 31],
  ['CGRP_STORAGE', 32],
  ['ARENA', 33],
];

describe('program types', () => {
  it.each(PROG_TYPES_WANT)('BPF_PROG_TYPE_%s = %i', (short, value) => {
    expect(PROG_TYPE[short as keyof typeof PROG_TYPE]).toBe(value);
    expect(progTypeName(value)).toBe(`BPF_PROG_TYPE_${short}`);
    expect(progTypeShortName(value)).toBe(short);
    expect(progTypeValue(short)).toBe(value);
    expect(progTypeValue(`BPF_PROG_TYPE_${short}`)).toBe(value);
  });

  it('has exactly these names', () => {
    expect(PROG_TYPES.entries.map((e) => [e.short, e.value])).toEqual(PROG_TYPES_WANT);
  });
});

describe('map types', () => {
  it.each(MAP_TYPES_WANT)('BPF_MAP_TYPE_%s = %i', (short, value) => {
    expect(MAP_TYPE[short as keyof typeof MAP_TYPE]).toBe(value);
    expect(mapTypeName(value)).toBe(`BPF_MAP_TYPE_${short}`);
    expect(mapTypeShortName(value)).toBe(short);
    expect(mapTypeValue(`BPF_MAP_TYPE_${short}`)).toBe(value);
  });

  it('has exactly these primary names, and the deprecated ones as aliases', () => {
    expect(MAP_TYPES.entries.filter((e) => e.aliasOf === undefined).map((e) => [e.short, e.value])).toEqual(
      MAP_TYPES_WANT,
    );
    expect(MAP_TYPES.entries.filter((e) => e.aliasOf !== undefined)).toEqual([
      { short: 'CGROUP_STORAGE_DEPRECATED', name: 'BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED', value: 19, aliasOf: 'CGROUP_STORAGE' },
      {
        short: 'PERCPU_CGROUP_STORAGE_DEPRECATED',
        name: 'BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED',
        value: 21,
        aliasOf: 'PERCPU_CGROUP_STORAGE',
      },
    ]);
    expect(mapTypeValue('CGROUP_STORAGE_DEPRECATED')).toBe(19);
  });
});

describe('attach and link types', () => {
  it.each<[string, number]>([
    ['CGROUP_INET_INGRESS', 0],
    ['CGROUP_INET_EGRESS', 1],
    ['CGROUP_INET_SOCK_CREATE', 2],
    ['CGROUP_SOCK_OPS', 3],
    ['SK_SKB_STREAM_PARSER', 4],
    ['CGROUP_DEVICE', 6],
    ['CGROUP_INET4_CONNECT', 10],
    ['FLOW_DISSECTOR', 17],
    ['CGROUP_SYSCTL', 18],
    ['TRACE_RAW_TP', 23],
    ['TRACE_FENTRY', 24],
    ['TRACE_FEXIT', 25],
    ['MODIFY_RETURN', 26],
    ['LSM_MAC', 27],
    ['TRACE_ITER', 28],
    ['XDP_DEVMAP', 33],
    ['XDP_CPUMAP', 35],
    ['SK_LOOKUP', 36],
    ['XDP', 37],
    ['PERF_EVENT', 41],
    ['TRACE_KPROBE_MULTI', 42],
    ['LSM_CGROUP', 43],
    ['STRUCT_OPS', 44],
    ['NETFILTER', 45],
    ['TCX_INGRESS', 46],
    ['TCX_EGRESS', 47],
    ['TRACE_UPROBE_MULTI', 48],
    ['NETKIT_PRIMARY', 54],
    ['NETKIT_PEER', 55],
    ['TRACE_KPROBE_SESSION', 56],
    ['TRACE_UPROBE_SESSION', 57],
  ])('BPF_%s = %i', (short, value) => {
    expect(ATTACH_TYPE[short as keyof typeof ATTACH_TYPE]).toBe(value);
    expect(attachTypeName(value)).toBe(`BPF_${short}`);
    expect(attachTypeShortName(value)).toBe(short);
    expect(attachTypeValue(`BPF_${short}`)).toBe(value);
  });

  it.each<[string, number]>([
    ['UNSPEC', 0],
    ['RAW_TRACEPOINT', 1],
    ['TRACING', 2],
    ['CGROUP', 3],
    ['ITER', 4],
    ['NETNS', 5],
    ['XDP', 6],
    ['PERF_EVENT', 7],
    ['KPROBE_MULTI', 8],
    ['STRUCT_OPS', 9],
    ['NETFILTER', 10],
    ['TCX', 11],
    ['UPROBE_MULTI', 12],
    ['NETKIT', 13],
    ['SOCKMAP', 14],
  ])('BPF_LINK_TYPE_%s = %i', (short, value) => {
    expect(LINK_TYPE[short as keyof typeof LINK_TYPE]).toBe(value);
    expect(linkTypeName(value)).toBe(`BPF_LINK_TYPE_${short}`);
  });
});

describe('bpf() commands', () => {
  it.each<[string, number]>([
    ['MAP_CREATE', 0],
    ['MAP_LOOKUP_ELEM', 1],
    ['MAP_UPDATE_ELEM', 2],
    ['MAP_DELETE_ELEM', 3],
    ['MAP_GET_NEXT_KEY', 4],
    ['PROG_LOAD', 5],
    ['OBJ_PIN', 6],
    ['OBJ_GET', 7],
    ['PROG_ATTACH', 8],
    ['PROG_DETACH', 9],
    ['PROG_TEST_RUN', 10],
    ['OBJ_GET_INFO_BY_FD', 15],
    ['BTF_LOAD', 18],
    ['MAP_LOOKUP_AND_DELETE_ELEM', 21],
    ['MAP_FREEZE', 22],
    ['MAP_LOOKUP_BATCH', 24],
    ['LINK_CREATE', 28],
    ['LINK_DETACH', 34],
    ['PROG_BIND_MAP', 35],
    ['TOKEN_CREATE', 36],
  ])('BPF_%s = %i', (short, value) => {
    expect(CMD[short as keyof typeof CMD]).toBe(value);
    expect(cmdName(value)).toBe(`BPF_${short}`);
    expect(cmdShortName(value)).toBe(short);
    expect(cmdValue(short)).toBe(value);
  });

  it('knows BPF_PROG_RUN as an alias of BPF_PROG_TEST_RUN', () => {
    expect(CMD.PROG_RUN).toBe(10);
    expect(cmdValue('BPF_PROG_RUN')).toBe(10);
    expect(cmdName(10)).toBe('BPF_PROG_TEST_RUN');
    expect(CMDS.entries.find((e) => e.short === 'PROG_RUN')?.aliasOf).toBe('PROG_TEST_RUN');
  });
});

describe('program verdicts', () => {
  it.each<[string, number]>([
    ['ABORTED', 0],
    ['DROP', 1],
    ['PASS', 2],
    ['TX', 3],
    ['REDIRECT', 4],
  ])('XDP_%s = %i', (short, value) => {
    expect(XDP_ACTION[short as keyof typeof XDP_ACTION]).toBe(value);
    expect(xdpActionName(value)).toBe(`XDP_${short}`);
    expect(xdpActionShortName(value)).toBe(short);
    expect(xdpActionValue(`XDP_${short}`)).toBe(value);
  });

  it.each<[string, number]>([
    ['UNSPEC', -1],
    ['OK', 0],
    ['RECLASSIFY', 1],
    ['SHOT', 2],
    ['PIPE', 3],
    ['STOLEN', 4],
    ['QUEUED', 5],
    ['REPEAT', 6],
    ['REDIRECT', 7],
    ['TRAP', 8],
  ])('TC_ACT_%s = %i', (short, value) => {
    expect(TC_ACT[short as keyof typeof TC_ACT]).toBe(value);
    expect(tcActName(value)).toBe(`TC_ACT_${short}`);
    expect(tcActValue(short)).toBe(value);
  });

  it('has no more XDP or tc verdicts', () => {
    expect(XDP_ACTIONS.entries).toHaveLength(5);
    expect(TC_ACTS.entries).toHaveLength(10);
  });
});

describe('flags', () => {
  it.each<[UapiEnum, string, number]>([
    [MAP_FLAGS, 'BPF_F_NO_PREALLOC', 0x1],
    [MAP_FLAGS, 'BPF_F_NO_COMMON_LRU', 0x2],
    [MAP_FLAGS, 'BPF_F_NUMA_NODE', 0x4],
    [MAP_FLAGS, 'BPF_F_RDONLY', 0x8],
    [MAP_FLAGS, 'BPF_F_WRONLY', 0x10],
    [MAP_FLAGS, 'BPF_F_STACK_BUILD_ID', 0x20],
    [MAP_FLAGS, 'BPF_F_ZERO_SEED', 0x40],
    [MAP_FLAGS, 'BPF_F_RDONLY_PROG', 0x80],
    [MAP_FLAGS, 'BPF_F_WRONLY_PROG', 0x100],
    [MAP_FLAGS, 'BPF_F_CLONE', 0x200],
    [MAP_FLAGS, 'BPF_F_MMAPABLE', 0x400],
    [MAP_FLAGS, 'BPF_F_PRESERVE_ELEMS', 0x800],
    [MAP_FLAGS, 'BPF_F_INNER_MAP', 0x1000],
    [MAP_FLAGS, 'BPF_F_LINK', 0x2000],
    [MAP_FLAGS, 'BPF_F_TOKEN_FD', 0x10000],
    [UPDATE_FLAGS, 'BPF_ANY', 0],
    [UPDATE_FLAGS, 'BPF_NOEXIST', 1],
    [UPDATE_FLAGS, 'BPF_EXIST', 2],
    [UPDATE_FLAGS, 'BPF_F_LOCK', 4],
    [PROG_LOAD_FLAGS, 'BPF_F_STRICT_ALIGNMENT', 1],
    [PROG_LOAD_FLAGS, 'BPF_F_SLEEPABLE', 16],
    [PROG_LOAD_FLAGS, 'BPF_F_XDP_HAS_FRAGS', 32],
    [ATTACH_FLAGS, 'BPF_F_ALLOW_OVERRIDE', 1],
    [ATTACH_FLAGS, 'BPF_F_ALLOW_MULTI', 2],
    [ATTACH_FLAGS, 'BPF_F_REPLACE', 4],
    [ATTACH_FLAGS, 'BPF_F_LINK', 0x2000],
    [CSUM_FLAGS, 'BPF_F_RECOMPUTE_CSUM', 1],
    [CSUM_FLAGS, 'BPF_F_INVALIDATE_HASH', 2],
    [CSUM_FLAGS, 'BPF_F_HDR_FIELD_MASK', 0xf],
    [CSUM_FLAGS, 'BPF_F_PSEUDO_HDR', 0x10],
    [CSUM_FLAGS, 'BPF_F_MARK_MANGLED_0', 0x20],
    [REDIRECT_FLAGS, 'BPF_F_INGRESS', 1],
    [REDIRECT_FLAGS, 'BPF_F_BROADCAST', 8],
    [REDIRECT_FLAGS, 'BPF_F_EXCLUDE_INGRESS', 16],
    [STACK_FLAGS, 'BPF_F_USER_STACK', 0x100],
    [STACK_FLAGS, 'BPF_F_REUSE_STACKID', 0x400],
    [PERF_EVENT_FLAGS, 'BPF_F_CURRENT_CPU', 0xffffffff],
    [PERF_EVENT_FLAGS, 'BPF_F_INDEX_MASK', 0xffffffff],
    [PERF_EVENT_FLAGS, 'BPF_F_CTXLEN_MASK', 0x000fffff00000000],
    [RINGBUF_FLAGS, 'BPF_RB_NO_WAKEUP', 1],
    [RINGBUF_FLAGS, 'BPF_RB_FORCE_WAKEUP', 2],
    [RINGBUF_QUERIES, 'BPF_RB_AVAIL_DATA', 0],
    [RINGBUF_QUERIES, 'BPF_RB_RING_SIZE', 1],
    [RINGBUF_QUERIES, 'BPF_RB_CONS_POS', 2],
    [RINGBUF_QUERIES, 'BPF_RB_PROD_POS', 3],
    [LOCAL_STORAGE_FLAGS, 'BPF_LOCAL_STORAGE_GET_F_CREATE', 1],
    [TIMER_FLAGS, 'BPF_F_TIMER_ABS', 1],
    [ADJ_ROOM_MODES, 'BPF_ADJ_ROOM_MAC', 1],
    [FIB_LOOKUP_FLAGS, 'BPF_FIB_LOOKUP_DIRECT', 1],
    [FIB_LOOKUP_FLAGS, 'BPF_FIB_LOOKUP_OUTPUT', 2],
    [FIB_LKUP_RETS, 'BPF_FIB_LKUP_RET_SUCCESS', 0],
    [FIB_LKUP_RETS, 'BPF_FIB_LKUP_RET_NO_NEIGH', 7],
  ])('%#: %s = %i', (e, name, value) => {
    expect(e.valueOf(name)).toBe(value);
  });

  it('keeps every value exact in a double', () => {
    expect(Number.isSafeInteger(PERF_EVENT_FLAG.CTXLEN_MASK)).toBe(true);
    expect(BigInt(PERF_EVENT_FLAG.CTXLEN_MASK)).toBe(0xfffffn << 32n);
  });

  it('names BPF_F_CURRENT_CPU, not the mask, for 0xffffffff', () => {
    expect(PERF_EVENT_FLAGS.nameOf(0xffffffff)).toBe('BPF_F_CURRENT_CPU');
  });

  it.each<[string, UapiEnum, number, string[]]>([
    ['no map flags', MAP_FLAGS, 0, []],
    ['two map flags', MAP_FLAGS, MAP_FLAG.NO_PREALLOC | MAP_FLAG.MMAPABLE, ['BPF_F_NO_PREALLOC', 'BPF_F_MMAPABLE']],
    ['a map flag and bit 31', MAP_FLAGS, MAP_FLAG.RDONLY_PROG + 0x80000000, ['BPF_F_RDONLY_PROG', '0x80000000']],
    ['update flags', UPDATE_FLAGS, UPDATE_FLAG.NOEXIST | UPDATE_FLAG.F_LOCK, ['BPF_NOEXIST', 'BPF_F_LOCK']],
    // multi-bit masks are not flags: their bits are reported as unknown
    ['a csum flag and a field size', CSUM_FLAGS, 0x14, ['BPF_F_PSEUDO_HDR', '0x4']],
    ['a bit above 32', PERF_EVENT_FLAGS, 2 ** 40, ['0x10000000000']],
  ])('flagNames of %s', (_what, e, value, want) => {
    expect(flagNames(e, value)).toEqual(want);
  });

  it.each<[string, number]>([
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['an inexact number', 2 ** 64],
  ])('flagNames refuses %s', (_what, value) => {
    expect(() => flagNames(MAP_FLAGS, value)).toThrow(expect.objectContaining({ code: 'bad_value' }));
  });
});

describe('errno', () => {
  it.each<[string, number, string]>([
    ['EPERM', 1, 'Operation not permitted'],
    ['ENOENT', 2, 'No such file or directory'],
    ['ESRCH', 3, 'No such process'],
    ['EINTR', 4, 'Interrupted system call'],
    ['EIO', 5, 'Input/output error'],
    ['E2BIG', 7, 'Argument list too long'],
    ['EBADF', 9, 'Bad file descriptor'],
    ['EAGAIN', 11, 'Resource temporarily unavailable'],
    ['ENOMEM', 12, 'Cannot allocate memory'],
    ['EACCES', 13, 'Permission denied'],
    ['EFAULT', 14, 'Bad address'],
    ['EBUSY', 16, 'Device or resource busy'],
    ['EEXIST', 17, 'File exists'],
    ['EINVAL', 22, 'Invalid argument'],
    ['ENOSPC', 28, 'No space left on device'],
    ['ERANGE', 34, 'Numerical result out of range'],
    ['ENOSYS', 38, 'Function not implemented'],
    ['ELOOP', 40, 'Too many levels of symbolic links'],
    ['EOPNOTSUPP', 95, 'Operation not supported'],
    ['ETIMEDOUT', 110, 'Connection timed out'],
    ['EHWPOISON', 133, 'Memory page has hardware error'],
    ['ENOTSUPP', 524, 'Operation not supported (kernel-internal ENOTSUPP)'],
  ])('%s = %i', (name, value, text) => {
    expect(ERRNO[name as keyof typeof ERRNO]).toBe(value);
    expect(errnoName(value)).toBe(name);
    expect(errnoValue(name)).toBe(value);
    expect(errnoText(value)).toBe(text);
  });

  it.each<[string, number, string]>([
    ['EWOULDBLOCK', 11, 'EAGAIN'],
    ['EDEADLOCK', 35, 'EDEADLK'],
    ['ENOTSUP', 95, 'EOPNOTSUPP'],
  ])('%s is an alias of %s', (alias, value, primary) => {
    expect(errnoValue(alias)).toBe(value);
    expect(errnoName(value)).toBe(primary);
  });

  it('covers 1..133 but the two numbers Linux leaves unused', () => {
    const primaries = ERRNOS.entries.filter((e) => e.aliasOf === undefined && e.value < 512).map((e) => e.value);
    const want = Array.from({ length: 133 }, (_, i) => i + 1).filter((v) => v !== 41 && v !== 58);
    expect(primaries).toEqual(want);
    for (const v of want) expect(errnoText(v)).not.toMatch(/^Unknown error/);
  });

  it('says so for unknown numbers', () => {
    expect(errnoName(41)).toBeUndefined();
    expect(errnoText(41)).toBe('Unknown error 41');
  });
});

describe('defineUapiEnum', () => {
  const e = defineUapiEnum('enum demo', 'DEMO_', { A: 1, B: 2, OLD_B: 2, C: 3 } as const, ['OLD_B']);

  it.each<[number, string | undefined, string | undefined]>([
    [1, 'DEMO_A', 'A'],
    [2, 'DEMO_B', 'B'],
    [3, 'DEMO_C', 'C'],
    [4, undefined, undefined],
  ])('reverse lookup of %i', (value, name, short) => {
    expect(e.nameOf(value)).toBe(name);
    expect(e.shortNameOf(value)).toBe(short);
  });

  it.each<[string, number | undefined]>([
    ['A', 1],
    ['DEMO_A', 1],
    ['OLD_B', 2],
    ['DEMO_OLD_B', 2],
    ['demo_a', undefined],
    ['DEMO_', undefined],
  ])('valueOf(%s)', (name, value) => {
    expect(e.valueOf(name)).toBe(value);
  });

  it('makes an alias primary only when nothing else names the value', () => {
    const only = defineUapiEnum('enum only', 'X_', { OLD: 7 } as const, ['OLD']);
    expect(only.nameOf(7)).toBeUndefined();
  });
});

describe('every enum', () => {
  it.each<[string, UapiEnum]>([
    ['PROG_TYPES', PROG_TYPES],
    ['MAP_TYPES', MAP_TYPES],
    ['ATTACH_TYPES', ATTACH_TYPES],
    ['LINK_TYPES', LINK_TYPES],
    ['CMDS', CMDS],
    ['XDP_ACTIONS', XDP_ACTIONS],
    ['TC_ACTS', TC_ACTS],
    ['ERRNOS', ERRNOS],
  ])('%s is dense and round-trips its primary names', (_name, e) => {
    const primaries = e.entries.filter((x) => x.aliasOf === undefined);
    const values = primaries.map((x) => x.value);
    expect(new Set(values).size).toBe(values.length);
    if (e !== ERRNOS && e !== TC_ACTS) {
      expect(values).toEqual(Array.from({ length: values.length }, (_, i) => i));
    }
    for (const x of primaries) {
      expect(e.nameOf(x.value)).toBe(x.name);
      expect(e.valueOf(x.name)).toBe(x.value);
      expect(x.name).toBe(e.prefix + x.short);
    }
  });
});
