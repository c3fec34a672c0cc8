export { parameterMigrations, type ParameterTables } from './parameter-tables.ts';
export { ParameterStore, PARAMETER_TYPES, type ParameterRow, type ParameterScope, type ParameterType, type PutArgs } from './parameter-store.ts';
export { LIMITS as PARAMETER_LIMITS, parameterArn, parseParameterName, parsePath } from './parameter-names.ts';
export { parametersJsonService } from './parameters-api.ts';
