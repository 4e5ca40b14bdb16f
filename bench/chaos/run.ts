/**
 * `npm run chaos [-- --only id,id]`: every fault scenario against the stand-ins and moto, the
 * table on stdout, `bench/results/chaos-<timestamp>.json`, and docs/CHAOS.md plus README's table (full runs only, so
 * a partial run never overwrites the documented table). Exit 1 when any scenario failed.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flagValue } from '../args.ts';
import { startS3Emulator } from './moto.ts';
import { chaosMarkdown, failures, findings, readmeWithTable, textTable } from './report.ts';
import { runChaos } from './runner.ts';
import { ALL_SCENARIOS } from './scenarios.ts';

const only = flagValue(process.argv.slice(2), '--only')?.split(',');
const unknown = only?.filter((id) => !ALL_SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`unknown scenario ${unknown.join(', ')}; available: ${ALL_SCENARIOS.map((s) => s.id).join(', ')}\n`);
  process.exit(2);
}
const scenarios = only ? ALL_SCENARIOS.filter((s) => only.includes(s.id)) : ALL_SCENARIOS;

process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.AWS_REGION ??= 'us-east-1';
const moto = await startS3Emulator();
let report;
try {
  report = await runChaos(scenarios, { awsEndpoint: moto.endpoint, log: (line) => process.stderr.write(`${line}\n`) });
} finally {
  await moto.stop();
}

const found = findings(report);
process.stdout.write(`\n${textTable(report.scenarios)}\n${found.map((f) => `\nfinding (${f.id}): ${f.text}`).join('\n')}\n\n${report.ok ? 'chaos: all scenarios passed' : `chaos: ${failures(report.scenarios).length} scenario(s) FAILED`} in ${report.seconds.toFixed(1)} s\n`);
const dir = join(import.meta.dirname, '..', 'results');
await mkdir(dir, { recursive: true });
const file = join(dir, `chaos-${report.at.replace(/[:.]/g, '-')}.json`);
await writeFile(file, JSON.stringify({ ...report, findings: found }, null, 2));
process.stderr.write(`wrote ${file}\n`);
if (!only) {
  const doc = join(import.meta.dirname, '..', '..', 'docs', 'CHAOS.md');
  await writeFile(doc, chaosMarkdown(report, ALL_SCENARIOS));
  const readme = join(import.meta.dirname, '..', '..', 'README.md');
  await writeFile(readme, readmeWithTable(await readFile(readme, 'utf8'), report));
  process.stderr.write(`wrote ${doc} and the table in ${readme}\n`);
}
process.exit(report.ok ? 0 : 1);
