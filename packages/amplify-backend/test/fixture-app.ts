import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A real app folder in a temp dir: `files` maps relative paths to contents. */
export interface FixtureApp {
  dir: string;
  remove(): void;
}

export function writeApp(files: Record<string, string>): FixtureApp {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gantry-amplify-app-'));
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** package.json of the Vite/React template (ESM), reduced to what matters here. */
export const ESM_PACKAGE_JSON = JSON.stringify({ name: 'amplify-vite-react-template', private: true, version: '0.0.0', type: 'module' }, null, 2);

/** The official Amplify Vite/React template's backend (aws-samples/amplify-vite-react-template). */
export const TEMPLATE_FILES: Record<string, string> = {
  'amplify/backend.ts': `import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';

defineBackend({
  auth,
  data,
});
`,
  'amplify/auth/resource.ts': `import { defineAuth } from '@aws-amplify/backend';

/**
 * Define and configure your auth resource
 * @see https://docs.amplify.aws/gen2/build-a-backend/auth
 */
export const auth = defineAuth({
  loginWith: {
    email: true,
  },
});
`,
  'amplify/data/resource.ts': `import { type ClientSchema, a, defineData } from '@aws-amplify/backend';

/*== STEP 1 ===============================================================
The section below creates a Todo database table with a "content" field. Try
adding a new "isDone" field as a boolean. The authorization rule below
specifies that any user authenticated via an API key can "create", "read",
"update", and "delete" any "Todo" records.
=========================================================================*/
const schema = a.schema({
  Todo: a
    .model({
      content: a.string(),
    })
    .authorization((allow) => [allow.publicApiKey()]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'apiKey',
    // API Key is used for a.allow.public() rules
    apiKeyAuthorizationMode: {
      expiresInDays: 30,
    },
  },
});
`,
  'amplify/package.json': JSON.stringify({ type: 'module' }),
  'amplify/tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'es2022',
        module: 'es2022',
        moduleResolution: 'bundler',
        resolveJsonModule: true,
        esModuleInterop: true,
        forceConsistentCasingInFileNames: true,
        strict: true,
        skipLibCheck: true,
        paths: { '$amplify/*': ['../.amplify/generated/*'] },
      },
    },
    null,
    2,
  ),
};
