/**
 * The features step's output as one binary file: a JSON header (rows, input signature, column layout)
 * then each column as raw little-endian typed arrays, 8-byte aligned. Numeric columns are Float64
 * (NaN for missing); categorical columns are dictionary codes (Int32, -1 for missing) with their
 * dictionary in the header, so the file holds the values as read, unseen categories included.
 */
import { readFile } from 'node:fs/promises';
import { MlcycleError } from '../../../error.js';
import type { FeatureSignature } from '../../../models/input-signature.js';
import type { ResultColumn } from '../../../store/analytics.js';

const MAGIC = 'MLCFEAT1';

/** The named columns of a features file, as the feature table reads them, with their label. */
export interface FeatureColumns {
  rows: number;
  signature: FeatureSignature[];
  raw: Record<string, ResultColumn>;
  label: Float64Array;
}

interface ColumnLayout {
  name: string;
  kind: 'numeric' | 'dictionary';
  dictionary?: string[];
  offset: number;
}

interface Header {
  rows: number;
  signature: FeatureSignature[];
  columns: ColumnLayout[];
  labelOffset: number;
}

function padTo8(length: number): number {
  return Math.ceil(length / 8) * 8;
}

/** The file's bytes. */
export function encodeFeatureColumns(table: FeatureColumns): Buffer {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (bytes: Uint8Array): number => {
    const at = offset;
    chunks.push(bytes);
    const padded = padTo8(bytes.byteLength);
    if (padded > bytes.byteLength) chunks.push(new Uint8Array(padded - bytes.byteLength));
    offset += padded;
    return at;
  };
  const columns: ColumnLayout[] = Object.entries(table.raw).map(([name, column]) => {
    if (column instanceof Float64Array) return { name, kind: 'numeric', offset: push(new Uint8Array(column.buffer, column.byteOffset, column.byteLength)) };
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    const codes = new Int32Array(column.length);
    column.forEach((value, row) => {
      if (value === null) return void (codes[row] = -1);
      let code = index.get(value);
      if (code === undefined) {
        code = dictionary.length;
        dictionary.push(value);
        index.set(value, code);
      }
      codes[row] = code;
    });
    return { name, kind: 'dictionary', dictionary, offset: push(new Uint8Array(codes.buffer)) };
  });
  const labelOffset = push(new Uint8Array(table.label.buffer, table.label.byteOffset, table.label.byteLength));
  const header = Buffer.from(JSON.stringify({ rows: table.rows, signature: table.signature, columns, labelOffset } satisfies Header));
  const prefix = Buffer.alloc(padTo8(MAGIC.length + 4 + header.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, MAGIC.length);
  header.copy(prefix, MAGIC.length + 4);
  return Buffer.concat([prefix, ...chunks]);
}

/** Reads a features file written by encodeFeatureColumns. */
export async function readFeatureColumns(file: string): Promise<FeatureColumns> {
  const bytes = await readFile(file);
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new MlcycleError('internal', `${file}: not a features file`);
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength)) as Header;
  const base = padTo8(MAGIC.length + 4 + headerLength);
  const { rows } = header;
  // Copies, so that the typed arrays are aligned whatever the Buffer's offset in its pool.
  const float64 = (offset: number) => new Float64Array(bytes.buffer.slice(bytes.byteOffset + base + offset, bytes.byteOffset + base + offset + rows * 8));
  const raw: Record<string, ResultColumn> = {};
  for (const column of header.columns) {
    if (column.kind === 'numeric') {
      raw[column.name] = float64(column.offset);
      continue;
    }
    const codes = new Int32Array(bytes.buffer.slice(bytes.byteOffset + base + column.offset, bytes.byteOffset + base + column.offset + rows * 4));
    const dictionary = column.dictionary ?? [];
    raw[column.name] = Array.from(codes, (code) => (code < 0 ? null : (dictionary[code] ?? null)));
  }
  return { rows, signature: header.signature, raw, label: float64(header.labelOffset) };
}
