// `bpflab verify`: the seed's XDP firewall is accepted; each classic
// mistake, written as C in tests/goldens/verify/, is rejected with the
// kernel's error line, the C line, an explanation and a hint: the firewall
// without the UDP header's data_end check (`invalid access to packet`), a
// missing NULL check after bpf_map_lookup_elem (`R0 invalid mem access
// 'map_value_or_null'`), an uninitialised key read by a helper when loaded
// without privileges (`invalid read from stack`), a non-GPL license calling
// a GPL-only helper; and the seed's bounded-vs-unbounded loop demo (the
// bounded loop accepted, the unbounded one rejected with `infinite loop
// detected`); the verifier-loops lab's starter itself, whose loop bound is re-read
// from a map (`The sequence of 8193 jumps is too complex.`, explained as
// a loop the verifier could not bound, with its C line), a loop with a huge
// constant bound (`BPF program is too large`), an XDP program calling a
// helper of sk_buff programs (`program of this type cannot use helper`,
// from the verifier with its log, not a load error) and an unknown helper
// in dead code (accepted, as Linux accepts it). Each verdict, error line,
// processed count and errno was checked by hand against Linux 6.18
// (`bpftool prog load` of the same C built with -mcpu=v3). `--states` prints the
// state at each processed instruction per path (golden), `--states-html`
// writes a page whose structure, escaping and coverage are checked.
// The C is built with clang in a temp dir (a visible skip without clang).
// The outputs are golden files in tests/goldens/verify/ (UPDATE_GOLDEN=1
// rewrites them), checked only with the clang major version recorded in
// tests/goldens/clang-major, since they depend on clang's code generation.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type Io } from '../src/index';

const HERE = dirname(fileURLToPath(import.meta.url));
const SEED = join(HERE, '..', '..', 'toolchain', 'tests', 'fixtures', 'programs', 'xdp_firewall.bpf.c');
const GOLDENS = join(HERE, 'goldens', 'verify');
const LOOPS_STARTER = join(HERE, '..', '..', '..', 'labs', 'verifier-loops', 'starter', 'sum.bpf.c');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const tmp = mkdtempSync(join(tmpdir(), 'bpflab-verify-'));

function clangMajor(): number | undefined {
  try {
    const m = /clang version (\d+)\./.exec(execFileSync(process.env.CLANG ?? 'clang', ['--version'], { encoding: 'utf8' }));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
const major = clangMajor();
const recordedPath = join(HERE, 'goldens', 'clang-major');
const recorded = existsSync(recordedPath) ? Number(readFileSync(recordedPath, 'utf8').trim()) : undefined;
if (major === undefined) console.warn('bpflab verify tests skipped: clang not found (apt-get install clang)');
else if (!UPDATE && recorded !== major) console.warn(`bpflab verify golden comparisons skipped: the goldens were made with clang ${recorded}, this is clang ${major}`);
const describeClang = major === undefined ? describe.skip : describe;
const checkGoldens = major !== undefined && (UPDATE || recorded === major);

async function bpflab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), cwd: tmp };
  return { code: await main(['node', 'bpflab', ...args], io), out, err };
}

/** Copies a C source into the temp dir (sources are compiled where they are named, by relative path). */
function stage(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  copyFileSync(path, join(tmp, name));
  return name;
}

/** Every element opened is closed, in order (void elements aside), outside script and style. */
function expectBalanced(html: string): void {
  const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', '!doctype']);
  const stack: string[] = [];
  const body = html.replace(/(<script>)[\s\S]*?(<\/script>)|(<style>)[\s\S]*?(<\/style>)/g, (_m, a, b, c, d) => `${a ?? c}${b ?? d}`);
  for (const m of body.matchAll(/<(\/?)([!a-zA-Z][\w-]*)[^>]*>/g)) {
    const tag = m[2]!.toLowerCase();
    if (VOID.has(tag)) continue;
    if (m[1] === '') stack.push(tag);
    else expect(`</${tag}> closes <${stack.pop()}>`).toBe(`</${tag}> closes <${tag}>`);
  }
  expect(stack).toEqual([]);
}

