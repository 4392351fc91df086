/**
 * Turning a parsed YAML document into plain data without letting aliases multiply it: a "billion laughs"
 * document of a few hundred bytes expands to gigabytes. The yaml library counts alias resolutions against
 * `maxAliasCount` (eemeli.org/yaml, "ToJS Options") and throws a ReferenceError past it; this turns that,
 * and an alias to a missing anchor, into an input error naming the file.
 */
import type { Document } from 'yaml';
import { MlcycleError } from '../error.js';

/** At most this many alias resolutions per document: the yaml library's own default, stated here so that every reader uses it. */
export const YAML_MAX_ALIAS_COUNT = 100;

/** The document as plain data; throws an invalid-input error when its aliases expand too far or point nowhere. */
export function yamlDocumentData(document: Document, fileLabel: string): unknown {
  try {
    return document.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const message = /excessive alias count/i.test(error.message)
      ? `YAML: aliases (*name) expand the document too far (more than ${YAML_MAX_ALIAS_COUNT} alias resolutions); write the values out`
      : `YAML: ${error.message}`;
    throw new MlcycleError('invalid_input', `${fileLabel}: ${message}`, { cause: error, issues: [{ file: fileLabel, path: '', message }] });
  }
}
