import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignInThrottle } from '../src/server/sign-in-throttle.ts';

test('failures are counted per key within the window, and a success clears them', () => {
  let now = 0;
  const throttle = new SignInThrottle({ limit: 3, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    throttle.check('ip|alice');
    throttle.failed('ip|alice');
  }
  assert.throws(() => throttle.check('ip|alice'), (e: any) => e.status === 429 && /wait 1 minute and try again/.test(e.message));
  throttle.check('ip|bob');
  throttle.check('other-ip|alice');
  now = 60_001;
  throttle.check('ip|alice');
  throttle.failed('ip|alice');
  throttle.failed('ip|alice');
  throttle.succeeded('ip|alice');
  throttle.failed('ip|alice');
  throttle.failed('ip|alice');
  throttle.check('ip|alice');
});
