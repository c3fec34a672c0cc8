export * from './definition/index.ts';
export * from './runs/index.ts';
