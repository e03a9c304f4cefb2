import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import type { NetworkPolicy } from './types.ts';

/**
 * A sandbox's own network namespace, from the provider's side. The namespace belongs to the user namespace
 * the provider made for the sandbox ('nested' layout: `unshare --user --map-root-user --net`), where the
 * provider is root; the sandbox's processes run two user namespaces below it as uid 1000 with no
 * capabilities, so the rules and the link set here are out of their reach (a user namespace they make
 * themselves gives them capabilities only over namespaces it owns, never over this one).
 *
 * Outbound traffic goes through slirp4netns (user-mode TCP/IP: the sandbox's packets become ordinary
 * sockets of an unprivileged process on the host), started with --disable-host-loopback so 10.0.2.2 does
 * not lead to the host's 127.0.0.1. slirp4netns rather than pasta: the older, more widely used of the two in
 * Debian 12, where closing the way to the host's loopback is one long-stable flag; pasta is faster but maps
 * the gateway to the host and forwards ports by default (comparison: docs/local-sandbox-network.md).
 */
export interface OwnNetworkTools {
  nsenter: string;
  slirp4netns: string;
  nft: string;
  ip: string;
}

/** How long a helper (slirp4netns coming up, nft, ip) may take before the start counts as failed. */
const HELPER_TIMEOUT_MS = 10_000;
/** slirp4netns's DNS forwarder inside the sandbox (its default 10.0.2.0/24 network). */
const SLIRP_DNS = '10.0.2.3';
const TABLE = 'daytona_tray';

/**
 * Joins a connection from the provider to 127.0.0.1:<port> inside the namespace. It runs as a small Node
 * program inside the sandbox's network namespace (not its mounts, not its user): the provider talks to it
 * over a Unix socket in a private folder of the host, which no sandbox can see. One line in, `<port>\n`;
 * one byte back, '1' connected then raw bytes both ways, or '0' nothing listens there.
 */
