import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { describeArtifactStore } from '../../../test/conformance/artifact-store.js';
import { startObjectStore } from '../../../test/support/object-store.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { parseS3Uri, S3ArtifactStore, s3ClientFromEnvironment } from './artifact-store.js';

describeArtifactStore('s3 on s3rver', async () => {
  const server = await startObjectStore();
  const client = s3ClientFromEnvironment(server.environment);
  return {
    store: new S3ArtifactStore(client, parseS3Uri(`s3://${server.bucket}/team/artifacts`), tempDir()),
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
});

describe('S3 artifact store across machines', () => {
  it('uploads 12 MB in parts and another machine pulls it with its digest checked; a tampered object is refused', async () => {
    const server = await startObjectStore();
    const client = s3ClientFromEnvironment(server.environment);
    try {
      const location = parseS3Uri(`s3://${server.bucket}/ws`);
      const writer = new S3ArtifactStore(client, location, tempDir());
      const reader = new S3ArtifactStore(client, location, tempDir());
      const bytes = randomBytes(12 * 1024 * 1024);
      const staged = await writer.stagingPath('.parquet');
      writeFileSync(staged, bytes);
      expect(await writer.commit(staged, 'datasets/flights/v1.parquet')).toBe(true);
      expect(reader.exists('datasets/flights/v1.parquet')).toBe(false);
      expect(await reader.has('datasets/flights/v1.parquet')).toBe(true);
      expect(await reader.size('datasets/flights/v1.parquet')).toBe(bytes.length);
      const local = await reader.pull('datasets/flights/v1.parquet');
      expect(createHash('sha256').update(readFileSync(local)).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
      // Overwrite the object behind mlcycle's back, keeping the recorded digest: the pull refuses it.
      await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'ws/models/m.json', Body: 'tampered', Metadata: { sha256: 'f'.repeat(64) } }));
      await expect(new S3ArtifactStore(client, location, tempDir()).pull('models/m.json')).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/corrupt/) });
      await expect(reader.pull('models/none.json')).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('refuses a URI that is not s3://bucket/prefix, naming it', () => {
    expect(() => parseS3Uri('gs://bucket/x')).toThrow(/"gs:\/\/bucket\/x": expected s3:\/\/bucket\/prefix/);
    expect(parseS3Uri('s3://team-bucket/a/b/')).toEqual({ bucket: 'team-bucket', prefix: 'a/b' });
  });
});
