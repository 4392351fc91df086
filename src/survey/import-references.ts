/**
 * References imported from BibTeX, RIS or CSL-JSON through citation-js (parsed to CSL-JSON there), then
 * mapped to the survey's fields. What the bibliography cannot say (the approach, the task, the dataset and
 * the reported metrics) comes from the command line, or from an `mlcycle` object on a CSL-JSON entry.
 */
import { MlcycleError } from '../error.js';
import type { NewReference, ReportedMetric } from '../store/reference-store.js';

export type BibliographyFormat = 'bibtex' | 'ris' | 'csl-json';

/** What the survey adds to every imported entry (fields an entry's own `mlcycle` object sets win). */
export interface SurveyFields {
  approach?: string;
  task?: string;
  dataset?: string;
  reported?: ReportedMetric[];
  notes?: string;
  tags?: string[];
}

/** The format a file's name implies: .bib, .ris, .json; anything else is an input error. */
export function bibliographyFormat(fileName: string): BibliographyFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.bib') || lower.endsWith('.bibtex')) return 'bibtex';
  if (lower.endsWith('.ris')) return 'ris';
  if (lower.endsWith('.json')) return 'csl-json';
  throw new MlcycleError('invalid_input', `${fileName}: unknown bibliography format; use .bib (BibTeX), .ris (RIS) or .json (CSL-JSON)`);
}

/** Parses a bibliography into references; a syntax error names the file and line, and no entry is returned. */
export async function importReferences(text: string, format: BibliographyFormat, fileName: string, fields: SurveyFields): Promise<NewReference[]> {
  const { Cite } = await import('@citation-js/core');
  await import('@citation-js/plugin-bibtex');
  await import('@citation-js/plugin-ris');
  let entries: Array<Record<string, unknown>>;
  try {
    const input = format === 'csl-json' ? (JSON.parse(text) as unknown) : text;
    entries = new Cite(input, { forceType: FORCE_TYPE[format] }).data;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = /line (\d+)/.exec(message)?.[1] ?? /position (\d+)/.exec(message)?.[1];
    const where = line === undefined ? fileName : `${fileName} line ${line}`;
    throw new MlcycleError('invalid_input', `${where}: ${format} syntax error: ${(message.split('\n')[0] ?? message).replace(/:\s*$/, '')}; nothing stored`);
  }
  if (entries.length === 0) throw new MlcycleError('invalid_input', `${fileName}: no ${format} entries found; nothing stored`);
  return entries.map((entry, index) => toReference(entry, index, fileName, fields));
}

const FORCE_TYPE: Record<BibliographyFormat, string> = { bibtex: '@bibtex/text', ris: '@ris/file', 'csl-json': '@csl/list+object' };

function toReference(entry: Record<string, unknown>, index: number, fileName: string, fields: SurveyFields): NewReference {
  const own = (typeof entry.mlcycle === 'object' && entry.mlcycle !== null ? entry.mlcycle : {}) as SurveyFields & { reported?: unknown };
  const title = typeof entry.title === 'string' ? entry.title : '';
  if (title === '') throw new MlcycleError('invalid_input', `${fileName} entry ${index + 1}: no title; nothing stored`);
  const key = typeof entry['citation-key'] === 'string' ? entry['citation-key'] : typeof entry.id === 'string' ? entry.id : `ref${index + 1}`;
  const authors = Array.isArray(entry.author) ? (entry.author as Array<Record<string, unknown>>).map((author) => [author.given, author.family].filter((part) => typeof part === 'string').join(' ') || String(author.literal ?? '')) : [];
  const issued = entry.issued as { 'date-parts'?: unknown[][] } | undefined;
  const year = Number(issued?.['date-parts']?.[0]?.[0]);
  const venue = entry['container-title'] ?? entry.publisher;
  const reference: NewReference = {
    key,
    title,
    authors,
    approach: own.approach ?? fields.approach ?? '',
    task: own.task ?? fields.task ?? '',
    dataset: own.dataset ?? fields.dataset ?? '',
    reported: parseOwnReported(own.reported, `${fileName} entry ${key}`) ?? fields.reported ?? [],
    notes: own.notes ?? fields.notes ?? '',
    tags: own.tags ?? fields.tags ?? [],
  };
  if (Number.isFinite(year)) reference.year = year;
  if (typeof venue === 'string') reference.venue = venue;
  if (typeof entry.URL === 'string') reference.url = entry.URL;
  else if (typeof entry.DOI === 'string') reference.url = `https://doi.org/${entry.DOI}`;
  return reference;
}

/** `{"accuracy": 0.85}` or `[{"name": "accuracy", "value": 0.85}]`. */
function parseOwnReported(value: unknown, where: string): ReportedMetric[] | undefined {
  if (value === undefined) return undefined;
  const pairs = Array.isArray(value) ? (value as Array<{ name?: unknown; value?: unknown }>).map((item) => [item.name, item.value] as const) : Object.entries(value as Record<string, unknown>);
  return pairs.map(([name, metric]) => {
    if (typeof name !== 'string' || typeof metric !== 'number' || !Number.isFinite(metric)) throw new MlcycleError('invalid_input', `${where}: mlcycle.reported needs metric names with finite numbers; nothing stored`);
    return { name, value: metric };
  });
}

/** Parses `name=value` metric options, for example `accuracy=0.85`. */
export function parseReportedMetric(option: string): ReportedMetric {
  const match = /^([^=]+)=(.+)$/.exec(option);
  const value = match === null ? NaN : Number(match[2]);
  if (match === null || !Number.isFinite(value)) throw new MlcycleError('invalid_input', `--metric ${option}: expected name=number, for example accuracy=0.85`);
  return { name: (match[1] as string).trim(), value };
}
