/** The error the evaluation modules throw for bad arguments: invalid input (exit code 2, HTTP 400) naming the field. */
import { MlcycleError } from '../../error.js';

/** An `invalid_input` error about one field; `path` names it (`scores[3]`, `clipWeight`), empty for the call as a whole. */
export function invalidInput(path: string, message: string): MlcycleError {
  return new MlcycleError('invalid_input', path === '' ? message : `${path}: ${message}`, { issues: [{ path, message }] });
}