const RELAY_SOURCE = `
const net = require('node:net');
const fs = require('node:fs');
const path = process.argv[1];
try { fs.unlinkSync(path); } catch {}
const server = net.createServer((client) => {
  let head = '';
  const onData = (chunk) => {
    head += chunk.toString('latin1');
    const nl = head.indexOf('\\n');
    if (nl === -1) { if (head.length > 16) client.destroy(); return; }
    client.off('data', onData);
    client.pause();
    const port = Number(head.slice(0, nl));
    const rest = Buffer.from(head.slice(nl + 1), 'latin1');
    if (!(port >= 1 && port <= 65535)) { client.end('0'); return; }
    const target = net.connect(port, '127.0.0.1');
    target.once('connect', () => {
      client.write('1');
      if (rest.length) target.write(rest);
      client.pipe(target); target.pipe(client); client.resume();
    });
    target.once('error', () => { if (target.connecting) client.end('0'); else client.destroy(); });
    client.once('error', () => target.destroy());
    client.once('close', () => target.destroy());
    target.once('close', () => client.destroy());
  };
  client.on('data', onData);
  client.on('error', () => {});
});
server.listen(path, () => { fs.chmodSync(path, 0o600); process.stdout.write('ready\\n'); });
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export class OwnNetwork {
  private slirp: ChildProcess | undefined;
  private relay: Promise<ChildProcess> | undefined;
  private closed = false;
  /** Whether an nft table is in place (it stays, replaced as a whole, once there). */
  private filtered = false;
  private applying: Promise<void> = Promise.resolve();

  /**
   * @param userNs, netNs paths of the namespace files (under /proc/<provider>/fd/, held open by the runner)
   * @param relaySocket where the relay listens (a private folder of the provider's)
   */
  private readonly tools: OwnNetworkTools;
  private readonly userNs: string;
  private readonly netNs: string;
  private readonly relaySocket: string;

  constructor(tools: OwnNetworkTools, userNs: string, netNs: string, relaySocket: string) {
    this.tools = tools;
    this.userNs = userNs;
    this.netNs = netNs;
    this.relaySocket = relaySocket;
  }

  /** Applies a policy now: block-all takes the outside link away; an allow list is enforced by nftables. */
  apply(policy: NetworkPolicy): Promise<void> {
    const next = this.applying.then(() => this.applyNow(policy));
    this.applying = next.catch(() => {});
    return next;
  }

  private async applyNow(policy: NetworkPolicy): Promise<void> {
    if (this.closed) throw new Error('the sandbox is not running');
    // Rules first: a link that comes up (unblocking) is already filtered; one that goes (blocking) is
    // also refused by the rules in the meantime. No rules needed for an open network never filtered (the
    // usual start: one helper fewer to wait for).
    const open = !policy.blockAll && !policy.allowList;
    if (!open || this.filtered) {
      await this.inside(this.tools.nft, ['-f', '-'], rulesFor(policy));
      this.filtered = true;
    }
    if (policy.blockAll) {
      await this.stopSlirp();
      await this.inside(this.tools.ip, ['link', 'set', 'lo', 'up']);
    } else if (!this.slirp) {
      await this.startSlirp();
    }
  }

  /** A connection to 127.0.0.1:<port> inside the sandbox; rejects with ECONNREFUSED when nothing listens there. */
  async connect(port: number): Promise<Socket> {
    await this.startRelay();
    const socket = connect(this.relaySocket);
    return new Promise<Socket>((resolve, reject) => {
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => socket.write(`${port}\n`));
      socket.once('readable', () => {
        const status = socket.read(1) as Buffer | null;
        socket.off('error', fail);
        if (status?.toString() === '1') {
          resolve(socket);
        } else {
          socket.destroy();
          reject(Object.assign(new Error(`nothing listens on port ${port} inside the sandbox`), { code: 'ECONNREFUSED' }));
        }
      });
    });
  }

  /** Ends slirp4netns and the relay (the namespace itself goes with the sandbox's init). */
  async close(): Promise<void> {
    this.closed = true;
    await this.stopSlirp();
    const relay = await this.relay?.catch(() => undefined);
    if (relay) await stopChild(relay);
    await rm(this.relaySocket, { force: true });
  }

  private startSlirp(): Promise<void> {
    const child = spawn(
      this.tools.slirp4netns,
      [
        '--configure',
        '--mtu=65520',
        '--disable-host-loopback',
        '--enable-sandbox',
        '--enable-seccomp',
        '--ready-fd=3',
        // slirp4netns exits when fd 4 closes: the provider holds its other end, so a provider that dies
        // (even SIGKILL, where nothing of ours runs) takes its slirp4netns along instead of leaving it behind.
        '--exit-fd=4',
        `--userns-path=${this.userNs}`,
        '--netns-type=path',
        this.netNs,
        'tap0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], env: {} },
    );
    this.slirp = child;
    return waitFor(child, child.stdio[3] as NodeJS.ReadableStream, (text) => text.includes('1'), 'slirp4netns').catch(
      async (error: unknown) => {
        await this.stopSlirp();
        throw error;
      },
    );
  }

  private async stopSlirp(): Promise<void> {
    const child = this.slirp;
    this.slirp = undefined;
    if (child) await stopChild(child);
  }

  private startRelay(): Promise<ChildProcess> {
    if (this.closed) return Promise.reject(new Error('the sandbox is not running'));
    this.relay ??= (async () => {
      const child = spawn(
        this.tools.nsenter,
        [`--user=${this.userNs}`, `--net=${this.netNs}`, '--', process.execPath, '-e', RELAY_SOURCE, this.relaySocket],
        { stdio: ['pipe', 'pipe', 'pipe'], env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} },
      );
      await waitFor(child, child.stdout!, (text) => text.includes('ready'), 'the port relay');
      child.once('exit', () => {
        this.relay = undefined;
      });
      return child;
    })();
    const pending = this.relay;
    pending.catch(() => {
      if (this.relay === pending) this.relay = undefined;
    });
    return pending;
  }

  /** Runs a tool as root of the sandbox's user namespace, inside its network namespace. */
  private inside(tool: string, args: string[], input?: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const child = spawn(this.tools.nsenter, [`--user=${this.userNs}`, `--net=${this.netNs}`, '--', tool, ...args], {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
        timeout: HELPER_TIMEOUT_MS,
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        if (stderr.length < 2000) stderr += chunk;
      });
      child.stdin!.on('error', () => {});
      child.stdin!.end(input ?? '');
      child.once('error', reject);
      child.once('close', (code) => {
        if (code === 0) resolve();
        else
          reject(
            new Error(`${tool} ${args.join(' ')} failed in the sandbox's network (${code}): ${stderr.trim().slice(0, 300) || 'no output'}`),
          );
      });
    });
  }
}

/**
 * The sandbox's output filter, replaced as a whole in one nft transaction. Loopback always passes; with an
 * allow list only its CIDRs (and slirp4netns's DNS forwarder, so names still resolve) do; refused packets
 * get an immediate "administratively prohibited" instead of a silent wait.
 */
export function rulesFor(policy: NetworkPolicy): string {
  const allow = policy.blockAll
    ? []
    : policy.allowList
      ? [
          `ip daddr ${SLIRP_DNS} udp dport 53 accept`,
          `ip daddr ${SLIRP_DNS} tcp dport 53 accept`,
          ...(policy.allowList.length ? [`ip daddr { ${policy.allowList.join(', ')} } accept`] : []),
        ]
      : ['accept'];
  return [
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    '    oifname "lo" accept',
    ...allow.map((rule) => `    ${rule}`),
    '    reject with icmpx type admin-prohibited',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Resolves once `stream` says `ready`, or rejects when `child` exits or the helper timeout passes. */
function waitFor(child: ChildProcess, stream: NodeJS.ReadableStream, ready: (text: string) => boolean, what: string): Promise<void> {
  let text = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 2000) stderr += chunk;
  });
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what} did not come up within ${HELPER_TIMEOUT_MS / 1000} s`)), HELPER_TIMEOUT_MS);
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (ready(text)) finish();
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`${what} exited with ${code ?? signal}: ${stderr.trim().slice(0, 300) || 'no output'}`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      stream.off('data', onData);
      child.off('exit', onExit);
      // Drained from now on, so a chatty helper never blocks on a full pipe.
      stream.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    };
    stream.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => finish(error));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}
