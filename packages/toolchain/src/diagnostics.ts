/**
 * Clang's diagnostics as data, and back as text for students.
 *
 * clang prints (with `-fno-color-diagnostics`):
 *
 * ```
 * In file included from prog.c:3:
 * In file included from include/bpf/bpf_helpers.h:5:
 * include/bpf/other.h:40:1: error: unknown type name '__u64'
 * static __u64 (* const bpf_ktime_get_ns)(void) = (void *) 5;
 *        ^
 * prog.c:12:3: warning: unused variable 'x' [-Wunused-variable]
 *     12 |   int x;          <- clang 17 and later add this line-number gutter
 *        |       ^
 * 1 warning and 1 error generated.
 * ```
 */
import { helperByName } from '@bpflab/uapi';

/** How serious a diagnostic is; clang's `fatal error` is an `error`, `remark` a `note`. */
export type Severity = 'error' | 'warning' | 'note';

/** Where a header was included from (`In file included from prog.c:3:`). */
export interface IncludeSite {
  readonly file: string;
  readonly line: number;
}

/** One diagnostic clang printed. */
export interface Diagnostic {
  /** the file as clang names it; `''` when clang gives no location (driver messages) */
  readonly file: string;
  /** 1-based line; 0 without a location */
  readonly line: number;
  /** 1-based column, in bytes as clang counts; 0 without a location */
  readonly column: number;
  readonly severity: Severity;
  /** clang's message, without the option suffix (`unused variable 'x'`) */
  readonly message: string;
  /** the option in brackets after the message (`-Wunused-variable`), when there is one */
  readonly option?: string;
  /** the source line clang quoted (tabs expanded as clang expands them) */
  readonly sourceLine?: string;
  /** the caret line under it (`      ^~~~`) */
  readonly caret?: string;
  /** the fix-it line under the caret (`      ;`), when clang suggests one */
  readonly fixIt?: string;
  /** the chain of `#include`s that led to `file`, outermost first, as clang prints it */
  readonly includedFrom: readonly IncludeSite[];
  /** a plain-language hint for a common mistake, when bpflab knows one */
  readonly hint?: string;
}

const LOCATED = /^(.+?):(\d+):(\d+): (fatal error|error|warning|note|remark): (.*)$/;
const UNLOCATED = /^(?:\S+: )?(fatal error|error|warning|note|remark): (.*)$/;
const INCLUDED_FIRST = /^In file included from (.+):(\d+):$/;
const INCLUDED_MORE = /^\s+from (.+):(\d+):$/;
const SUMMARY = /^\d+ (?:errors?|warnings?)(?: and \d+ errors?)? generated\.$/;
const OPTION = / \[(-[^\]\s]+)\]$/;
const GUTTER_NUMBERED = /^ *\d+ \|(?: (.*))?$/;
const GUTTER_BLANK = /^ *\|(?: (.*))?$/;
const CARET = /^[ \t~^]*\^[ \t~^]*$/;

function severityOf(s: string): Severity {
  switch (s) {
    case 'fatal error':
    case 'error':
      return 'error';
    case 'warning':
      return 'warning';
    default:
      return 'note';
  }
}

interface Building {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  message: string;
  option: string | undefined;
  snippet: string[];
  gutter: boolean | undefined;
  includedFrom: readonly IncludeSite[];
}

function finish(b: Building): Diagnostic {
  const [sourceLine, caretLine, fixIt] = b.snippet;
  const hasCaret = caretLine !== undefined && CARET.test(caretLine);
  const base = {
    file: b.file,
    line: b.line,
    column: b.column,
    severity: b.severity,
    message: b.message,
    includedFrom: b.includedFrom,
  };
  const d: Diagnostic = {
    ...base,
    ...(b.option !== undefined ? { option: b.option } : {}),
    ...(sourceLine !== undefined && hasCaret ? { sourceLine, caret: caretLine } : {}),
    ...(hasCaret && fixIt !== undefined && fixIt.trim() !== '' ? { fixIt } : {}),
  };
  const hint = hintFor(d);
  return hint === undefined ? d : { ...d, hint };
}

