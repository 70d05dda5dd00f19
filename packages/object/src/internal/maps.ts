/**
 * Maps of an object, as libbpf builds them at open time: legacy
 * `struct bpf_map_def` in `maps`, BTF-defined maps in `.maps`
 * (`parse_btf_map_def`), one internal array map per global data section
 * (`bpf_object__init_internal_map`) and the `.kconfig` map.
 */
import { BtfError, type Btf, type BtfMember, type BtfStruct, type TypeId } from '@bpflab/btf';
import { MAP_FLAG, mapTypeShortName, type MapTypeName } from '@bpflab/uapi';
import { hex, ObjectError } from '../errors';
import { internalMapName } from '../names';
import type {
  DataMapSpec,
  DataVariable,
  DefinedMapSpec,
  ExternSpec,
  KconfigMapSpec,
  MapDefinition,
  MapSlot,
  MapSpec,
  ObjectDiagnostic,
  Pinning,
} from '../spec';
import {
  describeSection,
  R_BPF,
  readRels,
  relocationTypeName,
  sectionBytes,
  sectionError,
  STB,
  STT,
  type RawElf,
  type RawSection,
  type RawSymbol,
} from './elf';
import type { Layout } from './layout';

/** libbpf's `struct bpf_map_def`: five u32 (type, key_size, value_size, max_entries, map_flags). */
const MAP_DEF_SIZE = 20;
function mapType(value: number, fail: (what: string) => never): MapTypeName {
  const name = mapTypeShortName(value);
  if (name === undefined) return fail(`unknown map type ${value}`);
  return name;
}

/* ------------------------------------------------------------ legacy maps */

function readLegacyMaps(elf: RawElf, section: RawSection, symbols: readonly RawSymbol[]): DefinedMapSpec[] {
  const syms = symbols
    .filter((s) => s.shndx === section.index && s.type !== STT.SECTION && s.name !== '')
    .sort((a, b) => a.value - b.value || a.index - b.index);
  if (syms.length === 0) return [];
  const bytes = sectionBytes(elf, section);
  const size = bytes.length;
  if (size === 0 || size % syms.length !== 0) {
    throw new ObjectError(
      'bad-map',
      `${describeSection(section)} at file offset ${hex(section.offset)}: unable to determine map definition size: ${syms.length} maps in ${size} bytes`,
      section.name,
      section.offset,
    );
  }
  const defSize = size / syms.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return syms.map((sym) => {
    const at = section.offset + sym.value;
    const fail = (what: string): never => {
      throw new ObjectError('bad-map', `${describeSection(section)} at file offset ${hex(at)}: map '${sym.name}': ${what}`, section.name, at);
    };
    if (sym.value > size || defSize > size - sym.value) fail(`corrupted maps section: definition at ${sym.value} (${defSize} bytes) runs past the end`);
    for (let b = MAP_DEF_SIZE; b < defSize; b++) {
      if (bytes[sym.value + b] !== 0) fail('has unrecognized, non-zero options past struct bpf_map_def');
    }
    const field = (i: number): number => (i * 4 + 4 <= defSize ? view.getUint32(sym.value + i * 4, true) : 0);
    const type = mapType(field(0), fail);
    return {
      kind: 'legacy',
      name: sym.name,
      section: section.name,
      sectionOffset: sym.value,
      type,
      keySize: field(1),
      valueSize: field(2),
      maxEntries: field(3),
      flags: field(4),
      numaNode: 0,
      mapExtra: 0n,
      keyType: undefined,
      valueType: undefined,
      pinning: 'none',
      inner: undefined,
      initialSlots: [],
    };
  });
}

/* ------------------------------------------------------------ BTF maps */

interface ParsedDef {
  type: number | undefined;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode: number;
  mapExtra: bigint;
  keyType: TypeId | undefined;
  valueType: TypeId | undefined;
  pinning: Pinning;
  inner: ParsedDef | undefined;
}

/** `__uint(name, N)` is `int (*name)[N]`: the value is the array's length. */
function fieldInt(btf: Btf, m: BtfMember, fail: (what: string) => never): number {
  const t = btf.resolve(m.type);
  if (t.kind !== 'ptr') return fail(`attr '${m.name}': expected PTR, got ${t.kind}`);
  const arr = btf.type(t.type);
  if (arr.kind !== 'array') return fail(`attr '${m.name}': expected ARRAY, got ${arr.kind}`);
  return arr.length;
}

