/**
 * JUnit XML for CI dashboards: one `<testsuite>` per student, one
 * `<testcase>` per scenario (classname the lab id, name the scenario,
 * time in seconds); a failed scenario carries a `<failure>` with its
 * message and differences, a skipped one `<skipped/>`; an ungradable
 * submission is one more `<testcase name="submission">` with an `<error>`
 * holding the compiler's or verifier's message.
 */
import junit from 'junit-report-builder';
import type { Lab, SubmissionResult } from '../types';
import { byStudent } from './summary';
import { differenceLines, oneLine } from './text';

/** Text XML 1.0 can hold: control characters other than tab and line breaks shown as `\xNN`. */
function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The JUnit XML report of `results`. */
/** Milliseconds as seconds, to the millisecond (no float noise in the XML). */
function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

export function toJUnit(results: readonly SubmissionResult[], lab: Lab): string {
  const b = junit.newBuilder().name(`bpflab ${lab.id}`);
  for (const r of byStudent(results)) {
    const suite = b.testSuite().name(xmlText(r.student)).time(seconds(r.durationMs)).property('score', String(r.score)).property('max_score', String(r.maxScore));
    if (r.problem !== undefined) {
      suite
        .testCase()
        .className(lab.id)
        .name('submission')
        .time(0)
        .error(`${r.problem}: ${oneLine(r.message, 200)}`, r.problem, xmlText(r.message ?? ''));
    }
    for (const s of r.scenarios) {
      const tc = suite.testCase().className(lab.id).name(xmlText(s.name)).time(seconds(s.durationMs));
      if (s.status === 'skipped') tc.skipped();
      else if (s.status === 'failed') {
        const details = [s.message, ...s.differences.flatMap((d) => differenceLines(d, '')), ...(s.hint === undefined ? [] : [`hint: ${s.hint}`])];
        tc.failure(oneLine(s.message, 300), 'failed').stacktrace(xmlText(details.join('\n')));
      }
    }
  }
  return b.build();
}
