import { signal } from '@preact/signals';
import { currentSession, setCallRegion, signOut as endSession, whenRoleEnds, whenSessionEnds, type ConsoleSessionInfo } from '../api/console-client.ts';

/**
 * Who is signed in. `undefined` while the first check runs, `null` when nobody is. The page never sees
 * credentials: only what the server says about the session.
 */
export const session = signal<ConsoleSessionInfo | null | undefined>(undefined);
/** Why the user is asked to sign in (an expired session), shown on the sign-in page. */
export const signInNotice = signal<string | undefined>(undefined);
/** Something the signed-in pages should say once (a role session that ended). */
export const notice = signal<string | undefined>(undefined);
/** The region every call is signed for; the top bar switches it. */
export const region = signal<string>('us-east-1');

const REGION_KEY = 'gantry-region';

export function setRegion(name: string): void {
  region.value = name;
  setCallRegion(name);
  try {
    localStorage.setItem(REGION_KEY, name);
  } catch {
    // Private windows may refuse storage; the choice then lasts for this page only.
  }
}

export function signedIn(info: ConsoleSessionInfo): void {
  signInNotice.value = undefined;
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(REGION_KEY);
  } catch {
    saved = null;
  }
  setRegion(saved ?? info.region);
  session.value = info;
}

export async function loadSession(): Promise<void> {
  const info = await currentSession().catch(() => undefined);
  if (info) signedIn(info);
  else session.value = null;
}

export async function signOut(): Promise<void> {
  await endSession();
  session.value = null;
}

whenSessionEnds((message) => {
  signInNotice.value = message;
  session.value = null;
});

whenRoleEnds(async (message) => {
  notice.value = message;
  const info = await currentSession().catch(() => undefined);
  session.value = info ?? null;
});