/** `__ulong(name, N)` is a one-enumerator enum; `__uint` is accepted too. */
function fieldLong(btf: Btf, m: BtfMember, fail: (what: string) => never): bigint {
  const t = btf.resolve(m.type);
  if (t.kind === 'ptr') return BigInt(fieldInt(btf, m, fail));
  if (t.kind !== 'enum' && t.kind !== 'enum64') return fail(`attr '${m.name}': expected ENUM or ENUM64, got ${t.kind}`);
  if (t.values.length !== 1) return fail(`attr '${m.name}': invalid __ulong`);
  const v = t.values[0]!.value;
  return BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));
}

function sizeOfType(btf: Btf, id: TypeId, what: string, fail: (what: string) => never): number {
  try {
    return btf.sizeof(id);
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
    return fail(`can't determine ${what} size for type [${id}]: ${e.message}`);
  }
}

const MAP_IN_MAP = new Set<number>([12, 13]); // ARRAY_OF_MAPS, HASH_OF_MAPS
const PROG_ARRAY = 3;

function parseMapDef(btf: Btf, mapName: string, def: BtfStruct, isInner: boolean, fail: (what: string) => never): ParsedDef {
  const d: ParsedDef = {
    type: undefined,
    keySize: 0,
    valueSize: 0,
    maxEntries: 0,
    flags: 0,
    numaNode: 0,
    mapExtra: 0n,
    keyType: undefined,
    valueType: undefined,
    pinning: 'none',
    inner: undefined,
  };
  const failMap = (what: string): never => fail(`map '${mapName}': ${what}`);
  const members = def.members;
  members.forEach((m, i) => {
    switch (m.name) {
      case 'type':
        d.type = fieldInt(btf, m, failMap);
        break;
      case 'max_entries':
        d.maxEntries = fieldInt(btf, m, failMap);
        break;
      case 'map_flags':
        d.flags = fieldInt(btf, m, failMap);
        break;
      case 'numa_node':
        d.numaNode = fieldInt(btf, m, failMap);
        break;
      case 'key_size':
      case 'value_size': {
        const sz = fieldInt(btf, m, failMap);
        const key = m.name === 'key_size';
        const have = key ? d.keySize : d.valueSize;
        if (have && have !== sz) failMap(`conflicting ${key ? 'key' : 'value'} size ${have} != ${sz}`);
        if (key) d.keySize = sz;
        else d.valueSize = sz;
        break;
      }
      case 'key':
      case 'value': {
        const key = m.name === 'key';
        const t = btf.type(m.type);
        if (t.kind !== 'ptr') failMap(`${m.name} spec is not PTR: ${t.kind}`);
        const target = (t as { type: TypeId }).type;
        const sz = sizeOfType(btf, target, m.name, failMap);
        const have = key ? d.keySize : d.valueSize;
        if (have && have !== sz) failMap(`conflicting ${m.name} size ${have} != ${sz}`);
        if (key) {
          d.keySize = sz;
          d.keyType = target;
        } else {
          d.valueSize = sz;
          d.valueType = target;
        }
        break;
      }
      case 'values': {
        const isMapInMap = d.type !== undefined && MAP_IN_MAP.has(d.type);
        const isProgArray = d.type === PROG_ARRAY;
        const desc = isMapInMap ? 'map-in-map inner' : 'prog-array value';
        if (isInner) failMap('multi-level inner maps not supported');
        if (i !== members.length - 1) failMap(`'values' member should be last`);
        if (!isMapInMap && !isProgArray) failMap('should be map-in-map or prog-array');
        if (d.valueSize && d.valueSize !== 4) failMap(`conflicting value size ${d.valueSize} != 4`);
        d.valueSize = 4;
        const arr = btf.type(m.type);
        if (arr.kind !== 'array' || arr.length !== 0) failMap(`${desc} spec is not a zero-sized array`);
        const ptr = btf.resolve((arr as { type: TypeId }).type);
        if (ptr.kind !== 'ptr') failMap(`${desc} def is of unexpected kind ${ptr.kind}`);
        const inner = btf.resolve((ptr as { type: TypeId }).type);
        if (isProgArray) {
          if (inner.kind !== 'func_proto') failMap(`prog-array value def is of unexpected kind ${inner.kind}`);
          break;
        }
        if (inner.kind !== 'struct') failMap(`map-in-map inner def is of unexpected kind ${inner.kind}`);
        d.inner = parseMapDef(btf, `${mapName}.inner`, inner as BtfStruct, true, fail);
        break;
      }
      case 'pinning': {
        if (isInner) failMap(`inner def can't be pinned`);
        const v = fieldInt(btf, m, failMap);
        if (v !== 0 && v !== 1) failMap(`invalid pinning value ${v}`);
        d.pinning = v === 1 ? 'by_name' : 'none';
        break;
      }
      case 'map_extra':
        d.mapExtra = fieldLong(btf, m, failMap);
        break;
      default:
        failMap(`unknown field '${m.name}'`);
    }
  });
  if (d.type === undefined || d.type === 0) failMap(`map type isn't specified`);
  return d;
}

