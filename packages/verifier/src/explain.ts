/**
 * What the kernel does not give: a plain-language explanation of a
 * rejection and a hint at the usual fix, with the C source line of the
 * failing instruction when line info was given. A separate step after
 * `verify()`, so the log itself stays exactly the kernel's.
 */
import type { Insn } from '@bpflab/isa';
import { jumpTarget } from './pipeline/cfg';
import type { VerifiedProgram, VerifyResult } from './report';
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
  /** the loop the failing instruction is in, when the explanation is about that loop */
  readonly loop?: LoopInfo;
  /** the whole thing as text for a terminal: error, source, explanation, hint */
  readonly text: string;
}

/** A loop of the program: a back-edge in its control flow graph. */
export interface LoopInfo {
  /** slot the back-edge jumps to: the loop's first instruction */
  readonly header: number;
  /** slot of the jump that goes back */
  readonly latch: number;
  /** the C line of the loop: the line of its exit test, usually the `for`/`while` line */
  readonly source?: LineInfo;
}

/** What a rule says about an error. */
interface Said {
  readonly explanation: string;
  readonly hint: string;
  /** the rule is about the loop around the failing instruction */
  readonly loop?: LoopInfo;
}

/** What a rule may consult besides the message: the loop around the failing instruction. */
interface Where {
  readonly loop: LoopInfo | undefined;
}

interface Rule {
  readonly test: RegExp;
  readonly explain: (m: RegExpMatchArray, where: Where) => Said;
}

/** `file:line` of a line info, or `line N`, or '' */
function place(src: LineInfo): string {
  return `${src.file ?? ''}${src.lineNumber !== undefined ? `:${src.lineNumber}` : ''}`.replace(/^:/, 'line ');
}

/** How a loop is named in an explanation: by its C line when known. */
function loopName(loop: LoopInfo): string {
  const src = loop.source;
  if (src === undefined) return `the loop from insn ${loop.latch} back to insn ${loop.header}`;
  const at = place(src);
  return `the loop at ${at === '' ? '' : `${at}, `}\`${src.line.trim()}\``;
}

const LOOP_BOUND_HINT =
  'Give the loop a constant bound the verifier can see, tested on the loop counter itself: read the limit once into a local variable and write `for (i = 0; i < MAX && i < n; i++)` (with `#define MAX 64`); or use bpf_loop(n, callback, &data, 0), which calls a function n times and verifies it only once.';

const SPECTRE =
  'Without CAP_BPF and CAP_PERFMON the verifier also guards against Spectre (speculative execution): pointer arithmetic must stay provably inside its object even on a mispredicted branch.';

/** A rule that always says the same. */
const fixed = (test: RegExp, explanation: string, hint: string): Rule => ({ test, explain: () => ({ explanation, hint }) });

/** The hint for a return value out of range, by the range the kernel gave. */
function returnHint(range: RegExpExecArray | null): string {
  const lo = range === null ? undefined : Number(range[1]);
  const hi = range === null ? undefined : Number(range[2]);
  if (lo === -4095 && hi === 0) {
    return 'This LSM hook takes 0 (allow) or a negative errno (deny): return -EPERM, not EPERM, and make sure every path returns 0 or a negative errno (passing on a `ret` argument that is not 0 is fine).';
  }
  if (lo === 0 && hi === 1) return 'Return 0 or 1 on every path, as this hook defines.';
  if (lo === 0 && hi === 0) return 'Programs of this type must return 0 on every path.';
  return 'Return one of the verdicts the program type defines (for example XDP_PASS/XDP_DROP), and make sure every path sets r0 to such a constant.';
}

