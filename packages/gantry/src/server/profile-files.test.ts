import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Account } from '@gantry/iam';
import { writeProfileFiles } from './profile-files.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gantry-profiles-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;
const accounts: Account[] = [{ id: '123456789012', name: 'main', regions: ['us-west-2'], isManagement: true, createdAt: new Date() }];
const admin = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret-key' };

describe('writeProfileFiles', { skip: process.platform === 'win32' }, () => {
  it('writes credentials and aws-config 0600, creating a missing data directory 0700', () => {
    const dataDir = join(scratch, 'new-data');
    const { configFile, credentialsFile } = writeProfileFiles({ dataDir, endpointUrl: 'http://localhost:4566', accounts, admin });
    assert.equal(mode(dataDir), 0o700);
    assert.equal(mode(credentialsFile), 0o600);
    assert.equal(mode(configFile), 0o600);
    assert.match(readFileSync(credentialsFile, 'utf8'), /aws_secret_access_key = secret-key/);
  });

  it('replaces existing world-readable files with 0600 ones', () => {
    const dataDir = join(scratch, 'old-data');
    writeProfileFiles({ dataDir, endpointUrl: 'http://localhost:4566', accounts, admin });
    for (const name of ['credentials', 'aws-config']) chmodSync(join(dataDir, name), 0o644);
    writeFileSync(join(dataDir, `credentials.${process.pid}.tmp`), 'stale');
    chmodSync(join(dataDir, `credentials.${process.pid}.tmp`), 0o666);
    writeProfileFiles({ dataDir, endpointUrl: 'http://localhost:4566', accounts, admin });
    assert.equal(mode(join(dataDir, 'credentials')), 0o600);
    assert.equal(mode(join(dataDir, 'aws-config')), 0o600);
  });
});
