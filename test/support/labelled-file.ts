/** Reads a delimited file whose first column is the label (LightGBM's example data, the flights sample). */
import { readFileSync } from 'node:fs';

export interface LabelledData {
  /** One column per feature. */
  columns: Float64Array[];
  /** The same features, row-major. */
  rowMajor: Float64Array;
  label: Float64Array;
  rows: number;
  width: number;
}

/** Parses every non-empty line; `nan` reads as NaN. */
export function readLabelledFile(file: string | URL, separator = '\t'): LabelledData {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const width = (lines[0]?.split(separator).length ?? 1) - 1;
  const columns = Array.from({ length: width }, () => new Float64Array(lines.length));
  const rowMajor = new Float64Array(lines.length * width);
  const label = new Float64Array(lines.length);
  lines.forEach((line, row) => {
    const values = line.split(separator).map(Number);
    label[row] = values[0] ?? NaN;
    for (let column = 0; column < width; column++) {
      const value = values[column + 1] ?? NaN;
      (columns[column] as Float64Array)[row] = value;
      rowMajor[row * width + column] = value;
    }
  });
  return { columns, rowMajor, label, rows: lines.length, width };
}
