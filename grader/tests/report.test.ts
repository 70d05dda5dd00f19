// The reporters against their formats: the student's report (hidden
// scenarios counted, never shown; the closing line), the TA's summary, the
// CSV gradebook, JSON lines, JUnit XML (parsed back and counted), and
// Gradescope's and PrairieLearn's results.json validated by JSON Schemas
// written from their documentation.
import { Ajv } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import {
  formatStudentReport,
  formatSummaryTable,
  parseJsonLines,
  summarize,
  toCsv,
  toGradescope,
  toJsonLine,
  toJUnit,
  toPrairieLearn,
  type Lab,
  type Scenario,
  type ScenarioResult,
  type SubmissionResult,
} from '../src/index';

const POS = { line: 1, column: 1 };

function scenario(name: string, points: number, extra: Partial<Scenario> = {}): Scenario {
  return { name, points, hidden: false, visibility: 'visible', dependsOn: [], cpus: 1, attach: {}, setup: [], steps: [], expect: [], needsLoad: true, pos: POS, ...extra };
}

const LAB: Lab = {
  id: 'xdp-firewall',
  title: 'A simple XDP firewall',
  dir: '/labs/xdp-firewall',
  file: '/labs/xdp-firewall/lab.yaml',
  hook: 'xdp',
  submission: 'firewall.bpf.c',
  starter: 'starter/firewall.bpf.c',
  solution: 'solution/firewall.bpf.c',
  variants: [],
  privileged: true,
  limits: { insnsPerEvent: 1_000_000, timeoutSeconds: 60, memoryMb: 512 },
  scenarios: [
    scenario('loads', 10),
    scenario('drops UDP to port 11111', 40),
    scenario('passes TCP', 30, { dependsOn: ['loads'] }),
    scenario('vlan', 10, { hidden: true, visibility: 'after_published' }),
    scenario('ipv6', 10, { hidden: true, visibility: 'hidden' }),
  ],
  maxScore: 100,
};

function sr(name: string, status: ScenarioResult['status'], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  const sc = LAB.scenarios.find((s) => s.name === name)!;
  return {
    name,
    status,
    points: status === 'passed' ? sc.points : 0,
    maxPoints: sc.points,
    hidden: sc.hidden,
    visibility: sc.visibility,
    message: status === 'passed' ? 'passed (1 check)' : status === 'skipped' ? 'skipped: it depends on "loads", which did not pass' : 'steps[2] (packet): expected action XDP_DROP, got XDP_PASS',
    differences: [],
    durationMs: 3,
    ...extra,
  };
}

function result(student: string, scenarios: ScenarioResult[], extra: Partial<SubmissionResult> = {}): SubmissionResult {
  return {
    lab: LAB.id,
    student,
    submission: `submissions/${student}`,
    score: scenarios.reduce((a, s) => a + s.points, 0),
    maxScore: LAB.maxScore,
    gradable: true,
    scenarios,
    durationMs: 120,
    ...extra,
  };
}

const ALICE = result('alice', LAB.scenarios.map((s) => sr(s.name, 'passed')));
const BOB = result('bob', [
  sr('loads', 'passed'),
  sr('drops UDP to port 11111', 'failed', {
    differences: [{ where: 'steps[2] (packet) action', expected: '"XDP_DROP"', actual: '"XDP\u0001PASS"' }],
    hint: 'Did you compare the port in network byte order (bpf_ntohs)?',
  }),
  sr('passes TCP', 'passed'),
  sr('vlan', 'passed'),
  sr('ipv6', 'failed', { message: 'SECRET-IPV6-DETAIL', hint: 'SECRET-HINT' }),
]);
const COMPILER = 'firewall.bpf.c does not compile:\nfirewall.bpf.c:3:1: error: unknown type name \'u32\'';
const CAROL = result(
  'carol',
  LAB.scenarios.map((s) => sr(s.name, s.name === 'passes TCP' ? 'skipped' : 'failed', { message: 'not graded: the submission does not compile' })),
  { gradable: false, problem: 'build-failed', message: COMPILER },
);
const DAVE = result(
  'dave',
  LAB.scenarios.map((s) => sr(s.name, 'failed', { message: 'not graded: grading took longer than the lab\'s limit of 60 s' })),
  { problem: 'timeout', message: 'grading took longer than the lab\'s limit of 60 s' },
);
const ALL = [DAVE, CAROL, BOB, ALICE];

