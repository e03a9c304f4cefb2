import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT/<name>` for a repository under the project root. */
  url(name: string): string;
  /** Every `user:password` an authenticated request carried, in order. */
  credentials: string[];
  /** Resolves when an authenticated request is being held (see `holdAuthenticated`). */
  held: Promise<void>;
  /** Lets the held request (and every later one) through. */
  release(): void;
  stop(): Promise<void>;
}

const HTTP_BACKEND_TIMEOUT_MS = 30_000;

/**
 * git's smart HTTP protocol on 127.0.0.1 (`git http-backend`, the CGI program git ships), behind HTTP Basic
 * authentication with one user and password: a request without them gets 401, as a private repository on a git
 * host answers. With `holdAuthenticated`, the first authenticated request waits until `release()`, so a test can
 * look at the machine while a clone is talking to the server.
 */
export async function startGitHttpServer(
  projectRoot: string,
  account: { username: string; password: string },
  options: { holdAuthenticated?: boolean } = {},
): Promise<GitHttpServer> {
  const credentials: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markHeld!: () => void;
  const held = new Promise<void>((resolve) => (markHeld = resolve));
  const expected = `${account.username}:${account.password}`;

  const server = createServer((req, res) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined;
    if (given === undefined) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end('authentication required\n');
      return;
    }
    credentials.push(given);
    if (given !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end('wrong credentials\n');
      return;
    }
    const serve = () => cgi(projectRoot, req, res);
    if (options.holdAuthenticated) {
      markHeld();
      void released.then(serve);
    } else serve();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    credentials,
    held,
    release,
    stop: () =>
      new Promise<void>((resolve) => {
        release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `git http-backend` for one request (RFC 3875 variables in, CGI headers and body out). */
function cgi(projectRoot: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'test',
      REMOTE_ADDR: '127.0.0.1',
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), HTTP_BACKEND_TIMEOUT_MS);
  child.once('exit', () => clearTimeout(timer));
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    headersSent = true;
    res.write(head.subarray(end + 4));
  });
  child.stdout.once('end', () => {
    if (!headersSent) res.writeHead(500);
    res.end();
  });
  res.once('close', () => child.kill('SIGKILL'));
}
