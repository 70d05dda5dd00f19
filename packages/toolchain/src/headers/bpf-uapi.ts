/**
 * `bpf/bpf_uapi.h`: the kit's stand-in for the parts of `<linux/bpf.h>` a
 * BPF program needs when the machine has no Linux headers (macOS, Windows):
 * the `__u32`-style integer types and the constants of @bpflab/uapi's
 * tables (map types, update and helper flags, XDP actions).
 *
 * The scheme, libbpf's convention: a program includes one provider of the
 * kernel's types first — `"vmlinux.h"`, `<linux/bpf.h>` or this header —
 * then `<bpf/bpf_helpers.h>`. This header declares nothing when
 * `<linux/bpf.h>` or `vmlinux.h` came before it, so adding it never
 * conflicts with them; its integer typedefs are the ones `<linux/types.h>`
 * makes, so the two may come in either order.
 */
import {
  ADJ_ROOM_FLAGS,
  ADJ_ROOM_MODES,
  CSUM_FLAGS,
  FIB_LKUP_RETS,
  FIB_LOOKUP_FLAGS,
  LOCAL_STORAGE_FLAGS,
  MAP_FLAGS,
  MAP_TYPES,
  PERF_EVENT_FLAGS,
  REDIRECT_FLAGS,
  RINGBUF_FLAGS,
  RINGBUF_QUERIES,
  STACK_FLAGS,
  TIMER_FLAGS,
  UPDATE_FLAGS,
  XDP_ACTIONS,
  type UapiEnum,
} from '@bpflab/uapi';
import { cNumber, comment, header, type GeneratedHeader } from './common';

/** An enum of the UAPI tables, and whether its values read best in hex. */
export interface EnumSpec {
  readonly table: UapiEnum;
  readonly hex: boolean;
}

/** The tables bpf_uapi.h declares, in output order. */
export const UAPI_HEADER_ENUMS: readonly EnumSpec[] = [
  { table: MAP_TYPES, hex: false },
  { table: UPDATE_FLAGS, hex: false },
  { table: MAP_FLAGS, hex: true },
  { table: XDP_ACTIONS, hex: false },
  { table: CSUM_FLAGS, hex: true },
  { table: REDIRECT_FLAGS, hex: true },
  { table: STACK_FLAGS, hex: true },
  { table: PERF_EVENT_FLAGS, hex: true },
  { table: RINGBUF_FLAGS, hex: true },
  { table: RINGBUF_QUERIES, hex: false },
  { table: LOCAL_STORAGE_FLAGS, hex: true },
  { table: TIMER_FLAGS, hex: true },
  { table: ADJ_ROOM_MODES, hex: false },
  { table: ADJ_ROOM_FLAGS, hex: true },
  { table: FIB_LOOKUP_FLAGS, hex: true },
  { table: FIB_LKUP_RETS, hex: false },
];

/** Integer typedefs, spelled as `<asm-generic/int-ll64.h>` and `<linux/types.h>` spell them. */
const TYPES: readonly (readonly [string, string])[] = [
  ['signed char', '__s8'],
  ['unsigned char', '__u8'],
  ['signed short', '__s16'],
  ['unsigned short', '__u16'],
  ['signed int', '__s32'],
  ['unsigned int', '__u32'],
  ['signed long long', '__s64'],
  ['unsigned long long', '__u64'],
  ['__u16', '__le16'],
  ['__u16', '__be16'],
  ['__u32', '__le32'],
  ['__u32', '__be32'],
  ['__u64', '__le64'],
  ['__u64', '__be64'],
  ['__u16', '__sum16'],
  ['__u32', '__wsum'],
];

function enumText(spec: EnumSpec): string {
  const { table, hex } = spec;
  const named = table.cName.startsWith('enum ');
  const width = Math.max(...table.entries.map((e) => e.name.length));
  const lines = table.entries.map((e) => {
    const alias = e.aliasOf === undefined ? '' : `\t/* same as ${table.prefix}${e.aliasOf} */`;
    return `\t${e.name.padEnd(width)} = ${cNumber(e.value, hex)},${alias}`;
  });
  const head = comment([named ? `${table.cName}` : `${table.cName} (${table.prefix}*)`]);
  return `${head}\n${named ? table.cName : 'enum'} {\n${lines.join('\n')}\n};`;
}

/** Generate `bpf/bpf_uapi.h`. */
export function bpfUapiHeader(): GeneratedHeader {
  const typedefs = TYPES.map(([from, to]) => `typedef ${from} ${to};`).join('\n');
  const body = `
#if !defined(__VMLINUX_H__) && !defined(__LINUX_BPF_H__) && !defined(_UAPI__LINUX_BPF_H__)

#if !defined(_LINUX_TYPES_H) && !defined(_UAPI_LINUX_TYPES_H)
${comment([
  'The integer types of <linux/types.h>. Repeating a typedef with the same',
  'type is valid C11, so <linux/types.h> may still be included after this.',
])}
${typedefs}
#endif

${UAPI_HEADER_ENUMS.map(enumText).join('\n\n')}

#endif /* no <linux/bpf.h> or vmlinux.h yet */
`;
  return header(
    'bpf/bpf_uapi.h',
    [
      'The types and constants of <linux/bpf.h> a BPF program needs, for',
      'machines without Linux headers.',
      '',
      'Include it first, in place of <linux/bpf.h> or "vmlinux.h" (libbpf\'s',
      'convention: the kernel\'s types come before <bpf/bpf_helpers.h>). After',
      '<linux/bpf.h> or "vmlinux.h" it declares nothing; do not include',
      '<linux/bpf.h> after it (the enumerators would be declared twice).',
    ],
    'bpf-uapi.ts',
    body,
  );
}
