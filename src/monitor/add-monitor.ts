/**
 * `mlcycle monitor add`: a monitor declared by command lands in the spec like one written by hand, under
 * `monitors:` in mlcycle.yaml, so that the spec stays the one place monitors are defined. The file is
 * edited as a YAML document (its comments and layout kept), the whole result validated as a spec before
 * anything is written, then replaced in one rename: a refused monitor leaves the file as it was.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSeq, parseDocument, stringify } from 'yaml';
import { MlcycleError } from '../error.js';
import { checkSpecText } from '../problem/load-spec.js';
import type { MonitorSpec } from '../problem/spec-schema.js';

/** Adds a monitor to the spec file; refuses a name already declared and any monitor the spec would not accept. */
export async function addMonitorToSpec(specFile: string, monitor: Record<string, unknown>): Promise<MonitorSpec> {
  let text: string;
  try {
    text = await readFile(specFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MlcycleError('not_found', `no spec at ${specFile}: run \`mlcycle init\` first`);
    throw error;
  }
  const before = checkSpecText(text, path.basename(specFile));
  if (before.spec === undefined) throw new MlcycleError('invalid_input', `${specFile} has problems; fix them before adding a monitor`, { issues: before.issues });
  if (before.spec.monitors.some((each) => each.name === monitor.name)) throw new MlcycleError('conflict', `monitor "${String(monitor.name)}" is already declared in ${path.basename(specFile)}`);
  const edited = withMonitor(text, monitor);
  const after = checkSpecText(edited, path.basename(specFile));
  if (after.spec === undefined) {
    // Point at the new monitor's fields, not at the edited file's lines the user never wrote.
    const index = before.spec.monitors.length;
    const prefix = `monitors[${index}].`;
    const issues = after.issues.map((issue) => (issue.path.startsWith(prefix) ? { path: issue.path.slice(prefix.length), message: issue.message, file: 'the new monitor' } : issue));
    throw new MlcycleError('invalid_input', `monitor "${String(monitor.name)}" is not valid`, { issues });
  }
  const staged = `${specFile}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(staged, edited, 'utf8');
  await rename(staged, specFile);
  return after.spec.monitors.at(-1) as MonitorSpec;
}

/**
 * The spec text with the monitor appended to `monitors:` (created at the end when missing). The rest of the
 * file is left byte for byte: the new item's text is inserted after the list's last item, at its indent.
 */
function withMonitor(text: string, monitor: Record<string, unknown>): string {
  const item = stringify([monitor], { lineWidth: 0 });
  const document = parseDocument(text);
  const monitors = document.get('monitors', true);
  const indent = (lines: string, by: number) => lines.replace(/^(?=.)/gm, ' '.repeat(by));
  if (monitors === undefined || monitors === null) return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}\nmonitors:\n${indent(item, 2)}`;
  if (isSeq(monitors) && monitors.flow !== true && monitors.items.length > 0 && monitors.range !== undefined && monitors.range !== null) {
    const start = monitors.range[0];
    const column = start - (text.lastIndexOf('\n', start - 1) + 1);
    const lineEnd = text.indexOf('\n', monitors.range[1] - 1);
    const at = lineEnd === -1 ? text.length : lineEnd + 1;
    return `${text.slice(0, at)}${at === text.length && !text.endsWith('\n') ? '\n' : ''}${indent(item, column)}${text.slice(at)}`;
  }
  // An empty or flow-style list: the document is written again (comments kept, layout may change).
  if (isSeq(monitors)) {
    monitors.flow = false;
    monitors.add(document.createNode(monitor));
  } else document.set('monitors', document.createNode([monitor]));
  return document.toString({ lineWidth: 0 });
}
