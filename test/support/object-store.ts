/** An S3 API server (s3rver) on loopback with one bucket, for the object-store tests; a new one per call. */
import S3rver from 's3rver';
import { tempDir } from './temp-dir.js';

export interface TestObjectStore {
  endpoint: string;
  bucket: string;
  /** The environment a process needs to reach it (standard AWS variables). */
  environment: Record<string, string>;
  close(): Promise<void>;
}

export async function startObjectStore(bucket = 'mlcycle-test'): Promise<TestObjectStore> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: tempDir('mlcycle-s3-'), configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    // s3rver's fixed development credentials.
    environment: { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    close: () => server.close(),
  };
}
