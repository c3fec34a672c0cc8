export * from './api/index.ts';
export * from './sites/index.ts';
export * from './build-spec/index.ts';
export { createHostingService, type HostingService, type HostingServiceOptions, type BranchPush } from './hosting-service.ts';
export { detectFramework, type DetectedFramework } from './frameworks/index.ts';
