export { createEdge, sendJsonError, type EdgeOptions, type Route } from './edge.ts';
export type { QueryService } from './protocols/query/query-protocol.ts';
export type { JsonService } from './protocols/json/json-protocol.ts';
export { loadOrCreateLocalCa, type TlsMaterial } from './tls/local-ca.ts';
export * from './auth/index.ts';
export { readBody } from './http/read-body.ts';
export { requestContextKeys, clientIp, secureTransport, type RequestContextOptions } from './http/request-context.ts';
export { restJsonRoute, type RestJsonService, type RestEndpoint } from './protocols/rest-json/rest-json-protocol.ts';