const RULES: readonly Rule[] = [
  /* ---------------------------------------------------- loops and limits */
  {
    test: /^The sequence of (\d+) jumps is too complex/,
    explain: (_m, { loop }) =>
      loop !== undefined
        ? {
            explanation: `The failing instruction is inside ${loopName(loop)}, and the verifier could not bound that loop. Its exit test compares the counter with a value whose range the verifier does not know (such as a number read from a map on every pass), so it kept going round for one more iteration, each time leaving the exit branch pending, until more than 8192 pending branches were too many.`,
            hint: LOOP_BOUND_HINT,
            loop,
          }
        : {
            explanation:
              'Too many branches are pending at once: the verifier follows one side of every condition and keeps the other side to explore later, at most 8192 of them. Many conditions one after another, none of which it can decide, produce that many paths.',
            hint: 'Cut the number of paths: fewer independent conditions in a row, checks merged into one, or work moved into a global (non-static) function, which is verified once on its own.',
          },
  },
  {
    test: /^BPF program is too large/,
    explain: (_m, { loop }) =>
      loop !== undefined
        ? {
            explanation: `The failing instruction is inside ${loopName(loop)}. The verifier walks a loop one iteration at a time, and here it used up its budget of 1,000,000 processed instructions: it cannot see where the loop ends (its bound comes from data it does not know), or the bound is too large to walk.`,
            hint: `${LOOP_BOUND_HINT} A constant bound must also be small: for many iterations, bpf_loop() is the way (up to 8 million).`,
            loop,
          }
        : {
            explanation:
              'The verifier explores every path through the program, and here the paths add up to more than its budget of 1,000,000 processed instructions: too many branches whose combinations it cannot merge.',
            hint: 'Reduce the number of paths: fewer independent conditions, work moved into global (non-static) functions, which are verified once each, or bpf_loop() for repeated work.',
          },
  },
  {
    test: /^infinite loop detected at insn (\d+)/,
    explain: (m, { loop }) => ({
      explanation: `The verifier came back to insn ${m[1]}, inside ${loop ? loopName(loop) : 'a loop'}, with exactly the state it had there the time before: nothing the loop does changes what decides whether it ends, so it would run forever.`,
      hint: 'Make the loop variable change on every iteration (a forgotten `i++`?) and test it against a bound the verifier can see: `for (int i = 0; i < 64; i++)`.',
      ...(loop === undefined ? {} : { loop }),
    }),
  },
  fixed(
    /^back-edge from insn/,
    'The program has a loop, and loops are only allowed for programs loaded with CAP_BPF (root).',
    'Load the program as root, or unroll the loop with a constant bound (`#pragma unroll` over `for (int i = 0; i < 8; i++)`).',
  ),
  {
    test: /^the call stack of (\d+) frames is too deep/,
    explain: (m) => ({
      explanation: `BPF-to-BPF function calls nest ${m[1]} deep, and the verifier allows at most 8 frames. Recursion is never allowed.`,
      hint: 'Flatten the call chain: mark small helpers `static __always_inline`, or call them one after another instead of one inside the other.',
    }),
  },
  {
    test: /^(combined stack size of \d+ calls is|stack size of subprog \d+ is) (\d+)\. Too large/,
    explain: (m) => ({
      explanation: `The stack frames of a chain of BPF-to-BPF calls add up to ${m[2]} bytes, and all frames of one chain together may use at most 512 bytes.`,
      hint: 'Make local variables smaller or fewer along that call chain, inline small functions, or keep big buffers in a per-CPU array map instead of on the stack.',
    }),
  },
  {
    test: /^tail_calls are not allowed when call stack of previous frames is (\d+) bytes/,
    explain: (m) => ({
      explanation: `bpf_tail_call() is called from inside a BPF-to-BPF function, while the frames below it use ${m[1]} bytes of stack: a tail call from a function is allowed only while the callers' frames use at most 256 bytes, since the next program gets its own stack on top.`,
      hint: 'Use less stack in the functions that lead to the tail call (per-CPU array maps for buffers), or call bpf_tail_call() from the main program.',
    }),
  },
  {
    test: /^(tail_call|LD_ABS) is not allowed in subprogs without BTF/,
    explain: (m) => ({
      explanation: `${m[1] === 'tail_call' ? 'bpf_tail_call()' : 'A legacy packet load (LD_ABS/LD_IND)'} is used inside a BPF-to-BPF function, and the kernel allows that only when the program comes with BTF function information.`,
      hint: 'Compile with `-g` so that the object carries BTF (clang -g -O2 -target bpf), or move the call into the main program.',
    }),
  },
  fixed(
    /^loading\/calling other bpf or kernel functions are allowed for CAP_BPF/,
    'The program calls another BPF function (or a kernel function), and BPF-to-BPF calls need CAP_BPF: an unprivileged program must be a single function.',
    'Mark the called functions `static __always_inline`, or load the program as root.',
  ),
  {
    test: /^program type (\w+) needs CAP_BPF/,
    explain: (m) => ({
      explanation: `Programs of type ${m[1]} may only be loaded by a process with CAP_BPF and CAP_PERFMON (or CAP_NET_ADMIN for networking types); this load had no such privilege. Unprivileged users may load socket filters only.`,
      hint: 'Load the program as root (drop --unprivileged, or run with sudo).',
    }),
  },
  fixed(
    /^BPF program is empty/,
    'The program has no instructions.',
    'Check that the function is in the section you load and that it was compiled (a `static` function nothing calls is dropped).',
  ),
  fixed(
    /^(unreachable insn|last insn is not an exit or jmp|jump out of range|jump into the middle of ldimm64|call to invalid destination)/,
    'The control flow of the program is malformed: dead code, a jump or call outside the program, or code that runs off the end.',
    'Every path must end in `exit`; remove code no path reaches. With hand-written assembly, recount jump offsets.',
  ),

  /* ----------------------------------------------------------- registers */
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
    test: /^R(\d+) !read_ok/,
    explain: (m) => ({
      explanation: `R${m[1]} is read before anything was written to it on this path. After a helper call r1-r5 are scratched, and a function's result is only in r0.`,
      hint: 'Set the register before using it; keep values you need across calls in r6-r9 or on the stack.',
    }),
  },
  fixed(
    /^frame pointer is read only/,
    'The program writes to r10, the frame pointer, which is read-only.',
    'Copy it into another register and change that one: `r1 = r10; r1 += -8`.',
  ),
  fixed(
    /leaks addr/,
    'An unprivileged program may not reveal kernel addresses: storing a pointer into a map, the packet or the context, returning it, or passing it as a number to a helper would.',
    'Store and return values, not pointers; or load the program as root.',
  ),
  {
    test: /^R(\d+) pointer comparison prohibited/,
    explain: (m) => ({
      explanation: `R${m[1]} is a pointer, and an unprivileged program may only compare pointers with NULL (and packet pointers with each other): other comparisons would reveal addresses.`,
      hint: 'Compare the values the pointers point to, not the pointers; or load the program as root.',
    }),
  },
  {
    test: /^R(\d+) pointer arithmetic on (\w+) prohibited, null-check it first/,
    explain: (m) => ({
      explanation: `R${m[1]} may still be NULL (${m[2]}), and the program adds an offset to it before checking.`,
      hint: 'Check the pointer right after the lookup (`if (!p) return 0;`), then compute addresses from it.',
    }),
  },
  {
    test: /^R(\d+) pointer arithmetic on (\w+) prohibited/,
    explain: (m) => ({
      explanation: `R${m[1]} is a ${m[2]} pointer, and that kind of pointer may not be moved by arithmetic: only stack, map value, packet and memory pointers may.`,
      hint: 'Use the pointer as it is: read fields with a constant offset in the access itself (`ctx->field`), or pass it unchanged to the helper that expects it.',
    }),
  },
  fixed(
    /prohibited for !root|^uninit stack in range of var-offset write prohibited/,
    `${SPECTRE} Here an offset added to a pointer has bounds that are unknown, of mixed sign, or reach outside the object, or differ between the paths that meet here.`,
    'Bound the offset first with an unsigned comparison or a mask (`idx &= 63;`, `if (idx >= N) return 0;`), prefer constant offsets, initialise stack buffers fully; or load the program as root.',
  ),
  fixed(
    /^R\d+ (pointer \S+ pointer prohibited|32-bit pointer arithmetic prohibited|bitwise operator \S+ on pointer prohibited|pointer arithmetic with \S+ operator prohibited|tried to subtract pointer from scalar|subtraction from stack pointer prohibited|partial copy of pointer|sign-extension part of pointer|pointer arithmetic prohibited)/,
    'The program does arithmetic on a pointer the verifier cannot follow. The only arithmetic allowed on a pointer is adding or subtracting a number, on the whole 64-bit register; masking, multiplying, 32-bit operations or mixing two pointers turn it into something the verifier cannot check.',
    'Do the arithmetic on indexes and offsets (numbers), then add the result to the pointer once; keep pointers in 64-bit variables (no casts to int).',
  ),
  fixed(
    /^(math between \w+ pointer and|\w+ pointer offset -?\d+ is not allowed|value -?\d+ makes \w+ pointer be out of bounds)/,
    'An offset added to a pointer is out of the range the verifier tracks (about ±2^29 bytes) or has no lower bound it can see, so it cannot tell where the pointer points.',
    'Bound the offset before adding it (`if (off > 1024) return 0;`, unsigned types), and keep constant offsets small.',
  ),
  {
    test: /^invalid shift (-?\d+)/,
    explain: (m) => ({
      explanation: `The program shifts by ${m[1]}, which is not less than the width of the operand (64 bits, or 32 for a 32-bit operation): the result would be undefined.`,
      hint: 'Shift by 0 to 63 (0 to 31 on 32-bit values).',
    }),
  },
  fixed(
    /^div by zero/,
    'The program divides by the constant 0.',
    'Divide by a non-zero constant; division by a register that is 0 at run time is allowed and gives 0.',
  ),

  /* -------------------------------------------------------------- memory */
  {
    test: /^(invalid access to packet|R\d+ offset is outside of the packet)/,
    explain: () => ({
      explanation:
        'The program reads or writes packet bytes the verifier cannot prove are inside the packet. Before touching bytes [p, p + n), it must see a comparison showing p + n <= data_end on this path.',
      hint: 'Compare before each header access: `if ((void *)(eth + 1) > data_end) return XDP_PASS;` — and check the whole header size (sizeof(struct iphdr), not just the field you read), after every change of the pointer.',
    }),
  },
  fixed(
    /^cannot write into packet/,
    'Programs of this type may read the packet but not write it directly.',
    'Change packets from a program type that may (tc/SCHED_CLS, XDP), or with the helper this type offers for it (bpf_skb_store_bytes()).',
  ),
  fixed(
    /^helper access to the packet is not allowed/,
    'A packet pointer is passed to a helper, and this program type may not hand packet memory to helpers.',
    'Copy the bytes to the stack first (after a data_end check), and pass the stack copy.',
  ),
  {
    test: /^invalid (read from|write to) stack R\d+ off=(-?\d+) size=(\d+)/,
    explain: (m) => {
      const off = Number(m[2]);
      const inFrame = off >= -512 && off + Number(m[3]) <= 0;
      return inFrame && m[1] === 'read from' ? uninitStack() : {
        explanation: `The access at offset ${m[2]} (${m[3]} bytes) is outside the 512-byte stack frame (offsets -512 to -1 from r10).`,
        hint: 'Keep local variables small (at most 512 bytes in total) and address them only through r10 with negative offsets; use a per-CPU array map for big buffers.',
      };
    },
  },
  {
    test: /^invalid (indirect )?read from stack/,
    explain: () => uninitStack(),
  },
  fixed(
    /^(invalid variable-offset (read from|write to) stack|invalid unbounded variable-offset|variable offset stack pointer cannot be passed)/,
    'A stack access (or a stack pointer passed to a helper) uses an offset that is not a constant, and the verifier cannot prove the whole range is inside the stack frame and initialised.',
    'Index stack arrays with a bounded index (`if (i >= N) return 0;` or `i &= N - 1;`), or use a constant offset; helpers need a pointer with a constant offset.',
  ),
  fixed(
    /^(invalid size of register (spill|fill)|leaking pointer from stack|attempt to corrupt spilled pointer on stack|cannot spill pointers to stack into stack frame of the caller|spilled ptr in range of var-offset stack write)/,
    'A pointer saved on the stack is read back or overwritten in part, or saved where the verifier cannot track it: a pointer in a stack slot must be written and read as one aligned 8-byte value.',
    'Keep pointers in 64-bit variables (no casts to smaller integers or byte copies), and do not pass them by address to other functions to store.',
  ),
  fixed(
    /^(invalid access to map (value|key)|invalid access to memory|R\d+ (min|max) value is outside of the allowed memory range)/,
    'The access falls outside the memory the pointer points to (a map value, key, or a helper\'s buffer): an offset past its size, or an index the verifier cannot bound.',
    'Check indexes against the array size before using them (`if (i >= MAX) return 0;`) and use unsigned types for them.',
  ),
  fixed(
    /^R(\d+) (min value is negative|unbounded memory access)/,
    'A variable offset or size has no lower or upper bound the verifier can see, so the access could go anywhere.',
    'Bound the variable with a comparison (`if (len > 64) return 0;`) or a mask (`len &= 63;`) before using it as an offset or size; prefer unsigned types.',
  ),
  {
    test: /^invalid bpf_context access off=(-?\d+) size=(\d+)/,
    explain: (m) => ({
      explanation: `The context structure has no readable (or writable) field at byte ${m[1]} with a ${m[2]}-byte access.`,
      hint: 'Access context fields by name through the right struct for the program type, with their exact size; packet data is reached through data/data_end, not by offset in the context.',
    }),
  },
  fixed(
    /^(dereference of modified \w+ ptr|negative offset \w+ ptr|variable \w+ access var_off)/,
    'The context is reached through a pointer that was moved (or with a variable offset): the kernel rewrites each context access, so it must be the context pointer itself plus a constant offset.',
    'Read context fields directly (`ctx->field`) from the program\'s argument; do not keep pointers into the context or index it with a variable.',
  ),
  fixed(
    /^misaligned /,
    'The access is not aligned to its size, and this access (packet data with strict alignment, or an unprivileged stack or context access) must be.',
    'Read at offsets that are a multiple of the access size, or read single bytes (or use bpf_skb_load_bytes()/bpf_xdp_load_bytes() for packets).',
  ),
  fixed(
    /^write to change key R\d+ not allowed/,
    'The program writes through a pointer to a map key, which a callback (bpf_for_each_map_elem) receives read-only.',
    'Copy the key into a local variable and change the copy.',
  ),
  fixed(
    /^write into map forbidden/,
    'The map is read-only for programs (BPF_F_RDONLY_PROG; a `const` global variable lives in such a map, .rodata).',
    'Drop `const` from the global variable (or keep it in .data/.bss), or create the map without BPF_F_RDONLY_PROG.',
  ),
  {
    test: /^R\d+ cannot write into (\w+)/,
    explain: (m) => ({
      explanation: `The memory is read-only to the program (${m[1]}).`,
      hint: 'Copy the data to the stack or a map value and change the copy.',
    }),
  },
  {
    test: /^BPF_ATOMIC stores into R\d+ (\w+) is not allowed/,
    explain: (m) => ({
      explanation: `An atomic operation (__sync_fetch_and_add() and friends) targets ${m[1]} memory; atomics work on the stack, map values and memory the program owns, not on the context or packets.`,
      hint: 'Do atomic updates on a map value: `__sync_fetch_and_add(&value->count, 1);`.',
    }),
  },
  fixed(
    /^same insn cannot be used with different pointers/,
    'One load or store instruction is reached with different kinds of pointer on different paths (the context on one, the stack or a map value on another); the kernel rewrites context accesses per instruction, so it cannot allow that.',
    'Do not let one pointer variable hold the context on one path and other memory on another; read what you need from the context first, into a local variable.',
  ),
  fixed(
    /^(BPF_LD_\[ABS\|IND\]|at the time of BPF_LD_ABS)/,
    'A legacy packet load (LD_ABS/LD_IND, load_byte()/load_half()/load_word()) is used where it is not allowed: only socket filters and tc programs may, with the context in r6, and not while holding a reference.',
    'Read packet bytes through data/data_end or with bpf_skb_load_bytes() instead.',
  ),

  /* ------------------------------------- BTF-typed context and kernel objects */
  {
    test: /^func '(\w+)' (offset -?\d+ is not multiple of 8|doesn't have \d+-th argument|arg\d+ '.*' has type \w+\. Only pointer access is allowed|size \d+ must be 8|arg\d+ type \w+ is not a struct)/,
    explain: (m) => ({
      explanation: `The program's context is the arguments of ${m[1]}: an array of 8-byte slots, one per argument. This access does not read a whole argument slot as the argument's type allows.`,
      hint: 'Declare the program with BPF_PROG(name, type1 arg1, ...) from bpf_tracing.h, with the argument types of the kernel function, and use the arguments by name.',
    }),
  },
  {
    test: /access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN|^Cannot access kernel 'struct \w+' from non-GPL compatible program/,
    explain: (m) => ({
      explanation: m[0].startsWith('Cannot')
        ? 'Reading kernel structures through BTF pointers is reserved to GPL-compatible programs.'
        : 'Reading kernel structures through BTF pointers needs CAP_PERFMON (or CAP_SYS_ADMIN).',
      hint: m[0].startsWith('Cannot') ? 'Declare a GPL-compatible license: `char LICENSE[] SEC("license") = "GPL";`.' : 'Load the program as root.',
    }),
  },
  fixed(
    /^only read is supported/,
    'The program writes into a kernel object through a BTF pointer (an argument such as `struct file *`); kernel objects are read-only to it.',
    'Only read the object\'s fields; to influence the kernel, use the program\'s return value (an LSM program returns 0 or -EPERM) or a helper made for it.',
  ),
  fixed(
    /^(R\d+ is ptr_\w+ invalid (negative access|variable offset)|Type '.*' is not a struct|access beyond struct|field \w+ doesn't have size|cannot access ptr member|access beyond the end of member|struct \w+ doesn't have field at offset)/,
    'A read through a pointer to a kernel structure (BTF-typed) does not match a field of that structure: outside it, a variable or negative offset, part of a pointer field, or past the end of a field.',
    'Read fields by name with their C types (`file->f_flags`) from a vmlinux.h that matches the kernel; follow further pointers the same way, or with BPF_CORE_READ().',
  ),

  /* --------------------------------------------------------------- calls */
  {
    test: /^program of this type cannot use helper (\w+)#(\d+)/,
    explain: (m) => ({
      explanation: `${m[1]}() exists, but programs of this type may not call it: each program type (SEC name) gets its own set of helpers, those that make sense where it runs.`,
      hint: `Look for the sibling helper of your program type (an XDP program reads packet bytes with bpf_xdp_load_bytes(), not bpf_skb_load_bytes()); \`bpftool feature probe\` lists the helpers each type may call. Otherwise do that work in a program type that has ${m[1]}().`,
    }),
  },
  {
    test: /^(invalid|unknown) func (\w+)#(\d+)/,
    explain: (m) => ({
      explanation: m[2] === 'unknown' ? `Helper number ${m[3]} does not exist in this kernel.` : `${m[2]}() is not available to this program type in this kernel.`,
      hint: 'Call helpers through bpf_helpers.h by name; a raw number is probably a typo or a helper from a newer kernel.',
    }),
  },
  fixed(
    /^cannot call GPL-restricted function from non-GPL compatible program/,
    'The program calls a helper reserved to GPL-compatible programs, but its license section is not GPL-compatible.',
    'Declare a GPL-compatible license: `char LICENSE[] SEC("license") = "GPL";` (or "Dual BSD/GPL").',
  ),
  fixed(
    /^helper call might sleep in a non-sleepable prog/,
    'The helper may sleep (wait for a page fault, for instance), and only sleepable programs may call it.',
    'Use the sleepable variant of the section (`lsm.s/...`, `fentry.s/...`, `uprobe.s/...`), or a non-sleeping helper (bpf_probe_read_user() instead of bpf_copy_from_user()).',
  ),
  {
    test: /^R(\d+) type=(\w+) expected=(.+)/,
    explain: (m) => ({
      explanation: `Argument register R${m[1]} holds a ${m[2]} value, but the helper expects ${m[3]} there.`,
      hint: 'Pass what the helper asks for: the map itself (`&my_map`), a pointer to a key or value on the stack (`&key`), a pointer checked non-NULL, or a number; and check the order of the arguments.',
    }),
  },
  fixed(
    /^invalid map_ptr to access map->key/,
    'The helper\'s map argument is not a map, so the key or value argument after it cannot be checked.',
    'Pass the map itself as the first argument: `bpf_map_lookup_elem(&my_map, &key)`.',
  ),
  fixed(
    /invalid zero-sized read/,
    'A size argument may be 0 here, and the helper needs at least one byte.',
    'Check the size before the call (`if (len == 0 || len > MAX) return 0;`) so its range starts at 1.',
  ),
  {
    test: /^cannot pass map_type (\d+) into func (\w+)#(\d+)/,
    explain: (m) => ({
      explanation: `${m[2]}() does not work on a map of this type (type ${m[1]}): some map types are only used through their own helpers.`,
      hint: 'Use the helpers of the map type: a ring buffer with bpf_ringbuf_output()/bpf_ringbuf_reserve(), a perf event array with bpf_perf_event_output(), a program array with bpf_tail_call().',
    }),
  },
  fixed(
    /^Unreleased reference/,
    'A resource acquired by a helper (a ring buffer record from bpf_ringbuf_reserve()) is not released on some path.',
    'On every path after a successful reserve, call bpf_ringbuf_submit() or bpf_ringbuf_discard().',
  ),
  fixed(
    /would lead to reference leak$/,
    'The program still holds a reference (a ring buffer record, a socket) when it does something that never comes back to release it, such as a tail call.',
    'Submit, discard or release what you acquired before that point.',
  ),
  fixed(
    /^R\d+ must (be referenced when passed to release function|have zero offset when passed to release func)/,
    'The pointer passed to a release helper (bpf_ringbuf_submit(), bpf_ringbuf_discard(), bpf_sk_release()...) is not the one that was acquired, or was moved since.',
    'Pass exactly the pointer the acquire helper returned, unchanged, once.',
  ),
  {
    test: /^(R\d+ is not a function|callback function not allowed for map)/,
    explain: (m) => ({
      explanation: m[0].startsWith('callback')
        ? 'bpf_for_each_map_elem() does not work on this map type.'
        : 'The callback argument of the helper (bpf_loop(), bpf_for_each_map_elem()...) is not a function of the program.',
      hint: m[0].startsWith('callback')
        ? 'Iterate over array, hash, per-CPU and LRU maps only.'
        : 'Pass a `static` function by name: `bpf_loop(n, my_callback, &data, 0)`.',
    }),
  },
  fixed(
    /^R\d+ (is not a known constant|does not point to a readonly map)/,
    'The helper needs this argument fixed at load time: a constant number, or a pointer into read-only data (the format string of bpf_snprintf() in .rodata).',
    'Pass a constant, or a `const` global (a string literal) for the format.',
  ),
  fixed(
    /^BPF_CALL uses reserved fields/,
    'A call instruction has fields set that Linux reserves (callx, a call through a register, is not part of BPF for the kernel).',
    'Call helpers and functions by name; do not call through function pointers.',
  ),
  fixed(
    /^cannot return stack pointer to the caller/,
    'A BPF-to-BPF function returns a pointer into its own stack frame, which is gone after it returns.',
    'Return a value, or let the caller pass a pointer to its own buffer.',
  ),

  /* -------------------------------------------------------------- return */
  {
    test: /^At (program exit|callback return) the register R0 (has|is not)/,
    explain: (m) => ({
      explanation:
        m[1] === 'callback return'
          ? 'The callback returns a value outside [0, 1]: 0 means go on, 1 means stop.'
          : 'The value returned is outside what this program type may return.',
      hint:
        m[1] === 'callback return'
          ? 'Return 0 to continue or 1 to stop, on every path of the callback.'
          : returnHint(/should have been in \[(-?\d+), (-?\d+)\]/.exec(m.input ?? '')),
    }),
  },
  fixed(
    /^R0 not a scalar value/,
    'The program (or callback) returns a pointer where a number is expected.',
    'Return a number: a verdict, 0, or an error code.',
  ),

  /* ------------------------------------------------ instructions and maps */
  fixed(
    /^(fd -?\d+ is not pointing to valid bpf_map|direct value offset of|no direct value access support|invalid access to map value pointer|unrecognized bpf_ld_imm64 insn|ldimm64 insn specifies invalid btf_id|kernel btf_id \d+ is not a function)/,
    'A 64-bit load (lddw) names a map, a global variable or a kernel symbol that does not exist or cannot be used that way: the loader did not relocate it, or the offset is outside the global data.',
    'Load the object with its loader (bpflab load, libbpf), which creates maps and relocates references; declare globals in C rather than addressing them by hand.',
  ),
  fixed(
    /is not modelled by bpflab yet$/,
    'The program uses a feature bpflab does not model yet, so it cannot check it: this is a limit of the simulator, not necessarily a mistake in the program.',
    'Check it with `bpftool prog load` on a Linux machine, or avoid the feature in this course.',
  ),
];