describe('formatStudentReport', () => {
  const text = formatStudentReport(BOB, LAB, { color: false });
  const lines = text.trimEnd().split('\n');

  it('ends with the closing line, skipped scenarios only when there are some', () => {
    expect(lines.at(-1)).toBe('3 passed, 2 failed');
    expect(formatStudentReport(CAROL, LAB).trimEnd().split('\n').at(-1)).toBe('0 passed, 4 failed, 1 skipped');
    expect(formatStudentReport(ALICE, LAB).trimEnd().split('\n').at(-1)).toBe('5 passed, 0 failed');
  });

  it('lists the visible scenarios with status and points', () => {
    const row = (name: string) => lines.find((l) => l.includes(name) && l.includes('│'));
    expect(row('loads')).toMatch(/passed.*10\/10/);
    expect(row('drops UDP to port 11111')).toMatch(/FAILED.*0\/40/);
    expect(row('passes TCP')).toMatch(/passed.*30\/30/);
  });

  it('counts hidden scenarios and never names or details them', () => {
    expect(lines).toContain('2 hidden scenarios: 1 passed, 1 failed (10/20 points)');
    for (const secret of ['vlan', 'ipv6', 'SECRET-IPV6-DETAIL', 'SECRET-HINT']) expect(text).not.toContain(secret);
  });

  it('details a failed scenario: message, differences with unprintable bytes escaped, hint', () => {
    const at = lines.findIndex((l) => l === 'FAILED drops UDP to port 11111');
    expect(lines.slice(at, at + 6)).toEqual([
      'FAILED drops UDP to port 11111',
      '  steps[2] (packet): expected action XDP_DROP, got XDP_PASS',
      '  steps[2] (packet) action',
      '    expected: "XDP_DROP"',
      '    actual:   "XDP\\x01PASS"',
      '  hint: Did you compare the port in network byte order (bpf_ntohs)?',
    ]);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f]/);
  });

  it('puts the compiler diagnostics of an ungradable submission first', () => {
    const t = formatStudentReport(CAROL, LAB);
    expect(t.indexOf("error: unknown type name 'u32'")).toBeGreaterThan(0);
    expect(t.indexOf("error: unknown type name 'u32'")).toBeLessThan(t.indexOf('│'));
    expect(t).toContain('not gradable: build-failed');
  });

  it('colours only when asked', () => {
    expect(text).not.toContain('\u001b[');
    expect(formatStudentReport(BOB, LAB, { color: true })).toContain('\u001b[');
  });
});

describe('formatSummaryTable and summarize', () => {
  it('has one row per student, sorted, and the totals', () => {
    const t = formatSummaryTable(ALL, LAB);
    const rows = t.split('\n').filter((l) => /^│ (alice|bob|carol|dave) /.test(l));
    expect(rows.map((r) => r.split('│')[1]!.trim())).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(rows[0]).toMatch(/100\/100.*full marks/);
    expect(rows[2]).toMatch(/0\/100.*ungradable.*build-failed: firewall\.bpf\.c does not compile: \| firewall/);
    expect(rows[3]).toMatch(/timeout/);
    expect(t.trimEnd().split('\n').at(-1)).toBe('4 students, mean 37.5/100, median 25/100, 1 full marks, 1 ungradable, 1 hit a limit or failed');
  });

  it.each([
    { have: [] as number[], want: { mean: 0, median: 0 } },
    { have: [10], want: { mean: 10, median: 10 } },
    { have: [0, 100, 40], want: { mean: 140 / 3, median: 40 } },
    { have: [0, 100, 40, 80], want: { mean: 55, median: 60 } },
  ])('mean and median of $have', ({ have, want }) => {
    const s = summarize(have.map((score, i) => ({ ...ALICE, student: `s${i}`, score })), LAB);
    expect(s.mean).toBeCloseTo(want.mean);
    expect(s.median).toBe(want.median);
    expect(s.count).toBe(have.length);
  });
});

