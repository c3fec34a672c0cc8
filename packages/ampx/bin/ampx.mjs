#!/usr/bin/env node
// `ampx`: Gantry's implementation of the Amplify backend CLI, run from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

// Gantry targets Node 20 on purpose; the AWS SDK's notice about its future Node 22 requirement would only
// clutter every command's output (and git's, through the credential helper).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/main.ts');
