// Runs the unmodified aws-amplify auth client through authenticator-app MFA against a Gantry user pool: sets
// up TOTP for a signed-in user, makes it the preferred method, then signs in again answering the
// CONFIRM_SIGN_IN_WITH_TOTP_CODE step (first with a wrong code, then a right one in the same session). Codes are computed here from the shared
// secret, as the user's app would. Reads its configuration as JSON in argv[2]; prints one JSON line.
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { confirmSignIn, fetchMFAPreference, setUpTOTP, signIn, signOut, updateMFAPreference, verifyTOTPSetup } from 'aws-amplify/auth';
import { Secret, TOTP } from 'otpauth';

const input = JSON.parse(process.argv[2]!) as { outputs: object; endpoint: string; email: string; password: string };
Amplify.configure(input.outputs);
const config = Amplify.getConfig();
Amplify.configure({ ...config, Auth: { Cognito: { ...config.Auth!.Cognito, userPoolEndpoint: input.endpoint } } } as ResourcesConfig);

const step = (name: string) => process.stderr.write(`step: ${name}\n`);
const result: Record<string, unknown> = {};

step('signIn');
await signIn({ username: input.email, password: input.password });
step('setUpTOTP');
const setup = await setUpTOTP();
result.setupUri = setup.getSetupUri('GantryTest').toString();
const totp = new TOTP({ secret: Secret.fromBase32(setup.sharedSecret), digits: 6, period: 30 });
step('verifyTOTPSetup');
await verifyTOTPSetup({ code: totp.generate() });
await updateMFAPreference({ totp: 'PREFERRED' });
result.preference = await fetchMFAPreference();
await signOut();

step('signIn with MFA');
const first = await signIn({ username: input.email, password: input.password });
result.nextStep = first.nextStep.signInStep;
try {
  await confirmSignIn({ challengeResponse: '000000' });
  result.wrongCode = 'accepted';
} catch (error) {
  result.wrongCode = (error as Error).name;
}
// The setup's code was used once already: the next step's code, which the one-step drift allows.
step('confirmSignIn');
const confirmed = await confirmSignIn({ challengeResponse: totp.generate({ timestamp: Date.now() + 30_000 }) });
result.confirmed = { isSignedIn: confirmed.isSignedIn, nextStep: confirmed.nextStep.signInStep };
console.log(JSON.stringify(result));
process.exit(0);
