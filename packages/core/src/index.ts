export * from './errors.ts';
export * from './ids.ts';
export * from './arn.ts';
export * from './secret-box.ts';
export * from './event-bus.ts';