function definition(d: ParsedDef, fail: (what: string) => never): MapDefinition {
  return {
    type: mapType(d.type!, fail),
    keySize: d.keySize,
    valueSize: d.valueSize,
    maxEntries: d.maxEntries,
    flags: d.flags,
    numaNode: d.numaNode,
    mapExtra: d.mapExtra,
    keyType: d.keyType,
    valueType: d.valueType,
  };
}

function readBtfMaps(btf: Btf | undefined, section: RawSection): DefinedMapSpec[] {
  const at0 = section.offset;
  const sectionFail = (what: string, at = at0): never => {
    throw new ObjectError('bad-map', `${describeSection(section)} at file offset ${hex(at)}: ${what}`, section.name, at);
  };
  if (!btf) {
    throw sectionError('bad-btf', section, section.offset, `BTF-defined maps need the object's .BTF, which is missing (compile with -g)`);
  }
  const sec = btf.types.find((t) => t.kind === 'datasec' && t.name === '.maps');
  if (!sec || sec.kind !== 'datasec') return sectionFail(`DATASEC '.maps' not found in BTF`);
  return sec.vars.map((vi, i) => {
    const v = btf.type(vi.type);
    const at = section.offset + vi.offset;
    if (v.name === '') return sectionFail(`map #${i}: empty name`, at);
    const fail = (what: string): never => sectionFail(what, at);
    if (vi.offset + vi.size > section.size) fail(`map '${v.name}' BTF data is corrupted: definition at ${vi.offset} (${vi.size} bytes) is past the section's ${section.size} bytes`);
    if (v.kind !== 'var') return fail(`map '${v.name}': unexpected var kind ${v.kind}`);
    if (v.linkage !== 'global') fail(`map '${v.name}': unsupported map linkage ${v.linkage}: maps must be global variables`);
    const def = btf.resolve(v.type);
    if (def.kind !== 'struct') return fail(`map '${v.name}': unexpected def kind ${def.kind}`);
    if (def.size > vi.size) fail(`map '${v.name}': invalid def size`);
    const d = parseMapDef(btf, v.name, def, false, fail);
    const inner = d.inner && { ...definition(d.inner, fail), name: `${v.name}.inner` };
    return {
      kind: 'btf',
      name: v.name,
      section: section.name,
      sectionOffset: vi.offset,
      ...definition(d, fail),
      pinning: d.pinning,
      inner,
      initialSlots: [],
    };
  });
}

/* ------------------------------------------------------------ global data */

function dataVariables(
  btf: Btf | undefined,
  section: RawSection,
  symbols: readonly RawSymbol[],
): { variables: DataVariable[]; datasec: TypeId | undefined } {
  const sec = btf?.types.find((t) => t.kind === 'datasec' && t.name === section.name);
  if (btf && sec && sec.kind === 'datasec') {
    const variables = sec.vars.map((vi): DataVariable => {
      const v = btf.type(vi.type);
      const linkage = v.kind === 'var' && v.linkage === 'static' ? 'static' : 'global';
      return { name: v.name, offset: vi.offset, size: vi.size, type: v.kind === 'var' ? v.type : undefined, linkage };
    });
    return { variables, datasec: sec.id };
  }
  const variables = symbols
    .filter((s) => s.shndx === section.index && s.type === STT.OBJECT && s.name !== '')
    .sort((a, b) => a.value - b.value || a.index - b.index)
    .map((s): DataVariable => ({ name: s.name, offset: s.value, size: s.size, type: undefined, linkage: s.bind === STB.LOCAL ? 'static' : 'global' }));
  return { variables, datasec: undefined };
}