/**
 * Parse what clang wrote to stderr into diagnostics, in the order printed.
 * Lines that are not diagnostics (the `N errors generated.` summary, crash
 * reports) are skipped. Both the classic snippet and the numbered gutter of
 * clang 17+ are understood.
 */
export function parseDiagnostics(stderr: string): readonly Diagnostic[] {
  const out: Diagnostic[] = [];
  let cur: Building | undefined;
  let pendingIncludes: IncludeSite[] | undefined;
  let lastFile: string | undefined;
  let lastIncludes: readonly IncludeSite[] = [];
  const close = (): void => {
    if (cur !== undefined) out.push(finish(cur));
    cur = undefined;
  };
  const start = (file: string, line: number, column: number, sev: string, rest: string): void => {
    close();
    const opt = OPTION.exec(rest);
    let includedFrom: readonly IncludeSite[];
    if (pendingIncludes !== undefined) includedFrom = pendingIncludes;
    else if (file !== '' && file === lastFile) includedFrom = lastIncludes;
    else includedFrom = [];
    pendingIncludes = undefined;
    if (file !== '') {
      lastFile = file;
      lastIncludes = includedFrom;
    }
    cur = {
      file,
      line,
      column,
      severity: severityOf(sev),
      message: opt === null ? rest : rest.slice(0, opt.index),
      option: opt?.[1],
      snippet: [],
      gutter: undefined,
      includedFrom,
    };
  };
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw;
    let m: RegExpExecArray | null;
    if ((m = INCLUDED_FIRST.exec(line)) !== null) {
      // one line per level, outermost first; a diagnostic ends the chain
      close();
      pendingIncludes = [...(pendingIncludes ?? []), { file: m[1] ?? '', line: Number(m[2]) }];
      continue;
    }
    if (pendingIncludes !== undefined && (m = INCLUDED_MORE.exec(line)) !== null) {
      pendingIncludes.push({ file: m[1] ?? '', line: Number(m[2]) });
      continue;
    }
    if ((m = LOCATED.exec(line)) !== null) {
      start(m[1] ?? '', Number(m[2]), Number(m[3]), m[4] ?? 'error', m[5] ?? '');
      continue;
    }
    if ((m = UNLOCATED.exec(line)) !== null) {
      start('', 0, 0, m[1] ?? 'error', m[2] ?? '');
      continue;
    }
    if (SUMMARY.test(line)) {
      close();
      continue;
    }
    if (cur === undefined || cur.file === '') continue;
    if (cur.gutter === undefined) cur.gutter = GUTTER_NUMBERED.test(line);
    if (cur.gutter) {
      const g = GUTTER_NUMBERED.exec(line) ?? GUTTER_BLANK.exec(line);
      if (g === null) {
        close();
        continue;
      }
      cur.snippet.push(g[1] ?? '');
    } else {
      cur.snippet.push(line);
    }
  }
  close();
  return out;
}

