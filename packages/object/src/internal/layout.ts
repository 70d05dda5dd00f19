/**
 * Sorts an object's sections into what libbpf does with them
 * (`bpf_object__elf_collect`): program code, `.text`, global data,
 * map definitions, BTF, license, version, the relocations it applies,
 * and the sections it skips.
 */
import type { ObjectDiagnostic } from '../spec';
import { sectionError, SHF, SHT, type RawElf, type RawSection } from './elf';

/** What a global data section becomes. */
export type DataKind = 'data' | 'rodata' | 'bss';

/** A data section that becomes an internal map. */
export interface DataSection {
  readonly kind: DataKind;
  readonly section: RawSection;
}

/** The sections of an object, by role. */
export interface Layout {
  /** Executable sections other than `.text`, in section order. */
  readonly programSections: readonly RawSection[];
  /** `.text`, when it holds code. */
  readonly text: RawSection | undefined;
  /** `.data*`, `.rodata*`, `.bss*` sections with a size, in section order. */
  readonly data: readonly DataSection[];
  /** `.maps` */
  readonly btfMaps: RawSection | undefined;
  /** `maps` (legacy `struct bpf_map_def`) */
  readonly legacyMaps: RawSection | undefined;
  readonly btf: RawSection | undefined;
  readonly btfExt: RawSection | undefined;
  readonly license: RawSection | undefined;
  readonly version: RawSection | undefined;
  /** `SHT_REL` sections whose relocations are applied: for code and for `.maps`. */
  readonly relocations: readonly RawSection[];
  readonly diagnostics: readonly ObjectDiagnostic[];
}

function isDataName(name: string, base: string): boolean {
  return name === base || name.startsWith(`${base}.`);
}

/** Sections libbpf ignores without a word. */
function ignored(s: RawSection): boolean {
  if (s.type === SHT.NULL || s.type === SHT.STRTAB || s.type === SHT.SYMTAB || s.type === SHT.LLVM_ADDRSIG) return true;
  if (s.type === SHT.PROGBITS && s.size === 0 && s.name === '.text') return true;
  if (s.name.startsWith('.debug_')) return true;
  if (s.name.startsWith('.rel')) {
    const rest = s.name.slice(4);
    if (rest.startsWith('.debug_') || rest === '.BTF' || rest === '.BTF.ext') return true;
  }
  return false;
}

/** Classifies the sections of `elf`. */
export function layoutOf(elf: RawElf): Layout {
  const programSections: RawSection[] = [];
  const data: DataSection[] = [];
  const relocations: RawSection[] = [];
  const diagnostics: ObjectDiagnostic[] = [];
  let text: RawSection | undefined;
  let btfMaps: RawSection | undefined;
  let legacyMaps: RawSection | undefined;
  let btf: RawSection | undefined;
  let btfExt: RawSection | undefined;
  let license: RawSection | undefined;
  let version: RawSection | undefined;
  const skip = (s: RawSection, message: string): void => {
    diagnostics.push({ code: 'skipped-section', section: s.name, message });
  };
  const once = (current: RawSection | undefined, s: RawSection): RawSection => {
    if (current) throw sectionError('bad-section', s, s.headerOffset, `a second '${s.name}' section (the first is #${current.index})`);
    return s;
  };

  for (const s of elf.sections) {
    if (ignored(s)) continue;
    const name = s.name;
    if (name === 'license') {
      license = once(license, s);
    } else if (name === 'version') {
      if (s.size !== 4) throw sectionError('bad-section', s, s.headerOffset + 32, `invalid kernel version section: size ${s.size}, want 4`);
      version = once(version, s);
    } else if (name === 'maps') {
      legacyMaps = once(legacyMaps, s);
    } else if (name === '.maps') {
      btfMaps = once(btfMaps, s);
    } else if (name === '.BTF') {
      btf = once(btf, s);
    } else if (name === '.BTF.ext') {
      btfExt = once(btfExt, s);
    } else if (s.type === SHT.PROGBITS && s.size > 0) {
      if ((s.flags & SHF.EXECINSTR) !== 0) {
        if (name === '.text') text = once(text, s);
        else programSections.push(s);
      } else if (isDataName(name, '.data')) {
        data.push({ kind: 'data', section: s });
      } else if (isDataName(name, '.rodata')) {
        data.push({ kind: 'rodata', section: s });
      } else if (name === '.struct_ops' || name === '.struct_ops.link') {
        throw sectionError('unsupported', s, s.offset, 'struct_ops maps are not supported by bpflab');
      } else if (name === '.addr_space.1') {
        throw sectionError('unsupported', s, s.offset, 'BPF arena maps are not supported by bpflab');
      } else {
        skip(s, `elf: skipping unrecognized data section(${s.index}) ${name}: its variables are not global data a program can use`);
      }
    } else if (s.type === SHT.REL) {
      const target = elf.sections[s.info];
      if (s.info === 0 || !target) {
        throw sectionError('bad-relocation', s, s.headerOffset + 44, `sh_info ${s.info}: not a section to relocate (${elf.sections.length} sections)`);
      }
      const code = target.type === SHT.PROGBITS && (target.flags & SHF.EXECINSTR) !== 0;
      if (code || target.name === '.maps') {
        relocations.push(s);
      } else {
        skip(
          s,
          `elf: skipping relo section(${s.index}) ${name} for section(${target.index}) ${target.name}: ` +
            'relocations outside code and .maps are not applied (pointers stored in global variables stay 0)',
        );
      }
    } else if (s.type === SHT.RELA) {
      skip(s, `elf: skipping section(${s.index}) ${name}: SHT_RELA relocations are not used by BPF objects`);
    } else if (s.type === SHT.NOBITS && isDataName(name, '.bss')) {
      if (s.size > 0) data.push({ kind: 'bss', section: s });
    }
  }
  return { programSections, text, data, btfMaps, legacyMaps, btf, btfExt, license, version, relocations, diagnostics };
}