/** The error's message, when no rule knows it: say what a verifier error line means. */
const FALLBACK: Said = {
  explanation: 'The verifier could not prove this instruction safe on every path that reaches it, and stopped at the first problem: the last line of the log before the counters names it, in the kernel\'s words.',
  hint: 'Read the log backwards from the error: the register states on the lines before it show what the verifier knew.',
};

function uninitStack(): Said {
  return {
    explanation:
      'Stack memory is read (by the program or by a helper that receives a pointer to it) before the program has written it. Unprivileged programs may not read uninitialised stack.',
    hint: 'Initialise the variable or buffer first, e.g. `__u32 key = 0;` or `struct event e = {};`, before passing its address to a helper.',
  };
}

/** Static successors of a slot inside its function (calls fall through). */
function successors(insns: readonly (Insn | undefined)[], t: number): number[] {
  const insn = insns[t];
  if (insn === undefined || insn.kind === 'exit') return [];
  if (insn.kind === 'ja') return [jumpTarget(insn, t)];
  const next = t + (insn.kind === 'lddw' ? 2 : 1);
  return insn.kind === 'jump' ? [next, jumpTarget(insn, t)] : [next];
}

/** Slots reachable from `from` along `next` (not including `from` unless on a cycle). */
function reach(from: number, next: (t: number) => readonly number[], n: number): Set<number> {
  const seen = new Set<number>();
  const work = [...next(from)];
  while (work.length > 0) {
    const t = work.pop() as number;
    if (t < 0 || t >= n || seen.has(t)) continue;
    seen.add(t);
    work.push(...next(t));
  }
  return seen;
}