function golden(name: string, text: string): void {
  if (!checkGoldens) return;
  const path = join(GOLDENS, name);
  if (UPDATE) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describeClang('bpflab verify', () => {
  /**
   * The output with the verifier log cut to its last `keep` lines (a loop
   * walked 100,000 times logs megabytes): what the golden holds.
   */
  const cutLog = (out: string, keep: number | undefined): string => {
    if (keep === undefined) return out;
    const lines = out.split('\n');
    const from = lines.indexOf('--- verifier log ---') + 1;
    const to = lines.indexOf('--- end of log ---');
    if (to - from <= keep) return out;
    return [...lines.slice(0, from), `[${to - from - keep} log lines left out]`, ...lines.slice(to - keep)].join('\n');
  };

  it.each<{ name: string; source: string; args?: readonly string[]; code: number; lines: readonly string[]; at?: RegExp; hint?: RegExp; errno?: string; keep?: number }>([
    {
      name: 'xdp_firewall',
      source: SEED,
      code: 0,
      lines: ['xdp_firewall: accepted (program type xdp; context from hook plugin xdp)'],
    },
    {
      name: 'xdp_no_bounds',
      source: join(GOLDENS, 'xdp_no_bounds.bpf.c'),
      code: 1,
      lines: ['invalid access to packet, off=16 size=2, R1(id=1,off=16,r=0)', 'R1 offset is outside of the packet'],
      at: /^ {2}at xdp_no_bounds\.bpf\.c:\d+: if \(udp->dest == bpf_htons\(BLOCKED_PORT\)\)$/m,
      hint: /^hint: .*data_end/m,
    },
    {
      name: 'lookup_no_null',
      source: join(GOLDENS, 'lookup_no_null.bpf.c'),
      code: 1,
      lines: ["R0 invalid mem access 'map_value_or_null'"],
      at: /^ {2}at lookup_no_null\.bpf\.c:\d+: \*count \+= 1;$/m,
      hint: /^hint: Test the pointer before using it/m,
    },
    {
      name: 'uninit_stack',
      source: join(GOLDENS, 'uninit_stack.bpf.c'),
      args: ['--unprivileged'],
      code: 1,
      lines: ['count_packets: rejected (program type socket_filter; context from hook plugin socket)', 'invalid read from stack R2 off=-4 size=4'],
      at: /^ {2}at uninit_stack\.bpf\.c:\d+: __u64 \*count = bpf_map_lookup_elem\(&packets, &key\);$/m,
      hint: /^hint: Initialise the variable or buffer first/m,
    },
    {
      name: 'gpl_only',
      source: join(GOLDENS, 'gpl_only.bpf.c'),
      code: 1,
      lines: ['3: (85) call bpf_trace_printk#6', 'cannot call GPL-restricted function from non-GPL compatible program'],
      at: /^ {2}at gpl_only\.bpf\.c:\d+: bpf_printk\("Hello, execve!"\);$/m,
      hint: /^hint: Declare a GPL-compatible license/m,
      errno: 'invalid argument (EINVAL)',
    },
    {
      name: 'loop_demo',
      source: join(GOLDENS, 'loop_demo.bpf.c'),
      code: 1,
      lines: [
        'bounded: accepted (program type tracepoint; context from hook plugin tracepoint)',
        'processed 103 insns (limit 1000000) max_states_per_insn 2 total_states 5 peak_states 5 mark_read 0',
        'unbounded: rejected (program type tracepoint; context from hook plugin tracepoint)',
        'infinite loop detected at insn 8',
        'processed 13 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0',
        'error: infinite loop detected at insn 8',
      ],
      at: /^ {2}at loop_demo\.bpf\.c:\d+: bpf_printk\("toss %u", i\); \/\* i\+\+ forgotten \*\/$/m,
      hint: /^hint: Make the loop variable change on every iteration/m,
      errno: 'invalid argument (EINVAL)',
    },
    {
      name: 'verifier_loops_starter',
      source: LOOPS_STARTER,
      code: 1,
      lines: [
        'The sequence of 8193 jumps is too complex.',
        'processed 132107 insns (limit 1000000) max_states_per_insn 4 total_states 2069 peak_states 2069 mark_read 0',
        'error: The sequence of 8193 jumps is too complex. (insn 19)',
      ],
      at: /^ {2}at sum\.bpf\.c:\d+: for \(u32 i = 0; i < \*n; i\+\+\) \{\nwhy: The failing instruction is inside the loop at sum\.bpf\.c:\d+, `for \(u32 i = 0; i < \*n; i\+\+\) \{`, and the verifier could not bound that loop\./m,
      hint: /^hint: Give the loop a constant bound the verifier can see.*`for \(i = 0; i < MAX && i < n; i\+\+\)`.*bpf_loop/m,
      errno: 'bad address (EFAULT)',
      keep: 40,
    },
    {
      name: 'loop_too_large',
      source: join(GOLDENS, 'loop_too_large.bpf.c'),
      code: 1,
      lines: ['BPF program is too large. Processed 1000001 insn', 'processed 1000001 insns (limit 1000000) max_states_per_insn 4 total_states 14287 peak_states 14287 mark_read 0'],
      at: /^ {2}at loop_too_large\.bpf\.c:\d+: for \(u32 i = 0; i < 1000000; i\+\+\)\nwhy: The failing instruction is inside the loop at /m,
      hint: /^hint: .*A constant bound must also be small/m,
      errno: 'argument list too long (E2BIG)',
      keep: 40,
    },
    {
      name: 'xdp_helper',
      source: join(GOLDENS, 'xdp_helper.bpf.c'),
      code: 1,
      lines: ['7: (85) call bpf_skb_load_bytes#26', 'program of this type cannot use helper bpf_skb_load_bytes#26', 'processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0'],
      at: /^ {2}at xdp_helper\.bpf\.c:\d+: bpf_skb_load_bytes\(ctx, 23, &proto, 1\);\nwhy: bpf_skb_load_bytes\(\) exists, but programs of this type may not call it/m,
      hint: /^hint: .*bpf_xdp_load_bytes\(\)/m,
      errno: 'invalid argument (EINVAL)',
    },
    {
      name: 'dead_helper',
      source: join(GOLDENS, 'dead_helper.bpf.c'),
      code: 0,
      lines: ['xdp_dead: accepted (program type xdp; context from hook plugin xdp)'],
    },
  ])('$name', async ({ name, source, args, code, lines, at, hint, errno, keep }) => {
    const r = await bpflab('verify', stage(source), ...(args ?? []));
    expect(r.code).toBe(code);
    const out = r.out.split('\n');
    for (const l of lines) expect(out).toContain(l);
    expect(r.out).toMatch(/^processed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read 0$/m);
    if (code === 0) {
      expect(r.err).toBe('');
      expect(r.out).not.toContain('error:');
    } else {
      expect(r.err.endsWith(`was rejected by the verifier: ${errno ?? 'permission denied (EACCES)'}\n`)).toBe(true);
      expect(r.out).toMatch(at!);
      expect(r.out).toMatch(hint!);
      expect(r.out).toMatch(/^why: /m);
    }
    golden(`${name}.out`, `${cutLog(r.out, keep)}exit: ${r.code}\n`);
  });

  it('--log-level 2 logs every path with live registers; --prog picks a program', async () => {
    const r = await bpflab('verify', stage(SEED), '--prog', 'xdp_firewall', '--log-level', '2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('\nLive regs before insn:\n');
    expect(r.out).toMatch(/^from \d+ to \d+: /m);
    golden('xdp_firewall.level2.out', `${r.out}exit: ${r.code}\n`);
  });

  it('the same uninitialised key is allowed for root, as Linux allows it', async () => {
    const r = await bpflab('verify', stage(join(GOLDENS, 'uninit_stack.bpf.c')));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^count_packets: accepted /);
  });

  it('--states: the registers and stack at each processed instruction, path by path', async () => {
    const r = await bpflab('verify', stage(join(GOLDENS, 'lookup_no_null.bpf.c')), '--states');
    expect(r.code).toBe(1);
    const out = r.out.split('\n');
    const from = out.indexOf('--- states: registers and stack when the verifier reached each instruction, path by path ---');
    expect(from).toBeGreaterThan(out.indexOf('--- end of log ---'));
    expect(out.slice(from + 1, from + 5)).toEqual(['path 1: from the start', '  ; __u32 key = ctx->ingress_ifindex;', '  0: (61) r1 = *(u32 *)(r1 +12)', '      R1=ctx() R10=fp0']);
    expect(out).toContain('      R0=map_value_or_null(id=1,map=packets,ks=4,vs=8) R10=fp0 fp-8=mmmm????');
    expect(out).toContain("  path ends: rejected at 7: R0 invalid mem access 'map_value_or_null'");
    // the explanation still comes last
    expect(out.indexOf('--- end of states (1 path, 7 instruction visits) ---')).toBeLessThan(out.findIndex((l) => l.startsWith('error: ')));
    golden('lookup_no_null.states.out', `${r.out}exit: ${r.code}\n`);
  });

  it('--states follows every path: the seed firewall', async () => {
    const r = await bpflab('verify', stage(SEED), '--states');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^path 2: from \d+ to \d+$/m);
    expect(r.out).toMatch(/^ {2}path ends: safe at \d+ \(pruned: /m);
    expect(r.out).toMatch(/^ {2}path ends: exit at \d+$/m);
    const processed = Number(/^processed (\d+) insns/m.exec(r.out)![1]);
    const visits = Number(/, (\d+) instruction visits\) ---$/m.exec(r.out)![1]);
    // every processed instruction is a visit, but for the ones where a path was pruned
    const pruned = (r.out.match(/path ends: safe at/g) ?? []).length;
    expect(visits + pruned).toBe(processed);
    golden('xdp_firewall.states.out', `${r.out}exit: ${r.code}\n`);
  });

  it('--states-html writes a self-contained page: every processed instruction with its states, the error highlighted, all text escaped', async () => {
    const name = stage(join(GOLDENS, 'xdp_no_bounds.bpf.c'));
    const text = await bpflab('verify', name, '--states');
    const r = await bpflab('verify', name, '--states-html', 'states.html');
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('--- states');
    const html = readFileSync(join(tmp, 'states.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<(link|img|iframe)\b|\b(src|href)="(?!#)/i);
    expectBalanced(html);
    // every instruction the text dump shows as processed has a row with states, and a panel
    const processed = new Set([...text.out.matchAll(/^ {2}(\d+): \(/gm)].map((m) => Number(m[1])));
    expect(processed.size).toBeGreaterThan(10);
    for (const pc of processed) {
      expect(html).toContain(`<tr class="insn${pc === 21 ? ' fail' : ''}" id="p0-i${pc}" data-states="p0-s${pc}">`);
      expect(html).toMatch(new RegExp(`<section class="states[^"]*" id="p0-s${pc}"><h3>${pc}: `));
    }
    // rows without states are exactly the instructions no path reached
    const unreached = [...html.matchAll(/<tr class="insn unreached[^"]*" id="p0-i(\d+)"/g)].map((m) => Number(m[1]));
    for (const pc of unreached) expect(processed.has(pc)).toBe(false);
    // the failing instruction: highlighted, the error under it, its states shown when the page opens
    expect(html).toContain('<tr class="err"><td colspan="3">R1 offset is outside of the packet</td></tr>');
    expect(html).toMatch(/<section class="states shown" id="p0-s21">/);
    expect(html).toContain('hint: Compare before each header access');
    // C lines are escaped: `<` and `>` of the source never reach the page raw
    expect(html).toContain('if (ip-&gt;protocol != IPPROTO_UDP || ip-&gt;ihl &lt; 5)');
    expect(html).toContain('<td>fp0</td>');
    const textOnly = html.replace(/<script>[\s\S]*?<\/script>|<style>[\s\S]*?<\/style>/g, '').replace(/<[^>]*>/g, '');
    expect(textOnly).not.toMatch(/[<>]/);
  });

  it('--unprivileged: XDP needs CAP_BPF', async () => {
    const r = await bpflab('verify', stage(SEED), '--unprivileged');
    expect(r.code).toBe(1);
    expect(r.out).toContain('program type xdp needs CAP_BPF and CAP_PERFMON (or CAP_NET_ADMIN); load it as root');
  });

  it.each<[what: string, args: readonly string[], message: RegExp]>([
    ['an unknown program', ['--prog', 'nope'], /no program nope \(programs: xdp_firewall\)/],
    ['a bad log level', ['--log-level', '3'], /--log-level must be 1 or 2, got '3'/],
  ])('exits 2 on %s', async (_what, args, message) => {
    const r = await bpflab('verify', stage(SEED), ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe('bpflab verify without clang', () => {
  it('exits 2 on a file that is not an object', async () => {
    writeFileSync(join(tmp, 'notes.o'), 'not an ELF file');
    const r = await bpflab('verify', 'notes.o');
    expect(r.code).toBe(2);
    expect(r.err).toContain('notes.o: not an ELF object file');
  });
});
