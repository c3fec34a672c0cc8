import { runGit } from '../git-command.ts';
import { isZeroId, type RefUpdate } from './receive-commands.ts';
import type { PushReport } from './report-status.ts';

/**
 * The ref updates a push actually made. From git's own report when there is one (every git client asks for
 * it); otherwise by comparing the refs now with what the push asked for, which a concurrent push to the
 * same ref can confuse.
 */
export async function appliedUpdates(gitBinary: string, gitDir: string, updates: RefUpdate[], report: PushReport | undefined): Promise<RefUpdate[]> {
  if (updates.length === 0) return [];
  if (report) {
    if (report.unpack !== 'ok') return [];
    return updates.filter((u) => report.refs.has(u.ref) && report.refs.get(u.ref) === undefined);
  }
  const refs = new Map<string, string>();
  const { stdout } = await runGit(gitBinary, ['--git-dir', gitDir, 'for-each-ref', '--format=%(objectname) %(refname)']);
  for (const line of stdout.toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) refs.set(line.slice(space + 1), line.slice(0, space));
  }
  // An "update" to the value a ref already had changed nothing, whoever sent it.
  return updates.filter((u) => u.oldId !== u.newId && (isZeroId(u.newId) ? !refs.has(u.ref) : refs.get(u.ref) === u.newId));
}