/** Where each macro or helper a student may forget to include lives. */
const MACRO_HEADERS: Readonly<Record<string, string>> = {
  bpf_printk: 'bpf/bpf_helpers.h',
  bpf_tail_call_static: 'bpf/bpf_helpers.h',
  SEC: 'bpf/bpf_helpers.h',
  __uint: 'bpf/bpf_helpers.h',
  __type: 'bpf/bpf_helpers.h',
  BPF_CORE_READ: 'bpf/bpf_core_read.h',
  BPF_CORE_READ_INTO: 'bpf/bpf_core_read.h',
  BPF_CORE_READ_STR_INTO: 'bpf/bpf_core_read.h',
  BPF_PROBE_READ: 'bpf/bpf_core_read.h',
  bpf_core_read: 'bpf/bpf_core_read.h',
  bpf_core_field_exists: 'bpf/bpf_core_read.h',
  bpf_core_type_exists: 'bpf/bpf_core_read.h',
  bpf_core_enum_value: 'bpf/bpf_core_read.h',
  bpf_htons: 'bpf/bpf_endian.h',
  bpf_ntohs: 'bpf/bpf_endian.h',
  bpf_htonl: 'bpf/bpf_endian.h',
  bpf_ntohl: 'bpf/bpf_endian.h',
  BPF_PROG: 'bpf/bpf_tracing.h',
  BPF_KPROBE: 'bpf/bpf_tracing.h',
  BPF_KRETPROBE: 'bpf/bpf_tracing.h',
  PT_REGS_PARM1: 'bpf/bpf_tracing.h',
  PT_REGS_RC: 'bpf/bpf_tracing.h',
};

const TYPES_FIRST = 'include "vmlinux.h", <linux/bpf.h> or <bpf/bpf_uapi.h> first, before the <bpf/...> headers';

/**
 * A plain-language hint for a diagnostic students often meet, or
 * `undefined`.
 */
export function hintFor(d: Pick<Diagnostic, 'message' | 'severity'>): string | undefined {
  const msg = d.message;
  let m: RegExpExecArray | null;
  if (/^unknown type name '__[us](8|16|32|64)'$/.test(msg)) return `the kernel's integer types are missing: ${TYPES_FIRST}`;
  if ((m = /^'(asm\/[\w./-]+)' file not found$/.exec(msg)) !== null) {
    return (
      `<${m[1]}> lives in the multiarch include directory (/usr/include/<triple>/asm), ` +
      'which bpflab adds when it exists: install linux-libc-dev (Debian/Ubuntu) or kernel-headers (Fedora), ' +
      'or use "vmlinux.h" or <bpf/bpf_uapi.h> instead of <linux/...> headers'
    );
  }
  if ((m = /^'(linux\/[\w./-]+)' file not found$/.exec(msg)) !== null) {
    return (
      `<${m[1]}> is one of the kernel's UAPI headers: install linux-libc-dev (Debian/Ubuntu) or kernel-headers (Fedora); ` +
      'on other systems use "vmlinux.h" or the kit\'s <bpf/bpf_uapi.h>'
    );
  }
  if ((m = /^'(bpf\/[\w.]+)' file not found$/.exec(msg)) !== null) {
    return `<${m[1]}> is not one of the kit's headers (bpf_helpers.h, bpf_core_read.h, bpf_tracing.h, bpf_endian.h, bpf_uapi.h)`;
  }
  if ((m = /^(?:call to undeclared function|implicit declaration of function) '(\w+)'/.exec(msg)) !== null) {
    const name = m[1] ?? '';
    const where = MACRO_HEADERS[name];
    if (where !== undefined) return `${name} comes from <${where}>: include it`;
    if (name.startsWith('bpf_')) {
      return helperByName(name) !== undefined
        ? `${name} is a helper declared in <bpf/bpf_helpers.h>: include it`
        : `there is no helper called ${name}: the helpers are declared in <bpf/bpf_helpers.h>`;
    }
    return undefined;
  }
  if ((m = /^use of undeclared identifier '((?:BPF_MAP_TYPE|XDP|BPF_F|BPF_RB)_\w+|BPF_ANY|BPF_NOEXIST|BPF_EXIST)'$/.exec(msg)) !== null) {
    return `${m[1]} is a constant of <linux/bpf.h>: ${TYPES_FIRST}`;
  }
  if ((m = /^(?:incomplete definition of type|variable has incomplete type|incomplete type) 'struct (\w+)'/.exec(msg)) !== null) {
    return (
      `struct ${m[1]} is declared but its fields are not: include the header that defines it ` +
      '("vmlinux.h" for kernel structs, or the <linux/...> header), or define the fields you read with __attribute__((preserve_access_index))'
    );
  }
  if (/^redefinition of enumerator 'BPF_/.test(msg)) {
    return '<bpf/bpf_uapi.h> came before <linux/bpf.h>: include only one of them, or <linux/bpf.h> first';
  }
  if (/^expected ';'/.test(msg)) return 'a statement or declaration is missing its ; (look at the end of the previous line too)';
  return undefined;
}

