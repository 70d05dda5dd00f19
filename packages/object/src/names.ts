/**
 * The names libbpf gives things it did not find in the object: the object's
 * own name (from its file name) and the names of internal maps.
 */

/** Default object name when none is given (libbpf names in-memory objects after their address). */
export const DEFAULT_OBJECT_NAME = 'object';

/** libbpf's object name: the file name's base, up to its first `.`, at most 15 characters. */
export function objectName(nameOrPath: string): string {
  const base = nameOrPath.slice(Math.max(nameOrPath.lastIndexOf('/'), nameOrPath.lastIndexOf('\\')) + 1);
  const dot = base.indexOf('.');
  const name = (dot >= 0 ? base.slice(0, dot) : base).slice(0, 15);
  return name === '' ? DEFAULT_OBJECT_NAME : name;
}

/** Kernel map names are at most 15 characters (`BPF_OBJ_NAME_LEN` 16 with the NUL). */
const OBJ_NAME_LEN = 16;

/**
 * The name libbpf gives the internal map of a data section
 * (`internal_map_name`): as much of the object name as fits in 15
 * characters before the section name, which keeps at least 7 characters
 * (`xdp_fire.rodata`, `xdp_fir.kconfig`); custom sections with a second dot
 * (`.data.tuning`, `.rodata.str1.1`) keep only their own name, truncated to
 * 15 characters. Characters other than letters, digits, `_` and `.` become `_`.
 *
 * @example internalMapName('xdp_firewall', '.rodata') // 'xdp_fire.rodata'
 */
export function internalMapName(objectName: string, section: string): string {
  let sfx = Math.max(7, section.length);
  if (sfx >= OBJ_NAME_LEN) sfx = OBJ_NAME_LEN - 1;
  const custom = section.indexOf('.', 1) >= 0;
  const pfx = custom ? 0 : Math.min(OBJ_NAME_LEN - sfx - 1, objectName.length);
  const name = objectName.slice(0, pfx) + section.slice(0, sfx);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

