/**
 * Bounded memory on ingest: a collector in a child process with a small V8 heap takes several
 * uploads at its size limit at once. The bodies stream to files, the checks run one bundle at a
 * time per inspection worker, so the process's peak memory does not grow with the number of
 * uploads in flight: it stays under the bound docs/collector.md gives ("Memory").
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuiltBundle } from '../../../src/bundle/build';
import { http, sizedBundle, upload } from './helpers';

/** The child's V8 heap (main thread; a worker's heap is capped by the same flag). */
const HEAP_MB = 128;
/** The collector's upload limit in this test. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_CONTENT_BYTES = 16 * 1024 * 1024;
const UPLOADS = 8;
const MiB = 1024 * 1024;

/** Resident set figures of a process (Linux), in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

function contentBytes(b: BuiltBundle): number {
  return Number(/^CANDOR-BUNDLE 1 (\d+) /.exec(b.bytes.subarray(0, 128).toString('latin1'))![1]);
}

describe('collector: bounded memory on ingest', function () {
  this.timeout(240_000);
  let child: ChildProcess | undefined;
  let data: string;

  before(function () {
    if (memoryOf(process.pid) === undefined) {
      this.skip(); // needs /proc (Linux) to read the child's peak memory
    }
    data = mkdtempSync(join(tmpdir(), 'candor-collector-mem-'));
  });
  after(() => {
    child?.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  });

  it(`takes ${UPLOADS} uploads at the size limit at once in a process with a ${HEAP_MB} MB heap, its peak memory bounded`, async () => {
    // Distinct bundles just under the limit: one document of generated code (about 4× compressed).
    const bundles: BuiltBundle[] = [];
    for (let k = 0; k < UPLOADS; k++) {
      bundles.push(await sizedBundle(MAX_FILE_BYTES - 16 * 1024, 9100 + k));
    }
    for (const b of bundles) {
      assert.ok(b.bytes.length <= MAX_FILE_BYTES && b.bytes.length >= 0.97 * MAX_FILE_BYTES, `bundle of ${b.bytes.length} bytes`);
    }
    const content = Math.max(...bundles.map(contentBytes));

    const script = join(__dirname, 'memoryChild.js');
    const proc = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, script, data, String(MAX_FILE_BYTES), String(MAX_CONTENT_BYTES)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const url = /^url (\S+)$/m.exec(out)?.[1];
        const token = /^token (\S+)$/m.exec(out)?.[1];
        if (url !== undefined && token !== undefined) {
          resolve({ url, token });
        }
      });
      proc.once('exit', (code) => reject(new Error(`the collector exited (${code}): ${stderr}`)));
    });
    const before = memoryOf(proc.pid!)!;

    const results = await Promise.all(bundles.map((b) => upload(started, started.token, b.bytes)));
    for (const r of results) {
      assert.equal(r.status, 201, `${r.status} ${r.body.toString().slice(0, 300)} ${stderr}`);
    }
    assert.equal((await http('GET', `${started.url}/v1/health`)).status, 200, 'the collector is still up');
    const after = memoryOf(proc.pid!)!;

    // The bound docs/collector.md gives ("Memory"): the idle process, plus per inspection worker
    // (one here, memoryChild.ts) what one bundle's check holds (≤ 8 × its content: events,
    // replayed documents, the re-scan) and the worker's own start-up (~30 MB, its rule set), plus
    // the bodies in flight (≤ 64 MiB in memory; here they are in files). It does not depend on how
    // many uploads arrive at once. RSS also moves with when the collector last ran its garbage
    // collector (±30 MB seen on a busy machine), hence the slack; a collector that held every
    // upload in flight (as it did before) needs about 40 MB more per upload, so 8 at once still
    // land far above the bound.
    const bound = before.rss + 1 * (8 * content + 30 * MiB) + 64 * MiB + 32 * MiB;
    const mb = (n: number): string => `${(n / MiB).toFixed(0)} MB`;
    console.log(`      content ${mb(content)} per bundle; RSS idle ${mb(before.rss)}, peak ${mb(after.peak)}, bound ${mb(bound)}`);
    assert.ok(after.peak <= bound, `peak RSS ${mb(after.peak)} exceeds the bound ${mb(bound)}`);
  });
});
