/**
 * `bpf/bpf_endian.h`: byte-order conversion between the CPU and the network
 * (big endian). Each conversion folds to a constant when its argument is a
 * constant (so `bpf_htons(ETH_P_IP)` costs nothing) and otherwise becomes
 * the BPF byte-swap instruction.
 */
import { comment, header, type GeneratedHeader } from './common';

/** One conversion family: width in bits, the C type, and its public names. */
interface Width {
  readonly bits: 16 | 32 | 64;
  readonly type: string;
  /** [CPU → big endian, big endian → CPU] */
  readonly names: readonly [string, string];
}

const WIDTHS: readonly Width[] = [
  { bits: 16, type: 'unsigned short', names: ['htons', 'ntohs'] },
  { bits: 32, type: 'unsigned int', names: ['htonl', 'ntohl'] },
  { bits: 64, type: 'unsigned long long', names: ['cpu_to_be64', 'be64_to_cpu'] },
];

/** `(((T)(x) & 0xff00) >> 8) | ...`: a byte swap clang folds when `x` is constant. */
function constantSwap(w: Width): string {
  const bytes = w.bits / 8;
  const suffix = w.bits === 64 ? 'ULL' : 'U';
  const terms: string[] = [];
  for (let i = 0; i < bytes; i++) {
    const from = i * 8;
    const to = (bytes - 1 - i) * 8;
    const mask = `0x${'ff'.padEnd(2 + from / 4, '0')}${suffix}`;
    const shift = to > from ? ` << ${to - from}` : to < from ? ` >> ${from - to}` : '';
    terms.push(`((((${w.type})(x)) & ${mask})${shift})`);
  }
  return `#define __bpflab_swab${w.bits}(x) ((${w.type})( \\\n\t${terms.join(' | \\\n\t')}))`;
}

/** Generate `bpf/bpf_endian.h`. */
export function bpfEndianHeader(): GeneratedHeader {
  const swaps = WIDTHS.map(constantSwap).join('\n');
  const le = WIDTHS.flatMap((w) =>
    w.names.flatMap((n) => [
      `#define __bpf_${n}(x) __builtin_bswap${w.bits}(x)`,
      `#define __bpf_constant_${n}(x) __bpflab_swab${w.bits}(x)`,
    ]),
  ).join('\n');
  const be = WIDTHS.flatMap((w) =>
    w.names.flatMap((n) => [`#define __bpf_${n}(x) ((${w.type})(x))`, `#define __bpf_constant_${n}(x) ((${w.type})(x))`]),
  ).join('\n');
  const pub = WIDTHS.flatMap((w) =>
    w.names.map(
      (n) => `#define bpf_${n}(x) \\\n\t(__builtin_constant_p(x) ? __bpf_constant_${n}(x) : __bpf_${n}(x))`,
    ),
  ).join('\n');
  const body = `
${comment(['Byte swaps written out, so that clang folds them for constants.'])}
${swaps}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
${le}
#elif __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
${be}
#else
#error "bpf_endian.h: clang did not say the target's byte order (__BYTE_ORDER__)"
#endif

${comment([
  'bpf_htons/bpf_ntohs (16 bits), bpf_htonl/bpf_ntohl (32 bits),',
  'bpf_cpu_to_be64/bpf_be64_to_cpu (64 bits). The __bpf_constant_* forms',
  'are constant expressions, for case labels and static initialisers.',
])}
${pub}
`;
  return header(
    'bpf/bpf_endian.h',
    ['Byte order conversions (bpf_htons, bpf_ntohl, bpf_cpu_to_be64, ...)', 'that fold to constants when they can.'],
    'bpf-endian.ts',
    body,
  );
}
