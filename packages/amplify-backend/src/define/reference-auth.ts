import { captureCallSite } from './call-site.ts';
import { makeFactory, type ResourceFactory } from './factory.ts';
import { recordDefinition } from './registry.ts';

/** Props of Amplify's `referenceAuth` (an existing Cognito user pool). */
export interface ReferenceAuthProps {
  userPoolId: string;
  identityPoolId: string;
  userPoolClientId: string;
  authRoleArn: string;
  unauthRoleArn: string;
  groups?: Record<string, string>;
}

/** Gantry's `referenceAuth`: recorded, and reported as unsupported (Gantry cannot use an AWS user pool). */
export function referenceAuth(props: ReferenceAuthProps): ResourceFactory<'referenceAuth'> {
  const callSite = captureCallSite();
  const id = recordDefinition({ kind: 'referenceAuth', props: { ...props }, callSite });
  return makeFactory('referenceAuth', id, 'referenceAuth', 'AuthResources');
}
