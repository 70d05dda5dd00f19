/**
 * The public model of a BPF object file: what libbpf's `bpf_object__open`
 * learns from it, with programs already linked (subprograms appended,
 * calls fixed) and relocations turned into typed references. Plain
 * readonly values; the same bytes always give an equal `ObjectSpec`.
 */
import type { Btf, CoreReloKind, TypeId } from '@bpflab/btf';
import type { Insn } from '@bpflab/isa';
import type { AttachTypeName, MapTypeName, ProgTypeName } from '@bpflab/uapi';
import type { AttachTarget } from './section-defs';

/** A BPF object file, read. */
export interface ObjectSpec {
  /** The object name libbpf uses (file name up to its first `.`, at most 15 characters). */
  readonly name: string;
  /** The `license` section's string, `undefined` when there is none. */
  readonly license: string | undefined;
  /** The `version` section's u32 (`LINUX_VERSION_CODE` of old kprobe programs), `undefined` when there is none. */
  readonly kernelVersion: number | undefined;
  /** Entry-point programs, by section index then offset (libbpf's order). */
  readonly programs: readonly ProgramSpec[];
  /** Functions of `.text`, which are linked into the programs that call them. */
  readonly subprograms: readonly SubprogramSpec[];
  /** Maps: legacy `maps`, BTF-defined `.maps` (in DATASEC order), then global data and `.kconfig`. */
  readonly maps: readonly MapSpec[];
  /** `__kconfig` and `__ksym` externs, in libbpf's order (kconfig by alignment, size, name; then ksyms). */
  readonly externs: readonly ExternSpec[];
  /** The object's `.BTF`, with DATASEC sizes and variable offsets filled in as libbpf does; `undefined` without BTF. */
  readonly btf: Btf | undefined;
  /** Things a reader of the object should know: SEC names no program type matches, legacy maps, skipped sections. */
  readonly diagnostics: readonly ObjectDiagnostic[];
}

/** Codes of `ObjectDiagnostic`. */
export type DiagnosticCode =
  /** a program section whose name matches no libbpf SEC definition: libbpf refuses to load it */
  | 'unknown-section'
  /** a program whose section names a BTF attach target, without one: libbpf refuses to load it */
  | 'missing-attach-target'
  /** section extras that do not have the form the program type needs: auto-attach would fail */
  | 'invalid-attach-target'
  /** a legacy `maps` section (struct bpf_map_def): libbpf v1.0+ refuses it */
  | 'legacy-maps'
  /** a section libbpf skips: an unrecognised data section, or relocations it does not apply */
  | 'skipped-section'
  /** `.BTF.ext` information libbpf drops (a program whose main function has no func/line info) */
  | 'btf-ext-skipped';

/** Something worth knowing about the object that does not stop it being read. */
export interface ObjectDiagnostic {
  readonly code: DiagnosticCode;
  /** The section concerned. */
  readonly section: string;
  /** The program concerned, when there is one. */
  readonly program?: string;
  /** A lowercase sentence in libbpf's words where it has some. */
  readonly message: string;
}

/** An entry-point program: one global function of a program section, linked. */
export interface ProgramSpec {
  /** The function's symbol name. */
  readonly name: string;
  /** Its `SEC()` name: the ELF section, without the leading `?` of a program not loaded by default. */
  readonly section: string;
  /** Byte offset of the function in its section. */
  readonly sectionOffset: number;
  /** The program type libbpf infers from the section name; `UNSPEC` when none matches. */
  readonly type: ProgTypeName;
  /** The `expected_attach_type`, when the section name implies one. */
  readonly expectedAttachType: AttachTypeName | undefined;
  /** The libbpf SEC definition that matched (`tp+`, `xdp`), `undefined` when none did. */
  readonly secDef: string | undefined;
  /** Attach target named by the section's extras. */
  readonly attachTarget: AttachTarget;
  /** Loaded with `BPF_F_SLEEPABLE` (`.s` sections, `syscall`). */
  readonly sleepable: boolean;
  /** Loaded with `BPF_F_XDP_HAS_FRAGS` (`xdp.frags`). */
  readonly xdpFrags: boolean;
  /** False for `SEC("?...")`: libbpf loads the program only when asked to (`bpf_program__set_autoload`). */
  readonly autoload: boolean;
  /**
   * The linked code: the function's own instructions, then each
   * subprogram it reaches (first call first, depth first), call offsets
   * fixed, and relocated instructions in the form the loader patches:
   * map references as `lddw` `map_fd`, global data and kconfig as
   * `map_value` with the offset in the upper half, kfunc calls as `call_kfunc`.
   */
  readonly insns: readonly Insn[];
  /** Slot count of `insns` (an `lddw` takes two). */
  readonly slots: number;
  /** Functions in `insns`: the program itself at pc 0, then the appended subprograms. */
  readonly functions: readonly LinkedFunction[];
  /** Local labels (`LBB0_3`) of the object's symbol table, by pc in the linked code. */
  readonly labels: readonly Label[];
  /** What each relocated instruction refers to, by instruction. */
  readonly relocations: readonly Relocation[];
  /** `.BTF.ext` func info, in linked pcs (as libbpf passes it to the kernel). */
  readonly funcInfo: readonly FuncInfoRecord[];
  /** `.BTF.ext` line info, in linked pcs, ascending. */
  readonly lineInfo: readonly SourceLine[];
  /** `.BTF.ext` CO-RE relocations, on their instructions (not resolved). */
  readonly coreRelocations: readonly CoreRelocation[];
}

