/**
 * Content-addressed artifact store in an S3 bucket (AWS or any S3-compatible server), so workers
 * on different machines share signals, models and reports. Same URIs as the directory store:
 * the key is `<prefix>/sha256/<first 2 hex>/<hex>`, so a bucket synced from a directory store
 * (or the other way round) needs no renaming.
 *
 * A put of bytes already there writes nothing (a HEAD finds them, with their hash in the
 * object's metadata); S3 makes an object visible only once it is complete, so readers never
 * see a partial artifact, and concurrent writers of the same content write identical bytes.
 * Large artifacts go up in parts (lib-storage's managed multipart upload), which S3 assembles
 * atomically and which a failure aborts.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { ArtifactError } from './errors.js';
import { S3_MIN_PART_BYTES, type S3ArtifactLocation } from '../config/artifact-location.js';
import type { ArtifactMeta, ArtifactStore, ListedArtifact, StoredArtifact } from './types.js';
import { artifactUri, parseArtifactUri, sha256Hex } from './uri.js';

type S3Sdk = typeof import('@aws-sdk/client-s3');

/**
 * The SDK is loaded on first use (~0.4 s): every training and XAI child process imports this
 * module, and most of them never talk to S3.
 */
let sdkLoad: Promise<{ s3: S3Sdk; Upload: typeof import('@aws-sdk/lib-storage').Upload }> | undefined;
function loadSdk(): Promise<{ s3: S3Sdk; Upload: typeof import('@aws-sdk/lib-storage').Upload }> {
  sdkLoad ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, storage]) => ({ s3, Upload: storage.Upload }));
  return sdkLoad;
}

/** Object metadata key holding the content's sha256 (hex), checked before a put is skipped. */
const SHA_META = 'sha256';

export class S3ArtifactStore implements ArtifactStore {
  readonly location: S3ArtifactLocation;
  private client: S3Client | undefined;

  /** `clientConfig` overrides the SDK's settings (tests pass credentials; production reads the environment). */
  constructor(
    location: S3ArtifactLocation,
    private readonly clientConfig: Partial<S3ClientConfig> = {},
  ) {
    this.location = location;
  }

  private async sdk(): Promise<{ s3: S3Sdk; client: S3Client; Upload: typeof import('@aws-sdk/lib-storage').Upload }> {
    const { s3, Upload } = await loadSdk();
    this.client ??= new s3.S3Client({
      region: this.location.region,
      endpoint: this.location.endpoint,
      forcePathStyle: this.location.forcePathStyle,
      // The SDK's own retries (3 attempts, jittered backoff) ride out a brief network blip; a
      // longer outage surfaces to the activity, whose retry policy takes over.
      maxAttempts: 3,
      ...this.clientConfig,
    });
    return { s3, client: this.client, Upload };
  }

  keyOf(uri: string): string {
    return this.keyOfHash(parseArtifactUri(uri));
  }

