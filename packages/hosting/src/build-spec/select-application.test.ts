import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GantryError } from '@gantry/core';
import { MONOREPO_SPEC, VITE_REACT_TEMPLATE } from './build-spec-fixtures.ts';
import { parseBuildSpec } from './parse-build-spec.ts';
import { selectApplication } from './select-application.ts';

const monorepo = parseBuildSpec(MONOREPO_SPEC).spec;
const single = parseBuildSpec(VITE_REACT_TEMPLATE).spec;

function validationError(run: () => unknown): GantryError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof GantryError);
    assert.equal(error.code, 'ValidationError');
    return error;
  }
  assert.fail('expected a ValidationError');
}

describe('selectApplication', () => {
  it('selects by AMPLIFY_MONOREPO_APP_ROOT', () => {
    const application = selectApplication(monorepo, { env: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/admin' } });
    assert.equal(application.appRoot, 'apps/admin');
    assert.equal(application.frontend?.buildPath, '/');
  });

  it('selects by argument, which wins over the environment variable, and normalises it', () => {
    const application = selectApplication(monorepo, { appRoot: './apps/web/', env: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/admin' } });
    assert.equal(application.appRoot, 'apps/web');
  });

  it('lists the app roots when none is given', () => {
    const error = validationError(() => selectApplication(monorepo, { env: {} }));
    assert.match(error.message, /amplify\.yml is a monorepo spec with 2 applications \(appRoot "apps\/web", "apps\/admin"\) but no app root was given/);
    assert.match(error.message, /set the environment variable AMPLIFY_MONOREPO_APP_ROOT .* e\.g\. AMPLIFY_MONOREPO_APP_ROOT=apps\/web/);
  });

  it('lists the app roots when none matches', () => {
    const error = validationError(() => selectApplication(monorepo, { env: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/mobile' } }));
    assert.match(error.message, /declares no application with appRoot "apps\/mobile" \(AMPLIFY_MONOREPO_APP_ROOT\); it declares "apps\/web", "apps\/admin"/);
  });

  it('returns the whole spec as the application of a single-app spec', () => {
    const application = selectApplication(single);
    assert.equal(application.appRoot, '.');
    assert.deepEqual(application.frontend, single.frontend);
    assert.deepEqual(application.backend, single.backend);
  });

  it('refuses an app root for a spec without applications, as Amplify does', () => {
    const error = validationError(() => selectApplication(single, { env: { AMPLIFY_MONOREPO_APP_ROOT: 'apps/web' } }));
    assert.match(error.message, /^Monorepo spec provided without "applications" key: AMPLIFY_MONOREPO_APP_ROOT is "apps\/web"/);
    assert.match(error.message, /remove AMPLIFY_MONOREPO_APP_ROOT/);
  });
});
