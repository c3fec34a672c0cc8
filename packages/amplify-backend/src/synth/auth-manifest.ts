import type { AuthManifest, UnsupportedConstruct } from '../backend-manifest.ts';
import type { CallSite } from '../define/call-site.ts';
import type { AuthProps, ExternalProviders } from '../define/define-auth.ts';
import { appRelative, unsupportedAt } from './app-files.ts';

/** Amplify's camelCase standard attribute names → Cognito's. */
const STANDARD_ATTRIBUTES: Record<string, string> = {
  address: 'address',
  birthdate: 'birthdate',
  email: 'email',
  familyName: 'family_name',
  gender: 'gender',
  givenName: 'given_name',
  locale: 'locale',
  middleName: 'middle_name',
  fullname: 'name',
  nickname: 'nickname',
  phoneNumber: 'phone_number',
  profilePicture: 'picture',
  preferredUsername: 'preferred_username',
  profilePage: 'profile',
  timezone: 'zoneinfo',
  lastUpdateTime: 'updated_at',
  website: 'website',
};

/** Placeholders Cognito substitutes in verification messages. */
const CODE_PLACEHOLDER = '{####}';
const LINK_PLACEHOLDER = '{##Verify Email##}';

const PROVIDER_NAMES = ['google', 'facebook', 'loginWithAmazon', 'signInWithApple', 'oidc', 'saml'] as const;

export function buildAuthManifest(appDir: string, props: AuthProps, callSite: CallSite | undefined): { auth: AuthManifest; unsupported: UnsupportedConstruct[] } {
  const unsupported: UnsupportedConstruct[] = [];
  const note = (construct: string, hint: string) => unsupported.push(unsupportedAt(appDir, construct, callSite, hint));
  const { loginWith } = props;

  const loginWithManifest: AuthManifest['loginWith'] = {};
  if (loginWith.email) {
    const settings = loginWith.email === true ? {} : loginWith.email;
    const style = settings.verificationEmailStyle ?? 'CODE';
    loginWithManifest.email = {
      verificationEmailStyle: style,
      ...(settings.verificationEmailSubject !== undefined ? { verificationEmailSubject: settings.verificationEmailSubject } : {}),
      ...(typeof settings.verificationEmailBody === 'function'
        ? { verificationEmailBody: settings.verificationEmailBody(() => (style === 'LINK' ? LINK_PLACEHOLDER : CODE_PLACEHOLDER)) }
        : {}),
      ...(settings.otpLogin !== undefined ? { otpLogin: settings.otpLogin } : {}),
    };
    if (settings.userInvitation) note('defineAuth loginWith.email.userInvitation', 'Admin-created user invitations are not supported by Gantry auth yet.');
  }
  if (loginWith.phone) {
    const settings = loginWith.phone === true ? {} : loginWith.phone;
    loginWithManifest.phone = {
      ...(typeof settings.verificationMessage === 'function' ? { verificationMessage: settings.verificationMessage(() => CODE_PLACEHOLDER) } : {}),
      ...(settings.otpLogin !== undefined ? { otpLogin: settings.otpLogin } : {}),
    };
  }
  if (loginWith.externalProviders) {
    loginWithManifest.externalProviders = describeProviders(loginWith.externalProviders);
    note('defineAuth loginWith.externalProviders', 'Social, OIDC and SAML sign-in are not supported by Gantry auth yet.');
  }
  if (loginWith.webAuthn) {
    loginWithManifest.webAuthn = loginWith.webAuthn === true ? true : { ...loginWith.webAuthn };
    note('defineAuth loginWith.webAuthn', 'Passkeys (WebAuthn) are not supported by Gantry auth yet.');
  }

  const usernameAttributes: AuthManifest['usernameAttributes'] = [];
  if (loginWith.email) usernameAttributes.push('email');
  if (loginWith.phone) usernameAttributes.push('phone_number');

  const userAttributes: AuthManifest['userAttributes'] = {};
  for (const attribute of usernameAttributes) userAttributes[attribute] = { required: true, mutable: true, custom: false };
  for (const [name, settings] of Object.entries(props.userAttributes ?? {})) {
    const custom = name.startsWith('custom:');
    const cognitoName = custom ? name : STANDARD_ATTRIBUTES[name];
    if (!cognitoName) throw new Error(`defineAuth: "${name}" is not a standard user attribute (${Object.keys(STANDARD_ATTRIBUTES).join(', ')}) and does not start with "custom:".`);
    userAttributes[cognitoName] = {
      required: usernameAttributes.includes(cognitoName as 'email') || Boolean(settings.required),
      mutable: settings.mutable ?? true,
      ...(settings.dataType !== undefined ? { dataType: settings.dataType } : {}),
      custom,
    };
  }

  const mfaTypes: AuthManifest['mfa']['types'] = [];
  const multifactor = props.multifactor;
  if (multifactor && multifactor.mode !== 'OFF') {
    if (multifactor.sms) mfaTypes.push('SMS');
    if (multifactor.totp) mfaTypes.push('TOTP');
    if (multifactor.email) mfaTypes.push('EMAIL');
  }

  for (const [event, handler] of Object.entries(props.triggers ?? {})) {
    if (handler !== undefined) note(`defineAuth triggers.${event}`, 'Cognito Lambda triggers are not supported by Gantry: functions do not run yet.');
  }
  if (props.access) note('defineAuth access', 'Granting functions access to the user pool is not supported by Gantry: functions do not run yet.');
  if (props.senders) note('defineAuth senders', 'Custom email/SMS senders are not supported by Gantry auth yet.');

  const auth: AuthManifest = {
    ...(props.name !== undefined ? { name: props.name } : {}),
    file: appRelative(appDir, callSite?.file),
    loginWith: loginWithManifest,
    usernameAttributes,
    verificationMechanisms: [...usernameAttributes],
    userAttributes,
    standardRequiredAttributes: Object.entries(userAttributes)
      .filter(([, settings]) => settings.required && !settings.custom)
      .map(([name]) => name),
    groups: [...(props.groups ?? [])],
    mfa: { mode: multifactor?.mode ?? 'OFF', types: mfaTypes },
    accountRecovery: props.accountRecovery ?? (loginWith.email ? 'EMAIL_ONLY' : 'PHONE_ONLY_WITHOUT_MFA'),
    passwordPolicy: { minLength: 8, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true },
    unauthenticatedIdentitiesEnabled: true,
  };
  return { auth, unsupported };
}

/** Provider names and OAuth settings; secrets are never evaluated. */
function describeProviders(providers: ExternalProviders): NonNullable<AuthManifest['loginWith']['externalProviders']> {
  return {
    providers: PROVIDER_NAMES.filter((name) => providers[name] !== undefined),
    callbackUrls: [...(providers.callbackUrls ?? [])],
    logoutUrls: [...(providers.logoutUrls ?? [])],
    ...(providers.scopes ? { scopes: [...providers.scopes] } : {}),
    ...(providers.domainPrefix ? { domainPrefix: providers.domainPrefix } : {}),
  };
}

