// @bpflab/grader: lab files, the scenario runner, reporters, batch grading.
// The package's only door.
export { SHIPPED_HOOKS, shippedHookRegistry } from './shipped-hooks';
export { formatPos, parseYamlSource, schemaProblems, sortProblems, YamlError } from './yaml-source';
export type { Problem, YamlSource } from './yaml-source';
export { DEFAULT_LIMITS } from './types';
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
