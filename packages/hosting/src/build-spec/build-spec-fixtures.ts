/**
 * Build specs as real projects write them, for tests and examples. Each names where it comes from.
 */

/**
 * aws-samples/amplify-vite-react-template `amplify.yml` (Gen 2 React + Vite template): the backend deploys
 * itself with `ampx pipeline-deploy`, the frontend publishes `dist`.
 */
export const VITE_REACT_TEMPLATE = `version: 1
backend:
  phases:
    build:
      commands:
        - npm ci --cache .npm --prefer-offline
        - npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
frontend:
  phases:
    build:
      commands:
        - npm run build
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
  cache:
    paths:
      - .npm/**/*
      - node_modules/**/*
`;

/**
 * aws-samples/amplify-next-template `amplify.yml` (Gen 2 Next.js template): publishes `.next`, also caches
 * Next's build cache.
 */
export const NEXT_TEMPLATE = `version: 1
backend:
  phases:
    build:
      commands:
        - npm ci --cache .npm --prefer-offline
        - npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
frontend:
  phases:
    build:
      commands:
        - npm run build
  artifacts:
    baseDirectory: .next
    files:
      - '**/*'
  cache:
    paths:
      - .next/cache/**/*
      - .npm/**/*
      - node_modules/**/*
`;

/**
 * The first Gen 2 preview of aws-samples/amplify-next-template (commit 8630e471): `nvm use 18`, the CLI still
 * named `amplify`, a frontend `preBuild`.
 */
export const NEXT_TEMPLATE_PREVIEW = `version: 1
backend:
  phases:
    build:
      commands:
        - nvm use 18
        - npm ci
        - npx amplify pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
frontend:
  phases:
    preBuild:
      commands:
        - npm ci
    build:
      commands:
        - npm run build
  artifacts:
    baseDirectory: .next
    files:
      - '**/*'
  cache:
    paths:
      - node_modules/**/*
`;

/** aws-samples/amplify-angular-template `amplify.yml` (Gen 2 Angular template). */
export const ANGULAR_TEMPLATE = `version: 1
backend:
  phases:
    build:
      commands:
        - npm ci --cache .npm --prefer-offline
        - npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
frontend:
  phases:
    preBuild:
      commands:
        - npx ng version
    build:
      commands:
        - npx ng build --configuration=production
  artifacts:
    baseDirectory: dist/amplify-angular-template/browser
    files:
      - '**/*'
  cache:
    paths:
      - .npm/**/*
      - node_modules/**/*
`;

/**
 * The Gantry scenario's hosting spec (Amplify docs, "Custom pipelines", step 3): the workflow deploys the backend,
 * so the hosting build only fetches `amplify_outputs.json` with `ampx generate outputs`.
 */
export const CUSTOM_PIPELINE_SPEC = `version: 1
backend:
  phases:
    build:
      commands:
        - npm ci --cache .npm --prefer-offline
        # - npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
        - npx ampx generate outputs --branch $AWS_BRANCH --app-id $AWS_APP_ID
frontend:
  phases:
    build:
      commands:
        - npm run build
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
  cache:
    paths:
      - .npm/**/*
      - node_modules/**/*
`;

/**
 * Amplify docs, "Separate frontend and backend teams": a backend-only app whose build starts the frontend app's
 * build through its incoming webhook (note the unquoted curl command with `{}` and `Content-Type:...`).
 */
export const BACKEND_WEBHOOK_SPEC = `version: 1
backend:
  phases:
    build:
      commands:
        - nvm use 18
        - npm ci
        - npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
frontend:
  phases:
    preBuild:
      commands:
        - npm ci
    build:
      commands:
        - mkdir ./dist && touch ./dist/index.html
        - curl -X POST -d {} "https://webhooks.amplify.ca-central-1.amazonaws.com/prod/webhooks?id=WEBHOOK-ID&token=TOKEN&operation=startbuild" -H "Content-Type:application/json"
  artifacts:
    baseDirectory: dist
    files:
      - '**/*'
  cache:
    paths:
      - node_modules/**/*
`;

/**
 * A monorepo spec in the shape of Amplify's monorepo documentation: two applications, the first deploying the
 * shared backend, the second (`buildPath: /`) installing and building from the repository root.
 */
export const MONOREPO_SPEC = `version: 1
env:
  variables:
    NODE_OPTIONS: --max-old-space-size=4096
applications:
  - appRoot: apps/web
    backend:
      phases:
        build:
          commands:
            - npm ci --cache .npm --prefer-offline
            - npx ampx pipeline-deploy --branch $AWS_BRANCH --app-id $AWS_APP_ID
    frontend:
      phases:
        build:
          commands:
            - npm run build
      artifacts:
        baseDirectory: dist
        files:
          - '**/*'
      cache:
        paths:
          - .npm/**/*
          - node_modules/**/*
  - appRoot: apps/admin
    env:
      variables:
        NEXT_TELEMETRY_DISABLED: 1
    frontend:
      buildPath: /
      phases:
        preBuild:
          commands:
            - npm install -g pnpm
            - pnpm install
        build:
          commands:
            - pnpm run build --filter=admin
      artifacts:
        baseDirectory: apps/admin/.next
        files:
          - '**/*'
      cache:
        paths:
          - node_modules/**/*
`;