/** Options of {@link formatDiagnostics}. */
export interface FormatDiagnosticsOptions {
  /** colour with ANSI escapes (default false) */
  readonly color?: boolean;
  /** print each diagnostic's hint (default true) */
  readonly hints?: boolean;
  /** print the `In file included from` chain (default true) */
  readonly includeStack?: boolean;
  /** end with a count of errors and warnings (default true) */
  readonly summary?: boolean;
}

/** Defaults of {@link FormatDiagnosticsOptions}. */
export const DEFAULT_FORMAT_DIAGNOSTICS_OPTIONS: Required<FormatDiagnosticsOptions> = {
  color: false,
  hints: true,
  includeStack: true,
  summary: true,
};

const ANSI = { bold: '\x1b[1m', red: '\x1b[31m', magenta: '\x1b[35m', cyan: '\x1b[36m', green: '\x1b[32m', reset: '\x1b[0m' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Diagnostics as a student reads them: `file:line:col: severity: message`,
 * the source line under a line-number gutter, the caret, clang's fix-it,
 * and a hint for common mistakes.
 *
 * ```
 * prog.c:7:10: error: use of undeclared identifier 'pidd'
 *     7 |   return pidd;
 *       |          ^
 * 1 error
 * ```
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatDiagnosticsOptions = {}): string {
  const o = { ...DEFAULT_FORMAT_DIAGNOSTICS_OPTIONS, ...options };
  const paint = (code: string, s: string): string => (o.color ? `${code}${s}${ANSI.reset}` : s);
  const lines: string[] = [];
  let lastChain = '';
  for (const d of diagnostics) {
    // like clang, say how a header was reached when that changes
    const chain = JSON.stringify([d.file, d.includedFrom]);
    if (o.includeStack && d.severity !== 'note' && chain !== lastChain) {
      for (const site of d.includedFrom) lines.push(`In file included from ${site.file}:${site.line}:`);
    }
    if (d.severity !== 'note') lastChain = chain;
    const sevColor = d.severity === 'error' ? ANSI.red : d.severity === 'warning' ? ANSI.magenta : ANSI.cyan;
    const where = d.file === '' ? '' : `${d.file}:${d.line}:${d.column}: `;
    const option = d.option === undefined ? '' : ` [${d.option}]`;
    lines.push(`${paint(ANSI.bold, where)}${paint(ANSI.bold + sevColor, `${d.severity}:`)} ${paint(ANSI.bold, d.message)}${option}`);
    if (d.sourceLine !== undefined) {
      const num = String(d.line);
      const pad = ' '.repeat(num.length);
      lines.push(` ${num} | ${d.sourceLine}`.trimEnd());
      if (d.caret !== undefined) lines.push(` ${pad} | ${paint(ANSI.green, d.caret.trimEnd())}`);
      if (d.fixIt !== undefined) lines.push(` ${pad} | ${paint(ANSI.green, d.fixIt.trimEnd())}`);
    }
    if (o.hints && d.hint !== undefined) lines.push(`${paint(ANSI.bold, 'hint:')} ${d.hint}`);
  }
  if (o.summary) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    const parts = [...(errors > 0 ? [plural(errors, 'error')] : []), ...(warnings > 0 ? [plural(warnings, 'warning')] : [])];
    lines.push(parts.length === 0 ? 'no errors or warnings' : parts.join(' and '));
  }
  return `${lines.join('\n')}\n`;
}
