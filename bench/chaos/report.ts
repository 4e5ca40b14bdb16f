/** The chaos run's outputs: the table on the terminal, the JSON document, docs/CHAOS.md and README's table. */
import type { Scenario, ScenarioResult } from './types.ts';
import { faultTotal } from './types.ts';

export interface ChaosReport {
  at: string;
  seconds: number;
  ok: boolean;
  machine: { node: string; cpus: number };
  scenarios: ScenarioResult[];
}

const HEAD = ['scenario', 'injected faults', 'detected', 'recovered', 'time to recover', 'lost'];

function faultsCell(r: ScenarioResult): string {
  const parts = Object.entries(r.faults).filter(([, n]) => n > 0).map(([kind, n]) => `${n}× ${kind}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function lostCell(r: ScenarioResult): string {
  const dup = r.duplicates > 0 ? ` (+${r.duplicates} dup)` : '';
  return `${r.lost}${dup} of ${r.checked} ${r.unit}`;
}

function row(r: ScenarioResult): string[] {
  return [
    `${r.ok ? '' : 'FAIL '}${r.title}`,
    faultsCell(r),
    r.error ? `error: ${r.error.split('\n')[0]!.slice(0, 80)}` : r.detected ? 'yes' : 'NO',
    r.recovered ? `yes: ${r.recovery}` : 'NO',
    r.timeToRecoverMs === null ? '—' : `${(r.timeToRecoverMs / 1000).toFixed(1)} s`,
    lostCell(r),
  ];
}

/** A plain-text table for the terminal. */
export function textTable(results: readonly ScenarioResult[]): string {
  const rows = [HEAD, ...results.map(row)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The same table in markdown. */
export function markdownTable(results: readonly ScenarioResult[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`, ...results.map((r) => `| ${row(r).map(esc).join(' | ')} |`)].join('\n');
}

/** Scenarios that fail the run: something lost or duplicated, not recovered, not detected, nothing injected, or broken. */
export function failures(results: readonly ScenarioResult[]): ScenarioResult[] {
  return results.filter((r) => !r.ok);
}

/** Whether one result passes; the single definition the runner, the table and the exit code share. */
export function passes(r: Omit<ScenarioResult, 'ok'>): boolean {
  // A fault absorbed without anyone noticing (the run skipping itself, say) is a silent failure
  // even with nothing lost: the next fault of the kind may not be so harmless.
  return r.error === undefined && r.lost === 0 && r.duplicates === 0 && r.recovered && r.detected && faultTotal(r.faults) > 0;
}

/** Behaviour a run can surface that is worth a person's attention even when nothing was lost. */
const FINDINGS: Array<{ id: string; when: (r: ScenarioResult) => boolean; text: string }> = [
  {
    id: 's3-lease-lost-response',
    when: (r) => !r.detected,
    text:
      'A lost answer to the lease\'s create-only PUT (`If-None-Match: *`) makes the SDK retry it; the retry meets the lease the run itself just wrote (412), and `acquireLease` reports the run as held by itself: the update exits 0 as `skipped`, with no alert, and the lease blocks other writers until it expires (15 min) or, on the same host, until the process is gone. No data is lost and the next run recovers, but that day\'s run silently did nothing. A fix belongs in lib/lake/lease.ts (treat a holder with our own runId as acquired, or write with a unique token and compare).',
  },
  {
    id: 'kill-backup',
    when: (r) => r.notes.some((n) => /already exists/.test(n)),
    text:
      'After a backup is killed mid-snapshot, rerunning `candlelake backup` within the same UTC minute fails with "snapshot … already exists": snapshot ids have minute resolution (`snapshotIdFor`) and the half snapshot holds that id until retention removes it. The next weekly run (another id) succeeds and retention deletes the incomplete snapshot. A fix belongs in lib/backup (ids with seconds, or reuse of an incomplete snapshot whose run is dead).',
  },
  {
    id: 's3-dropped-connections',
    when: (r) => r.recovery === 'next run' && r.notes.some((n) => /aborted/.test(n)),
    text:
      'A GetObject whose body is cut mid-stream is not retried: the SDK retries only until the headers arrive, and `S3ObjectStore.get` reads the body afterwards without a retry of its own. Here it failed the week\'s backup (snapshot copy); the next run recovered. A retry around the body read in lib/object-store/s3.ts would let the same run absorb it.',
  },
  {
    id: 'kill-update-file',
    when: (r) => r.notes.some((n) => /^[1-9]\d* temp file\(s\) still in \.tmp/.test(n)),
    text:
      'On a local-folder lake, the temp file of a write killed mid-way stays in `.tmp/` after the rerun. It is never listed or read, so nothing is wrong for readers; it is only disk left behind. Sweeping `.tmp/` files older than the stale-lock age would be a lib/object-store/file.ts change.',
  },
  {
    id: 'telegram-outage',
    when: () => true,
    text:
      'Not exercised by the run, measured while building it: with a group chat (negative `TELEGRAM_CHAT_ID`), grammY\'s throttler counts the outage\'s failed attempts against the group\'s 20-messages-per-minute reservoir, so the first message after Telegram comes back waited 59 s. Nothing is lost (the alerts stay pending), it is only late. The scenario uses a private chat id to keep the run short.',
  },
];

