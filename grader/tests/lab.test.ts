// lab.yaml: checked by the lab schema, every problem at file:line:column.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError, loadLab } from '../src/index';

const HERE = dirname(fileURLToPath(import.meta.url));
const MINI = join(HERE, 'fixtures', 'mini-lab');

/** A lab folder holding `yaml` as lab.yaml, with the files it names. */
function labWith(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpflab-lab-'));
  for (const f of ['starter/p.bpf.c', 'solution/p.bpf.c', 'wrong/w.bpf.c']) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), '// empty\n');
  }
  writeFileSync(join(dir, 'lab.yaml'), yaml);
  return dir;
}

const HEAD = `id: t
title: T
hook: xdp
submission: p.bpf.c
starter: starter/p.bpf.c
solution: solution/p.bpf.c
`;

function problems(yaml: string): string[] {
  const dir = labWith(yaml);
  try {
    loadLab(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    return (e as Error).message.split('\n').map((l) => l.replace(dir, '<lab>'));
  }
  throw new Error('the lab loaded');
}

describe('loadLab', () => {
  it('reads the grader test lab', () => {
    const lab = loadLab(MINI);
    expect(lab.id).toBe('mini-lab');
    expect(lab.maxScore).toBe(100);
    expect(lab.scenarios.map((s) => [s.name, s.points, s.hidden, s.visibility, s.dependsOn, s.needsLoad])).toEqual([
      ['loads', 10, false, 'visible', [], false],
      ['counts per CPU', 60, false, 'visible', ['loads'], true],
      ['prints execve callers', 30, true, 'after_published', ['loads'], true],
    ]);
    const counts = lab.scenarios[1]!;
    expect(counts.steps.map((s) => s.kind)).toEqual(['syscall', 'syscall', 'syscall']);
    expect(counts.expect.map((e) => e.kind)).toEqual(['map', 'map', 'budget']);
    expect(counts.expect[0]).toMatchObject({ kind: 'map', map: 'counts', key: 59, total: 2, pos: { line: 38, column: 9 } });
    expect(lab.limits).toEqual({ insnsPerEvent: 10000, timeoutSeconds: 60, memoryMb: 512 });
  });

  it('locates a YAML syntax error', () => {
    const lines = problems(`${HEAD}scenarios:\n  - name: a\n    points: [1\n`);
    expect(lines[0]).toMatch(/^<lab>\/lab\.yaml:\d+:\d+: /);
  });

  it('locates schema problems at their node and says what was expected', () => {
    expect(problems(`${HEAD}scenarios:\n  - name: a\n    pionts: 3\n  - name: b\n    points: many\n`)).toEqual([
      "<lab>/lab.yaml:8:5: scenarios[0]: missing key 'points'",
      "<lab>/lab.yaml:9:5: scenarios[0]: unknown key 'pionts' (did you mean 'points'?); known keys: name, points, hidden, visibility, depends_on, cpus, attach, hint, setup, steps, expect",
      '<lab>/lab.yaml:11:13: scenarios[1].points: "many" is not a number',
    ]);
  });

  it('checks steps against the hook plugins and expectations against their kinds', () => {
    const yaml = `${HEAD}scenarios:
  - name: a
    points: 1
    steps:
      - pakcet: { raw: "00" }
      - packet: { raw: "00" }
        expect: { action: XDP_DROP }
    expect:
      - map: m
        key: 1
      - trace: ["x"]
        count: 2
`;
    // the schema first: the unknown step kind
    const lines = problems(yaml);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^<lab>\/lab\.yaml:11:9: scenarios\[0\]\.steps\[0\]: .*pakcet/);
    // then what the schema cannot say
    expect(problems(yaml.replace('pakcet', 'packet'))).toEqual([
      '<lab>/lab.yaml:15:9: scenarios[0].expect[0]: a map check has exactly one of value, total, absent or entries (it has none)',
      "<lab>/lab.yaml:18:9: scenarios[0].expect[1]: 'count' does not go with a trace check (it takes trace, hint)",
    ]);
  });

  it("suggests the lab's own step keys for a misspelt one", () => {
    const yaml = `${HEAD}scenarios:\n  - name: a\n    points: 1\n    steps:\n      - packet: { raw: "00" }\n        expcet: { action: XDP_DROP }\n`;
    expect(problems(yaml)).toEqual([
      "<lab>/lab.yaml:12:9: scenarios[0].steps[0]: unknown key 'expcet' (did you mean 'expect'?); a packet step takes name, packet, dev, cpu, rx_queue, expect, hint",
    ]);
  });

  it('refuses unknown dependencies, cycles, duplicate names and missing files', () => {
    const yaml = `${HEAD}variants:
  - { file: wrong/missing.bpf.c, score: 1, why: x }
scenarios:
  - { name: a, points: 1, depends_on: b }
  - { name: b, points: 1, depends_on: [a] }
  - { name: b, points: 1, depends_on: [zz] }
`;
    expect(problems(yaml)).toEqual([
      '<lab>/lab.yaml:8:13: variants[0].file: no such file wrong/missing.bpf.c in the lab folder',
      "<lab>/lab.yaml:12:13: scenarios[2].name: 'b' is already the name of scenarios[1]",
      "<lab>/lab.yaml:12:39: scenarios[2].depends_on: no scenario is named 'zz' (scenarios: a, b)",
    ]);
    expect(problems(`${HEAD}scenarios:\n  - { name: a, points: 1, depends_on: b }\n  - { name: b, points: 1, depends_on: [a] }\n`)).toEqual([
      '<lab>/lab.yaml:8:3: scenarios depend on each other in a cycle: a -> b -> a',
    ]);
  });

  it('says when the folder has no lab.yaml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpflab-nolab-'));
    expect(() => loadLab(dir)).toThrow(/not a lab folder: it has no lab\.yaml/);
    expect(() => loadLab(join(dir, 'nope'))).toThrow(/no such lab/);
  });
});
