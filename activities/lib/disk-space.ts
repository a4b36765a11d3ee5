import { statfs } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bytes available to this process on the file system holding `dir` (the nearest existing
 * ancestor when `dir` does not exist yet: the artifact store creates its folders lazily).
 */
export async function freeBytes(dir: string): Promise<number> {
  let cur = path.resolve(dir);
  for (;;) {
    try {
      const s = await statfs(cur);
      return s.bavail * s.bsize;
    } catch (err) {
      const parent = path.dirname(cur);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === cur) throw err;
      cur = parent;
    }
  }
}

/** 3221225472 -> "3.0 GiB": sizes in refusals people read. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
