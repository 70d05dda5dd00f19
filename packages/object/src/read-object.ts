/**
 * `readObject`: an ELF BPF object's bytes to an `ObjectSpec`, the way
 * libbpf opens an object (`bpf_object__open_mem`) and prepares its
 * programs for loading (subprogram linking, relocation records, `.BTF.ext`
 * adjustment), without a kernel: nothing is created, nothing is resolved
 * against kernel BTF, and nothing depends on the environment.
 */
import { hex, ObjectError } from './errors';
import { loadBtf } from './internal/btf-data';
import { readElf, readSymbols, sectionBytes, type RawElf, type RawSection } from './internal/elf';
import { readCodeSection, type CodeSection } from './internal/functions';
import { layoutOf } from './internal/layout';
import { assignCoreRelos, indexExt, linkProgram, recordRelocations, type LinkInput } from './internal/link';
import { fillInitialSlots, readMaps } from './internal/maps';
import { DEFAULT_OBJECT_NAME, objectName } from './names';
import { programSectionInfo } from './section-defs';
import type { ObjectDiagnostic, ObjectSpec, ProgramSpec, SubprogramSpec } from './spec';

/** Options of `readObject`. */
export interface ReadObjectOptions {
  /**
   * The object's name, or its file name or path: libbpf names an object
   * after its file, up to the first `.` (`xdp_firewall.bpf.o` →
   * `xdp_firewall`), at most 15 characters; internal maps are named after
   * it (`xdp_fire.rodata`). Default `'object'`.
   */
  readonly name?: string;
}

/** Defaults of `ReadObjectOptions`. */
export const DEFAULT_READ_OBJECT_OPTIONS: Required<ReadObjectOptions> = Object.freeze({ name: DEFAULT_OBJECT_NAME });

const LICENSE_MAX = 63;

function readLicense(elf: RawElf, s: RawSection | undefined): string | undefined {
  if (!s) return undefined;
  const bytes = sectionBytes(elf, s).subarray(0, LICENSE_MAX);
  const nul = bytes.indexOf(0);
  return new TextDecoder('utf-8', { fatal: false }).decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}

/**
 * Reads a BPF object file (ELF64, little-endian, `EM_BPF`, relocatable, as
 * `clang -O2 -g -target bpf -c` writes it): its programs with their types
 * and attach targets inferred from `SEC()` names, linked with the `.text`
 * subprograms they call; its maps (`.maps`, legacy `maps`, global data
 * sections, `.kconfig`); its externs, license, kernel version, BTF, and
 * per-instruction source lines and CO-RE records. The same bytes always
 * give an equal spec.
 *
 * Throws `ObjectError` (with `section` and file `offset` where they apply)
 * on anything malformed or unsupported; never another kind of error.
 */
export function readObject(bytes: Uint8Array, options: ReadObjectOptions = {}): ObjectSpec {
  const name = objectName(options.name ?? DEFAULT_READ_OBJECT_OPTIONS.name);
  const elf = readElf(bytes);
  const symtab = readSymbols(elf);
  const { symbols } = symtab;
  const layout = layoutOf(elf);
  const diagnostics: ObjectDiagnostic[] = [...layout.diagnostics];

  const code = new Map<number, CodeSection>();
  const text = layout.text ? readCodeSection(elf, layout.text, symbols, true) : undefined;
  if (text) code.set(text.section.index, text);
  for (const s of layout.programSections) code.set(s.index, readCodeSection(elf, s, symbols, false));

  const btfData = loadBtf(elf, layout, symtab);
  diagnostics.push(...btfData.diagnostics);
  const { btf } = btfData;
  const read = readMaps(elf, layout, btf, name, symbols, btfData.externs);
  diagnostics.push(...read.diagnostics);

  const mains = layout.programSections.flatMap((s) => code.get(s.index)!.functions);
  let maps = read.maps;
  for (const rel of layout.relocations) {
    if (elf.sections[rel.info]?.name !== '.maps' || !layout.btfMaps) continue;
    maps = fillInitialSlots(
      elf,
      rel,
      layout.btfMaps,
      btf,
      maps,
      symbols,
      mains.map((f) => ({ name: f.name, sectionIndex: f.section.index, offset: f.offset })),
    );
  }

  const input: LinkInput = {
    elf,
    symbols,
    code,
    text,
    maps,
    dataBySection: read.dataBySection,
    externBySymbol: btfData.externBySymbol,
    btf,
    ext: btfData.ext,
    extSection: layout.btfExt,
  };
  const recorded = recordRelocations(input, layout.relocations);
  const extIndex = indexExt(btfData.ext);
  const core = assignCoreRelos(input);

  const programs: ProgramSpec[] = mains.map((fn) => {
    // SEC("?xdp"): libbpf drops the '?' and does not load the program unless asked to.
    const autoload = !fn.section.name.startsWith('?');
    const section = autoload ? fn.section.name : fn.section.name.slice(1);
    const info = programSectionInfo(section);
    if (!info.def) {
      diagnostics.push({
        code: 'unknown-section',
        section,
        program: fn.name,
        message: `prog '${fn.name}': missing BPF prog type, check ELF section name '${section}'`,
      });
    } else if (info.def.attachBtf && info.target.kind === 'none') {
      diagnostics.push({
        code: 'missing-attach-target',
        section,
        program: fn.name,
        message: `prog '${fn.name}': no BTF-based attach target is specified, use bpf_program__set_attach_target()`,
      });
    } else if (info.target.kind === 'invalid') {
      diagnostics.push({
        code: 'invalid-attach-target',
        section,
        program: fn.name,
        message: `prog '${fn.name}': invalid section name '${section}': ${info.target.reason}`,
      });
    }
    const linked = linkProgram(input, fn, recorded, extIndex, core);
    diagnostics.push(...linked.diagnostics);
    return {
      name: fn.name,
      section,
      sectionOffset: fn.offset,
      type: info.progType,
      expectedAttachType: info.attachType,
      secDef: info.def?.sec,
      attachTarget: info.target,
      sleepable: info.sleepable,
      xdpFrags: info.xdpFrags,
      autoload,
      insns: linked.insns,
      slots: linked.slots,
      functions: linked.functions,
      labels: linked.labels,
      relocations: linked.relocations,
      funcInfo: linked.funcInfo,
      lineInfo: linked.lineInfo,
      coreRelocations: linked.coreRelocations,
    };
  });

  const subprograms: SubprogramSpec[] = (text?.functions ?? []).map((f) => ({
    name: f.name,
    sectionOffset: f.offset,
    slots: f.slots,
    global: f.global,
    hidden: f.hidden,
  }));

  let kernelVersion: number | undefined;
  if (layout.version) {
    const v = sectionBytes(elf, layout.version);
    if (v.length !== 4) {
      throw new ObjectError('bad-section', `section 'version' at file offset ${hex(layout.version.offset)}: no data`, 'version', layout.version.offset);
    }
    kernelVersion = new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
  }

  return {
    name,
    license: readLicense(elf, layout.license),
    kernelVersion,
    programs,
    subprograms,
    maps,
    externs: btfData.externs,
    btf,
    diagnostics,
  };
}
