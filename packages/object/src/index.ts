/**
 * @bpflab/object: reads BPF ELF objects as libbpf does. Programs (with
 * their SEC-inferred types and attach targets, linked with the `.text`
 * subprograms they call), maps (`.maps`, legacy `maps`, global data,
 * `.kconfig`), externs, license, version, BTF, relocations as typed
 * references, and per-instruction source lines and CO-RE records.
 *
 * ```ts
 * const spec = readObject(bytes, { name: 'xdp_firewall.bpf.o' });
 * spec.programs[0].type;                 // 'XDP'
 * spec.maps.map((m) => m.name);          // ['dropped', 'xdp_fire.rodata']
 * formatInspect(spec);                   // bpflab inspect
 * formatSourceListing(spec, 'xdp_firewall'); // bpflab disasm --source
 * ```
 */
export { readObject, DEFAULT_READ_OBJECT_OPTIONS } from './read-object';
export type { ReadObjectOptions } from './read-object';
export { ObjectError } from './errors';
export type { ObjectErrorCode } from './errors';
export { internalMapName, objectName } from './names';
export { SECTION_DEFS, findSectionDef, programSectionInfo, sectionDefMatches } from './section-defs';
export type { AttachTarget, ProgramSectionInfo, SectionDef, TargetSyntax } from './section-defs';
export type {
  CoreRelocation,
  DataMapSpec,
  DataVariable,
  DefinedMapSpec,
  DiagnosticCode,
  ExternSpec,
  FuncInfoRecord,
  KconfigMapSpec,
  KconfigValueKind,
  Label,
  LinkedFunction,
  MapDefinition,
  MapKind,
  MapSlot,
  MapSpec,
  ObjectDiagnostic,
  ObjectSpec,
  Pinning,
  ProgramSpec,
  Reference,
  ReferenceKind,
  Relocation,
  SourceLine,
  SubprogramSpec,
} from './spec';
export { formatInspect, formatSourceListing, formatAttachTarget, formatReference } from './format';
export type { SourceListingOptions } from './format';
export { objectSpecToJson, formatObjectJson } from './json';
export { sourceLineAt } from './source-lines';
