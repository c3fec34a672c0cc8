/** Branch sites: immutable versions on disk, atomic activation, Amplify rules and headers, the static server. */
export * from './site-store.ts';
export * from './rewrite-rules.ts';
export * from './custom-headers.ts';
export * from './file-cache.ts';
export * from './serve-site.ts';
export * from './host-routing.ts';