/** A function placed in a linked program. */
export interface LinkedFunction {
  readonly name: string;
  /** First slot of the function in the linked program. */
  readonly pc: number;
  /** Its size in slots. */
  readonly slots: number;
  /** The section it comes from (`.text` for subprograms). */
  readonly section: string;
  readonly sectionOffset: number;
}

/** A symbol naming a slot of a linked program (jump annotations in listings). */
export interface Label {
  readonly pc: number;
  readonly name: string;
}

/** A `.text` function. */
export interface SubprogramSpec {
  readonly name: string;
  readonly sectionOffset: number;
  /** Size in slots. */
  readonly slots: number;
  /** A global (or weak) symbol: the verifier checks global functions on their own. */
  readonly global: boolean;
  /** Hidden visibility: libbpf marks such a global function static in BTF. */
  readonly hidden: boolean;
}

/** One relocated instruction of a linked program. */
export interface Relocation {
  /** Index of the instruction in `insns`. */
  readonly insn: number;
  /** Its slot. */
  readonly pc: number;
  readonly ref: Reference;
}

/** What a relocated instruction refers to. */
export type Reference =
  /** `lddw rX, map` (`BPF_PSEUDO_MAP_FD`): the map, by name. */
  | { readonly kind: 'map'; readonly map: string }
  /**
   * `lddw rX, &var` into global data (`BPF_PSEUDO_MAP_VALUE`): the internal
   * map, its section, the byte offset in it, and the variable there when known.
   */
  | {
      readonly kind: 'global';
      readonly map: string;
      readonly section: string;
      readonly offset: number;
      readonly variable: string | undefined;
    }
  /** A BPF-to-BPF call, or an `lddw` of a callback's address (`BPF_PSEUDO_FUNC`): the function and its pc. */
  | { readonly kind: 'subprog'; readonly name: string; readonly pc: number }
  /**
   * An extern: a kconfig value (`lddw` becomes `map_value` into `.kconfig`),
   * a kernel variable (`lddw`, resolved to `BPF_PSEUDO_BTF_ID` by the loader)
   * or a kernel function (`call_kfunc`, resolved to its BTF id by the loader).
   */
  | { readonly kind: 'extern'; readonly name: string; readonly extern: 'kconfig' | 'ksym' };

/** Kinds of `Reference`. */
export type ReferenceKind = Reference['kind'];

/** `struct bpf_func_info` after libbpf's adjustment. */
export interface FuncInfoRecord {
  readonly pc: number;
  /** The `func` type id in `btf`. */
  readonly typeId: TypeId;
  readonly name: string;
}

/** The C source line of an instruction (`struct bpf_line_info`). */
export interface SourceLine {
  /** First slot the line applies to; it holds until the next record. */
  readonly pc: number;
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly column: number;
  /** The line's text as the compiler recorded it. */
  readonly text: string;
}

/** A CO-RE relocation record on an instruction (resolved later, against the kernel's BTF). */
export interface CoreRelocation {
  readonly insn: number;
  readonly pc: number;
  readonly kind: CoreReloKind;
  /** Root type of the access, in `btf`. */
  readonly typeId: TypeId;
  /** Access string: `0:1:2`. */
  readonly access: string;
  /** What the access reaches, as libbpf's debug log spells it. */
  readonly description: string;
}

