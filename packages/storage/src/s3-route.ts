import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestId as newRequestId, toGantryError, type GantryError } from '@gantry/core';
import { authenticate, requestContextKeys, signedRequestFromNode, type Route } from '@gantry/edge';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './bucket-operations.ts';
import { listObjects, listObjectsV2 } from './list-objects.ts';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listParts, uploadPart } from './multipart-operations.ts';
import { copyObject, deleteObject, deleteObjects, putObject, readObject } from './object-operations.ts';
import { discardRequestBody } from './request-body.ts';
import { s3AddressOf, isS3Request, type S3Addressing } from './s3-address.ts';
import type { S3Call, StorageParts } from './s3-call.ts';
import { S3Error, s3CodeOf } from './s3-errors.ts';
import { s3ErrorDocument, sendXml } from './s3-xml.ts';

type Handler = (parts: StorageParts, s3: S3Call) => Promise<void>;

/** Bucket subresources this service does not keep (policies, CORS, versioning…): NotImplemented, not a listing. */
const BUCKET_SUBRESOURCES = ['acl', 'analytics', 'cors', 'encryption', 'intelligent-tiering', 'inventory', 'lifecycle', 'logging', 'metrics', 'notification',
  'object-lock', 'ownershipControls', 'policy', 'policyStatus', 'publicAccessBlock', 'replication', 'requestPayment', 'tagging', 'versioning', 'versions', 'website', 'uploads', 'accelerate'];
const OBJECT_SUBRESOURCES = ['acl', 'tagging', 'retention', 'legal-hold', 'torrent', 'restore', 'select', 'attributes'];

/** The operation a request asks for, by method, address and subresource, as S3 routes them. */
function operationOf(req: IncomingMessage, s3: S3Call): Handler {
  const method = req.method ?? 'GET';
  const q = s3.query;
  const { bucket, key } = s3.address;
  const unsupported = (what: string): Handler => async () => {
    throw new S3Error('NotImplemented', `A header or query you provided implies functionality that is not implemented here: ${what}.`);
  };
  if (bucket === undefined) {
    if (method === 'GET') return listBuckets;
    return unsupported(`${method} on the service`);
  }
  if (key === undefined) {
    const subresource = BUCKET_SUBRESOURCES.find((name) => q.has(name));
    if (method === 'GET' && q.has('location')) return getBucketLocation;
    if (method === 'POST' && q.has('delete')) return deleteObjects;
    if (subresource) return unsupported(`the bucket's ${subresource} subresource`);
    if (method === 'PUT') return createBucket;
    if (method === 'HEAD') return headBucket;
    if (method === 'DELETE') return deleteBucket;
    if (method === 'GET') return q.get('list-type') === '2' ? listObjectsV2 : listObjects;
    return unsupported(`${method} on a bucket`);
  }
  const subresource = OBJECT_SUBRESOURCES.find((name) => q.has(name));
  if (subresource) return unsupported(`the object's ${subresource} subresource`);
  const copySource = req.headers['x-amz-copy-source'] !== undefined;
  if (method === 'PUT' && q.has('uploadId')) return copySource ? unsupported('UploadPartCopy') : uploadPart;
  if (method === 'PUT') return copySource ? copyObject : putObject;
  if (method === 'POST' && q.has('uploads')) return createMultipartUpload;
  if (method === 'POST' && q.has('uploadId')) return completeMultipartUpload;
  if (method === 'GET' && q.has('uploadId')) return listParts;
  if (method === 'DELETE' && q.has('uploadId')) return abortMultipartUpload;
  if (method === 'GET') return (parts, call) => readObject(parts, call, true);
  if (method === 'HEAD') return (parts, call) => readObject(parts, call, false);
  if (method === 'DELETE') return deleteObject;
  return unsupported(`${method} on an object`);
}

/**
 * S3's REST-XML API on the edge: path-style under a prefix (`<server>/s3/<bucket>/<key>`) and virtual-hosted
 * style (`<bucket>.s3.localhost`). Every request is SigV4-signed for `s3` (header or presigned URL); bodies
 * are streamed, never read before authentication, and verified as they arrive. Errors are S3's XML document
 * with S3's codes, which the SDK turns into its named exceptions.
 */
export function s3Route(parts: StorageParts, addressing: S3Addressing): Route {
  return {
    name: 's3',
    matches: (req, url) => isS3Request(req, url.pathname, addressing),
    async handle(req, res, url) {
      const requestId = newRequestId();
      res.setHeader('x-amz-request-id', requestId);
      res.setHeader('x-amz-id-2', requestId);
      let resource = url.pathname;
      try {
        const address = s3AddressOf(req, addressing);
        resource = address.bucket === undefined ? '/' : `/${address.bucket}${address.key === undefined ? '' : `/${address.key}`}`;
        const auth = await authenticate(parts.iam, signedRequestFromNode(req), new Date(), { streamedBody: true });
        if (auth.service !== 's3') {
          throw new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service '${auth.service}'. This endpoint expects 's3'.`);
        }
        const s3: S3Call = {
          req, res, address, query: url.searchParams, auth,
          call: { principal: auth.principal, region: auth.region, requestContext: requestContextKeys(req, auth.region), requestId },
        };
        await operationOf(req, s3)(parts, s3);
        discardRequestBody(req);
      } catch (thrown) {
        discardRequestBody(req);
        const error = toGantryError(thrown);
        // A client that went away mid-body is not a server fault worth logging.
        if (error.status >= 500 && !(error instanceof S3Error) && !req.readableAborted) console.error(`[${requestId}]`, thrown);
        if (res.headersSent) return void res.destroy();
        sendError(req, res, error, resource, requestId);
      }
    },
  };
}

function sendError(req: IncomingMessage, res: ServerResponse, error: GantryError, resource: string, requestId: string): void {
  const code = s3CodeOf(error);
  const extra = error instanceof S3Error ? (error.details as Record<string, string> | undefined) : undefined;
  const headers: Record<string, string> = {};
  if (extra?.Region) headers['x-amz-bucket-region'] = extra.Region;
  // A HEAD answer has no body: the SDK names the error from the status alone (404 is NotFound). The code
  // still goes along in a header, for people reading answers with curl -I.
  if (req.method === 'HEAD') {
    res.writeHead(error.status, { ...headers, 'x-amz-error-code': code });
    res.end();
    return;
  }
  sendXml(res, error.status, s3ErrorDocument({ Code: code, Message: error.message, ...extra, Resource: resource, RequestId: requestId }), headers);
}
