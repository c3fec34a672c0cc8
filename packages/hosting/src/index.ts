export * from './api/index.ts';
export * from './sites/index.ts';
export * from './build-spec/index.ts';