/** The findings that apply to this run. */
export function findings(report: ChaosReport): Array<{ id: string; text: string }> {
  return FINDINGS.filter((f) => {
    const result = report.scenarios.find((r) => r.id === f.id);
    return result !== undefined && f.when(result);
  }).map(({ id, text }) => ({ id, text }));
}

/** docs/CHAOS.md: what each scenario does, how loss is measured, and the last run's table. */
export function chaosMarkdown(report: ChaosReport, scenarios: readonly Scenario[]): string {
  const byGroup = new Map<string, Scenario[]>();
  for (const s of scenarios) byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s]);
  const notes = report.scenarios.filter((r) => r.notes.length > 0);
  const found = findings(report);
  return [
    '# Chaos run',
    '',
    '<!-- Written by `npm run chaos` (bench/chaos/report.ts); edit the generator, not this file. -->',
    '',
    '`npm run chaos` (`bench/chaos/run.ts`) injects every fault the project knows into the real code paths',
    '(the lib job functions, the `candlelake` CLI in child processes, the real ccxt, grammY and AWS SDK',
    'clients) against the loopback stand-ins and moto, and checks that nothing was lost. It prints the',
    'table below, writes `bench/results/chaos-<timestamp>.json`, and exits non-zero when any scenario lost',
    'or duplicated data, did not recover from its fault, did not detect it, or injected nothing (an',
    'undetected fault fails even when it lost nothing: the system absorbed it silently).',
    '',
    '```sh',
    'npm run chaos                                   # every scenario, ~2 min on 2 cores; rewrites this file',
    'npm run chaos -- --only s3-slowdown,kill-backup # some scenarios (this file is left alone)',
    '```',
    '',
    'Outside vitest it starts its own `moto_server` on a free loopback port (the harness venv, `.venv/`),',
    'or uses `AWS_ENDPOINT_URL` when set; every other server is a loopback stand-in started per scenario.',
    'S3 faults come from `bench/chaos/s3-fault-proxy.ts`, an HTTP proxy in front of moto that answers S3\'s',
    'XML errors (`500 InternalError`, `503 SlowDown`), resets connections, loses answers after the write was',
    'applied, cuts bodies mid-stream, or holds a request while its client is SIGKILLed, by request count or',
    'by seeded rate. Exchange and Telegram faults use the stand-ins\' own fault APIs.',
    '',
    '## How loss is measured',
    '',
    '- **Candles**: after the last run of a scenario, every candle the Binance stand-in serves for the',
    '  scenario\'s windows is fetched straight from its HTTP API (plain `fetch`, no fault rule active) and',
    '  compared with every candle the lake\'s reader (`ohlcvReadSeries`, which applies the supersession rule)',
    '  returns: a candle missing, with any different value, or not served by the exchange counts as lost;',
    '  an open time returned twice is a duplicate. Crash scenarios also read the lake right after the kill:',
    '  what is there must be complete parts with the exchange\'s values (no half write).',
    '- **Alerts**: every alert the lake holds (alerts are stored before any send) must appear in a message',
    '  the Telegram stand-in accepted; one missing is lost, one sent twice is a duplicate.',
    '- **Backtest results**: the drilled run\'s `backtest_runs` rows are compared with those of an',
    '  uninterrupted run on a copy of the same lake; a unit missing or different is lost.',
    '',
    '"Time to recover" is wall time from the first injected fault to the moment the state was verified',
    'complete (for "next run" recoveries it includes the rerun, which the schedule would start an hour or',
    'a day later). For the S3 rules the path can differ between runs: faults fire by request count while',
    'requests run concurrently, so now and then one call meets the fault on all three SDK attempts; the',
    'backup then fails that week (reported) and the next run recovers.',
    '',
    '## Scenarios',
    '',
    ...[...byGroup.entries()].flatMap(([group, list]) => [
      `### ${group}`,
      '',
      ...list.map((s) => `- **${s.title}** (\`${s.id}\`): ${s.description}`),
      '',
    ]),
    `## Last run (${report.at}, ${report.seconds.toFixed(0)} s, Node ${report.machine.node}, ${report.machine.cpus} cores): ${report.ok ? 'all passed' : `${failures(report.scenarios).length} FAILED`}`,
    '',
    markdownTable(report.scenarios),
    '',
    ...(found.length > 0 ? ['## Findings', '', ...found.map((f) => `- **\`${f.id}\`**: ${f.text}`), ''] : []),
    ...(notes.length > 0
      ? ['### Notes from the run', '', ...notes.map((r) => `- **${r.title}**: ${r.detection}. ${r.notes.join('; ')}`), '']
      : []),
  ].join('\n');
}

const README_START = '<!-- chaos-table:start -->';
const README_END = '<!-- chaos-table:end -->';

/**
 * README with the table between its chaos-table markers replaced by this run's, so the README
 * always shows the latest full run. Throws if the markers are missing (README was restructured).
 */
export function readmeWithTable(readme: string, report: ChaosReport): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} block`);
  const when = `Latest run: ${report.at.slice(0, 10)}, ${report.seconds.toFixed(0)} s, ${report.ok ? 'all passed' : `${failures(report.scenarios).length} FAILED`}.`;
  return `${readme.slice(0, start + README_START.length)}\n${when}\n\n${markdownTable(report.scenarios)}\n${readme.slice(end)}`;
}
