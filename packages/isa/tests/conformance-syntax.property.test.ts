import fc from 'fast-check';
import { assembleConformance, disassembleConformance, formatConformanceInsn, slotIndex, type Insn, type Operand } from '../src/index';
import { arbInsn, arbProgram } from './arbitrary';

/* A second, independent spelling of each instruction, with the freedom the
 * syntax allows (hex or decimal, unsigned hex patterns, spacing, swap/bswap,
 * redundant fetch, comments), so that the assembler is tested on more than
 * the disassembler's own output. */

type Pick = <T>(choices: readonly T[]) => T;

const hexOf = (n: number | bigint, bits: 32 | 64): string => `0x${BigInt.asUintN(bits, BigInt(n)).toString(16)}`;

function imm(n: number, pick: Pick): string {
  return pick([String(n), hexOf(n, 32), n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`]);
}

function off(n: number, pick: Pick): string {
  const mag = Math.abs(n);
  return `${n < 0 ? '-' : '+'}${pick([String(mag), `0x${mag.toString(16)}`])}`;
}

function spell(insn: Insn, pick: Pick): string {
  const r = (n: number): string => `%r${n}`;
  const sep = (): string => pick([', ', ',', ' , ']);
  const src = (s: Operand): string => ('reg' in s ? r(s.reg) : imm(s.imm, pick));
  const memRef = (base: number, o: number): string => {
    if (o === 0) return pick([`[${r(base)}]`, `[${r(base)}+0]`, `[ ${r(base)} ]`]);
    const d = off(o, pick);
    return pick([`[${r(base)}${d}]`, `[ ${r(base)} ${d[0]!} ${d.slice(1)} ]`]);
  };
  const size = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' } as const;
  switch (insn.kind) {
    case 'alu':
      return `${insn.op}${insn.wide ? '' : '32'} ${r(insn.dst)}${sep()}${src(insn.src)}`;
    case 'endian':
      return `${insn.order === 'swap' ? pick(['swap', 'bswap']) : insn.order}${insn.bits} ${r(insn.dst)}`;
    case 'load':
      return `ldx${insn.signed ? 's' : ''}${size[insn.size]} ${r(insn.dst)}${sep()}${memRef(insn.base, insn.off)}`;
    case 'store':
      return `st${'reg' in insn.src ? 'x' : ''}${size[insn.size]} ${memRef(insn.base, insn.off)}${sep()}${src(insn.src)}`;
    case 'atomic': {
      const always = insn.op === 'xchg' || insn.op === 'cmpxchg';
      const fetch = insn.fetch && (!always || pick([false, true])) ? 'fetch ' : '';
      return `lock ${fetch}${insn.op}${insn.size === 4 ? '32' : ''} ${memRef(insn.base, insn.off)}${sep()}${r(insn.src)}`;
    }
    case 'lddw': {
      const v = pick([hexOf(insn.value, 64), insn.value.toString(), BigInt.asIntN(64, insn.value).toString()]);
      return `lddw ${r(insn.dst)}${sep()}${insn.pseudo === 'imm64' ? '' : `${insn.pseudo} `}${v}`;
    }
    case 'jump':
      return `${insn.op}${insn.wide ? '' : '32'} ${r(insn.dst)}${sep()}${src(insn.src)}${sep()}${off(insn.off, pick)}`;
    case 'ja':
      return `ja${insn.long ? '32' : ''} ${off(insn.off, pick)}`;
    case 'call':
      return `call ${pick(['', 'helper '])}${imm(insn.helper, pick)}`;
    case 'call_local':
      return `call local ${off(insn.off, pick)}`;
    case 'callx':
      return `call ${pick(['', 'helper '])}${r(insn.reg)}`;
    default:
      return formatConformanceInsn(insn);
  }
}

/** A line in a random layout: indentation, trailing comment. */
function layout(text: string, pick: Pick): string {
  return `${pick(['', '  ', '\t'])}${text}${pick(['', '   ', ' # a comment', '\t# x, [y], %r99'])}`;
}

/** A chooser driven by generated numbers (cycled), fresh for each run so that runs replay exactly. */
function makePick(seeds: readonly number[]): Pick {
  let i = 0;
  return <T>(choices: readonly T[]): T => choices[seeds[i++ % seeds.length]! % choices.length]!;
}
const arbSeeds = fc.array(fc.nat(), { minLength: 1, maxLength: 64 });

describe('conformance syntax properties', () => {
  it('assemble(disassemble(program)) = program', () => {
    fc.assert(
      fc.property(arbProgram(16), (program) => {
        expect(assembleConformance(disassembleConformance(program))).toEqual(program);
      }),
      { numRuns: 3000 },
    );
  });

  it('every spelling of an instruction assembles to it, and asm -> disasm -> asm is the identity', () => {
    fc.assert(
      fc.property(fc.array(arbInsn, { minLength: 1, maxLength: 8 }), arbSeeds, (program, seeds) => {
        const pick = makePick(seeds);
        const text = program.map((i) => layout(spell(i, pick), pick)).join('\n');
        const insns = assembleConformance(text);
        expect(insns).toEqual(program);
        expect(assembleConformance(disassembleConformance(insns))).toEqual(insns);
      }),
      { numRuns: 3000 },
    );
  });

  it('labels resolve to relative slot offsets, counting lddw as two slots', () => {
    // A program of straight-line instructions and jumps to labels placed on random lines.
    const arbItem = fc.oneof(
      arbInsn.filter((i) => i.kind !== 'jump' && i.kind !== 'ja' && i.kind !== 'call_local').map((insn) => ({ insn })),
      fc.record({ to: fc.nat(), how: fc.constantFrom('ja', 'ja32', 'jeq', 'jne32', 'call local') }),
    );
    fc.assert(
      fc.property(fc.array(arbItem, { minLength: 1, maxLength: 20 }), (items) => {
        const n = items.length;
        const target = (to: number): number => to % (n + 1);
        // Expected instructions: offsets computed from slot positions; label L<k> sits before item k.
        const skeleton: Insn[] = items.map((it) => ('insn' in it ? it.insn : { kind: 'exit' }));
        const { pcs, slots } = slotIndex(skeleton);
        const pcOf = (k: number): number => (k === n ? slots : pcs[k]!);
        const want: Insn[] = items.map((it, k) => {
          if ('insn' in it) return it.insn;
          const o = pcOf(target(it.to)) - (pcs[k]! + 1);
          switch (it.how) {
            case 'ja':
              return { kind: 'ja', long: false, off: o };
            case 'ja32':
              return { kind: 'ja', long: true, off: o };
            case 'jeq':
              return { kind: 'jump', op: 'jeq', wide: true, dst: 1, src: { imm: 0 }, off: o };
            case 'jne32':
              return { kind: 'jump', op: 'jne', wide: false, dst: 1, src: { reg: 2 }, off: o };
            default:
              return { kind: 'call_local', off: o };
          }
        });
        const used = new Set(items.flatMap((it) => ('to' in it ? [target(it.to)] : [])));
        const body = items.map((it, k) => {
          const label = used.has(k) ? `L${k}:\n` : '';
          if ('insn' in it) return `${label}${formatConformanceInsn(it.insn)}`;
          const l = `L${target(it.to)}`;
          const line = it.how === 'jeq' ? `jeq %r1, 0, ${l}` : it.how === 'jne32' ? `jne32 %r1, %r2, ${l}` : `${it.how} ${l}`;
          return `${label}${line}`;
        });
        if (used.has(n)) body.push(`L${n}:`);
        const insns = assembleConformance(body.join('\n'));
        expect(insns).toEqual(want);
        expect(assembleConformance(disassembleConformance(insns))).toEqual(insns);
      }),
      { numRuns: 1000 },
    );
  });
});
