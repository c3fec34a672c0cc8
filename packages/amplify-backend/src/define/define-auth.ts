import { captureCallSite } from './call-site.ts';
import { makeFactory, type ResourceFactory } from './factory.ts';
import { recordDefinition } from './registry.ts';
import type { BackendSecret } from './secret.ts';

/** `loginWith.email` settings (code or link verification). `verificationEmailBody` gets a code/link maker. */
export interface EmailLoginSettings {
  verificationEmailStyle?: 'CODE' | 'LINK';
  verificationEmailSubject?: string;
  verificationEmailBody?: (createCode: () => string) => string;
  userInvitation?: {
    emailSubject?: string;
    emailBody?: (username: () => string, code: () => string) => string;
    smsMessage?: (username: () => string, code: () => string) => string;
  };
  otpLogin?: boolean;
}

export interface PhoneLoginSettings {
  verificationMessage?: (createCode: () => string) => string;
  otpLogin?: boolean;
}

/** Social, OIDC and SAML providers. Recorded; not implemented by Gantry. */
export interface ExternalProviders {
  google?: { clientId: BackendSecret; clientSecret: BackendSecret; scopes?: string[]; attributeMapping?: Record<string, unknown> };
  facebook?: { clientId: BackendSecret; clientSecret: BackendSecret; scopes?: string[] };
  loginWithAmazon?: { clientId: BackendSecret; clientSecret: BackendSecret; scopes?: string[] };
  signInWithApple?: { clientId: BackendSecret; keyId: BackendSecret; privateKey: BackendSecret; teamId: BackendSecret; scopes?: string[] };
  oidc?: Array<{ name?: string; clientId: BackendSecret; clientSecret: BackendSecret; issuerUrl: string; scopes?: string[] }>;
  saml?: { name?: string; metadata: { metadataContent: string; metadataType: 'URL' | 'FILE' } };
  callbackUrls: string[];
  logoutUrls: string[];
  scopes?: string[];
  domainPrefix?: string;
}

export interface AuthLoginWith {
  email?: true | EmailLoginSettings;
  phone?: true | PhoneLoginSettings;
  externalProviders?: ExternalProviders;
  webAuthn?: boolean | { relyingPartyId?: string; userVerification?: 'required' | 'preferred' };
}

/** A standard attribute (camelCase name as in Amplify: `givenName`, `phoneNumber`, ...) or `custom:*`. */
export interface UserAttributeSettings {
  required?: boolean;
  mutable?: boolean;
  dataType?: 'String' | 'Number' | 'DateTime' | 'Boolean';
  minLen?: number;
  maxLen?: number;
  min?: number;
  max?: number;
}

export type MfaSettings =
  | { mode: 'OFF' }
  | { mode: 'OPTIONAL' | 'REQUIRED'; sms?: boolean | { smsMessage?: (createCode: () => string) => string }; totp?: boolean; email?: boolean | object };

export type AccountRecovery = 'EMAIL_AND_PHONE_WITHOUT_MFA' | 'PHONE_WITHOUT_MFA_AND_EMAIL' | 'EMAIL_ONLY' | 'PHONE_ONLY_WITHOUT_MFA' | 'PHONE_AND_EMAIL' | 'NONE';

export type AuthTriggerEvent =
  | 'createAuthChallenge' | 'customMessage' | 'defineAuthChallenge' | 'postAuthentication' | 'postConfirmation'
  | 'preAuthentication' | 'preSignUp' | 'preTokenGeneration' | 'userMigration' | 'verifyAuthChallengeResponse';

export interface AuthProps {
  /** Name of the user pool. */
  name?: string;
  loginWith: AuthLoginWith;
  userAttributes?: Record<string, UserAttributeSettings>;
  /** Cognito groups. */
  groups?: string[];
  multifactor?: MfaSettings;
  /** @default 'EMAIL_ONLY' when logging in with email, else 'PHONE_WITHOUT_MFA_AND_EMAIL' */
  accountRecovery?: AccountRecovery;
  /** Lambda triggers (`defineFunction` results). Not supported by Gantry. */
  triggers?: Partial<Record<AuthTriggerEvent, unknown>>;
  /** Grants functions access to the user pool. Not supported by Gantry. */
  access?: (allow: unknown) => unknown[];
  /** Custom email/SMS senders. Not supported by Gantry. */
  senders?: unknown;
}

export type AuthFactory = ResourceFactory<'auth'>;

/** Gantry's `defineAuth`: records the user pool settings. */
export function defineAuth(props: AuthProps): AuthFactory {
  const callSite = captureCallSite();
  if (!props || typeof props !== 'object' || !props.loginWith || typeof props.loginWith !== 'object') {
    throw new TypeError('defineAuth({ loginWith }) needs loginWith, e.g. defineAuth({ loginWith: { email: true } }).');
  }
  if (!props.loginWith.email && !props.loginWith.phone && !props.loginWith.externalProviders) {
    throw new TypeError('defineAuth: loginWith must enable email, phone or externalProviders.');
  }
  const id = recordDefinition({ kind: 'auth', props, callSite });
  return makeFactory('auth', id, 'defineAuth', 'AuthResources');
}