  async put(data: Uint8Array, meta: ArtifactMeta): Promise<StoredArtifact> {
    const hex = sha256Hex(data);
    const stored: StoredArtifact = { uri: artifactUri(hex), sha256: hex, bytes: data.byteLength };
    const key = this.keyOfHash(hex);
    const { s3, client, Upload } = await this.sdk();
    if (await this.intact(key, hex, data.byteLength)) {
      // Refresh the object's time (a copy onto itself): the retention sweep spares bytes written
      // within its grace period, and a re-put is a writer about to refer to them.
      await client
        .send(
          new s3.CopyObjectCommand({
            Bucket: this.location.bucket,
            Key: key,
            CopySource: `${this.location.bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
            MetadataDirective: 'REPLACE',
            ContentType: meta.mediaType,
            Metadata: { [SHA_META]: hex, kind: meta.kind },
          }),
        )
        .catch(() => undefined);
      return stored;
    }
    const params = { Bucket: this.location.bucket, Key: key, ContentType: meta.mediaType, Metadata: { [SHA_META]: hex, kind: meta.kind } };
    try {
      if (data.byteLength <= this.location.partBytes) {
        // S3 checks the body against this checksum and refuses a damaged upload.
        const checksum = Buffer.from(hex, 'hex').toString('base64');
        await client.send(new s3.PutObjectCommand({ ...params, Body: data, ChecksumSHA256: checksum, ContentLength: data.byteLength }));
      } else {
        const upload = new Upload({
          client,
          params: { ...params, Body: data },
          partSize: Math.max(S3_MIN_PART_BYTES, this.location.partBytes),
          queueSize: 2,
          // A failed part aborts the whole upload: no orphaned parts are left billed in the bucket.
          leavePartsOnError: false,
        });
        await upload.done();
      }
    } catch (err) {
      throw new Error(`cannot store artifact ${stored.uri} in ${this.where(key)}: ${(err as Error).message}`, { cause: err });
    }
    return stored;
  }

  async get(uri: string): Promise<Uint8Array> {
    const hex = parseArtifactUri(uri);
    const key = this.keyOfHash(hex);
    const { s3, client } = await this.sdk();
    let data: Uint8Array;
    try {
      const res = await client.send(new s3.GetObjectCommand({ Bucket: this.location.bucket, Key: key }));
      if (res.Body === undefined) throw new Error('the response has no body');
      data = await res.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(s3, err)) throw new ArtifactError('ARTIFACT_NOT_FOUND', `artifact ${uri} not found (expected at ${this.where(key)})`, uri, { cause: err });
      throw new Error(`cannot read artifact ${uri} from ${this.where(key)}: ${(err as Error).message}`, { cause: err });
    }
    const actual = sha256Hex(data);
    if (actual !== hex) {
      throw new ArtifactError('ARTIFACT_CORRUPT', `artifact ${uri} is corrupt: ${this.where(key)} has sha256 ${actual} (${data.byteLength} bytes)`, uri);
    }
    return data;
  }

  async has(uri: string): Promise<boolean> {
    return (await this.head(this.keyOf(uri))) !== undefined;
  }

  async *list(): AsyncIterable<ListedArtifact> {
    const { s3, client } = await this.sdk();
    const base = this.location.prefix ? `${this.location.prefix}/sha256/` : 'sha256/';
    let token: string | undefined;
    do {
      const page = await client.send(new s3.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: base, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const hex = /([0-9a-f]{64})$/.exec(o.Key ?? '')?.[1];
        if (hex === undefined || o.Key !== this.keyOfHash(hex)) continue;
        yield { uri: artifactUri(hex), bytes: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(uri: string): Promise<void> {
    const { s3, client } = await this.sdk();
    await client.send(new s3.DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(uri) }));
  }

  /** Release the SDK's sockets (a CLI or a test that is done with the store). */
  close(): void {
    this.client?.destroy();
    this.client = undefined;
  }

  private keyOfHash(hex: string): string {
    const rel = `sha256/${hex.slice(0, 2)}/${hex}`;
    return this.location.prefix ? `${this.location.prefix}/${rel}` : rel;
  }

  private where(key: string): string {
    return `s3://${this.location.bucket}/${key}${this.location.endpoint ? ` at ${this.location.endpoint}` : ''}`;
  }

  private async head(key: string): Promise<{ bytes: number; sha256: string | undefined } | undefined> {
    const { s3, client } = await this.sdk();
    try {
      const res = await client.send(new s3.HeadObjectCommand({ Bucket: this.location.bucket, Key: key }));
      return { bytes: res.ContentLength ?? -1, sha256: res.Metadata?.[SHA_META] };
    } catch (err) {
      if (isNotFound(s3, err)) return undefined;
      throw new Error(`cannot look up ${this.where(key)}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** True when the object exists with the expected size and recorded hash. */
  private async intact(key: string, hex: string, size: number): Promise<boolean> {
    const h = await this.head(key);
    return h !== undefined && h.bytes === size && h.sha256 === hex;
  }
}

function isNotFound(s3: S3Sdk, err: unknown): boolean {
  if (err instanceof s3.S3ServiceException) return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404;
  return false;
}
