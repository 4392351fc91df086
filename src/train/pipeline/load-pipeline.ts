/**
 * Reading a pipeline: from its own YAML file, or from the `pipeline:` section of `mlcycle.yaml` (inline,
 * or naming the file). Overrides go into the parsed document before validation; every problem comes back
 * at once as `file:line: path: message`, or `--set: path: message` for an override's.
 */
import { existsSync } from 'node:fs';
import { readInputText } from '../../input-file.js';
import path from 'node:path';
import { MlcycleError, type InputIssue } from '../../error.js';
import { loadSpec, requireValidSpec } from '../../problem/load-spec.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import { checkYamlText } from '../../problem/yaml-text.js';
import { normalizePipeline } from './normalize-pipeline.js';
import { applyOverrides, fromOverride } from './overrides.js';
import type { NormalizedPipeline, PipelineSource } from './pipeline-types.js';

/** The file `mlcycle train` reads when none is named and the spec names none. */
export const DEFAULT_PIPELINE_FILE = 'pipeline.yaml';

function relabel(issues: InputIssue[], overrides: Readonly<Record<string, unknown>>, prefix: string): InputIssue[] {
  return issues.map((issue) => {
    const relative = prefix !== '' && issue.path.startsWith(`${prefix}.`) ? issue.path.slice(prefix.length + 1) : issue.path;
    return fromOverride(relative, overrides) ? { path: relative, message: issue.message, file: '--set' } : issue;
  });
}

function fail(label: string, issues: InputIssue[]): never {
  const count = issues.length;
  throw new MlcycleError('invalid_input', `${label} has ${count} problem${count === 1 ? '' : 's'}`, { issues });
}

/** Validates pipeline text; `section` reads it from that key of the document (`pipeline` in mlcycle.yaml). */
export function checkPipelineText(text: string, label: string, spec: ProblemSpec, overrides: Readonly<Record<string, unknown>>, section?: string): NormalizedPipeline {
  const result = checkYamlText(text, label, (raw) => {
    const document = section === undefined ? raw : (raw as Record<string, unknown> | null)?.[section];
    const normalized = normalizePipeline(applyOverrides(document, overrides), spec, label, section === undefined ? [] : [section]);
    return normalized.value === undefined ? { value: undefined, issues: normalized.issues } : { value: normalized.value, issues: [] };
  });
  if (result.value === undefined) fail(label, relabel(result.issues, overrides, section ?? ''));
  return result.value;
}

async function readText(file: string): Promise<string> {
  try {
    return await readInputText(file, 'pipeline');
  } catch (error) {
    if (error instanceof MlcycleError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MlcycleError('not_found', `no pipeline file at ${file}`);
    throw new MlcycleError('invalid_input', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The workspace's problem spec and the normalised pipeline. Without a source: the spec's `pipeline:`
 * (a section or a file name), else `pipeline.yaml` beside the spec.
 */
export async function loadPipeline(
  root: string,
  source: PipelineSource | undefined,
  overrides: Readonly<Record<string, unknown>> = {},
): Promise<{ spec: ProblemSpec; pipeline: NormalizedPipeline; text: string }> {
  const specCheck = await loadSpec(path.join(root, 'mlcycle.yaml'));
  const spec = requireValidSpec(specCheck);
  if (source !== undefined && 'text' in source) return { spec, pipeline: checkPipelineText(source.text, source.label, spec, overrides), text: source.text };
  let file = source?.file;
  if (file === undefined) {
    const declared = spec.pipeline;
    if (typeof declared === 'object' && specCheck.exists) {
      return { spec, pipeline: checkPipelineText(specCheck.text, 'mlcycle.yaml', spec, overrides, 'pipeline'), text: specCheck.text };
    }
    file = path.join(root, typeof declared === 'string' ? declared : DEFAULT_PIPELINE_FILE);
    if (declared === undefined && !existsSync(file)) {
      throw new MlcycleError('not_found', `no pipeline: name a pipeline file, add a pipeline: section to mlcycle.yaml, or write ${DEFAULT_PIPELINE_FILE}`);
    }
  }
  const text = await readText(file);
  return { spec, pipeline: checkPipelineText(text, path.relative(process.cwd(), file) || file, spec, overrides), text };
}
