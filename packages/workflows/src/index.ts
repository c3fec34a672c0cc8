export * from './definition/index.ts';