/** libbpf's `map_is_mmapable`: a DATASEC with a non-static variable. */
function mmapable(btf: Btf | undefined, datasec: TypeId | undefined): boolean {
  if (!btf || datasec === undefined) return false;
  const t = btf.type(datasec);
  if (t.kind !== 'datasec') return false;
  return t.vars.some((vi) => {
    const v = btf.type(vi.type);
    return v.kind === 'var' && v.linkage !== 'static';
  });
}

function readDataMap(elf: RawElf, btf: Btf | undefined, objectName: string, kind: 'data' | 'rodata' | 'bss', section: RawSection, symbols: readonly RawSymbol[]): DataMapSpec {
  const { variables, datasec } = dataVariables(btf, section, symbols);
  let flags = kind === 'rodata' ? MAP_FLAG.RDONLY_PROG : 0;
  if (mmapable(btf, datasec)) flags |= MAP_FLAG.MMAPABLE;
  return {
    kind,
    name: internalMapName(objectName, section.name),
    section: section.name,
    type: 'ARRAY',
    keySize: 4,
    valueSize: section.size,
    maxEntries: 1,
    flags,
    numaNode: 0,
    mapExtra: 0n,
    keyType: undefined,
    valueType: datasec,
    data: kind === 'bss' ? undefined : sectionBytes(elf, section).slice(),
    variables,
  };
}

function kconfigMap(btf: Btf | undefined, objectName: string, externs: readonly ExternSpec[]): KconfigMapSpec | undefined {
  const kcfg = externs.filter((e): e is Extract<ExternSpec, { kind: 'kconfig' }> => e.kind === 'kconfig');
  const last = kcfg[kcfg.length - 1];
  if (!last) return undefined;
  const sec = btf?.types.find((t) => t.kind === 'datasec' && t.name === '.kconfig');
  const datasec = sec?.id;
  let flags = MAP_FLAG.RDONLY_PROG;
  if (mmapable(btf, datasec)) flags |= MAP_FLAG.MMAPABLE;
  return {
    kind: 'kconfig',
    name: internalMapName(objectName, '.kconfig'),
    section: '.kconfig',
    type: 'ARRAY',
    keySize: 4,
    valueSize: last.offset + last.size,
    maxEntries: 1,
    flags,
    numaNode: 0,
    mapExtra: 0n,
    keyType: undefined,
    valueType: datasec,
    variables: kcfg.map((e) => ({ name: e.name, offset: e.offset, size: e.size, type: btf?.type(e.btfId).kind === 'var' ? (btf.type(e.btfId) as { type: TypeId }).type : undefined, linkage: 'global' })),
  };
}

/** Maps of the object, in libbpf's order, and what a reader should know about them. */
export interface ReadMaps {
  readonly maps: MapSpec[];
  /** The internal map of each data section, by section index. */
  readonly dataBySection: ReadonlyMap<number, DataMapSpec>;
  readonly diagnostics: ObjectDiagnostic[];
}

/** Reads every map of the object. Initial slots of map-in-maps are filled in later, from `.rel.maps`. */
export function readMaps(
  elf: RawElf,
  layout: Layout,
  btf: Btf | undefined,
  objectName: string,
  symbols: readonly RawSymbol[],
  externs: readonly ExternSpec[],
): ReadMaps {
  const maps: MapSpec[] = [];
  const diagnostics: ObjectDiagnostic[] = [];
  if (layout.legacyMaps) {
    const legacy = readLegacyMaps(elf, layout.legacyMaps, symbols);
    maps.push(...legacy);
    if (legacy.length > 0) {
      diagnostics.push({
        code: 'legacy-maps',
        section: 'maps',
        message: `legacy map definitions in 'maps' section are not supported by libbpf v1.0+: define maps in SEC(".maps") with __uint/__type`,
      });
    }
  }
  if (layout.btfMaps) maps.push(...readBtfMaps(btf, layout.btfMaps));
  const dataBySection = new Map<number, DataMapSpec>();
  for (const d of layout.data) {
    const map = readDataMap(elf, btf, objectName, d.kind, d.section, symbols);
    maps.push(map);
    dataBySection.set(d.section.index, map);
  }
  const kconfig = kconfigMap(btf, objectName, externs);
  if (kconfig) maps.push(kconfig);
  return { maps, dataBySection, diagnostics };
}

/* ------------------------------------------------------------ initial slots */

