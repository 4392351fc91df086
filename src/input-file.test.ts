import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/support/temp-dir.js';
import { MlcycleError } from './error.js';
import { INPUT_LIMITS, inputLimitBytes, readInputText } from './input-file.js';

async function refusal(promise: Promise<unknown>): Promise<MlcycleError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof MlcycleError)) throw new Error(`expected an MlcycleError, got ${String(error)}`);
  return error;
}

describe('readInputText', () => {
  it('reads a file within the limit whole', async () => {
    const file = path.join(tempDir(), 'spec.yaml');
    writeFileSync(file, 'name: x\n');
    expect(await readInputText(file, 'spec')).toBe('name: x\n');
  });

  it('refuses a regular file over the limit by its size, and a device after reading one byte past it', async () => {
    const file = path.join(tempDir(), 'big.yaml');
    writeFileSync(file, Buffer.alloc(INPUT_LIMITS.spec.bytes + 1, 0x20));
    const bySize = await refusal(readInputText(file, 'spec', 'big.yaml'));
    expect([bySize.code, bySize.message]).toEqual(['invalid_input', 'big.yaml is too large for a problem spec: the limit is 8 MiB (8388608 bytes) and the file holds 8388609 bytes; set MLCYCLE_MAX_INPUT_MB (in MiB) to raise the limit']);
    const device = await refusal(readInputText('/dev/zero', 'pipeline'));
    expect(device.message).toBe('/dev/zero is too large for a pipeline file: the limit is 8 MiB (8388608 bytes) and the file holds more than that; set MLCYCLE_MAX_INPUT_MB (in MiB) to raise the limit');
  });

  it('takes the limit from MLCYCLE_MAX_INPUT_MB, and refuses a value that is not a positive number', () => {
    expect(inputLimitBytes('analysisInput', {})).toBe(64 * 1024 * 1024);
    expect(inputLimitBytes('analysisInput', { MLCYCLE_MAX_INPUT_MB: '0.5' })).toBe(512 * 1024);
    expect(() => inputLimitBytes('spec', { MLCYCLE_MAX_INPUT_MB: 'lots' })).toThrow(/MLCYCLE_MAX_INPUT_MB: expected a positive number of MiB, got "lots"/);
  });

  it('passes a failure to open through for the caller to word', async () => {
    await expect(readInputText(path.join(tempDir(), 'none.yaml'), 'spec')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
