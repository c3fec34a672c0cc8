/**
 * Whether we run in CI, by the rule of the `ci-info` package the real CLI uses: `CI=false` says no; otherwise
 * any of the common CI variables says yes (so `export CI=1` is enough).
 */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CI === 'false') return false;
  return ['BUILD_ID', 'BUILD_NUMBER', 'CI', 'CI_APP_ID', 'CI_BUILD_ID', 'CI_BUILD_NUMBER', 'CI_NAME', 'CONTINUOUS_INTEGRATION', 'RUN_ID', 'CODEBUILD_BUILD_ARN', 'GITHUB_ACTIONS']
    .some((name) => Boolean(env[name]));
}
