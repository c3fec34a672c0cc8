export { createSourceService, type SourceService, type SourceServiceOptions } from './source-service.ts';
export { sourceMigrations, type SourceTables } from './source-tables.ts';
export { DEFAULT_BRANCH, DEFAULT_PROJECT, DEFAULT_SPACE, repositoryArn, type CreateRepositoryArgs, type Repository, type RepositoryFilter } from './repositories.ts';
export { ZERO_ID, type PushEvent, type PushedRepository } from './push-event.ts';
export { DEFAULT_GIT_HTTP_LIMITS, type GitHttpLimits, type SourceEvents } from './git-http/git-route.ts';
export { gitCredential, parseCredentialInput, type GitCredentialOperation, type GitCredentialOptions } from './git-credential.ts';
export { repositoryShape, sourceOperations } from './source-api.ts';
export { isValidName, nameProblem } from './names.ts';
export { pathProblem, type CommitFilesArgs, type CommitFilesResult, type FileDeletion, type FileWrite } from './commit-files.ts';
