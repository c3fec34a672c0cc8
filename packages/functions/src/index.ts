export { createFunctionsService, type FunctionsService, type FunctionsServiceArgs } from './functions-service.ts';
export type { FunctionPlane, FunctionScope, FunctionSpec, InvokeResult } from './function-plane.ts';
export { functionMigrations, type FunctionTables } from './function-tables.ts';
export { functionArn, logGroupName, parseFunctionReference } from './function-arn.ts';
