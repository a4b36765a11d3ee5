import path from 'node:path';

/**
 * Where the artifact store lives: a directory on this machine, or an S3 bucket (AWS or any
 * S3-compatible server) that workers on other machines reach too. Plain data, so it can travel
 * to the training and XAI child processes in their start message; S3 credentials never travel
 * in it: the AWS SDK reads them from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, AWS_PROFILE...), which the child processes inherit.
 */
export type ArtifactLocation = FileArtifactLocation | S3ArtifactLocation;

export interface FileArtifactLocation {
  kind: 'file';
  dir: string;
}

export interface S3ArtifactLocation {
  kind: 's3';
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
  /** An S3-compatible endpoint (MinIO, moto, Ceph); unset for AWS itself. */
  endpoint?: string;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Multipart part size for large artifacts, bytes (S3's minimum is 5 MiB). */
  partBytes: number;
}

/** S3 refuses multipart parts under 5 MiB (except the last). */
export const S3_MIN_PART_BYTES = 5 * 1024 * 1024;

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface S3Settings {
  endpoint?: string;
  region: string;
  forcePathStyle?: boolean;
  partBytes: number;
}

/**
 * Parse ARTIFACT_URL: `s3://bucket[/prefix]`, `file:///abs/dir`, or a plain path (relative to
 * `cwd`). Throws an Error whose message names the value and what is wrong with it.
 */
export function parseArtifactUrl(url: string, cwd: string, s3: S3Settings): ArtifactLocation {
  if (url.startsWith('s3://')) {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!BUCKET_RE.test(bucket)) {
      throw new Error(`bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name (3-63 characters: lowercase letters, digits, '.' and '-')`);
    }
    if (prefix.split('/').some((p) => p === '.' || p === '..')) throw new Error(`prefix ${JSON.stringify(prefix)} must not contain '.' or '..' segments`);
    return {
      kind: 's3',
      bucket,
      prefix,
      endpoint: s3.endpoint,
      region: s3.region,
      // S3-compatible servers rarely have virtual-host DNS; AWS itself prefers virtual hosts.
      forcePathStyle: s3.forcePathStyle ?? s3.endpoint !== undefined,
      partBytes: s3.partBytes,
    };
  }
  if (url.startsWith('file://')) {
    const dir = decodeURIComponent(new URL(url).pathname);
    return { kind: 'file', dir: path.resolve(dir) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`unsupported scheme in ${JSON.stringify(url)}: use s3://bucket/prefix, file:///dir or a path`);
  return { kind: 'file', dir: path.resolve(cwd, url) };
}

/** One line for logs and messages (no credentials: there are none in a location). */
export function describeArtifactLocation(loc: ArtifactLocation): string {
  if (loc.kind === 'file') return loc.dir;
  return `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}${loc.endpoint ? ` at ${loc.endpoint}` : ''}`;
}
