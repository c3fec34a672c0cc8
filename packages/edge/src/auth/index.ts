// SigV4 authentication for the edge: parse what a request claims, then verify it against the key's secret.
export { signedRequestFromNode, headerValue, type SignedRequest } from './sigv4-request.ts';
export { parseSigV4, parseAmzDate, toAmzDate, SIGV4_ALGORITHM, MAX_PRESIGNED_EXPIRES, type SigV4Claim } from './sigv4-parse.ts';
export { verifySigV4, UNSIGNED_PAYLOAD, STREAMING_PAYLOADS, type VerifyOptions } from './sigv4-verify.ts';
export { AwsChunkedDecoder, type AwsChunkedOptions, type ChunkSigningSeed } from './aws-chunked.ts';
export { authenticate, type Authenticated } from './authenticate.ts';
