/**
 * The cluster deploy files (they cannot run here): the Kubernetes manifest parses and its pods'
 * commands, run locally with the Indexed Job's variables set, give the single-machine bytes; the
 * Slurm script's task and merge commands do the same with SLURM_ARRAY_TASK_ID set, and its submit
 * step asks sbatch for an array and a dependent merge (a stand-in sbatch records the calls).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameReport, runCli, tempDir, toYaml, uncertainDoc } from '../helpers.js';

const dir = tempDir('accessgap-deploy-');
const paths = '2500';
const single = join(dir, 'single');

beforeAll(async () => {
  writeFileSync(join(dir, 'scenario.yaml'), toYaml(uncertainDoc()));
  expect((await runCli(['run', join(dir, 'scenario.yaml'), '--paths', paths, '--out', single, '--quiet', '--threads', '1'])).code).toBe(0);
}, 60_000);

describe('deploy/k8s/indexed-job.yaml', () => {
  it("parses, and its pods' commands give the single-machine bytes", () => {
    const docs = parseAllDocuments(readFileSync('deploy/k8s/indexed-job.yaml', 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['PersistentVolumeClaim', 'Job', 'Job']);
    const [, shards, merge] = docs;
    expect(shards.spec.completionMode).toBe('Indexed');
    const shardPod = shards.spec.template.spec.containers[0];
    const env = Object.fromEntries(shardPod.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(Number(env.SHARDS)).toBe(shards.spec.completions);
    const mergePod = merge.spec.template.spec;
    expect(Number(mergePod.initContainers[0].env[0].value)).toBe(shards.spec.completions);
    // Run them here: the image's paths become this checkout's and a temporary /data, with three shards.
    const data = join(dir, 'k8s');
    execFileSync('mkdir', ['-p', data]);
    writeFileSync(join(data, 'scenario.yaml'), readFileSync(join(dir, 'scenario.yaml')));
    const local = (cmd: string) => cmd.replaceAll('/opt/accessgap/bin/accessgap.js', 'bin/accessgap.js').replaceAll('/data', data);
    for (let k = 0; k < 3; k++) execFileSync('/bin/sh', ['-c', local(shardPod.args[0])], { env: { ...process.env, JOB_COMPLETION_INDEX: String(k), SHARDS: '3', PATHS: paths } });
    // The merge's wait succeeds once every shard is there, then the merge runs.
    execFileSync('/bin/sh', ['-c', local(mergePod.initContainers[0].args[0])], { env: { ...process.env, SHARDS: '3' }, timeout: 5000 });
    execFileSync('/bin/sh', ['-c', local(mergePod.containers[0].args[0])]);
    // The scenario's file name is part of the report: the single run read the same bytes under another name.
    const again = join(dir, 'single-k8s');
    execFileSync(process.execPath, ['bin/accessgap.js', 'run', join(data, 'scenario.yaml'), '--paths', paths, '--out', again, '--quiet', '--threads', '1']);
    expectSameReport(join(data, 'report'), again);
  }, 120_000);
});

describe('deploy/slurm/run-array.sh', () => {
  const script = 'deploy/slurm/run-array.sh';
  it('submits an array of SHARDS tasks and a merge that waits for them all', () => {
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    const calls = join(dir, 'sbatch-calls');
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\necho "$@" >> ${calls}\nif [ ! -f ${calls}.n ]; then echo 41 > ${calls}.n; fi\nn=$(($(cat ${calls}.n) + 1)); echo $n > ${calls}.n; echo $n\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const out = execFileSync('bash', [script, join(dir, 'scenario.yaml'), '3', paths, join(dir, 'slurm-submit')], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } }).toString();
    expect(out).toMatch(/submitted: shards job 42 \(array 1-3\), merge job 43/);
    const [array, merge] = readFileSync(calls, 'utf8').trim().split('\n');
    expect(array).toMatch(/--array=1-3 .*run-array\.sh shard .*scenario\.yaml 3 2500 /);
    expect(merge).toMatch(/--dependency=afterok:42 .*run-array\.sh merge /);
  });

  it("runs each task's shard and the merge with the array's variables set here, giving the single-machine bytes", () => {
    const work = join(dir, 'slurm');
    const env = { ...process.env, ACCESSGAP: `${process.execPath} bin/accessgap.js` };
    for (let task = 1; task <= 3; task++) execFileSync('bash', [script, 'shard', join(dir, 'scenario.yaml'), '3', paths, work], { env: { ...env, SLURM_ARRAY_TASK_ID: String(task) } });
    execFileSync('bash', [script, 'merge', join(dir, 'scenario.yaml'), '3', paths, work], { env });
    expectSameReport(join(work, 'report'), single);
    // A task without its array variable is refused.
    expect(() => execFileSync('bash', [script, 'shard', join(dir, 'scenario.yaml'), '3', paths, work], { env, stdio: 'pipe' })).toThrow(/SLURM_ARRAY_TASK_ID is not set/);
  }, 120_000);
});
