/** One line of a mountinfo file: where it is mounted, which filesystem and which directory of it. */
export interface MountEntry {
  mountPoint: string;
  /** major:minor of the filesystem. */
  device: string;
  /** The directory of that filesystem mounted there ("/" for a whole filesystem; a bind mount's source otherwise). */
  fsRoot: string;
  fsType: string;
  superOptions: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\\040). */
const unescape = (field: string) => field.replace(/\\(\d{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** Parses a mountinfo file (proc(5)): fields before " - " then type, source and super options. */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType = '', , superOptions = ''] = right.split(' ');
    entries.push({
      mountPoint: unescape(fields[4] ?? ''),
      device: fields[2] ?? '',
      fsRoot: unescape(fields[3] ?? ''),
      fsType,
      superOptions,
    });
  }
  return entries;
}
