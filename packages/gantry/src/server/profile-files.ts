import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Account } from '@gantry/iam';
import { ORGANIZATION_ACCESS_ROLE } from '@gantry/iam';

export interface ProfileFilesArgs {
  dataDir: string;
  endpointUrl: string;
  accounts: Account[];
  admin: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Writes `<dataDir>/aws-config` and `<dataDir>/credentials` in the AWS shared-file formats: one profile per
 * account, named after it, set to the account's default region (the other regions it may use are one
 * `--region` away). The management profile holds the administrator's keys; member profiles reach their
 * account through `OrganizationAccountAccessRole`, as with AWS Organizations, so any SDK or CLI resolves them
 * with its own AssumeRole. Both files are written mode 0600 (the credentials hold the
 * administrator's secret key); a missing data directory is created 0700.
 */
export function writeProfileFiles(args: ProfileFilesArgs): { configFile: string; credentialsFile: string } {
  const management = args.accounts.find((a) => a.isManagement);
  if (!management) throw new Error('no management account');
  const config: string[] = [];
  const section = (header: string, account: Account, extra: string[] = []) => {
    config.push(`[${header}]`, `region = ${account.defaultRegion}`, `endpoint_url = ${args.endpointUrl}`, ...extra, '');
  };
  section('default', management);
  for (const account of args.accounts) {
    const assume = account.isManagement
      ? []
      : [`role_arn = arn:aws:iam::${account.id}:role/${ORGANIZATION_ACCESS_ROLE}`, `source_profile = ${management.name}`, `role_session_name = gantry-${account.name}`];
    section(`profile ${account.name}`, account, assume);
  }
  const keys = [`aws_access_key_id = ${args.admin.accessKeyId}`, `aws_secret_access_key = ${args.admin.secretAccessKey}`];
  const credentials = ['[default]', ...keys, '', `[${management.name}]`, ...keys, ''];
  mkdirSync(args.dataDir, { recursive: true, mode: 0o700 });
  const configFile = join(args.dataDir, 'aws-config');
  const credentialsFile = join(args.dataDir, 'credentials');
  writeAtomically(configFile, config.join('\n'));
  writeAtomically(credentialsFile, credentials.join('\n'));
  return { configFile, credentialsFile };
}

/**
 * Readers never see a half-written file: write a sibling, then rename over. The sibling is made fresh with
 * mode 0600 (a stale one from a crash is removed first, as writing would keep its mode), so the file renamed
 * into place is the owner's alone even when an older copy or the directory was looser.
 */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
  if (process.platform !== 'win32') chmodSync(temp, 0o600);
  renameSync(temp, file);
}
