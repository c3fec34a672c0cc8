// Runs the unmodified aws-amplify auth client against a Gantry user pool, configured with an
// amplify_outputs.json-shaped object plus the one setting outputs cannot carry: the pool's endpoint.
// Reads its configuration as JSON in argv[2]; asks the parent for confirmation codes with a
// `{"need":"code"}` line on stdout and reads the code from stdin. Prints one JSON line with what it saw.
import { createInterface } from 'node:readline';
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp, updatePassword } from 'aws-amplify/auth';

const input = JSON.parse(process.argv[2]!) as { outputs: object; endpoint: string; email: string; password: string; newPassword: string };
Amplify.configure(input.outputs);
const config = Amplify.getConfig();
// amplify_outputs.json has no field for the user pool's endpoint: it is set in code.
Amplify.configure({ ...config, Auth: { Cognito: { ...config.Auth!.Cognito, userPoolEndpoint: input.endpoint } } } as ResourcesConfig);

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const ask = async (need: string): Promise<string> => {
  console.log(JSON.stringify({ need }));
  return String((await lines.next()).value).trim();
};
const step = (name: string) => process.stderr.write(`step: ${name}\n`);
const failure = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return (error as Error).name;
  }
};
const result: Record<string, unknown> = {};

step('signUp');
const signedUp = await signUp({ username: input.email, password: input.password, options: { userAttributes: { email: input.email } } });
result.signUp = { isSignUpComplete: signedUp.isSignUpComplete, nextStep: signedUp.nextStep.signUpStep, userId: signedUp.userId,
  destination: signedUp.nextStep.signUpStep === 'CONFIRM_SIGN_UP' ? signedUp.nextStep.codeDeliveryDetails.destination : undefined };
step('signIn before confirming');
result.unconfirmedSignIn = await signIn({ username: input.email, password: input.password }).then((r) => r.nextStep.signInStep, (e: Error) => e.name);
step('confirmSignUp');
result.wrongCode = await failure(confirmSignUp({ username: input.email, confirmationCode: '000000x' }));
const confirmed = await confirmSignUp({ username: input.email, confirmationCode: await ask('code') });
result.confirmSignUp = { isSignUpComplete: confirmed.isSignUpComplete, nextStep: confirmed.nextStep.signUpStep };
step('signIn (SRP)');
const signedIn = await signIn({ username: input.email, password: input.password });
result.signIn = { isSignedIn: signedIn.isSignedIn, nextStep: signedIn.nextStep.signInStep };
step('fetchAuthSession');
const session = await fetchAuthSession();
result.tokens = { accessToken: session.tokens?.accessToken.toString(), idToken: session.tokens?.idToken?.toString(), sub: session.userSub };
const current = await getCurrentUser();
result.currentUser = { username: current.username, userId: current.userId, loginId: current.signInDetails?.loginId, authFlowType: current.signInDetails?.authFlowType };
step('refresh');
const refreshed = await fetchAuthSession({ forceRefresh: true });
result.refreshed = refreshed.tokens?.accessToken.toString();
step('updatePassword');
result.wrongPrevious = await failure(updatePassword({ oldPassword: 'not-the-password-1A!', newPassword: input.newPassword }));
await updatePassword({ oldPassword: input.password, newPassword: input.newPassword });
step('signOut');
await signOut();
result.afterSignOut = await failure(getCurrentUser());
step('signIn with the new password');
result.oldPassword = await signIn({ username: input.email, password: input.password }).then(() => 'signed in', (e: Error) => e.name);
const again = await signIn({ username: input.email, password: input.newPassword });
result.newPassword = again.isSignedIn;
result.secondSession = (await fetchAuthSession()).tokens?.accessToken.toString();
await signOut({ global: true });
console.log(JSON.stringify(result));
process.exit(0);
