import path from 'node:path';

const ARTIFACT_URI = /^artifact:sha256\/([0-9a-f]{64})$/;

/**
 * Where a content-addressed artifact (`artifact:sha256/<hex>`) lives in a file store rooted at
 * `dir`: `<dir>/sha256/<first 2 hex>/<hex>` (the layout of artifacts/file-store.ts). Pure: it
 * does not check that the file is there. Undefined for anything that is not an artifact URI.
 */
export function artifactFilePath(dir: string, uri: string): string | undefined {
  const hex = ARTIFACT_URI.exec(uri)?.[1];
  return hex === undefined ? undefined : path.join(path.resolve(dir), 'sha256', hex.slice(0, 2), hex);
}
