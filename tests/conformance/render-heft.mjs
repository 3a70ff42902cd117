// render-heft.mjs - the heft side of tests/pdfmake-conformance.sh: sends
// document definitions to heftd as pdf.render jobs, the way docs/protocol.md
// says (enqueue.lua with "reply": true, BLPOP the reply, HGET the blob), and
// saves what comes back.
//
//   HEFT_REDIS_URL=redis://... node render-heft.mjs ENQUEUE.lua OUTDIR DOCDEF.json...
//
// Writes OUTDIR/NAME.pdf (the blob, byte for byte) for a job that succeeded,
// or OUTDIR/NAME.err with `CODE: message` for one that failed (NAME: the
// file name without .json).  The payload is the file's text as it is.  All
// jobs are enqueued first, then their replies awaited (60 s each).  Exits 1
// only on a usage or connection error.
import Redis from 'ioredis';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

const [script, outdir, ...files] = process.argv.slice(2);
if (!script || !outdir || files.length === 0) {
  console.error('usage: node render-heft.mjs ENQUEUE.lua OUTDIR DOCDEF.json...');
  process.exit(1);
}
const out = resolve(outdir);
const queue = 'default';
const k = `heft:{${queue}}:`;

const redis = new Redis(process.env.HEFT_REDIS_URL || 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
redis.defineCommand('heftEnqueue', { numberOfKeys: 5, lua: readFileSync(script, 'utf8') });
const waiter = redis.duplicate();   // BLPOP blocks its connection

try {
  const jobs = [];
  for (const file of files) {
    const id = `conformance-${basename(file, '.json')}-${randomUUID()}`;
    await redis.heftEnqueue(k + 'job:' + id, k + 'ready:high', k + 'ready:normal', k + 'ready:low',
                            k + 'delayed', id, 'pdf.render', readFileSync(file, 'utf8'),
                            JSON.stringify({ reply: true, attempts: 1 }));
    jobs.push({ id, name: basename(file, '.json') });
  }
  for (const { id, name } of jobs) {
    const r = await waiter.blpop(`${k}reply:${id}`, 60);
    if (!r) {
      writeFileSync(`${out}/${name}.err`, 'no_reply: no outcome within 60 s\n');
      continue;
    }
    const reply = JSON.parse(r[1]);
    if (reply.state === 'succeeded') {
      const blob = await redis.hgetBuffer(`${k}job:${id}`, 'blob');
      if (blob && blob.length > 0) writeFileSync(`${out}/${name}.pdf`, blob);
      else writeFileSync(`${out}/${name}.err`, 'no_blob: the job succeeded without a blob\n');
    } else {
      const e = reply.error || {};
      writeFileSync(`${out}/${name}.err`, `${e.code}: ${String(e.message).split('\n')[0]}\n`);
    }
  }
} finally {
  waiter.disconnect();
  redis.disconnect();
}