/** `LIBBPF_PIN_NONE` / `LIBBPF_PIN_BY_NAME`. */
export type Pinning = 'none' | 'by_name';

/** The attributes the kernel's map creation takes. */
export interface MapDefinition {
  readonly type: MapTypeName;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** `map_flags` (`BPF_F_*`). */
  readonly flags: number;
  readonly numaNode: number;
  /** `map_extra` (bloom filter hash count, arena address). */
  readonly mapExtra: bigint;
  /** BTF type of the key, when the definition gives one. */
  readonly keyType: TypeId | undefined;
  /** BTF type of the value (for global data: the DATASEC). */
  readonly valueType: TypeId | undefined;
}

/** Kinds of maps. */
export type MapKind = MapSpec['kind'];

/** A map of the object. */
export type MapSpec = DefinedMapSpec | DataMapSpec | KconfigMapSpec;

/** A map the program defines: BTF-defined in `.maps`, or legacy in `maps`. */
export interface DefinedMapSpec extends MapDefinition {
  readonly kind: 'btf' | 'legacy';
  readonly name: string;
  readonly section: string;
  /** Offset of the definition in its section (what relocations point at). */
  readonly sectionOffset: number;
  readonly pinning: Pinning;
  /** The inner map definition of a map-in-map (`__array(values, struct {...})`), named `<map>.inner`. */
  readonly inner: (MapDefinition & { readonly name: string }) | undefined;
  /** Initial slots of a map-in-map or prog array, from relocations in `.maps`. */
  readonly initialSlots: readonly MapSlot[];
}

/** An initial entry of a map-in-map (a map) or prog array (a program). */
export interface MapSlot {
  readonly index: number;
  readonly kind: 'map' | 'program';
  readonly name: string;
}

/** A global variable of a data section. */
export interface DataVariable {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Its BTF type (the var's type), when the object has BTF. */
  readonly type: TypeId | undefined;
  readonly linkage: 'static' | 'global';
}

/**
 * Global data as libbpf maps it: an array of one element whose value is the
 * section (`.data`, `.data.*`; `.rodata`, `.rodata.*` read-only to programs;
 * `.bss` zeroed).
 */
export interface DataMapSpec extends MapDefinition {
  readonly kind: 'data' | 'rodata' | 'bss';
  /** The kernel-visible name: `<obj>.data` truncated to 15 characters (see `internalMapName`). */
  readonly name: string;
  /** The ELF section, which libbpf calls the map's real name. */
  readonly section: string;
  /**
   * Initial contents (`valueSize` bytes); `undefined` for `.bss`, whose
   * contents are zeros (the object stores no bytes for it).
   */
  readonly data: Uint8Array | undefined;
  /** Variables, by offset. */
  readonly variables: readonly DataVariable[];
}

/** The `.kconfig` map libbpf makes for `__kconfig` externs (values filled in by the loader). */
export interface KconfigMapSpec extends MapDefinition {
  readonly kind: 'kconfig';
  readonly name: string;
  readonly section: '.kconfig';
  /** The externs, at their offsets. */
  readonly variables: readonly DataVariable[];
}

/** How a kconfig value is typed (libbpf's `enum kcfg_type`). */
export type KconfigValueKind = 'bool' | 'char' | 'int' | 'tristate' | 'char_array';

/** An extern variable or function. */
export type ExternSpec =
  /** `extern int CONFIG_HZ __kconfig;`: a value of the kernel's configuration, stored in `.kconfig`. */
  | {
      readonly kind: 'kconfig';
      readonly name: string;
      readonly weak: boolean;
      /** The `var` in BTF. */
      readonly btfId: TypeId;
      readonly valueKind: KconfigValueKind;
      readonly signed: boolean;
      /** Offset in the `.kconfig` map. */
      readonly offset: number;
      readonly size: number;
      readonly align: number;
    }
  /** `extern const int bpf_prog_active __ksym;` or `extern void bpf_rcu_read_lock(void) __ksym;`: a kernel symbol. */
  | {
      readonly kind: 'ksym';
      readonly name: string;
      readonly weak: boolean;
      /** The `var` or `func` in BTF. */
      readonly btfId: TypeId;
      /** A kernel function (kfunc) rather than a variable. */
      readonly func: boolean;
      /** The variable's type (modifiers skipped) or the function's prototype; 0 for a typeless `void` ksym. */
      readonly type: TypeId;
    };