/** The line info in force at a slot that names a C line (the last one given at or before it). */
function lineAt(lineInfo: readonly (LineInfo | undefined)[], slot: number): LineInfo | undefined {
  for (let i = Math.min(slot, lineInfo.length - 1); i >= 0; i--) {
    const li = lineInfo[i];
    if (li !== undefined && li.line.trim() !== '') return li;
  }
  return undefined;
}

/**
 * The innermost loop around slot `pc`: of the back-edges (a jump from
 * `latch` up to `header`) on a cycle through `pc`, the one whose loop body
 * (the slots on a path from its header to its latch that does not pass
 * the header again) holds `pc` and is
 * smallest. Its C line is the line of its exit test (a jump in the body
 * that leaves it): `pc` itself when it is one, else the last one. Returns
 * `undefined` when `pc` is on no cycle.
 */
export function findLoop(program: VerifiedProgram, pc: number): LoopInfo | undefined {
  const { insns } = program;
  const n = insns.length;
  if (pc < 0 || pc >= n) return undefined;
  const succ = (t: number): number[] => successors(insns, t);
  const forward = reach(pc, succ, n);
  if (!forward.has(pc)) return undefined;
  const preds: number[][] = insns.map(() => []);
  insns.forEach((_, t) => {
    for (const s of succ(t)) if (s >= 0 && s < n) preds[s]!.push(t);
  });
  const pred = (t: number): readonly number[] => preds[t] ?? [];
  const backward = reach(pc, pred, n);
  let best: { header: number; latch: number; body: Set<number> } | undefined;
  for (const u of [...forward].filter((t) => backward.has(t)).sort((a, b) => a - b)) {
    for (const v of succ(u)) {
      if (v > u || !forward.has(v) || !backward.has(v)) continue;
      const toLatch = reach(u, (t) => (t === v ? [] : pred(t)), n);
      const body = new Set([...reach(v, succ, n)].filter((t) => toLatch.has(t)));
      body.add(v).add(u);
      const better = best === undefined || (body.has(pc) && (!best.body.has(pc) || body.size < best.body.size));
      if (better) best = { header: v, latch: u, body };
    }
  }
  if (best === undefined) return undefined;
  const { header, latch, body } = best;
  const exits = [...body].filter((t) => insns[t]?.kind === 'jump' && succ(t).some((s) => !body.has(s))).sort((a, b) => a - b);
  const test = exits.includes(pc) ? pc : (exits[exits.length - 1] ?? latch);
  const source = lineAt(program.lineInfo, test);
  return { header, latch, ...(source === undefined ? {} : { source }) };
}

