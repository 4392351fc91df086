import { describe, expect, it } from 'vitest';
import { inferSemanticType, type ColumnFacts } from './semantic-types.js';

function facts(partial: Partial<ColumnFacts> & Pick<ColumnFacts, 'storageType'>): ColumnFacts {
  return { name: 'x', nonNull: 1000, distinct: 10, min: 0, max: 9, ...partial };
}

describe('inferSemanticType', () => {
  it('follows the storage type for booleans, times and floating point', () => {
    expect(inferSemanticType(facts({ storageType: 'BOOLEAN' }))).toBe('boolean');
    expect(inferSemanticType(facts({ storageType: 'TIMESTAMP' }))).toBe('datetime');
    expect(inferSemanticType(facts({ storageType: 'DATE' }))).toBe('datetime');
    expect(inferSemanticType(facts({ storageType: 'DOUBLE', distinct: 1000 }))).toBe('numeric');
    expect(inferSemanticType(facts({ storageType: 'DECIMAL(18,3)' }))).toBe('numeric');
  });

  it('calls 0/1 integers boolean and other integers integer', () => {
    expect(inferSemanticType(facts({ storageType: 'BIGINT', distinct: 2, min: 0, max: 1 }))).toBe('boolean');
    expect(inferSemanticType(facts({ storageType: 'BIGINT', distinct: 2, min: 1, max: 2 }))).toBe('integer');
    expect(inferSemanticType(facts({ storageType: 'INTEGER', distinct: 78, min: 17, max: 98 }))).toBe('integer');
  });

  it('calls near-unique integers identifiers only when named like one or dense like row numbers', () => {
    expect(inferSemanticType(facts({ storageType: 'BIGINT', name: 'customer_id', distinct: 990, min: 5, max: 10_000_000 }))).toBe('identifier');
    expect(inferSemanticType(facts({ storageType: 'BIGINT', name: 'row', distinct: 1000, min: 1, max: 1000 }))).toBe('identifier');
    expect(inferSemanticType(facts({ storageType: 'BIGINT', name: 'income', distinct: 990, min: 5, max: 10_000_000 }))).toBe('integer');
    expect(inferSemanticType(facts({ storageType: 'BIGINT', name: 'id', nonNull: 10, distinct: 10, min: 1, max: 10 }))).toBe('integer');
  });

  it('tells categories, identifiers and free text apart among strings', () => {
    expect(inferSemanticType(facts({ storageType: 'VARCHAR', distinct: 12 }))).toBe('categorical');
    expect(inferSemanticType(facts({ storageType: 'VARCHAR', distinct: 990, meanSpaces: 0 }))).toBe('identifier');
    expect(inferSemanticType(facts({ storageType: 'VARCHAR', distinct: 990, meanSpaces: 9 }))).toBe('text');
    expect(inferSemanticType(facts({ storageType: 'VARCHAR', distinct: 700, meanSpaces: 4 }))).toBe('text');
    expect(inferSemanticType(facts({ storageType: 'VARCHAR', distinct: 300, meanSpaces: 4 }))).toBe('categorical');
  });

  it('gives an estimated distinct count the slack of its error', () => {
    expect(inferSemanticType(facts({ storageType: 'VARCHAR', distinct: 930, distinctApproximate: true }))).toBe('identifier');
    expect(inferSemanticType(facts({ storageType: 'VARCHAR', distinct: 930 }))).toBe('categorical');
  });
});
