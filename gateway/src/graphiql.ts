import { createHash } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';

/** Where the gateway serves GraphiQL's own files (development only, as GraphiQL itself). */
export const GRAPHIQL_ASSETS = '/graphiql/';

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

const WORKERS = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };

/** JSON safe inside an inline <script>: no `</script>` or `<!--` can close or confuse it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * GraphiQL without a CDN: the page the runtime would render loads its script, styles and editor workers
 * from unpkg (blank offline, and third-party code on the hub's origin); this one takes them from the
 * gateway itself, which serves them from the `@graphql-yoga/render-graphiql` bundle (the same GraphiQL,
 * fonts and icons inlined) under GRAPHIQL_ASSETS. The bundle (about 9 MB) is loaded at the first asset asked.
 */
export function localGraphiQL(): {
  render(options?: object): string;
  /** Answers a request for one of GraphiQL's files; false when the path is not one. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
} {
  let assets: Promise<Map<string, Asset>> | undefined;
  const load = () =>
    (assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((bundle) => {
      const asset = (type: string, body: Buffer): Asset => ({ type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
      const text = (type: string, content: string) => asset(`${type}; charset=utf-8`, Buffer.from(content, 'utf8'));
      const favicon = /^data:([^;,]+);base64,(.*)$/s.exec(bundle.favicon);
      return new Map<string, Asset>([
        ['graphiql.js', text('text/javascript', bundle.js)],
        ['graphiql.css', text('text/css', bundle.css)],
        [WORKERS.editorWorkerService, text('text/javascript', bundle.editorWorkerService)],
        [WORKERS.json, text('text/javascript', bundle.jsonWorker)],
        [WORKERS.graphql, text('text/javascript', bundle.graphqlWorker)],
        ...(favicon ? [['favicon.ico', asset(favicon[1], Buffer.from(favicon[2], 'base64'))] as const] : []),
      ]);
    }));

  return {
    render(options = {}) {
      const title = String((options as { title?: unknown }).title ?? 'GraphiQL').replace(/[<>&"]/g, '');
      const workers = Object.fromEntries(Object.entries(WORKERS).map(([label, file]) => [label, `${GRAPHIQL_ASSETS}${file}`]));
      return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${GRAPHIQL_ASSETS}favicon.ico" />
    <link rel="stylesheet" href="${GRAPHIQL_ASSETS}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => workers[label] };
    </script>
    <script src="${GRAPHIQL_ASSETS}graphiql.js"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
    },
    async serve(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      if (!path.startsWith(GRAPHIQL_ASSETS) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      const found = (await load()).get(path.slice(GRAPHIQL_ASSETS.length));
      if (!found) return false;
      const headers = { 'content-type': found.type, etag: found.etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
      if (req.headers['if-none-match'] === found.etag) {
        res.writeHead(304, headers).end();
        return true;
      }
      res.writeHead(200, { ...headers, 'content-length': found.body.length });
      res.end(req.method === 'HEAD' ? undefined : found.body);
      return true;
    },
  };
}
