/**
 * The one error type of mlcycle. Its codes form a closed set, and each code maps once to a CLI exit
 * code and an HTTP status, so that every interface reports the same failure the same way.
 */

/** Where in an input a problem sits: a field path, and the file and line when the input came from one. */
export interface InputIssue {
  /** Field path in the `successMetrics[1].kind` form; empty for the document as a whole. */
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export const ERROR_CODES = {
  /** Input that does not parse or validate: a spec, a file, a request body. */
  invalid_input: { exitCode: 2, httpStatus: 400 },
  /** A command used the wrong way: unknown option, missing argument. */
  usage: { exitCode: 2, httpStatus: 400 },
  /** Something named does not exist: a workspace, a dataset, a run. */
  not_found: { exitCode: 2, httpStatus: 404 },
  /** The request contradicts stored state: a write-once value written again, a name taken. */
  conflict: { exitCode: 2, httpStatus: 409 },
  /** A request larger than a stated limit: too many rows in one batch. */
  too_large: { exitCode: 2, httpStatus: 413 },
  /** A check ran and failed: a validation, a gate. */
  check_failed: { exitCode: 1, httpStatus: 422 },
  /** A bug or an environment failure; 70 is EX_SOFTWARE of sysexits.h. */
  internal: { exitCode: 70, httpStatus: 500 },
} as const satisfies Record<string, { exitCode: number; httpStatus: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The error every mlcycle function throws on purpose; anything else is a bug. */
export class MlcycleError extends Error {
  override readonly name = 'MlcycleError';
  readonly code: ErrorCode;
  readonly issues: readonly InputIssue[];

  constructor(code: ErrorCode, message: string, options: { issues?: readonly InputIssue[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].httpStatus;
  }

  /** The JSON body that the CLI's `--json` and the HTTP API return for this error. */
  toJSON(): { error: { code: ErrorCode; message: string; issues: readonly InputIssue[] } } {
    return { error: { code: this.code, message: this.message, issues: this.issues } };
  }
}

/** Turns any thrown value into an MlcycleError, keeping the original as the cause. */
export function asMlcycleError(thrown: unknown): MlcycleError {
  if (thrown instanceof MlcycleError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new MlcycleError('internal', message, { cause: thrown });
}

/** One line per issue, `file:line: path: message`, as compilers print them. */
export function formatIssue(issue: InputIssue): string {
  const where = issue.file === undefined ? '' : `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`}: `;
  const path = issue.path === '' ? '' : `${issue.path}: `;
  return `${where}${path}${issue.message}`;
}
