/**
 * Business events (outcomes such as "rebooked_before_gate") as clients send them: `{unit, name, value?,
 * time, idempotencyKey?}`, one or a batch. The names a workspace accepts are the events its spec's
 * success metrics read (`source.event`, `numerator.event`, `denominator.event`) and its label (an outcome
 * named after the target column, value 1 or 0), so a typo is refused at the door instead of silently never
 * counting; a spec whose metrics name no event accepts any name. Every problem
 * in a batch is reported, with its index and field, and nothing of a refused batch is stored.
 */
import { MlcycleError, type InputIssue } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { EventRecord } from '../store/event-store.js';

/** How far ahead of the receiver's clock an event's time may be (clients' clocks drift). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_TEXT = 256;
const FIELDS = new Set(['unit', 'name', 'value', 'time', 'idempotencyKey']);
const MAX_ISSUES = 50;

/** The event names the spec's success metrics read (events, and columns read from the log) and its label's, or undefined when the metrics name none. */
export function knownEventNames(spec: ProblemSpec | undefined): Set<string> | undefined {
  const names = new Set<string>();
  for (const metric of spec?.successMetrics ?? []) {
    const source = metric.source as Record<string, { event?: string; column?: string } | string | undefined>;
    for (const part of [source, source.numerator, source.denominator]) {
      if (typeof part !== 'object' || part === null) continue;
      if (typeof part.event === 'string') names.add(part.event);
      // A metric on a column with no event reads, in the event log, the outcome events of that name.
      else if (typeof part.column === 'string') names.add(part.column);
    }
  }
  // The true label arrives as an outcome event named after the target column (a monitor's or rollout's
  // live false-alarm rate and offline metrics read it).
  const target = spec?.target.column;
  if (names.size > 0 && target !== undefined) names.add(target);
  return names.size === 0 ? undefined : names;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
}

/** Reads one event; pushes its problems, returns the record when it has none. */
function readEvent(raw: unknown, path: string, names: Set<string> | undefined, now: number, issues: InputIssue[]): EventRecord | undefined {
  const before = issues.length;
  const problem = (field: string, message: string) => issues.push({ path: field === '' ? path : `${path}${path === '' ? '' : '.'}${field}`, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problem('', 'expected an object {unit, name, value?, time, idempotencyKey?}');
    return undefined;
  }
  const event = raw as Record<string, unknown>;
  for (const key of Object.keys(event)) if (!FIELDS.has(key)) problem(key, 'unknown field; an event has unit, name, value, time and idempotencyKey');
  const text = (field: string, required: boolean): string | undefined => {
    const value = event[field];
    if (value === undefined || value === null) {
      if (required) problem(field, 'required');
      return undefined;
    }
    if (typeof value !== 'string' && !(field === 'unit' && typeof value === 'number')) {
      problem(field, 'expected a string');
      return undefined;
    }
    const string = String(value);
    if (string === '' || string.length > MAX_TEXT) {
      problem(field, `expected 1 to ${MAX_TEXT} characters`);
      return undefined;
    }
    return string;
  };
  const unit = text('unit', true);
  const name = text('name', true);
  if (name !== undefined && names !== undefined && !names.has(name)) {
    problem('name', `unknown event ${shown(name)}; the spec knows ${[...names].sort().join(', ')} (its success metrics' events and its label)`);
  }
  const key = text('idempotencyKey', false);
  let value: number | undefined;
  if (event.value !== undefined && event.value !== null) {
    if (typeof event.value !== 'number' || !Number.isFinite(event.value)) problem('value', 'expected a finite number');
    else value = event.value;
  }
  let time: string | undefined;
  if (typeof event.time !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(event.time) || Number.isNaN(Date.parse(event.time))) {
    problem('time', event.time === undefined ? 'required (ISO 8601, e.g. 2026-06-01T08:30:00Z)' : 'expected an ISO 8601 time such as 2026-06-01T08:30:00Z');
  } else if (Date.parse(event.time) > now + MAX_CLOCK_SKEW_MS) {
    problem('time', `is ${Math.round((Date.parse(event.time) - now) / 60000)} minutes in the future`);
  } else time = new Date(Date.parse(event.time)).toISOString();
  if (issues.length > before || unit === undefined || name === undefined || time === undefined) return undefined;
  return { type: 'outcome', time, unit, name, ...(value === undefined ? {} : { value }), ...(key === undefined ? {} : { idempotencyKey: key }) };
}

/**
 * Reads a request body of business events: one event, a list, or `{"events": [...]}`. Throws one error
 * listing every problem (`events[3].time: ...`); the batch is stored whole or not at all.
 */
export function readBusinessEvents(body: unknown, options: { names: Set<string> | undefined; now: number; maxEvents: number }): EventRecord[] {
  let list: unknown[];
  let prefix: string;
  if (Array.isArray(body)) [list, prefix] = [body, ''];
  else if (typeof body === 'object' && body !== null && Object.hasOwn(body, 'events')) {
    const extra = Object.keys(body).filter((key) => key !== 'events');
    if (extra.length > 0) throw new MlcycleError('invalid_input', `${extra[0]}: unknown field; send {"events": [...]}`, { issues: [{ path: extra[0] as string, message: 'unknown field' }] });
    const events = (body as { events: unknown }).events;
    if (!Array.isArray(events)) throw new MlcycleError('invalid_input', 'events: expected a list of events', { issues: [{ path: 'events', message: 'expected a list' }] });
    [list, prefix] = [events, 'events'];
  } else [list, prefix] = [[body], ''];
  if (list.length > options.maxEvents) throw new MlcycleError('too_large', `the request holds ${list.length} events; at most ${options.maxEvents} per request`);
  if (list.length === 0) throw new MlcycleError('invalid_input', 'no events in the request', { issues: [{ path: prefix, message: 'empty' }] });
  const issues: InputIssue[] = [];
  const records: EventRecord[] = [];
  const single = !Array.isArray(body) && prefix === '';
  list.forEach((raw, index) => {
    const record = readEvent(raw, single ? '' : `${prefix}[${index}]`, options.names, options.now, issues);
    if (record !== undefined) records.push(record);
  });
  if (issues.length > 0) {
    const first = issues[0] as InputIssue;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : '';
    throw new MlcycleError('invalid_input', `${first.path === '' ? 'event' : first.path}: ${first.message}${more}`, { issues: issues.slice(0, MAX_ISSUES) });
  }
  return records;
}
