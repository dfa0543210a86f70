import { dependencyFailureOf } from '../../src/errors';

function errorWith(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

describe('dependency outages told from bugs', () => {
  it.each([
    [
      'ioredis offline queue flushed',
      errorWith('Reached the max retries per request limit (which is 2).', { name: 'MaxRetriesPerRequestError' }),
      'redis',
    ],
    ['ioredis connection closed', errorWith('Connection is closed.'), 'redis'],
    [
      'ioredis offline queue disabled',
      errorWith("Stream isn't writeable and enableOfflineQueue options is false"),
      'redis',
    ],
    ['ioredis command timeout', errorWith('Command timed out'), 'redis'],
    ['a refused socket', errorWith('connect ECONNREFUSED 127.0.0.1:6390', { code: 'ECONNREFUSED' }), 'redis'],
    [
      'SQLite locked by another process',
      errorWith('SQLITE_BUSY: database is locked', { code: 'SQLITE_BUSY' }),
      'archive',
    ],
    [
      'SQLite file that cannot be opened',
      errorWith('SQLITE_CANTOPEN: unable to open database file', { code: 'SQLITE_CANTOPEN' }),
      'archive',
    ],
    [
      'no pooled knex connection in time',
      errorWith('Knex: Timeout acquiring a connection.', { name: 'KnexTimeoutError' }),
      'archive',
    ],
    [
      'Postgres shutting down',
      errorWith('terminating connection due to administrator command', { code: '57P01' }),
      'archive',
    ],
    ['Postgres connection lost', errorWith('Connection terminated unexpectedly'), 'archive'],
    ['Postgres out of connections', errorWith('sorry, too many clients already', { code: '53300' }), 'archive'],
    [
      'Temporal unreachable',
      errorWith('14 UNAVAILABLE: No connection established', { name: 'ServiceError' }),
      'temporal',
    ],
  ])('when %s surfaces then it is a 503 naming the part', (_what, err, dependency) => {
    const failure = dependencyFailureOf(err);
    expect(failure).toMatchObject({ status: 503, code: 'dependency_unavailable', details: { dependency } });
    expect(failure?.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect(failure?.message).not.toContain(err.message);
  });

  it('when a programming error surfaces then it is not taken for an outage', () => {
    expect(dependencyFailureOf(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeUndefined();
  });
});
