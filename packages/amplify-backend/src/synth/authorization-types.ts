import type { AppSyncAuthorizationType, AuthorizationModeName } from '../backend-manifest.ts';

const APPSYNC_TYPE: Record<AuthorizationModeName, AppSyncAuthorizationType> = {
  apiKey: 'API_KEY',
  userPool: 'AMAZON_COGNITO_USER_POOLS',
  identityPool: 'AWS_IAM',
  iam: 'AWS_IAM',
  oidc: 'OPENID_CONNECT',
  lambda: 'AWS_LAMBDA',
};

/** Amplify's mode name → the AppSync/amplify_outputs.json name (`apiKey` → `API_KEY`). */
export function toAppSyncAuthorizationType(mode: AuthorizationModeName): AppSyncAuthorizationType {
  return APPSYNC_TYPE[mode];
}
