// The dashboard (SvelteKit, adapter-node) is served by the api service on its own port:
// whatever the API routes do not answer goes to SvelteKit's request handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const HANDLER = fileURLToPath(new URL('../../web/build/handler.js', import.meta.url));
/** adapter-node learns the request's scheme from this header (it assumes https otherwise). */
const PROTOCOL_HEADER = 'x-finexia-protocol';

/** The built dashboard's handler, or undefined when web/build is missing (API-only node). */
export async function loadWebHandler(options: { trustProxy: boolean }): Promise<NodeHandler | undefined> {
  if (!existsSync(HANDLER)) return undefined;
  // read by adapter-node when its module loads (written, for the dashboard's handler; not our config)
  // eslint-disable-next-line no-restricted-syntax
  process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
  const { handler } = (await import(pathToFileURL(HANDLER).href)) as { handler: NodeHandler };
  return (req, res, next) => {
    // the API's own paths answer as the API does (JSON 404), never with a web page
    // (moleculer-web has already cut the matched route's prefix off req.url)
    const path = req.originalUrl ?? req.url ?? '/';
    if (path.startsWith('/api/') || path === '/api' || path.startsWith('/ws')) return next();
    const forwarded = options.trustProxy ? req.headers['x-forwarded-proto'] : undefined;
    const scheme =
      typeof forwarded === 'string' && /^https?$/.test(forwarded)
        ? forwarded
        : (req.socket as TLSSocket).encrypted
          ? 'https'
          : 'http';
    // SvelteKit checks form posts against this origin (CSRF), so it must be the real one
    req.headers[PROTOCOL_HEADER] = scheme;
    handler(req, res, next);
  };
}
