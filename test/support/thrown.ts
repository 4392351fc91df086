/** The MlcycleError an action throws, for tests that inspect its code and issues. */
import { MlcycleError } from '../../src/error.js';

/** Runs the action and returns the MlcycleError it throws; fails when it throws nothing or something else. */
export function thrownMlcycleError(action: () => unknown): MlcycleError {
  try {
    action();
  } catch (error) {
    if (error instanceof MlcycleError) return error;
    throw error;
  }
  throw new Error('expected an MlcycleError, nothing was thrown');
}