/** The rule's words for an error message, or the fallback. */
function sayAbout(message: string, where: Where): Said {
  for (const rule of RULES) {
    const m = message.match(rule.test);
    if (m) return rule.explain(m, where);
  }
  return FALLBACK;
}

/**
 * Explains the first error of a verification result, or returns
 * `undefined` when the program was accepted.
 */
export function explain(result: VerifyResult): Explanation | undefined {
  const err = result.errors[0];
  if (err === undefined) return undefined;
  const loop = result.program === undefined ? undefined : findLoop(result.program, err.pc);
  const { explanation, hint, loop: about } = sayAbout(err.message, { loop });
  const src = result.sourceLine;
  const at = err.pc >= 0 && !err.message.includes(`insn ${err.pc}`) ? ` (insn ${err.pc})` : '';
  const lines = [`error: ${err.message}${at}`];
  if (src) lines.push(`  at ${place(src) ? `${place(src)}: ` : ''}${src.line.trim()}`);
  if (about?.source !== undefined && (src === undefined || place(about.source) !== place(src))) {
    lines.push(`  in the loop at ${place(about.source) ? `${place(about.source)}: ` : ''}${about.source.line.trim()}`);
  }
  lines.push(`why: ${explanation}`, `hint: ${hint}`);
  return {
    error: err.message,
    pc: err.pc,
    ...(src === undefined ? {} : { source: src }),
    explanation,
    hint,
    ...(about === undefined ? {} : { loop: about }),
    text: lines.join('\n'),
  };
}
