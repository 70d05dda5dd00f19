// @bpflab/grader: lab files, the scenario runner, reporters, batch grading.
// The package's only door.
export { SHIPPED_HOOKS, shippedHookRegistry } from './shipped-hooks';
export { formatPos, parseYamlSource, schemaProblems, sortProblems, YamlError } from './yaml-source';
export type { Problem, YamlSource } from './yaml-source';
export { DEFAULT_LIMITS } from './types';
export { labFilePath, LabError, labSchema, loadLab } from './lab';
export { gradeSubmission, resolveSubmissionFile, studentName } from './runner';
export type { GradeOptions, SubmissionFile } from './runner';
export { escapeText, matchesSubset, showValue as showExpected, subsetDifferences } from './match';
export type {
  Difference,
  Expectation,
  Lab,
  LabLimits,
  LabStep,
  LabVariant,
  Scenario,
  ScenarioResult,
  ScenarioStatus,
  SourcePos,
  SubmissionProblem,
  SubmissionResult,
  Visibility,
} from './types';
export { dumpMap, showJson, toJson } from './observe';
export type { SimJson, SimMapDump, SimMapEntry } from './observe';
