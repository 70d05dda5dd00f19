// @bpflab/grader: lab files, the scenario runner, reporters, batch grading.
// The package's only door.
export { SHIPPED_HOOKS, shippedHookRegistry } from './shipped-hooks';
export { editDistance, formatPos, parseYamlSource, schemaProblems, sortProblems, YamlError } from './yaml-source';
export type { Problem, YamlSource } from './yaml-source';
export { DEFAULT_LIMITS } from './types';
export { labFilePath, LabError, labSchema, loadLab } from './lab';
export { attachRequests } from './attach';
export type { AttachableProgram } from './attach';
export { checkLab } from './lab-check';
export { missingPrebuilt, prebuildLab, prebuiltObject, prebuiltPath, PREBUILT_DIR } from './prebuilt';
export type { PrebuildReport } from './prebuilt';
export type { CheckedSubmission, LabCheck } from './lab-check';
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
// reporters and batch grading
export { formatStudentReport } from './report/student';
export { byStudent, formatSummaryTable, summarize } from './report/summary';
export type { BatchSummary } from './report/summary';
export type { TextReportOptions } from './report/text';
export { toCsv } from './report/csv';
export { isSubmissionResult, parseJsonLines, toJsonLine } from './report/json';
export { toJUnit } from './report/junit';
export { toGradescope } from './report/gradescope';
export type { GradescopeResults, GradescopeTest } from './report/gradescope';
export { toPrairieLearn } from './report/prairielearn';
export type { PrairieLearnResults, PrairieLearnTest } from './report/prairielearn';
export { gradeBatch, unfinishedResult } from './batch/pool';
export type { BatchOptions, BatchOutcome } from './batch/pool';
export { BatchError } from './batch/errors';
export { entryStudent, listSubmissions } from './batch/submissions';
export type { SubmissionEntry } from './batch/submissions';
export { resolveShard, selectShard, shardDirName } from './batch/shard';
export type { Shard, ShardInput } from './batch/shard';
export { readResultsFile, ResultsWriter } from './batch/results-file';
export { mergeShards, studentFileName, writeReports } from './batch/outputs';
export { createProgress, wantsBar } from './batch/progress';
export type { Progress, ProgressSink } from './batch/progress';
export type { GradeTask } from './batch/task';
