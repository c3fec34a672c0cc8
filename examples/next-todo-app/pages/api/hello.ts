import type { NextApiRequest, NextApiResponse } from 'next';

type Hello = { hello: string; method: string | undefined };

/** An API route: answered by the app's server on every request, never prerendered. */
export default function handler(req: NextApiRequest, res: NextApiResponse<Hello>) {
  res.status(200).json({ hello: 'world', method: req.method });
}
