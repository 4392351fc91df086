import { describe, expect, it } from 'vitest';
import { FLIGHT_DELAY_SPEC } from '../demo/flight-delay-spec.js';
import { describeSpecChanges } from './spec-changes.js';

describe('describeSpecChanges', () => {
  it('says when there was no earlier version', () => {
    expect(describeSpecChanges(undefined, FLIGHT_DELAY_SPEC)).toEqual(['first recorded version']);
  });

  it('names added, removed and changed items of named lists, and changed fields', () => {
    const after = FLIGHT_DELAY_SPEC.replace('id: desk_wait_p90', 'id: desk_wait_p95')
      .replace('minimumDetectableEffect: { relative: 0.03 }', 'minimumDetectableEffect: { relative: 0.04 }')
      .replace('task: binary', 'task: binary\nrandomizationUnit2: x')
      .replace('randomizationUnit: passenger_id', 'randomizationUnit: booking_id');
    expect(describeSpecChanges(FLIGHT_DELAY_SPEC, after)).toEqual([
      'randomizationUnit: changed',
      'successMetrics: changed alert_engagement',
      'successMetrics: added desk_wait_p95',
      'successMetrics: removed desk_wait_p90',
      'randomizationUnit2: added',
    ]);
  });

  it('tells a comment-only edit apart', () => {
    expect(describeSpecChanges(FLIGHT_DELAY_SPEC, `${FLIGHT_DELAY_SPEC}# reviewed\n`)).toEqual(['comments or formatting only']);
  });
});
