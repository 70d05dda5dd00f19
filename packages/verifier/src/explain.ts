/**
 * What the kernel does not give: a plain-language explanation of a
 * rejection and a hint at the usual fix, with the C source line of the
 * failing instruction when line info was given. A separate step after
 * `verify()`, so the log itself stays exactly the kernel's.
 */
import type { VerifyResult } from './report';
import type { LineInfo } from './types';

/** An explanation of a rejected program. */
export interface Explanation {
  /** the kernel's error line */
  readonly error: string;
  /** instruction index (slot) of the failing instruction, -1 when it is about the whole program */
  readonly pc: number;
  /** the C source line of that instruction, when known */
  readonly source?: LineInfo;
  /** what went wrong, in plain words */
  readonly explanation: string;
  /** what usually fixes it */
  readonly hint: string;
  /** the whole thing as text for a terminal: error, source, explanation, hint */
  readonly text: string;
}

interface Rule {
  readonly test: RegExp;
  readonly explain: (m: RegExpMatchArray) => { explanation: string; hint: string };
}

const RULES: readonly Rule[] = [
  {
    test: /^R(\d+) invalid mem access '(\w+)_or_null'/,
    explain: (m) => ({
      explanation: `R${m[1]} may be NULL here: it came from a helper such as bpf_map_lookup_elem() that returns NULL when there is nothing to return, and the program dereferences it without checking.`,
      hint: `Test the pointer before using it: \`if (!value) return 0;\` right after the lookup. Every path that reaches the access must have passed the check.`,
    }),
  },
  {
    test: /^R(\d+) invalid mem access 'scalar'/,
    explain: (m) => ({
      explanation: `R${m[1]} holds a plain number, not a pointer, yet the program reads or writes memory through it. This often happens on the branch where a lookup returned NULL (the pointer became the number 0), or when a pointer was computed in a way the verifier cannot follow.`,
      hint: 'Make sure the access only happens on the path where the pointer was checked non-NULL, and keep pointers in registers or stack slots as whole 64-bit values.',
    }),
  },
  {
    test: /^R(\d+) invalid mem access '(\w+)'/,
    explain: (m) => ({
      explanation: `R${m[1]} is a ${m[2]} pointer, and memory cannot be accessed through that kind of pointer.`,
      hint: 'Only context, stack, map value, packet and helper-returned memory pointers can be dereferenced; pass other pointers to helpers instead.',
    }),
  },
  {
    test: /^(invalid access to packet|R\d+ offset is outside of the packet)/,
    explain: () => ({
      explanation:
        'The program reads or writes packet bytes the verifier cannot prove are inside the packet. Before touching bytes [p, p + n), it must see a comparison showing p + n <= data_end on this path.',
      hint: 'Compare before each header access: `if ((void *)(eth + 1) > data_end) return XDP_PASS;` — and check the whole header size (sizeof(struct iphdr), not just the field you read), after every change of the pointer.',
    }),
  },
  {
    test: /^invalid (indirect )?read from stack/,
    explain: () => ({
      explanation:
        'Stack memory is read (by the program or by a helper that receives a pointer to it) before the program has written it. Unprivileged programs may not read uninitialised stack.',
      hint: 'Initialise the variable or buffer first, e.g. `__u32 key = 0;` or `struct event e = {};`, before passing its address to a helper.',
    }),
  },
  {
    test: /^invalid (read from|write to) stack R(\d+) off=(-?\d+) size=(\d+)/,
    explain: (m) => ({
      explanation: `The access at offset ${m[3]} (${m[4]} bytes) is outside the 512-byte stack frame (offsets -512 to -1 from r10), or reads stack that was never written.`,
      hint: 'Keep local variables small (at most 512 bytes in total) and address them only through r10 with negative offsets; use a per-CPU array map for big buffers.',
    }),
  },
  {
    test: /^infinite loop detected at insn (\d+)/,
    explain: (m) => ({
      explanation: `The verifier came back to insn ${m[1]}, inside a loop, with exactly the state it had there the time before: nothing the loop does changes what decides whether it ends, so it would run forever.`,
      hint: 'Make the loop variable change on every iteration (a forgotten `i++`?) and test it against a bound the verifier can see: `for (int i = 0; i < 64; i++)`.',
    }),
  },
  {
    test: /^BPF program is too large/,
    explain: () => ({
      explanation:
        'The verifier walks every iteration of every loop, and here it used up its budget of 1,000,000 processed instructions: it cannot see where the loop ends (its bound comes from data it cannot know), or the loop runs too many iterations.',
      hint: 'Give the loop a constant bound the verifier can see (`for (int i = 0; i < 64; i++)`, or clamp a bound from data first: `if (n > 64) n = 64;`), or use bpf_loop() for many iterations.',
    }),
  },
  {
    test: /^back-edge from insn/,
    explain: () => ({
      explanation: 'The program has a loop, and loops are only allowed for programs loaded with CAP_BPF (root).',
      hint: 'Load the program as root, or unroll the loop with a constant bound (`#pragma unroll` over `for (int i = 0; i < 8; i++)`).',
    }),
  },
  {
    test: /^The sequence of (\d+) jumps is too complex/,
    explain: () => ({
      explanation: 'Too many branches are pending at once: the verifier keeps every not-yet-explored side of a condition, at most 8192.',
      hint: 'Reduce independent conditions in straight-line code, move repeated checks into a loop or a function, or let the compiler merge them.',
    }),
  },
  {
    test: /^program of this type cannot use helper (\w+)#(\d+)/,
    explain: (m) => ({
      explanation: `${m[1]}() is not available to this program type: each hook exposes its own set of helpers.`,
      hint: 'Check the helper list of your program type (SEC name), or move that work to a program type that has the helper.',
    }),
  },
  {
    test: /^(invalid|unknown) func (\w+)#(\d+)/,
    explain: (m) => ({
      explanation: `Helper number ${m[3]} does not exist in this kernel.`,
      hint: 'Call helpers through bpf_helpers.h by name; a raw number is probably a typo or a helper from a newer kernel.',
    }),
  },
  {
    test: /^cannot call GPL-restricted function from non-GPL compatible program/,
    explain: () => ({
      explanation: 'The program calls a helper reserved to GPL-compatible programs, but its license section is not GPL-compatible.',
      hint: 'Declare a GPL-compatible license: `char LICENSE[] SEC("license") = "GPL";` (or "Dual BSD/GPL").',
    }),
  },
  {
    test: /^R(\d+) !read_ok/,
    explain: (m) => ({
      explanation: `R${m[1]} is read before anything was written to it on this path. After a helper call r1-r5 are scratched, and a function's result is only in r0.`,
      hint: 'Set the register before using it; keep values you need across calls in r6-r9 or on the stack.',
    }),
  },
  {
    test: /^invalid bpf_context access off=(\d+) size=(\d+)/,
    explain: (m) => ({
      explanation: `The context structure has no readable (or writable) field at byte ${m[1]} with a ${m[2]}-byte access.`,
      hint: 'Access context fields by name through the right struct for the program type, with their exact size; packet data is reached through data/data_end, not by offset in the context.',
    }),
  },
  {
    test: /^(invalid access to map value|R\d+ (min|max) value is outside of the allowed memory range)/,
    explain: () => ({
      explanation: 'The access falls outside the map value: an offset past value_size, or an index the verifier cannot bound.',
      hint: 'Check indexes against the array size before using them (`if (i >= MAX) return 0;`) and use unsigned types for them.',
    }),
  },
  {
    test: /^R(\d+) (min value is negative|unbounded memory access)/,
    explain: () => ({
      explanation: 'A variable offset or size has no lower or upper bound the verifier can see, so the access could go anywhere.',
      hint: 'Bound the variable with a comparison (`if (len > 64) return 0;`) or a mask (`len &= 63;`) before using it as an offset or size; prefer unsigned types.',
    }),
  },
  {
    test: /leaks addr/,
    explain: () => ({
      explanation: 'An unprivileged program may not reveal kernel addresses: storing a pointer into a map, returning it, or passing it as a number to a helper would.',
      hint: 'Store and return values, not pointers; or load the program as root.',
    }),
  },
  {
    test: /^At (program|callback) exit the register R0 (has|is not)/,
    explain: () => ({
      explanation: 'The value returned is outside what this program type may return.',
      hint: 'Return one of the verdicts the hook defines (for example XDP_PASS/XDP_DROP, or 0/1), and make sure every path sets r0 to such a constant.',
    }),
  },
  {
    test: /^Unreleased reference/,
    explain: () => ({
      explanation: 'A resource acquired by a helper (a ring buffer record from bpf_ringbuf_reserve()) is not released on some path.',
      hint: 'On every path after a successful reserve, call bpf_ringbuf_submit() or bpf_ringbuf_discard().',
    }),
  },
  {
    test: /^(unreachable insn|last insn is not an exit or jmp|jump out of range|jump into the middle of ldimm64)/,
    explain: () => ({
      explanation: 'The control flow of the program is malformed: dead code, a jump outside the program, or code that runs off the end.',
      hint: 'Every path must end in `exit`; remove code no path reaches. With hand-written assembly, recount jump offsets.',
    }),
  },
  {
    test: /^div by zero/,
    explain: () => ({
      explanation: 'The program divides by the constant 0.',
      hint: 'Divide by a non-zero constant; division by a register that is 0 at run time is allowed and gives 0.',
    }),
  },
];

