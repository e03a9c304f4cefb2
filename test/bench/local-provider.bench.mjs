// Benchmark: the local provider through the unmodified Daytona SDK, beside the floor, i.e. the same work
// done directly (the runner's bubblewrap spawn, a mkdir, an fs copy), all measured side by side in one run.
// It also measures the layers in between (raw HTTP without the SDK, the service in-process without HTTP,
// the fsync'd metadata write) so the gap can be attributed. It prints figures; it asserts no timings.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Daytona } from '@daytonaio/sdk';
import { writeFileAtomic } from '../../out/main/core/atomic-write.js';
import { startLocalProvider } from '../../out/main/local/provider.js';
import { createSandboxRunner } from '../../out/main/local/sandbox-runner.js';
import { runInSandbox } from '../../out/main/local/toolbox/run-command.js';
import { machineNote, measureSideBySide, ms, printTable, ratio, summarize } from './lib/stats.mjs';

// Round counts: enough for a stable p50 while the whole file stays well under 2 minutes on a busy 2-core box.
const CREATE_ROUNDS = Number(process.env.BENCH_CREATE_ROUNDS ?? 100);
const EXEC_ROUNDS = Number(process.env.BENCH_EXEC_ROUNDS ?? 100);
const TRANSFER_ROUNDS = Number(process.env.BENCH_TRANSFER_ROUNDS ?? 50);
const WARMUP = 5;
const MIB = 1024 * 1024;
const TARGETS = { create: 30, exec: 15 };
const SANDBOX_HOME = '/home/daytona';
const TMPFS_MAGIC = 0x01021994;

const dataDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-'));
const floorDir = await mkdtemp(join(tmpdir(), 'daytona-tray-bench-floor-'));
let provider;
let daytona;
try {
  provider = await startLocalProvider({ dataDir });
  daytona = new Daytona({ apiUrl: provider.apiUrl, apiKey: provider.apiKey });
  const runner = await createSandboxRunner(join(floorDir, 'etc'));
  const service = provider.service;
  const origin = provider.apiUrl.replace(/\/api$/, '');
  const auth = { authorization: `Bearer ${provider.apiKey}` };
  // Raw HTTP over node:http with a keep-alive agent, as the SDK's axios does, so "sdk" minus "http" is the
  // SDK's own work. (undici's fetch stalls on 1 MiB request bodies in this setup, which is not the server.)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const api = (path, { method = 'GET', headers = {}, body } = {}) => new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${path}`, { method, agent, timeout: 30_000, headers: { ...auth, ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.once('end', () => {
        const data = Buffer.concat(chunks);
        if (response.statusCode >= 400) reject(new Error(`${method} ${path}: ${response.statusCode} ${data}`));
        else resolve(data);
      });
      response.once('error', reject);
    });
    request.once('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
    request.once('error', reject);
    request.end(body);
  });
  const json = async (data) => JSON.parse((await data).toString('utf8'));
  console.log(await machineNote());
  const fsType = (await statfs(dataDir)).type === TMPFS_MAGIC ? 'tmpfs (fsync is nearly free here: figures understate a disk)' : 'a disk filesystem';
  console.log(`isolation: ${provider.isolation}; data dir ${dataDir} on ${fsType}`);
  if (runner.isolation !== 'bubblewrap') console.log('bubblewrap is not usable here: the "bwrap" floors below are plain process spawns.');

  // A floor sandbox: the directories the provider would make, and the same runner spawn it does.
  let floorCount = 0;
  const floorDirs = async () => {
    const root = join(floorDir, 'sandboxes', `s${floorCount++}`);
    const dirs = { home: join(root, 'home'), tmp: join(root, 'tmp') };
    await mkdir(dirs.home, { recursive: true, mode: 0o755 });
    await mkdir(dirs.tmp, { recursive: true, mode: 0o1777 });
    return dirs;
  };
  const floorSandbox = await floorDirs();
  // How long spawn() itself blocks the event loop (Node forks its whole process synchronously).
  const spawnBlockMs = [];
  const runIn = (dirs, argv) => new Promise((resolve, reject) => {
    const start = performance.now();
    const child = runner.spawn(argv, { dirs, hostname: 'bench', networkBlockAll: false, cwd: SANDBOX_HOME, env: {} });
    spawnBlockMs.push(performance.now() - start);
    let output = '';
    child.stdout?.on('data', (chunk) => { output += chunk; });
    child.stderr?.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}`))));
  });
  const plainSpawn = (argv) => new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}`))));
  });
  // What-if for exec: one long-lived process per sandbox (started once, under the same runner) that forks
  // each command inside the sandbox's existing namespaces, instead of a new bwrap per command. A prototype
  // on the Node binary the runner already binds into every sandbox: a JSON line in, a JSON line out.
  const startAgent = (dirs) => {
    const script = `const { spawn } = require('node:child_process');
      require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
        const child = spawn('/bin/sh', ['-c', JSON.parse(line).command], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => { output += chunk; });
        child.stderr.on('data', (chunk) => { output += chunk; });
        child.on('close', (exitCode) => process.stdout.write(JSON.stringify({ exitCode, result: output }) + '\\n'));
      });`;
    const child = runner.spawn([runner.nodePath, '-e', script], { dirs, hostname: 'bench', networkBlockAll: false, cwd: SANDBOX_HOME, env: {}, stdio: ['pipe', 'pipe', 'inherit'] });
    const waiting = [];
    createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
    child.once('exit', () => { for (const waiter of waiting.splice(0)) waiter.reject(new Error('the prototype agent exited')); });
    return {
      call: (command) => new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify({ command })}\n`);
      }),
      stop: () => runner.kill(child),
    };
  };
  const deleteSandbox = async (id) => {
    await service.delete(id);
    await service.idle();
  };

  // Warm the SDK's lazy parts (Socket.IO connection, axios agents, dynamic imports) before any round.
  const warm = await daytona.create();
  await warm.process.executeCommand('true');
  await warm.fs.uploadFile(Buffer.from('warm'), 'warm.txt');
  await warm.fs.downloadFile('warm.txt');
  const recordJson = JSON.stringify(service.get(warm.id), null, 2);
  await deleteSandbox(warm.id);

  // ── create + start ──────────────────────────────────────────────────────
  console.log(`\ncreate+start: ${CREATE_ROUNDS} rounds (+${WARMUP} warm-up), cases interleaved`);
  await mkdir(join(floorDir, 'meta'), { recursive: true });
  const create = await measureSideBySide({
    'sdk: daytona.create()': async () => {
      const sandbox = await daytona.create();
      return () => deleteSandbox(sandbox.id);
    },
    'http: POST /api/sandbox': async () => {
      const dto = await json(api('/api/sandbox', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labels: { 'code-toolbox-language': 'python' } }),
      }));
      return () => deleteSandbox(dto.id);
    },
    'service.create() in-process': async () => {
      const record = await service.create({ labels: { 'code-toolbox-language': 'python' } });
      return () => deleteSandbox(record.id);
    },
    'parts: mkdir + bwrap + 2 atomic writes': async (i) => {
      const file = join(floorDir, 'meta', `parts-${i}.json`);
      await writeFileAtomic(file, recordJson);
      const dirs = await floorDirs();
      await runIn(dirs, ['/bin/sh', '-c', 'exit 0']);
      await writeFileAtomic(file, recordJson);
    },
    'floor: mkdir sandbox dirs': () => floorDirs(),
    'part: bwrap sh -c "exit 0"': () => runIn(floorSandbox, ['/bin/sh', '-c', 'exit 0']),
    'part: atomic write (file+dir fsync)': (i) => writeFileAtomic(join(floorDir, 'meta', `w-${i}.json`), recordJson),
    'part: write + rename, no fsync': async (i) => {
      const file = join(floorDir, 'meta', `n-${i}.json`);
      await writeFile(`${file}.tmp`, recordJson);
      await rename(`${file}.tmp`, file);
    },
  }, { warmup: WARMUP, iterations: CREATE_ROUNDS });

  // ── exec ────────────────────────────────────────────────────────────────
  console.log(`exec: ${EXEC_ROUNDS} rounds (+${WARMUP} warm-up), cases interleaved`);
  const sandbox = await daytona.create();
  const record = service.get(sandbox.id);
  const toolbox = `/toolbox/${sandbox.id}`;
  const post = (path, body) => api(`${toolbox}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const echoed = await sandbox.process.executeCommand('echo hi');
  if (echoed.result.trim() !== 'hi' || echoed.exitCode !== 0) throw new Error(`executeCommand('echo hi') returned ${JSON.stringify(echoed)}`);
  const execAgent = startAgent(floorSandbox);
  if ((await execAgent.call('echo hi')).result !== 'hi\n') throw new Error('the prototype agent did not echo');
  const exec = await measureSideBySide({
    'sdk: executeCommand("echo hi")': () => sandbox.process.executeCommand('echo hi'),
    'http: POST process/execute': () => json(post('/process/execute', { command: 'echo hi' })),
    'runInSandbox() in-process': () => runInSandbox({ service, runner }, record, ['/bin/sh', '-c', 'echo hi']),
    'floor: bwrap sh -c "echo hi"': () => runIn(floorSandbox, ['/bin/sh', '-c', 'echo hi']),
    'part: plain spawn, no bwrap': () => plainSpawn(['/bin/sh', '-c', 'echo hi']),
    'what-if: persistent agent in sandbox': () => execAgent.call('echo hi'),
    'sdk: getWorkDir() (no spawn)': () => sandbox.getWorkDir(),
    'http: GET work-dir (no spawn)': () => json(api(`${toolbox}/work-dir`)),
  }, { warmup: WARMUP, iterations: EXEC_ROUNDS });

  execAgent.stop();

  // ── 1 MiB upload + download ──────────────────────────────────────────────
  console.log(`transfer: ${TRANSFER_ROUNDS} rounds (+${WARMUP} warm-up) of 1 MiB, cases interleaved`);
  const payload = randomBytes(MIB);
  const floorSource = join(floorSandbox.home, 'source.bin');
  await writeFile(floorSource, payload);
  await sandbox.fs.uploadFile(payload, 'bench.bin');
  const roundTrip = await sandbox.fs.downloadFile('bench.bin');
  if (!payload.equals(roundTrip)) throw new Error('the 1 MiB file came back different: the transfer figures would be meaningless');
  // The raw upload sends a prebuilt multipart body: the server's work, without any client-side encoding.
  const boundary = `bench${randomBytes(8).toString('hex')}`;
  const multipart = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files[0].path"\r\n\r\n${SANDBOX_HOME}/raw.bin\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="files[0].file"; filename="raw.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    payload,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const transfer = await measureSideBySide({
    'sdk: fs.uploadFile(1 MiB)': () => sandbox.fs.uploadFile(payload, 'bench.bin'),
    'sdk: fs.downloadFile(1 MiB)': () => sandbox.fs.downloadFile('bench.bin'),
    'http: POST files/bulk-upload': () => json(api(`${toolbox}/files/bulk-upload`, {
      method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipart,
    })),
    'http: GET files/download': () => api(`${toolbox}/files/download?path=${encodeURIComponent(`${SANDBOX_HOME}/bench.bin`)}`),
    'floor: fs.copyFile(1 MiB)': () => copyFile(floorSource, join(floorSandbox.home, 'copy.bin')),
    'part: fs.writeFile(1 MiB)': () => writeFile(join(floorSandbox.home, 'written.bin'), payload),
    'part: fs.readFile(1 MiB)': () => readFile(floorSource),
  }, { warmup: WARMUP, iterations: TRANSFER_ROUNDS });
  await deleteSandbox(sandbox.id);

  // ── report ──────────────────────────────────────────────────────────────
  const row = (label, summary, floor, target) => [
    label, ms(summary.p50), ms(summary.p95), floor ? ms(floor.p50) : '', floor ? ratio(summary.p50, floor.p50) : '',
    target ? `<= ${target}` : '', target ? (summary.p50 <= target ? 'met' : 'MISSED') : '',
  ];
  const header = ['operation (ms)', 'p50', 'p95', 'floor p50', 'ratio', 'target p50', 'status'];
  console.log('\nSDK against the local provider, beside the floor (same work done directly):\n');
  printTable(header, [
    row('create+start (daytona.create)', create.get('sdk: daytona.create()'), create.get('floor: mkdir sandbox dirs'), TARGETS.create),
    row('  vs floor incl. bwrap boot + 2 fsync writes', create.get('sdk: daytona.create()'), create.get('parts: mkdir + bwrap + 2 atomic writes')),
    row('exec (executeCommand "echo hi")', exec.get('sdk: executeCommand("echo hi")'), exec.get('floor: bwrap sh -c "echo hi"'), TARGETS.exec),
    row('upload 1 MiB (fs.uploadFile)', transfer.get('sdk: fs.uploadFile(1 MiB)'), transfer.get('floor: fs.copyFile(1 MiB)')),
    row('download 1 MiB (fs.downloadFile)', transfer.get('sdk: fs.downloadFile(1 MiB)'), transfer.get('floor: fs.copyFile(1 MiB)')),
  ]);

  console.log('\nWhere the time goes (every layer measured in the same interleaved rounds):');
  const layers = (title, results, top) => {
    console.log(`\n${title}`);
    printTable(['case', 'p50', 'p95', 'min', 'share of sdk p50'], [...results].map(([name, s]) => [
      name, ms(s.p50), ms(s.p95), ms(s.min), name === top ? '' : `${((s.p50 / results.get(top).p50) * 100).toFixed(0)}%`,
    ]));
  };
  layers('create+start', create, 'sdk: daytona.create()');
  layers('exec', exec, 'sdk: executeCommand("echo hi")');
  layers('transfer (share vs sdk upload)', transfer, 'sdk: fs.uploadFile(1 MiB)');

  const blocked = summarize(spawnBlockMs.slice(-EXEC_ROUNDS));
  console.log(`\nrunner.spawn() blocks the event loop while Node forks: p50 ${ms(blocked.p50)} ms, p95 ${ms(blocked.p95)} ms per command (${blocked.n} spawns).`);

  const delta = (a, b) => ms(a.p50 - b.p50);
  console.log('\nDifferences of p50s (layer cost estimates):');
  console.log(`  create: SDK over raw HTTP ${delta(create.get('sdk: daytona.create()'), create.get('http: POST /api/sandbox'))}, HTTP+JSON over service ${delta(create.get('http: POST /api/sandbox'), create.get('service.create() in-process'))}, service over its parts ${delta(create.get('service.create() in-process'), create.get('parts: mkdir + bwrap + 2 atomic writes'))}`);
  console.log(`  exec:   SDK over raw HTTP ${delta(exec.get('sdk: executeCommand("echo hi")'), exec.get('http: POST process/execute'))}, HTTP over in-process ${delta(exec.get('http: POST process/execute'), exec.get('runInSandbox() in-process'))}, bwrap over plain spawn ${delta(exec.get('floor: bwrap sh -c "echo hi"'), exec.get('part: plain spawn, no bwrap'))}`);
  agent.destroy();
} finally {
  if (daytona) await daytona[Symbol.asyncDispose]();
  if (provider) await provider.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(floorDir, { recursive: true, force: true });
}
