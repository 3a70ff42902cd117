// bullmq-drain.mjs - BullMQ's counterpart of `heft-bench --mode drain` with
// echo jobs, so heftd's throughput can be given as a ratio against a peer
// measured on the same machine in the same run (bench/compare-drain.sh).
//
//   node bench/peers/bullmq-drain.mjs [--redis URL] [--jobs N]
//        [--concurrency C] [--timeout S]
//
// Prints one line like heft-bench:
//   peer=bullmq mode=drain jobs=N seconds=S jobs_per_s=X worker_rss_kb=R failed=F
// and exits 0 iff failed=0.
//
// Unlike heft-bench (whose clock starts at the first enqueue, with heftd
// already draining), the clock here starts when the worker starts: all jobs
// are enqueued first, so BullMQ's enqueue cost is NOT in `seconds`.  The
// enqueue time goes to stderr for reference.
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const { values: opt } = parseArgs({
  options: {
    redis: { type: 'string', default: process.env.HEFT_REDIS_URL || 'redis://127.0.0.1:6379' },
    jobs: { type: 'string', default: '100000' },
    // 50: BullMQ's advice for getting throughput out of one Node process when
    // jobs are I/O-bound rather than CPU-bound (echo does no work at all).
    concurrency: { type: 'string', default: '50' },
    // Give up after this many seconds without a job finishing (as heft-bench).
    timeout: { type: 'string', default: '120' },
  },
});
const N = Number(opt.jobs);
const C = Number(opt.concurrency);
const idleTimeoutMs = Number(opt.timeout) * 1000;
if (!(Number.isInteger(N) && N > 0 && Number.isInteger(C) && C > 0 && idleTimeoutMs > 0)) {
  console.error('bullmq-drain: --jobs, --concurrency and --timeout must be positive integers');
  process.exit(1);
}

// A fresh queue per run, so leftovers of an earlier run cannot be counted.
const name = `bench-${Date.now()}-${process.pid}`;
const connection = { url: opt.redis };
// heft-bench's default payload; every job carries the same one, as there.
const data = { n: 1 };
const expected = JSON.stringify(data);

// Completed and failed jobs are kept (BullMQ's default), like heftd keeps job
// hashes until their result TTL: trimming would be extra work that heftd does
// not do during the run, and keeping them lets us check every stored result.
const queue = new Queue(name, { connection });
await queue.waitUntilReady();

const e0 = process.hrtime.bigint();
const CHUNK = 1000;
for (let i = 0; i < N; i += CHUNK) {
  const n = Math.min(CHUNK, N - i);
  await queue.addBulk(Array.from({ length: n }, () => ({ name: 'echo', data })));
}
const enqSeconds = Number(process.hrtime.bigint() - e0) / 1e9;
console.error(`bullmq-drain: queue ${name}: enqueued ${N} jobs in ${enqSeconds.toFixed(3)} s`);

// Echo: what a heftd echo job does.  async, as a real I/O-bound job would be.
const worker = new Worker(name, async (job) => job.data, {
  connection, concurrency: C, autorun: false,
});
await worker.waitUntilReady();

let completed = 0, failedEvents = 0, lastProgress = Date.now();
let peakRss = 0, timer;
const sampleRss = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };

const t0 = process.hrtime.bigint();
const done = new Promise((resolve) => {
  const check = () => {
    lastProgress = Date.now();
    if (completed + failedEvents >= N) resolve(true);
  };
  worker.on('completed', () => { completed++; check(); });
  worker.on('failed', () => { failedEvents++; check(); });
  worker.on('error', (err) => console.error('bullmq-drain: worker error:', err.message));
  // Peak RSS of this process while the worker runs (heft-bench samples heftd
  // at the same 200 ms); the same timer enforces the idle timeout.
  timer = setInterval(() => {
    sampleRss();
    if (Date.now() - lastProgress > idleTimeoutMs) {
      console.error(`bullmq-drain: no job finished for ${opt.timeout} s, giving up`);
      resolve(false);
    }
  }, 200);
});
sampleRss();
worker.run().catch((err) => console.error('bullmq-drain: worker.run:', err.message));
const ok = await done;
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
clearInterval(timer);
sampleRss();
// After a timeout, do not wait for jobs that may never finish.
await worker.close(!ok);

// Check what a client would read back from Redis, after the clock stopped:
// every completed job's stored returnvalue must be the input.  Pipelined
// HGETs over the completed set; a mismatch or a missing job is a failure.
const redis = new Redis(opt.redis);
const completedKey = `bull:${name}:completed`;
let good = 0;
for (let start = 0; ; start += 5000) {
  const ids = await redis.zrange(completedKey, start, start + 4999);
  if (ids.length === 0) break;
  const pipe = redis.pipeline();
  for (const id of ids) pipe.hget(`bull:${name}:${id}`, 'returnvalue');
  for (const [err, rv] of await pipe.exec()) if (!err && rv === expected) good++;
}
await redis.quit();
const failed = N - Math.min(good, N);

await queue.obliterate({ force: true });
await queue.close();

const jps = Math.round((N - failed) / seconds);
console.log(`peer=bullmq mode=drain jobs=${N} seconds=${seconds.toFixed(3)} jobs_per_s=${jps} ` +
  `worker_rss_kb=${Math.round(peakRss / 1024)} failed=${failed}`);
if (failed) console.error(`bullmq-drain: ${completed} completed events, ${failedEvents} failed events, ${good} results correct`);
process.exit(failed === 0 ? 0 : 1);
