/** Where the real data of the tests and benchmarks lives: `test/data/` in the repository (sources and licences in its README). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `test/data/`, found from this file so that tests and benchmarks read it from any working directory. */
export const TEST_DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data');
/** The bank marketing campaigns (UCI, CC BY 4.0), `;`-separated, target `y`. */
export const BANK_CSV = path.join(TEST_DATA, 'bank-marketing.csv');
