// bench/peers/password-hash.mjs - Node's password hashing, for
// bench/compare-password.sh: N hashes with C in flight at once (Node runs
// native hashes on its libuv thread pool, 4 threads by default, so C = 2
// uses two cores), after W warm-up ones, then prints one line:
//   lib=L alg=A hashes=N concurrency=C seconds=S hashes_per_s=R ms_per_hash=M cpu_ms_per_hash=U
// (U: the process's CPU time, all threads, per timed hash)
// and checks the last hash with the library's own verify.
//   node password-hash.mjs --lib argon2|node-rs|bcrypt [--hashes N]
//        [--concurrency C] [--warmup W] [--memory KIB] [--iterations T] [--cost C]
// argon2 (npm "argon2": the reference C code, built with its optimisations)
// and node-rs (@node-rs/argon2: Rust) hash argon2id with memory KIB (65536),
// T passes (3), one lane; bcrypt (npm "bcrypt": native) with cost C (12).
import * as nodeRs from '@node-rs/argon2';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';

const opt = { lib: '', hashes: 20, concurrency: 2, warmup: 2, memory: 65536, iterations: 3, cost: 12 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opt) || argv[i + 1] === undefined)
        throw new Error(`password-hash.mjs: unknown flag or missing value: ${argv[i]}`);
    opt[key] = key === 'lib' ? argv[i + 1] : Number(argv[i + 1]);
}

const password = 'correct horse battery staple';
const libs = {
    argon2: {
        alg: 'argon2id',
        hash: () => argon2.hash(password, { type: argon2.argon2id, memoryCost: opt.memory,
                                            timeCost: opt.iterations, parallelism: 1 }),
        verify: (h) => argon2.verify(h, password),
    },
    'node-rs': {
        alg: 'argon2id',
        // algorithm 2 is Argon2id (a TypeScript const enum, not exported).
        hash: () => nodeRs.hash(password, { algorithm: 2, memoryCost: opt.memory,
                                            timeCost: opt.iterations, parallelism: 1 }),
        verify: (h) => nodeRs.verify(h, password),
    },
    bcrypt: {
        alg: 'bcrypt',
        hash: () => bcrypt.hash(password, opt.cost),
        verify: (h) => bcrypt.compare(password, h),
    },
};
const lib = libs[opt.lib];
if (!lib)
    throw new Error(`password-hash.mjs: --lib must be one of ${Object.keys(libs).join(', ')}`);

// n hashes, c at a time; resolves to the last hash.
async function run(n, c) {
    let next = 0, last = '';
    async function lane() {
        while (next < n) {
            next++;
            last = await lib.hash();
        }
    }
    await Promise.all(Array.from({ length: Math.min(c, n) }, lane));
    return last;
}

await run(opt.warmup, opt.concurrency);
const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
const last = await run(opt.hashes, opt.concurrency);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9, cpu = process.cpuUsage(cpu0);
if (!(await lib.verify(last)))
    throw new Error(`password-hash.mjs: ${opt.lib} does not verify its own hash ${last}`);
console.log(`lib=${opt.lib} alg=${lib.alg} hashes=${opt.hashes} concurrency=${opt.concurrency} ` +
    `seconds=${seconds.toFixed(3)} hashes_per_s=${(opt.hashes / seconds).toFixed(2)} ` +
    `ms_per_hash=${(seconds * 1000 / opt.hashes * opt.concurrency).toFixed(1)} ` +
    `cpu_ms_per_hash=${((cpu.user + cpu.system) / 1000 / opt.hashes).toFixed(1)}`);
console.error(`password-hash.mjs: ${opt.lib}: e.g. ${last}`);
