import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEvent } from './deploy-backend.ts';

// The server answers DescribeStackEvents-style events (backend-shapes.ts `eventShape`): each must print its status,
// type and resource, not a blank line.
test('a deployment event prints its status, resource type and logical id', () => {
  assert.equal(
    formatEvent({ seq: 3, timestamp: '2026-01-01T00:00:00.000Z', logicalResourceId: 'data', resourceType: 'Gantry::Data::Api', resourceStatus: 'CREATE_COMPLETE' }),
    '  CREATE_COMPLETE | Gantry::Data::Api | data',
  );
});

test('a failed event carries its reason', () => {
  assert.equal(
    formatEvent({ logicalResourceId: 'auth', resourceType: 'Gantry::Auth::UserPool', resourceStatus: 'CREATE_FAILED', resourceStatusReason: 'quota exceeded' }),
    '  CREATE_FAILED | Gantry::Auth::UserPool | auth: quota exceeded',
  );
});

test('fields the server leaves out are skipped, not printed as empty columns', () => {
  assert.equal(formatEvent({ resourceStatus: 'UPDATE_IN_PROGRESS', logicalResourceId: 'data' }), '  UPDATE_IN_PROGRESS | data');
});
