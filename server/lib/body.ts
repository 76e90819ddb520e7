import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';

function nodeIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming && typeof incoming.on === 'function' ? incoming : undefined;
}

/**
 * The request body limit, without building a web Request for every POST. A body with a
 * Content-Length is judged by that header (Node's parser never reads past it); only a chunked body
 * goes through hono's streaming counter. Building the web Request and its ReadableStream was about
 * 15% of the CPU of a webhook delivery.
 */
export function bodyLimit(maxSize: number, onError: (c: Context) => never): MiddlewareHandler {
  const streaming = streamingBodyLimit({ maxSize, onError });
  return async (c, next) => {
    // Only a request that came over Node's HTTP parser has framing we can trust from its headers.
    if (!nodeIncoming(c) || c.req.header('transfer-encoding') !== undefined) return streaming(c, next);
    const length = c.req.header('content-length');
    if (length === undefined) return next(); // no Content-Length and not chunked: no body
    const n = Number(length);
    if (!Number.isSafeInteger(n) || n < 0) return onError(c);
    return n > maxSize ? onError(c) : next();
  };
}

/**
 * The body as text. On the Node server it is read straight from the socket's stream when nothing has
 * read it yet (the fast path for webhooks); otherwise (tests' app.request, a chunked body already
 * counted by the limit) through the web Request.
 */
export async function readText(c: Context): Promise<string> {
  const incoming = nodeIncoming(c);
  if (!incoming || incoming.readableFlowing !== null || incoming.readableEnded || c.req.header('transfer-encoding') !== undefined) {
    return c.req.text();
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
    incoming.once('aborted', () => reject(new Error('the client aborted the request')));
  });
}
