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
const account = (id: string, name: string, defaultRegion: string, optInRegions: string[] = [], isManagement = false): Account => ({
  id, name, defaultRegion, optInRegions, regions: [defaultRegion, ...optInRegions], isManagement, createdAt: new Date(),
});
const accounts: Account[] = [account('123456789012', 'main', 'us-west-2', [], true)];
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

  it("sets each profile to its account's default region, not to its opt-in regions", () => {
    const dataDir = join(scratch, 'regions');
    const members = [...accounts, account('210987654321', 'production', 'eu-west-1', ['af-south-1']), account('111122223333', 'cape', 'af-south-1', ['af-south-1'])];
    const { configFile } = writeProfileFiles({ dataDir, endpointUrl: 'http://localhost:4566', accounts: members, admin });
    const config = readFileSync(configFile, 'utf8');
    const regionOf = (header: string) => new RegExp(`\\[${header}\\]\\nregion = (\\S+)`).exec(config)?.[1];
    assert.equal(regionOf('default'), 'us-west-2');
    assert.equal(regionOf('profile production'), 'eu-west-1');
    assert.equal(regionOf('profile cape'), 'af-south-1');
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
