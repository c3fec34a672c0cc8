import { GantryError } from '@gantry/core';

/** The error of a git request that ran out of time (504: the client, or git, was too slow). */
export const timedOut = (ms: number) =>
  new GantryError('ServiceUnavailable', `The git request did not finish within ${Math.round(ms / 1000)} seconds and was stopped.`, { status: 504 });

/**
 * Settles like `work`, or rejects with timedOut once `deadline` (epoch ms) passes: reading a request body
 * waits on the client, and a client that stops sending must not hold the request open forever.
 */
export function beforeDeadline<T>(work: Promise<T>, deadline: number, limitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(limitMs)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}
