#!/usr/bin/env node
// `ampx`: Gantry's implementation of the Amplify backend CLI, run from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
