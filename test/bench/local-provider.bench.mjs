// Benchmark: the local provider through the unmodified Daytona SDK, beside the floor, i.e. the same work
// done directly (a command joining a started sandbox's namespaces with one nsenter, as the runner did before
// its resident agent; the sandbox's bwrap init; a mkdir; an fs copy), all measured side by side in one run.
// Issue 14's targets are ratios in this run: exec through the SDK at most 0.6x the nsenter floor (the agent
// per sandbox), create+start through the SDK at most 0.5x the bwrap init alone (the warm pool).
// It also measures the layers in between (raw HTTP without the SDK, the service in-process without HTTP,
// the fsync'd metadata write) so the gap can be attributed. It prints figures; it asserts no timings.
//
// Each section (create, exec, transfer) runs on its own: a section that fails or hangs (every call is
// bounded) is reported and the others still print. Round counts: BENCH_CREATE_ROUNDS, BENCH_EXEC_ROUNDS,
// BENCH_TRANSFER_ROUNDS. BENCH_SECTIONS=create (or exec, transfer; comma-separated) runs only those sections.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daytona } from '@daytonaio/sdk';
import { writeFileAtomic } from '../../out/main/core/atomic-write.js';
import { startLocalProvider } from '../../out/main/local/provider.js';
import { createSandboxRunner } from '../../out/main/local/sandbox-runner/index.js';
import { daemonShell } from '../../out/main/local/toolbox/daemon-shell.js';
import { runInSandbox } from '../../out/main/local/toolbox/run-command.js';
import { machineNote, measureSideBySide, ms, printTable, ratio, summarize, withTimeout } from './lib/stats.mjs';

// Enough rounds for a stable p50 while the whole file stays well under 2 minutes on a busy 2-core box.
const CREATE_ROUNDS = Number(process.env.BENCH_CREATE_ROUNDS ?? 100);
const EXEC_ROUNDS = Number(process.env.BENCH_EXEC_ROUNDS ?? 100);
const TRANSFER_ROUNDS = Number(process.env.BENCH_TRANSFER_ROUNDS ?? 50);
const SECTIONS = process.env.BENCH_SECTIONS?.split(',').map((name) => name.trim());
const WARMUP = 5;
const MIB = 1024 * 1024;
const TARGETS = { create: 30, exec: 15 };
/** Issue 14: p50 ratios to the floors measured in the same run. */
const RATIO_TARGETS = { exec: 0.6, create: 0.5 };
/**
 * What process/execute runs (docs/performance.md): Daytona's shell for the host (bash where /etc/shells lists it),
 * reading the command on its stdin. The same-work floor runs exactly that through one nsenter, as the provider did
 * before its agent; the issue's floor runs the lighter `sh -c` (dash on Debian), which no executeCommand runs.
 */
const SHELL = daemonShell();
const SAME_WORK_FLOOR = `floor: nsenter ${SHELL}, "echo hi" on stdin (same work)`;
const SANDBOX_HOME = '/home/daytona';
const TMPFS_MAGIC = 0x01021994;
const CALL_TIMEOUT_MS = 30_000;
const step = (promise, label) => withTimeout(promise, CALL_TIMEOUT_MS, label);

const dataDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-'));
const floorDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-floor-'));
const failures = [];
// Every sandbox the bench creates through the provider (the rounds, and the ones the sections set up), beside
// how many of them the warm pool served.
let createCount = 0;
let provider;
let daytona;
let httpAgent;
let floor;
let agentSandbox;
try {
  provider = await step(startLocalProvider({ dataDir }), 'starting the provider');
  daytona = new Daytona({ apiUrl: provider.apiUrl, apiKey: provider.apiKey });
  const service = provider.service;
  // The floors: the runner without its resident agent (one nsenter per command; a start is the bwrap init alone).
  const agentRunner = await createSandboxRunner(join(floorDir, 'etc-agent'));
  process.env.DAYTONA_TRAY_NO_AGENT = '1';
  const runner = await createSandboxRunner(join(floorDir, 'etc'));
  // The same runner with sandboxes on the host's network (the fallback), to price a network of their own.
  process.env.DAYTONA_TRAY_NO_NETNS = '1';
  const sharedRunner = await createSandboxRunner(join(floorDir, 'etc-shared')).finally(() => {
    delete process.env.DAYTONA_TRAY_NO_NETNS;
    delete process.env.DAYTONA_TRAY_NO_AGENT;
  });
  console.log(await machineNote());
  const onTmpfs = (await statfs(dataDir)).type === TMPFS_MAGIC;
  console.log(
    `isolation: ${provider.isolation}; network: ${provider.network}${runner.sharedNetworkReason ? ` (${runner.sharedNetworkReason})` : ''}; data dir on ${onTmpfs ? 'tmpfs (fsync is nearly free there: figures understate a disk)' : 'a disk filesystem'}`,
  );
  if (runner.isolation !== 'bubblewrap') console.log('bubblewrap is not usable here: the sandbox floors below are plain process spawns.');

  // Raw HTTP over node:http with a keep-alive agent, the transport the SDK's axios uses, so "sdk" minus
  // "http" is the SDK's own work and not a difference between HTTP clients.
  const origin = provider.apiUrl.replace(/\/api$/, '');
  const auth = { authorization: `Bearer ${provider.apiKey}` };
  httpAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const api = (path, { method = 'GET', headers = {}, body } = {}) =>
    new Promise((resolve, reject) => {
      const length = body === undefined ? {} : { 'content-length': Buffer.byteLength(body) };
      const request = httpRequest(
        `${origin}${path}`,
        { method, agent: httpAgent, timeout: CALL_TIMEOUT_MS, headers: { ...auth, ...headers, ...length } },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.once('error', reject);
          response.once('end', () => {
            const data = Buffer.concat(chunks);
            if (response.statusCode >= 400) reject(new Error(`${method} ${path}: ${response.statusCode} ${data}`));
            else resolve(data);
          });
        },
      );
      request.once('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.once('error', reject);
      request.end(body);
    });
  const json = async (data) => JSON.parse((await data).toString('utf8'));
  const postJson = (path, body) =>
    json(api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  const deleteSandbox = async (id) => {
    await service.delete(id);
    await service.idle();
  };
  // After a create that took a pooled sandbox, untimed: until the pool has started its replacement. Else that
  // refill (a bwrap init and an agent, forked from this process) lands on whichever case runs next, the floors
  // included, and each case is measured with a full pool, as a create that finds a warm sandbox is.
  const poolRefilled = async () => {
    const pool = provider.warmPool;
    while (pool.currentSize < pool.size) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  const deleteCreated = async (id) => {
    await deleteSandbox(id);
    await poolRefilled();
  };

  // The floor: the directories the provider makes for a sandbox, and the same runner spawn it does.
  let floorCount = 0;
  const floorDirs = async () => {
    const root = join(floorDir, 'sandboxes', `s${floorCount++}`);
    const dirs = { home: join(root, 'home'), tmp: join(root, 'tmp') };
    await mkdir(dirs.home, { recursive: true, mode: 0o755 });
    await mkdir(dirs.tmp, { recursive: true, mode: 0o1777 });
    return dirs;
  };
  const floorSandbox = await floorDirs();
  const startSandbox = (dirs, on = runner) => on.start({ dirs, hostname: 'bench', network: { blockAll: false } });
  // One started sandbox (under bubblewrap: its long-lived namespaces) that the exec floor's commands join.
  floor = await step(startSandbox(floorSandbox), 'starting the floor sandbox');
  // The same, with the resident agent: the provider's own path below HTTP.
  agentSandbox = await step(startSandbox(await floorDirs(), agentRunner), 'starting the agent sandbox');
  // How long spawn() itself blocks the event loop (Node forks its whole process synchronously).
  const spawnBlockMs = [];
  const runIn = (argv, sandbox = floor, stdin = undefined) =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const stdio = [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
      const child = sandbox.spawn(argv, { cwd: SANDBOX_HOME, env: {}, stdio });
      if (sandbox === floor && stdin === undefined) spawnBlockMs.push(performance.now() - start);
      child.stdin?.end(stdin);
      let output = '';
      child.stdout?.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr?.resume();
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${argv.join(' ')} exited with ${code}`))));
    });
  const plainSpawn = (argv) =>
    new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${argv.join(' ')} exited with ${code}`))));
    });

  /** Runs one section; a failure is reported and the next section still runs. */
  const section = async (name, work) => {
    if (SECTIONS && !SECTIONS.some((wanted) => name.startsWith(wanted))) return undefined;
    try {
      return await work();
    } catch (error) {
      failures.push(name);
      console.error(`\n${name} FAILED: ${error instanceof Error ? error.message : error}`);
      return undefined;
    }
  };

  // ── create + start ──────────────────────────────────────────────────────
  const create = await section('create+start', async () => {
    // Warm the SDK's lazy parts (Socket.IO connection, axios agent) before any round.
    createCount++;
    const warm = await step(daytona.create(), 'warm-up daytona.create()');
    const recordJson = JSON.stringify(service.get(warm.id), null, 2);
    await step(deleteCreated(warm.id), 'deleting the warm-up sandbox');
    await mkdir(join(floorDir, 'meta'), { recursive: true });
    console.log(`\ncreate+start: ${CREATE_ROUNDS} rounds (+${WARMUP} warm-up), cases interleaved, shuffled each round`);
    return measureSideBySide(
      {
        'sdk: daytona.create()': async () => {
          createCount++;
          const sandbox = await daytona.create();
          return () => deleteCreated(sandbox.id);
        },
        'http: POST /api/sandbox': async () => {
          createCount++;
          const dto = await postJson('/api/sandbox', { labels: { 'code-toolbox-language': 'python' } });
          return () => deleteCreated(dto.id);
        },
        'service.create() in-process': async () => {
          createCount++;
          const record = await service.create({ labels: { 'code-toolbox-language': 'python' } });
          return () => deleteCreated(record.id);
        },
        'parts: mkdir + sandbox init + 2 atomic writes': async (i) => {
          const file = join(floorDir, 'meta', `parts-${i}.json`);
          await writeFileAtomic(file, recordJson);
          const sandbox = await startSandbox(await floorDirs());
          await writeFileAtomic(file, recordJson);
          return () => sandbox.stop(0);
        },
        'floor: mkdir sandbox dirs': () => floorDirs(),
        'part: sandbox init (bwrap, until ready)': async () => {
          const sandbox = await startSandbox(await floorDirs());
          return () => sandbox.stop(0);
        },
        // Its own network (slirp4netns up) vs the host's: the difference is what a network per sandbox costs.
        'part: sandbox init, host network': async () => {
          const sandbox = await startSandbox(await floorDirs(), sharedRunner);
          return () => sandbox.stop(0);
        },
        'part: atomic write (file+dir fsync)': (i) => writeFileAtomic(join(floorDir, 'meta', `w-${i}.json`), recordJson),
        'part: write + rename, no fsync': async (i) => {
          const file = join(floorDir, 'meta', `n-${i}.json`);
          await writeFile(`${file}.tmp`, recordJson);
          await rename(`${file}.tmp`, file);
        },
      },
      { warmup: WARMUP, iterations: CREATE_ROUNDS, timeoutMs: CALL_TIMEOUT_MS },
    );
  });

  // ── exec ────────────────────────────────────────────────────────────────
  const exec = await section('exec', async () => {
    createCount++;
    const sandbox = await step(daytona.create(), 'daytona.create() for exec');
    const record = service.get(sandbox.id);
    const toolbox = `/toolbox/${sandbox.id}`;
    const echoed = await step(sandbox.process.executeCommand('echo hi'), "executeCommand('echo hi')");
    if (echoed.result.trim() !== 'hi' || echoed.exitCode !== 0)
      throw new Error(`executeCommand('echo hi') returned ${JSON.stringify(echoed)}`);
    console.log(`exec: ${EXEC_ROUNDS} rounds (+${WARMUP} warm-up), cases interleaved, shuffled each round`);
    try {
      return await measureSideBySide(
        {
          'sdk: executeCommand("echo hi")': () => sandbox.process.executeCommand('echo hi'),
          'http: POST process/execute': () => postJson(`${toolbox}/process/execute`, { command: 'echo hi' }),
          'runInSandbox() in-process': () => runInSandbox({ service, runner: agentRunner }, record, ['/bin/sh', '-c', 'echo hi']),
          'agent: runner spawn sh -c "echo hi"': () => runIn(['/bin/sh', '-c', 'echo hi'], agentSandbox),
          [`agent: runner spawn ${SHELL}, "echo hi" on stdin`]: () => runIn([SHELL], agentSandbox, 'echo hi'),
          'floor: nsenter sh -c "echo hi"': () => runIn(['/bin/sh', '-c', 'echo hi']),
          [SAME_WORK_FLOOR]: () => runIn([SHELL], floor, 'echo hi'),
          'part: plain spawn, no bwrap': () => plainSpawn(['/bin/sh', '-c', 'echo hi']),
          'sdk: getWorkDir() (no spawn)': () => sandbox.getWorkDir(),
          'http: GET work-dir (no spawn)': () => json(api(`${toolbox}/work-dir`)),
        },
        { warmup: WARMUP, iterations: EXEC_ROUNDS, timeoutMs: CALL_TIMEOUT_MS },
      );
    } finally {
      await step(deleteSandbox(sandbox.id), 'deleting the exec sandbox');
    }
  });
  const spawnBlock = summarize(spawnBlockMs.slice(-EXEC_ROUNDS));

  // ── 1 MiB upload + download ──────────────────────────────────────────────
  const transfer = await section('transfer', async () => {
    createCount++;
    const sandbox = await step(daytona.create(), 'daytona.create() for transfer');
    const toolbox = `/toolbox/${sandbox.id}`;
    try {
      const payload = randomBytes(MIB);
      const floorSource = join(floorSandbox.home, 'source.bin');
      await writeFile(floorSource, payload);
      await step(sandbox.fs.uploadFile(payload, 'bench.bin', 30), 'uploadFile(1 MiB)');
      const roundTrip = await step(sandbox.fs.downloadFile('bench.bin', 30), 'downloadFile(1 MiB)');
      if (!payload.equals(roundTrip)) throw new Error('the 1 MiB file came back different: the transfer figures would be meaningless');
      // The raw upload sends a prebuilt multipart body: the server's work, without any client-side encoding.
      const boundary = `bench${randomBytes(8).toString('hex')}`;
      const multipart = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="files[0].path"\r\n\r\n${SANDBOX_HOME}/raw.bin\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="files[0].file"; filename="raw.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
        payload,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      console.log(`transfer: ${TRANSFER_ROUNDS} rounds (+${WARMUP} warm-up) of 1 MiB, cases interleaved, shuffled each round`);
      return await measureSideBySide(
        {
          'sdk: fs.uploadFile(1 MiB)': () => sandbox.fs.uploadFile(payload, 'bench.bin', 30),
          'sdk: fs.downloadFile(1 MiB)': () => sandbox.fs.downloadFile('bench.bin', 30),
          'http: POST files/bulk-upload': () =>
            json(
              api(`${toolbox}/files/bulk-upload`, {
                method: 'POST',
                headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
                body: multipart,
              }),
            ),
          'http: GET files/download': () => api(`${toolbox}/files/download?path=${encodeURIComponent(`${SANDBOX_HOME}/bench.bin`)}`),
          'floor: fs.copyFile(1 MiB)': () => copyFile(floorSource, join(floorSandbox.home, 'copy.bin')),
          'part: fs.writeFile(1 MiB)': () => writeFile(join(floorSandbox.home, 'written.bin'), payload),
          'part: fs.readFile(1 MiB)': () => readFile(floorSource),
        },
        { warmup: WARMUP, iterations: TRANSFER_ROUNDS, timeoutMs: CALL_TIMEOUT_MS },
      );
    } finally {
      await step(deleteSandbox(sandbox.id), 'deleting the transfer sandbox');
    }
  });

  report({
    create,
    exec,
    transfer,
    spawnBlock,
    pool: { handedOut: provider.warmPool.handedOut, size: provider.warmPool.size, creates: createCount },
  });
} catch (error) {
  failures.push('setup');
  console.error(`\nThe local provider benchmark failed: ${error instanceof Error ? error.stack : error}`);
} finally {
  // Bounded too: a stuck provider must not keep the benchmark from exiting.
  httpAgent?.destroy();
  if (floor) await step(floor.stop(0), 'stopping the floor sandbox').catch((error) => console.error(error.message));
  if (agentSandbox) await step(agentSandbox.stop(0), 'stopping the agent sandbox').catch((error) => console.error(error.message));
  if (daytona) await step(daytona[Symbol.asyncDispose](), 'disposing the SDK client').catch((error) => console.error(error.message));
  if (provider) await step(provider.close(), 'closing the provider').catch((error) => console.error(error.message));
  await rm(dataDir, { recursive: true, force: true });
  await rm(floorDir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\nFailed sections: ${failures.join(', ')}.`);
  // Something may still hold the event loop open (a hung request); the run is over either way.
  process.exit(1);
}

function report({ create, exec, transfer, spawnBlock, pool }) {
  const get = (results, name) => results?.get(name);
  const row = (label, summary, floor, target) => [
    label,
    ms(summary?.p50),
    ms(summary?.p95),
    floor ? ms(floor.p50) : '',
    floor ? ratio(summary?.p50, floor.p50) : '',
    target ? `<= ${target}` : '',
    target && summary ? (summary.p50 <= target ? 'met' : 'MISSED') : '',
  ];
  console.log('\nSDK against the local provider, beside the floor (same work done directly):\n');
  printTable(
    ['operation (ms)', 'p50', 'p95', 'floor p50', 'ratio', 'target p50', 'status'],
    [
      row('create+start (daytona.create)', get(create, 'sdk: daytona.create()'), get(create, 'floor: mkdir sandbox dirs'), TARGETS.create),
      row(
        '  vs floor incl. sandbox init + 2 fsync writes',
        get(create, 'sdk: daytona.create()'),
        get(create, 'parts: mkdir + sandbox init + 2 atomic writes'),
      ),
      row(
        'exec (executeCommand "echo hi")',
        get(exec, 'sdk: executeCommand("echo hi")'),
        get(exec, 'floor: nsenter sh -c "echo hi"'),
        TARGETS.exec,
      ),
      row('upload 1 MiB (fs.uploadFile)', get(transfer, 'sdk: fs.uploadFile(1 MiB)'), get(transfer, 'floor: fs.copyFile(1 MiB)')),
      row('download 1 MiB (fs.downloadFile)', get(transfer, 'sdk: fs.downloadFile(1 MiB)'), get(transfer, 'floor: fs.copyFile(1 MiB)')),
    ],
  );

  // Issue 14's targets: ratios of p50s measured in this run (the machine's load cancels out).
  const verdict = (summary, floor, target) => {
    if (!summary || !floor) return ['', '', '', failures.length ? 'n/a (section failed)' : 'n/a (not run)'];
    const value = summary.p50 / floor.p50;
    return [ms(summary.p50), ms(floor.p50), `${value.toFixed(2)}x`, `<= ${target}x ${value <= target ? 'PASS' : 'FAIL'}`];
  };
  console.log('\nIssue 14 targets (p50 ratios in this run):\n');
  printTable(
    ['target', 'p50', 'floor p50', 'ratio', 'verdict'],
    [
      [
        'exec: sdk executeCommand("echo hi") / nsenter sh -c floor',
        ...verdict(get(exec, 'sdk: executeCommand("echo hi")'), get(exec, 'floor: nsenter sh -c "echo hi"'), RATIO_TARGETS.exec),
      ],
      [
        `exec: sdk executeCommand("echo hi") / nsenter ${SHELL} with the command on stdin (same work)`,
        ...verdict(get(exec, 'sdk: executeCommand("echo hi")'), get(exec, SAME_WORK_FLOOR), RATIO_TARGETS.exec),
      ],
      [
        'create+start: sdk daytona.create() / bwrap init',
        ...verdict(get(create, 'sdk: daytona.create()'), get(create, 'part: sandbox init (bwrap, until ready)'), RATIO_TARGETS.create),
      ],
    ],
  );
  console.log(
    `warm pool: size ${pool.size}; ${pool.handedOut} of ${pool.creates} creates (SDK, HTTP and in-process, warm-ups included) took a pooled sandbox`,
  );

  console.log('\nWhere the time goes (every layer measured in the same interleaved rounds):');
  const layers = (title, results, top) => {
    if (!results) return;
    console.log(`\n${title}`);
    printTable(
      ['case', 'p50', 'p95', 'min', `vs ${top}`],
      [...results].map(([name, s]) => [
        name,
        ms(s.p50),
        ms(s.p95),
        ms(s.min),
        name === top ? '' : `${((s.p50 / results.get(top).p50) * 100).toFixed(0)}%`,
      ]),
    );
  };
  layers('create+start', create, 'sdk: daytona.create()');
  layers('exec', exec, 'sdk: executeCommand("echo hi")');
  layers('transfer', transfer, 'sdk: fs.uploadFile(1 MiB)');

  const p50 = (results, name) => results.get(name).p50;
  const delta = (results, a, b) => ms(p50(results, a) - p50(results, b));
  console.log('\nLayer costs (differences of p50s):');
  if (create) {
    console.log(
      `  create: SDK over raw HTTP ${delta(create, 'sdk: daytona.create()', 'http: POST /api/sandbox')}, ` +
        `HTTP+JSON over the service ${delta(create, 'http: POST /api/sandbox', 'service.create() in-process')}, ` +
        `service over its parts ${delta(create, 'service.create() in-process', 'parts: mkdir + sandbox init + 2 atomic writes')}, ` +
        `fsync per atomic write ${delta(create, 'part: atomic write (file+dir fsync)', 'part: write + rename, no fsync')}`,
    );
    const own = p50(create, 'part: sandbox init (bwrap, until ready)');
    const shared = p50(create, 'part: sandbox init, host network');
    console.log(
      `  create: a network of its own (slirp4netns) over the host's network ${ms(own - shared)} per sandbox init ` +
        `(${ratio(own, shared)} of the init; ${(((own - shared) / p50(create, 'sdk: daytona.create()')) * 100).toFixed(0)}% of daytona.create())`,
    );
  }
  if (exec) {
    console.log(
      `  exec:   SDK over raw HTTP ${delta(exec, 'sdk: executeCommand("echo hi")', 'http: POST process/execute')}, ` +
        `HTTP over in-process ${delta(exec, 'http: POST process/execute', 'runInSandbox() in-process')}, ` +
        `nsenter over a plain spawn ${delta(exec, 'floor: nsenter sh -c "echo hi"', 'part: plain spawn, no bwrap')}, ` +
        `${SHELL} with the command on stdin over sh -c ${delta(exec, SAME_WORK_FLOOR, 'floor: nsenter sh -c "echo hi"')}`,
    );
    console.log(
      `  a command's spawn() blocks the event loop while Node forks: p50 ${ms(spawnBlock.p50)}, p95 ${ms(spawnBlock.p95)} ms per command`,
    );
  }
}
