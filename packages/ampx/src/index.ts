export { isCi } from './ci.ts';
export { deployRoleArn } from './backend-client.ts';
