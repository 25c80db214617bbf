// What browser mode checks on every request before it does anything else: that the request
// target is a plain path, that there is one Host header and it names this server, that a
// socket's Origin is this server's page, and that the token (in the URL once, then in the
// cookie) is there. Any bytes Node's parser lets through get a verdict: the request is
// admitted, or refused with the most precise status and a one-line reason.

import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/** A request turned away: its status, and a reason a person can read. */
export class Refusal extends Error {
  readonly status: number;

  constructor(status: number, reason: string) {
    super(reason);
    this.name = 'Refusal';
    this.status = status;
  }
}

export interface AdmittedRequest {
  readonly pathname: string;
  readonly query: URLSearchParams;
}

export const tokenCookie = 'ximorph_token';
/** Node refuses headers past 16 KiB in all; a path past this is no request for our files. */
const maxTargetLength = 8192;

function tokensMatch(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Every value of our cookie: a browser may hold a stale one beside the current one. */
function cookieTokens(header: string | undefined): string[] {
  return (header ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .filter(([name]) => name === tokenCookie)
    .map(([, ...value]) => value.join('='));
}

/**
 * Origin-form only (a path and a query): browsers send nothing else to a server they reach
 * directly, and `//host/x`, absolute URIs and `*` must not be read as anything but refused.
 */
function parseTarget(raw: string | undefined): AdmittedRequest {
  if (!raw) throw new Refusal(400, 'The request names no path.');
  if (raw.length > maxTargetLength) throw new Refusal(414, 'The request path is too long.');
  if (!raw.startsWith('/')) throw new Refusal(400, 'The request target must be a path.');
  let url: URL;
  try {
    // A fixed base with the raw target appended: `//x` stays a path, it cannot become a host.
    url = new URL(`http://target.invalid${raw}`);
  } catch {
    throw new Refusal(400, 'The request path is malformed.');
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    throw new Refusal(400, 'The request path has a malformed percent-encoding.');
  }
  if (decoded.includes('\0')) throw new Refusal(400, 'The request path holds a NUL.');
  return { pathname: url.pathname, query: url.searchParams };
}

/** The value of a header that must not repeat; repeats are refused rather than guessed at. */
function singleHeader(req: IncomingMessage, name: string): string | undefined {
  let value: string | undefined;
  let count = 0;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i].toLowerCase() === name) {
      value = req.rawHeaders[i + 1];
      count++;
    }
  if (count > 1) throw new Refusal(400, `The request has ${count} ${name} headers.`);
  return value;
}

export interface RequestGate {
  /** The request's path and query, or a Refusal thrown. Pages are GET or HEAD; the socket is /ws. */
  admit(req: IncomingMessage, kind: 'page' | 'socket'): AdmittedRequest;
}

export function requestGate(token: string, port: () => number): RequestGate {
  const hosts = () => [`127.0.0.1:${port()}`, `localhost:${port()}`];

  const checkHost = (req: IncomingMessage) => {
    const host = singleHeader(req, 'host')?.trim().toLowerCase();
    if (!host) throw new Refusal(400, 'The request has no Host header.');
    if (hosts().includes(host)) return;
    // A DNS-rebinding page arrives with its own, well-formed, host name.
    if (/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)) throw new Refusal(421, 'XiMorph serves 127.0.0.1 and localhost only.');
    throw new Refusal(400, 'The Host header is malformed.');
  };

  const checkOrigin = (req: IncomingMessage) => {
    // Browsers always send Origin on a WebSocket; other clients still need the token.
    const origin = singleHeader(req, 'origin');
    if (origin !== undefined && !hosts().some((h) => origin === `http://${h}`)) throw new Refusal(403, 'XiMorph accepts sockets from its own page only.');
  };

  return {
    admit(req, kind) {
      const target = parseTarget(req.url);
      const methods = kind === 'page' ? ['GET', 'HEAD'] : ['GET'];
      if (!methods.includes(req.method ?? '')) throw new Refusal(405, 'Method not allowed.');
      checkHost(req);
      if (kind === 'socket') {
        if (target.pathname !== '/ws') throw new Refusal(404, 'Not found.');
        if (singleHeader(req, 'upgrade')?.toLowerCase() !== 'websocket') throw new Refusal(400, 'Only WebSocket upgrades are served.');
        checkOrigin(req);
      }
      if (!tokensMatch(target.query.get('token'), token) && !cookieTokens(req.headers.cookie).some((given) => tokensMatch(given, token)))
        throw new Refusal(403, 'XiMorph browser mode needs the token printed at launch: open the full URL it printed.');
      return target;
    },
  };
}
