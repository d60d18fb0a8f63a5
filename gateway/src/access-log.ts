import { type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST } from 'graphql';
import { isAdmin, type Logger, type LogLevel, type TokenVerifier, type Viewer } from '../../lib/src';

/** Who made a request, as an operator reads it; `anonymous` when no valid token came with it. */
export type CallerKind = 'partner' | 'member' | 'charity' | 'admin' | 'service' | 'other' | 'anonymous';

export function callerKind(viewer: Viewer | undefined): CallerKind {
  if (!viewer) return 'anonymous';
  if (viewer.service) return 'service';
  if (viewer.partnerId) return 'partner';
  if (viewer.memberId || viewer.scopes.has('member')) return 'member'; // a linked identity has no member_id claim
  if (viewer.charityId) return 'charity';
  return isAdmin(viewer) ? 'admin' : 'other';
}

interface Entry {
  started: number;
  /** The id the gateway gave the request (the client's x-request-id, or a new UUID). */
  requestId?: string;
  operationName?: string;
  caller?: CallerKind;
}

/** Probes answer every few seconds and say nothing about traffic: no lines for them. */
const UNLOGGED = new Set(['/healthz', '/readyz', '/gateway-readiness', '/metrics']);
const NAMED_OPERATION = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

/** The operation name of a request that never reached execution (refused early), from its JSON body or query string. */
function requestedOperationName(req: IncomingMessage & { body?: unknown }): string | undefined {
  let params: { operationName?: unknown; query?: unknown } | undefined;
  if (req.body && typeof req.body === 'object') params = req.body as typeof params;
  else if (req.method === 'GET') {
    const search = new URL(req.url ?? '/', 'http://gateway').searchParams;
    params = { operationName: search.get('operationName') ?? undefined, query: search.get('query') ?? undefined };
  }
  if (typeof params?.operationName === 'string' && params.operationName) return params.operationName;
  return typeof params?.query === 'string' ? NAMED_OPERATION.exec(params.query)?.[1] : undefined;
}

export interface AccessLog {
  /** Starts timing a request; its line is written once the response is done (sent, or the client gone). */
  track(req: IncomingMessage, res: ServerResponse): void;
  /** Notes each request's operation and caller; first among the gateway's plugins, to see refused requests too. */
  plugin: GatewayPlugin;
}

/**
 * The gateway's access log: one JSON line at `info` per request (probes aside) with the request id,
 * operation name, caller kind, HTTP status and duration in milliseconds. The caller is the viewer the
 * policy verified; a request refused before execution (401, 429, a malformed document) has its token
 * looked up again in the verifier, which answers from its cache of verified tokens. Above `info` nothing is
 * tracked at all.
 */
export function createAccessLog(level: LogLevel, logger: Logger, verifier: TokenVerifier, viewerOf: (context: object) => Viewer | undefined): AccessLog {
  if (level !== 'info' && level !== 'debug') return { track: () => undefined, plugin: {} };
  const byMessage = new WeakMap<IncomingMessage, Entry>();
  const byRequest = new WeakMap<Request, Entry>();

  const write = async (req: IncomingMessage, res: ServerResponse, entry: Entry) => {
    const durationMs = Math.round((performance.now() - entry.started) * 10) / 10;
    let caller = entry.caller;
    if (!caller) {
      const authorization = req.headers.authorization;
      caller = !authorization || res.statusCode === 401 ? 'anonymous' : await verifier.verify(authorization).then(callerKind, () => 'anonymous' as const);
    }
    const requestId = entry.requestId ?? req.headers['x-request-id'];
    logger.info('request', {
      requestId: typeof requestId === 'string' ? requestId : undefined,
      method: req.method,
      path: (req.url ?? '/').split('?')[0],
      operationName: entry.operationName ?? requestedOperationName(req) ?? null,
      caller,
      status: res.statusCode,
      durationMs,
      ...(res.writableFinished ? {} : { aborted: true }),
    });
  };

  return {
    track(req, res) {
      if (UNLOGGED.has((req.url ?? '/').split('?')[0])) return;
      const entry: Entry = { started: performance.now() };
      byMessage.set(req, entry);
      res.once('close', () => void write(req, res, entry).catch(() => undefined));
    },
    plugin: {
      onRequest({ request, serverContext }) {
        const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
        const entry = req && byMessage.get(req);
        if (entry) byRequest.set(request, entry);
      },
      // A request refused before execution carries its id only on the response (the policy sets it there).
      onResponse({ request, response }) {
        const entry = byRequest.get(request);
        if (entry) entry.requestId ??= response.headers.get('x-request-id') ?? undefined;
      },
      onExecute({ args }) {
        const context = args.contextValue as { request?: Request; requestId?: string };
        const entry = context.request && byRequest.get(context.request);
        if (!entry) return;
        entry.requestId = context.requestId;
        entry.operationName = getOperationAST(args.document, args.operationName)?.name?.value ?? args.operationName ?? undefined;
        entry.caller = callerKind(viewerOf(context));
      },
    },
  };
}