/**
 * Explains the first error of a verification result, or returns
 * `undefined` when the program was accepted.
 */
export function explain(result: VerifyResult): Explanation | undefined {
  const err = result.errors[0];
  if (err === undefined) return undefined;
  let explanation = 'The verifier could not prove this instruction safe on every path that reaches it.';
  let hint = 'Read the log backwards from the error: the register states on the lines before it show what the verifier knew.';
  for (const rule of RULES) {
    const m = err.message.match(rule.test);
    if (m) {
      ({ explanation, hint } = rule.explain(m));
      break;
    }
  }
  const src = result.sourceLine;
  const where = src
    ? `${src.file ?? ''}${src.lineNumber !== undefined ? `:${src.lineNumber}` : ''}`.replace(/^:/, 'line ')
    : '';
  const at = err.pc >= 0 && !err.message.includes(`insn ${err.pc}`) ? ` (insn ${err.pc})` : '';
  const lines = [`error: ${err.message}${at}`];
  if (src) lines.push(`  at ${where ? `${where}: ` : ''}${src.line.trim()}`);
  lines.push(`why: ${explanation}`, `hint: ${hint}`);
  return {
    error: err.message,
    pc: err.pc,
    ...(src === undefined ? {} : { source: src }),
    explanation,
    hint,
    text: lines.join('\n'),
  };
}