describe('toCsv', () => {
  it('is a gradebook: header, then one row per student with a column per scenario', () => {
    const lines = toCsv(ALL, LAB).trimEnd().split('\n');
    expect(lines[0]).toBe('student,score,max_score,loads,drops UDP to port 11111,passes TCP,vlan,ipv6,problem,message');
    expect(lines[1]).toBe('alice,100,100,10,40,30,10,10,,');
    expect(lines[2]).toBe('bob,50,100,10,0,30,10,0,,');
    // one line per student: the compiler's message is kept on one line
    expect(lines[3]).toBe(`carol,0,100,0,0,0,0,0,build-failed,firewall.bpf.c does not compile: | firewall.bpf.c:3:1: error: unknown type name 'u32'`);
    expect(lines).toHaveLength(5);
  });

  it('quotes fields with commas and quotes (RFC 4180)', () => {
    const odd = { ...CAROL, student: "o'brien, pat", message: 'say "hi", then\nbye' };
    expect(toCsv([odd], LAB).trimEnd().split('\n')[1]).toBe(`"o'brien, pat",0,100,0,0,0,0,0,build-failed,"say ""hi"", then | bye"`);
  });
});

describe('toJsonLine', () => {
  it('is one line per result, and reads back; a truncated line is counted, not fatal', () => {
    const text = ALL.map(toJsonLine).join('');
    expect(text.split('\n')).toHaveLength(ALL.length + 1);
    expect(parseJsonLines(text)).toEqual({ results: ALL, bad: 0 });
    const cut = text + toJsonLine(ALICE).slice(0, 30);
    expect(parseJsonLines(cut)).toEqual({ results: ALL, bad: 1 });
  });
});

describe('toJUnit', () => {
  const xml = toJUnit(ALL, LAB);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
  type Case = { name: string; classname: string; time: string; failure?: unknown; error?: unknown; skipped?: unknown };
  type Suite = { name: string; tests: string; failures: string; errors: string; skipped: string; time: string; testcase: Case[] };
  const doc = parser.parse(xml) as { testsuites: { tests: string; failures: string; errors: string; skipped?: string; testsuite: Suite[] } };

  it('has one testsuite per student and one testcase per scenario, with the counts JUnit readers sum', () => {
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(['alice', 'bob', 'carol', 'dave']);
    for (const s of suites) {
      const cases = s.testcase;
      expect(Number(s.tests)).toBe(cases.length);
      expect(Number(s.failures)).toBe(cases.filter((c) => c.failure !== undefined).length);
      expect(Number(s.errors)).toBe(cases.filter((c) => c.error !== undefined).length);
      expect(Number(s.skipped)).toBe(cases.filter((c) => c.skipped !== undefined).length);
      expect(Number.isFinite(Number(s.time))).toBe(true);
      for (const c of cases) expect(c.classname).toBe('xdp-firewall');
    }
    const sum = (k: 'tests' | 'failures' | 'errors') => suites.reduce((a, s) => a + Number(s[k]), 0);
    expect(Number(doc.testsuites.tests)).toBe(sum('tests'));
    expect(Number(doc.testsuites.failures)).toBe(sum('failures'));
    expect(Number(doc.testsuites.errors)).toBe(sum('errors'));
  });

  it('reports failures with their differences, skips, and an ungradable submission as an error', () => {
    const [alice, bob, carol] = doc.testsuites.testsuite;
    expect(alice!.testcase.map((c) => c.name)).toEqual(LAB.scenarios.map((s) => s.name));
    expect(Number(alice!.failures)).toBe(0);
    const drop = bob!.testcase.find((c) => c.name === 'drops UDP to port 11111')!;
    expect(drop.failure).toMatchObject({ message: 'steps[2] (packet): expected action XDP_DROP, got XDP_PASS' });
    expect(JSON.stringify(drop.failure)).toContain('XDP\\\\x01PASS');
    expect(carol!.testcase[0]).toMatchObject({ name: 'submission', error: { type: 'build-failed' } });
    expect(JSON.stringify(carol!.testcase[0]!.error)).toContain("unknown type name 'u32'");
    expect(Number(carol!.skipped)).toBe(1);
    expect(Number(carol!.errors)).toBe(1);
  });
});

// Gradescope "Autograder Specifications", output format of results.json.
const VIS = { enum: ['hidden', 'after_due_date', 'after_published', 'visible'] };
const FORMAT = { enum: ['text', 'html', 'simple_format', 'md', 'ansi'] };
const GRADESCOPE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    score: { type: 'number' },
    execution_time: { type: 'number', minimum: 0 },
    output: { type: 'string' },
    output_format: FORMAT,
    test_output_format: FORMAT,
    test_name_format: FORMAT,
    visibility: VIS,
    stdout_visibility: VIS,
    extra_data: { type: 'object' },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['score', 'max_score', 'name'],
        properties: {
          score: { type: 'number' },
          max_score: { type: 'number' },
          status: { enum: ['passed', 'failed'] },
          name: { type: 'string' },
          name_format: FORMAT,
          number: { type: 'string' },
          output: { type: 'string' },
          output_format: FORMAT,
          tags: { type: 'array', items: { type: 'string' } },
          visibility: VIS,
          extra_data: { type: 'object' },
        },
      },
    },
    leaderboard: { type: 'array' },
  },
  // score is required unless every test has one
  anyOf: [{ required: ['score'] }, { required: ['tests'] }],
};

