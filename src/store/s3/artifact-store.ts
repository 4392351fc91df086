/**
 * Artifacts in an S3-compatible object store (`s3://bucket/prefix`), with the same keys as the file
 * store. Readers such as DuckDB need a local file, so each process keeps a local copy folder: a commit
 * uploads the staged file (multipart through @aws-sdk/lib-storage, streamed from disk) and keeps it
 * there; `pull` brings down an artifact another machine committed, streamed to disk and checked
 * against the SHA-256 recorded beside it at upload, before it is moved into place whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { MlcycleError } from '../../error.js';
import { LocalArtifactStore, type ArtifactStore } from '../artifact-store.js';

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash; empty for the bucket's root. */
  prefix: string;
}

/** Parses `s3://bucket/prefix`; anything else is refused, naming it. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (match === null) throw new MlcycleError('invalid_input', `artifact store URI ${JSON.stringify(uri)}: expected s3://bucket/prefix`);
  return { bucket: match[1] as string, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/**
 * A client from the standard AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
 * AWS_ENDPOINT_URL for a non-AWS store). Checksums only when an operation requires them: newer SDKs add
 * flexible checksums by default, which several S3-compatible servers reject.
 */
export function s3ClientFromEnvironment(environment: NodeJS.ProcessEnv = process.env, overrides: S3ClientConfig = {}): S3Client {
  const endpoint = environment.AWS_ENDPOINT_URL_S3 ?? environment.AWS_ENDPOINT_URL;
  const keyId = environment.AWS_ACCESS_KEY_ID;
  const secret = environment.AWS_SECRET_ACCESS_KEY;
  // Keys given in the environment are used as given; otherwise the SDK's own chain (profiles, roles).
  const credentials = keyId !== undefined && secret !== undefined
    ? { credentials: { accessKeyId: keyId, secretAccessKey: secret, ...(environment.AWS_SESSION_TOKEN === undefined ? {} : { sessionToken: environment.AWS_SESSION_TOKEN }) } }
    : {};
  return new S3Client({
    ...credentials,
    region: environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint === undefined ? {} : { endpoint }),
    // Self-hosted stores (MinIO, s3rver) address buckets by path, not by host name.
    forcePathStyle: endpoint !== undefined || environment.MLCYCLE_S3_PATH_STYLE === '1',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}

const PART_SIZE = 8 * 1024 * 1024;

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 404;
}

export class S3ArtifactStore implements ArtifactStore {
  private readonly copies: LocalArtifactStore;

  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
    /** This process's local copies (and staging area), e.g. `.mlcycle/artifacts`. */
    copiesDir: string,
  ) {
    this.copies = new LocalArtifactStore(copiesDir);
  }

  private objectKey(key: string): string {
    this.copies.localPath(key); // validates the key the same way as the file store
    return this.location.prefix === '' ? key : `${this.location.prefix}/${key}`;
  }

  async stagingPath(extension: string): Promise<string> {
    return this.copies.stagingPath(extension);
  }

  async commit(stagedFile: string, key: string): Promise<boolean> {
    const objectKey = this.objectKey(key);
    if (await this.has(key)) {
      // Content-addressed: the same key holds the same bytes; keep the staged file as this machine's copy.
      if (!this.copies.exists(key)) await this.copies.commit(stagedFile, key);
      else await rm(stagedFile, { force: true });
      return false;
    }
    const sha256 = await sha256OfFile(stagedFile);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: objectKey, Body: createReadStream(stagedFile), Metadata: { sha256 } },
      partSize: PART_SIZE,
      queueSize: 2,
    });
    await upload.done();
    await this.copies.commit(stagedFile, key);
    return true;
  }

  async discard(fileOrKey: string): Promise<void> {
    if (path.isAbsolute(fileOrKey)) {
      await rm(fileOrKey, { force: true });
      return;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(fileOrKey) }));
    await this.copies.discard(fileOrKey);
  }

  /** True when this machine holds a local copy; `has` asks the object store. */
  exists(key: string): boolean {
    return this.copies.exists(key);
  }

  /** Whether the object store holds the artifact. */
  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  localPath(key: string): string {
    return this.copies.localPath(key);
  }

  async size(key: string): Promise<number> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) throw new MlcycleError('not_found', `no artifact "${key}" in s3://${this.location.bucket}/${this.location.prefix}`, { cause: error });
      throw error;
    }
  }

  /**
   * Makes a local copy of an artifact committed anywhere, streaming it to a staged file and checking its
   * SHA-256 before moving it into place; returns its local path.
   */
  async pull(key: string): Promise<string> {
    if (this.copies.exists(key)) return this.copies.localPath(key);
    let response;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      if (isMissing(error)) throw new MlcycleError('not_found', `no artifact "${key}" in s3://${this.location.bucket}/${this.location.prefix}`, { cause: error });
      throw error;
    }
    const staged = await this.copies.stagingPath(path.extname(key));
    const hash = createHash('sha256');
    const body = response.Body as Readable;
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(staged));
    const actual = hash.digest('hex');
    const expected = response.Metadata?.sha256;
    if (expected !== undefined && expected !== actual) {
      await rm(staged, { force: true });
      throw new MlcycleError('conflict', `artifact "${key}" in the object store is corrupt: its SHA-256 is ${actual}, ${expected} was recorded at upload`);
    }
    await this.copies.commit(staged, key);
    return this.copies.localPath(key);
  }

  async localCopy(key: string): Promise<string> {
    return this.pull(key);
  }

  /** The SHA-256 recorded beside the object at upload; undefined when the object is missing. */
  async recordedDigest(key: string): Promise<string | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
      return head.Metadata?.sha256;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** The SHA-256 of the object's bytes as the object store returns them (read whole: for verification). */
  async objectDigest(key: string): Promise<string> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
    const hash = createHash('sha256');
    for await (const chunk of response.Body as Readable) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Every artifact key under the store's prefix, in the object store's order. */
  async listKeys(): Promise<string[]> {
    const keys: string[] = [];
    const prefix = this.location.prefix === '' ? '' : `${this.location.prefix}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key.slice(prefix.length));
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  /** Where the store is, as `s3://bucket/prefix`. */
  get uri(): string {
    return `s3://${this.location.bucket}${this.location.prefix === '' ? '' : `/${this.location.prefix}`}`;
  }

  async removeStagingLeftovers(before: Date): Promise<string[]> {
    return this.copies.removeStagingLeftovers(before);
  }
}