/** An entry point, as `.rel.maps` relocations may name it in a prog array. */
export interface SlotProgram {
  readonly name: string;
  readonly sectionIndex: number;
  readonly offset: number;
}

/**
 * Fills the initial slots of map-in-maps and prog arrays from the `.maps`
 * relocations (`bpf_object__collect_map_relos`): each relocation points
 * into a map's `values` array, slot `(offset - values offset) / 8`, and
 * names the inner map or program placed there.
 */
export function fillInitialSlots(
  elf: RawElf,
  rel: RawSection,
  mapsSection: RawSection,
  btf: Btf | undefined,
  maps: readonly MapSpec[],
  symbols: readonly RawSymbol[],
  programs: readonly SlotProgram[],
): MapSpec[] {
  const slots = new Map<string, Map<number, MapSlot>>();
  const sec = btf?.types.find((t) => t.kind === 'datasec' && t.name === '.maps');
  const extents = new Map<string, { offset: number; size: number; values: number | undefined }>();
  if (btf && sec && sec.kind === 'datasec') {
    for (const vi of sec.vars) {
      const v = btf.type(vi.type);
      const def = v.kind === 'var' ? btf.resolve(v.type) : undefined;
      const last = def?.kind === 'struct' ? def.members[def.members.length - 1] : undefined;
      const values = last && last.name === 'values' ? last.bitOffset / 8 : undefined;
      extents.set(v.name, { offset: vi.offset, size: vi.size, values });
    }
  }
  for (const r of readRels(elf, rel, symbols.length)) {
    const sym = symbols[r.sym]!;
    const name = sym.name === '' ? '<?>' : sym.name;
    const fail = (code: 'bad-relocation' | 'bad-map', what: string): never => {
      throw sectionError(code, rel, r.at, `.maps relo #${r.index} against '${name}': ${what}`);
    };
    if (r.type !== R_BPF['64_ABS64']) fail('bad-relocation', `${relocationTypeName(r.type)}: want R_BPF_64_ABS64`);
    const map = maps.find((m): m is DefinedMapSpec => {
      if (m.kind !== 'btf') return false;
      const e = extents.get(m.name);
      return e !== undefined && e.offset <= r.offset && r.offset + 8 <= e.offset + e.size;
    });
    if (!map) return fail('bad-relocation', `cannot find map at offset ${r.offset}`);
    const extent = extents.get(map.name)!;
    const isMapInMap = map.type === 'ARRAY_OF_MAPS' || map.type === 'HASH_OF_MAPS';
    let slot: MapSlot['kind'];
    if (isMapInMap) {
      if (sym.shndx !== mapsSection.index) fail('bad-relocation', `'${name}' isn't a BTF-defined map`);
      if (map.type === 'HASH_OF_MAPS' && map.keySize !== 4) fail('bad-map', `hash-of-maps '${map.name}' should have key size 4`);
      if (!maps.some((m) => m.name === name)) fail('bad-relocation', `'${name}' isn't a valid map reference`);
      slot = 'map';
    } else if (map.type === 'PROG_ARRAY') {
      const prog = programs.find((p) => p.name === name);
      if (!prog) return fail('bad-relocation', `'${name}' isn't a valid program reference`);
      if (prog.sectionIndex !== sym.shndx || prog.offset !== sym.value) fail('bad-relocation', `'${name}' isn't an entry-point program`);
      slot = 'program';
    } else {
      return fail('bad-map', `map '${map.name}' of type ${map.type} cannot have initial slots: only map-in-map and prog-array maps can`);
    }
    if (extent.values === undefined) return fail('bad-map', `map '${map.name}': its last member is not 'values'`);
    const moff = r.offset - extent.offset - extent.values;
    if (moff < 0) fail('bad-map', `map '${map.name}': relocation at ${r.offset} is before its 'values' member`);
    if (moff % 8 !== 0) fail('bad-map', `map '${map.name}': relocation at ${r.offset} is not at an 8-byte slot of 'values'`);
    let bySlot = slots.get(map.name);
    if (!bySlot) slots.set(map.name, (bySlot = new Map()));
    bySlot.set(moff / 8, { index: moff / 8, kind: slot, name });
  }
  return maps.map((m) => {
    const s = m.kind === 'btf' ? slots.get(m.name) : undefined;
    return s ? { ...m, initialSlots: [...s.values()].sort((a, b) => a.index - b.index) } : m;
  });
}