// PrairieLearn "External Grading", grading results.
const PRAIRIELEARN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    gradable: { type: 'boolean' },
    score: { type: 'number', minimum: 0, maximum: 1 },
    message: { type: 'string' },
    output: { type: 'string' },
    format_errors: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    images: { type: 'array' },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'points', 'max_points'],
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          points: { type: 'number', minimum: 0 },
          max_points: { type: 'number', minimum: 0 },
          message: { type: 'string' },
          output: { type: 'string' },
          images: { type: 'array' },
        },
      },
    },
  },
  // a gradable result needs a score
  if: { properties: { gradable: { const: false } }, required: ['gradable'] },
  else: { required: ['score'] },
};

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validGradescope = ajv.compile(GRADESCOPE_SCHEMA);
const validPrairieLearn = ajv.compile(PRAIRIELEARN_SCHEMA);

describe('toGradescope', () => {
  it.each(ALL.map((r) => [r.student, r] as const))('%s: valid results.json', (_name, r) => {
    const g = toGradescope(r, LAB);
    expect(validGradescope(g) ? [] : validGradescope.errors).toEqual([]);
    expect(g.score).toBe(r.score);
    expect(g.tests.reduce((a, t) => a + t.score, 0)).toBe(r.score);
    expect(g.tests.reduce((a, t) => a + t.max_score, 0)).toBe(LAB.maxScore);
  });

  it('gives hidden scenarios their visibility, shows failures in the output', () => {
    const g = toGradescope(BOB, LAB);
    expect(g.tests.map((t) => [t.name, t.status, t.visibility])).toEqual([
      ['loads', 'passed', 'visible'],
      ['drops UDP to port 11111', 'failed', 'visible'],
      ['passes TCP', 'passed', 'visible'],
      ['vlan', 'passed', 'after_published'],
      ['ipv6', 'failed', 'hidden'],
    ]);
    expect(g.tests[1]!.output).toContain('hint: Did you compare the port');
    expect(g.tests[1]!.output).toContain('actual:   "XDP\\x01PASS"');
    expect(toGradescope(CAROL, LAB).output).toContain("unknown type name 'u32'");
    expect(toGradescope(CAROL, LAB).tests[2]!.status).toBe('failed');
  });

  it('the schema rejects what Gradescope would', () => {
    expect(validGradescope({ tests: [{ name: 'x', score: 1, max_score: 1, status: 'ok' }] })).toBe(false);
    expect(validGradescope({ score: 1, tests: [{ name: 'x', score: 1, visibility: 'public' }] })).toBe(false);
  });
});

describe('toPrairieLearn', () => {
  it.each(ALL.map((r) => [r.student, r] as const))('%s: valid results', (_name, r) => {
    const p = toPrairieLearn(r, LAB);
    expect(validPrairieLearn(p) ? [] : validPrairieLearn.errors).toEqual([]);
    expect(p.tests.reduce((a, t) => a + t.points, 0)).toBe(r.score);
  });

  it('scores 0..1, marks an unbuildable submission not gradable, and hides hidden scenarios', () => {
    expect(toPrairieLearn(BOB, LAB)).toMatchObject({ gradable: true, score: 0.5 });
    expect(toPrairieLearn(ALICE, LAB).score).toBe(1);
    const carol = toPrairieLearn(CAROL, LAB);
    expect(carol).toMatchObject({ gradable: false, score: 0, format_errors: [COMPILER] });
    expect(toPrairieLearn(DAVE, LAB).gradable).toBe(true);
    const bob = JSON.stringify(toPrairieLearn(BOB, LAB));
    for (const secret of ['vlan', 'ipv6', 'SECRET-IPV6-DETAIL', 'SECRET-HINT']) expect(bob).not.toContain(secret);
  });

  it('the schema rejects what PrairieLearn would', () => {
    expect(validPrairieLearn({ gradable: true, score: 1.5 })).toBe(false);
    expect(validPrairieLearn({ gradable: true })).toBe(false);
    expect(validPrairieLearn({ gradable: false })).toBe(true);
  });
});
