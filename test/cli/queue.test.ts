/**
 * The queue (accessgap worker, accessgap submit) against a real Redis server started here on a
 * free port: two workers give the single-machine bytes; a worker killed mid-shard has its shard
 * finished by another, with the same bytes; Ctrl-C on submit leaves no report and no jobs.
 * Skipped, saying so, where redis-server is not installed (CI installs it: .ci/run).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameReport, runCli, tempDir, toYaml, uncertainDoc } from '../helpers.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis) console.warn('test/cli/queue.test.ts: skipped: redis-server is not installed (apt-get install redis-server; .ci/run does)');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });


describe.skipIf(!hasRedis)('the queue (BullMQ on a local Redis)', () => {
  let redis: ChildProcess;
  let url = '';
  const workers: ChildProcess[] = [];
  const dir = tempDir('accessgap-queue-');
  const scenario = join(dir, 'scenario.yaml');
  const doc = uncertainDoc();
  doc.mitigation.decision = 'expected';
  writeFileSync(scenario, toYaml(doc));
  const paths = '3500';

  /** A worker process; resolves once it is ready, with its stderr so far readable through log(). */
  const startWorker = async () => {
    const w = spawn(process.execPath, ['bin/accessgap.js', 'worker', '--redis', url, '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    w.stderr!.on('data', (d) => (log += String(d)));
    workers.push(w);
    for (let i = 0; i < 200 && !log.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(log).toContain('worker: ready');
    return { w, log: () => log };
  };
  const stopWorkers = async () => {
    for (const w of workers.splice(0)) {
      if (w.exitCode !== null || w.signalCode !== null) continue;
      const exited = new Promise((r) => w.once('exit', r));
      w.kill('SIGTERM');
      await exited;
    }
  };

  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().includes('PONG')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await runCli(['run', scenario, '--paths', paths, '--out', join(dir, 'single'), '--quiet', '--threads', '2'])).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await stopWorkers();
    redis?.kill('SIGKILL');
  });

  it('two workers give the bytes of one machine', async () => {
    await startWorker();
    await startWorker();
    const out = join(dir, 'two-workers');
    const r = await runCli(['submit', scenario, '--redis', url, '--shards', '4', '--paths', paths, '--out', out, '--quiet', '--threads', '1']);
    expect(r.code, r.err).toBe(0);
    expectSameReport(out, join(dir, 'single'));
    await stopWorkers();
  }, 120_000);

  it('a sweep and a population, every pass through the queue (--redis), give their local bytes', async () => {
    await startWorker();
    await startWorker();
    const sweep = ['sweep', scenario, '--vary', 'revocation.duration_days=30,90', '--paths', paths, '--quiet', '--threads', '1'];
    expect((await runCli([...sweep, '--out', join(dir, 'sweep-local')])).code).toBe(0);
    const r = await runCli([...sweep, '--out', join(dir, 'sweep-queued'), '--redis', url, '--shards', '2']);
    expect(r.code, r.err).toBe(0);
    expectSameReport(join(dir, 'sweep-queued'), join(dir, 'sweep-local'));
    const population = join(dir, 'population.yaml');
    writeFileSync(
      population,
      toYaml({
        name: 'queued-population',
        title: 'Queued population',
        simulation: { paths: 700, seed: 3, horizon_days: 200, discount_rate: 0.1, tail_days: 100, firms_per_path: 3 },
        common: { revocation: doc.revocation },
        countries_of_concern: doc.countries_of_concern,
        archetypes: [
          { name: 'a', firms: { dist: 'uniform', min: 10, max: 40 }, scenario: 'scenario.yaml' },
          { name: 'b', firms: 2, scenario: 'scenario.yaml' },
        ],
        policies: { blanket: doc.policies.blanket, location: doc.policies.location },
      }),
    );
    expect((await runCli(['population', population, '--out', join(dir, 'population-local'), '--quiet', '--threads', '1'])).code).toBe(0);
    const p = await runCli(['population', population, '--out', join(dir, 'population-queued'), '--quiet', '--threads', '1', '--redis', url, '--shards', '2']);
    expect(p.code, p.err).toBe(0);
    expectSameReport(join(dir, 'population-queued'), join(dir, 'population-local'));
    await stopWorkers();
  }, 180_000);

  it('a worker killed mid-shard (SIGKILL) has its shard finished by another, with the same bytes', async () => {
    const a = await startWorker();
    const out = join(dir, 'killed');
    const submitted = runCli(['submit', scenario, '--redis', url, '--shards', '2', '--paths', paths, '--out', out, '--quiet', '--threads', '1']);
    // Killed once it has claimed a block of the run (its job's claims list in Redis), which
    // another worker must then run again.
    const port = new URL(url).port;
    const claimed = () => {
      const keys = spawnSync('redis-cli', ['-p', port, '--scan', '--pattern', 'accessgap:claims:*']).stdout.toString().split('\n').filter(Boolean);
      return keys.some((k) => Number(spawnSync('redis-cli', ['-p', port, 'LLEN', k]).stdout.toString()) > 0);
    };
    for (let i = 0; i < 400 && !claimed(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(claimed()).toBe(true);
    a.w.kill('SIGKILL');
    const b = await startWorker();
    const r = await submitted;
    expect(r.code, r.err).toBe(0);
    // The second worker ran both shards: the one it found waiting and the one the first left,
    // whose claimed blocks it ran again.
    expect(b.log().match(/done:/g)?.length).toBe(2);
    expect(b.log()).toMatch(/running again the \d+ block\(s\) an earlier attempt claimed/);
    expectSameReport(out, join(dir, 'single'));
    await stopWorkers();
  }, 120_000);

  it('a job taken over by another attempt (its worker stalled, not dead) claims no more blocks and stores no part', async () => {
    const { Queue } = await import('bullmq');
    const { processShard, ownerKey, partKey, claimsKey, nextKey, doneKey } = await import('../../src/engine/queue.js');
    const { WorkerThreadsExecutor } = await import('../../src/engine/schedule.js');
    const queue = new Queue('accessgap-takeover-test', { connection: { host: '127.0.0.1', port: Number(new URL(url).port) } });
    const pool = new WorkerThreadsExecutor(1, { keep: true });
    try {
      type Redis = { set(k: string, v: string, ...expiry: (string | number)[]): Promise<unknown>; get(k: string): Promise<string | null>; exists(k: string): Promise<number>; lrange(k: string, a: number, b: number): Promise<string[]>; ttl(k: string): Promise<number>; eval(...args: unknown[]): Promise<unknown> };
      const redisClient = (await queue.backend.client) as unknown as Redis;
      const bytes = readFileSync(scenario);
      const run = `takeover-${process.pid}`;
      const data = { run, scenario: bytes.toString('base64'), file: 'scenario.yaml', sha256: createHash('sha256').update(bytes).digest('hex'), seed: 7, paths: Number(paths), index: 1, count: 2 };
      await redisClient.set(nextKey(run), '0');
      // After this attempt's first claim, another attempt takes the job over.
      let claims = 0;
      const client = new Proxy(redisClient, {
        get: (target, key) =>
          key === 'eval'
            ? async (...args: Parameters<typeof redisClient.eval>) => {
                const result = await target.eval(...args);
                if (String(args[0]).includes('INCR') && ++claims === 1) await target.set(ownerKey(run, 1), 'another attempt', 'EX', 86_400);
                return result;
              }
            : (Reflect.get(target, key) as unknown),
      });
      let log = '';
      const outcome = await processShard({ data } as never, client as never, pool, (text) => (log += text));
      expect(outcome).toBe('superseded');
      expect(log).toContain('taken over by another attempt');
      expect(await redisClient.exists(partKey(run, 1))).toBe(0);
      // It ran the block it had claimed and claimed no other.
      expect(await redisClient.lrange(claimsKey(run, 1), 0, -1)).toEqual(['0']);
      expect(await redisClient.get(nextKey(run))).toBe('1');
      // Its block's paths went to the run's progress counter (submit reads it every second).
      expect(await redisClient.get(doneKey(run))).toBe('1024');
      // A claim keeps the run's counter and the job's keys for another day (a pass may run for days).
      for (const key of [nextKey(run), claimsKey(run, 1), ownerKey(run, 1)]) expect(await redisClient.ttl(key), key).toBeGreaterThan(80_000);
    } finally {
      pool.stop();
      await queue.close();
    }
  }, 60_000);

  it('Ctrl-C on submit exits 130, writes no report and leaves no job in the queue', async () => {
    const out = join(dir, 'interrupted');
    // No worker: the shards wait in the queue until submit is stopped.
    const child = spawn(process.execPath, ['bin/accessgap.js', 'submit', scenario, '--redis', url, '--shards', '3', '--paths', paths, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    for (let i = 0; i < 200 && !err.includes('submitting'); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toContain('interrupted');
    expect(existsSync(out)).toBe(false);
    const { Queue } = await import('bullmq');
    const queue = new Queue('accessgap-shards', { connection: { host: '127.0.0.1', port: Number(new URL(url).port) } });
    try {
      expect(await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized')).toEqual({ wait: 0, active: 0, delayed: 0, prioritized: 0 });
    } finally {
      await queue.close();
    }
  }, 60_000);
});
