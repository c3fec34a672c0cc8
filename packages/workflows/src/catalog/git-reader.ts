import { execFile } from 'node:child_process';

/** Where workflow definitions live in a repository, as CodeCatalyst reads them. */
export const WORKFLOWS_DIR = '.codecatalyst/workflows';
const WORKFLOW_FILE = /^\.codecatalyst\/workflows\/[^/]+\.ya?ml$/;

export const isWorkflowFile = (path: string): boolean => WORKFLOW_FILE.test(path);

function git(gitDir: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['--git-dir', gitDir, ...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args[0]} failed in ${gitDir}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** The workflow files (`.codecatalyst/workflows/*.yaml|yml`, not in subfolders) of a commit, with their text. */
export async function readWorkflowFiles(gitDir: string, commitId: string): Promise<Array<{ path: string; content: string }>> {
  const listing = await git(gitDir, ['ls-tree', '-z', `${commitId}:${WORKFLOWS_DIR}`]).catch(() => '');
  const blobs = listing.split('\0').filter(Boolean).flatMap((entry) => {
    const [meta, name] = entry.split('\t') as [string, string];
    const [, type, id] = meta.split(' ');
    const path = `${WORKFLOWS_DIR}/${name}`;
    return type === 'blob' && isWorkflowFile(path) ? [{ path, id: id! }] : [];
  });
  const files: Array<{ path: string; content: string }> = [];
  for (const blob of blobs) files.push({ path: blob.path, content: await git(gitDir, ['cat-file', 'blob', blob.id]) });
  return files;
}

/** The commit a branch points at, or undefined when the branch does not exist. */
export async function branchHead(gitDir: string, branch: string): Promise<string | undefined> {
  const out = await git(gitDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]).catch(() => '');
  return out.trim() || undefined;
}

/** The repository's branches. */
export async function listBranches(gitDir: string): Promise<string[]> {
  const out = await git(gitDir, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/']).catch(() => '');
  return out.split('\n').filter(Boolean);
}
