/** The check every CLI bad-input test makes: exit code 2, the message, and no stack trace. */
import { expect } from 'vitest';
import type { CliRun } from './run-cli.js';

/** A stack frame line as Node prints it. */
const STACK_FRAME = /^\s+at .+/m;

export function expectUserError(run: CliRun, message: RegExp): void {
  expect(run.code, run.stdout + run.stderr).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(STACK_FRAME);
}
