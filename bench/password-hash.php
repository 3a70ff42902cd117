<?php
// bench/password-hash.php - PHP's password_hash, for bench/compare-password.sh:
//   php bench/password-hash.php argon2id|bcrypt N WARMUP
// W untimed hashes, then N timed ones in this process (one thread: PHP has
// no threads; the script runs two of these at once), then one line:
//   alg=A hashes=N seconds=S hashes_per_s=R
// argon2id: memory_cost 65536 (KiB), time_cost 3, threads 1; bcrypt: cost 12.
if ($argc !== 4 || !in_array($argv[1], ['argon2id', 'bcrypt'], true)) {
    fwrite(STDERR, "usage: php password-hash.php argon2id|bcrypt N WARMUP\n");
    exit(1);
}
[, $alg, $n, $warmup] = $argv;
$password = 'correct horse battery staple';
if ($alg === 'bcrypt') {
    $algo = PASSWORD_BCRYPT;
    $options = ['cost' => 12];
} else {
    $algo = PASSWORD_ARGON2ID;
    $options = ['memory_cost' => 65536, 'time_cost' => 3, 'threads' => 1];
}
for ($i = 0; $i < (int)$warmup; $i++)
    password_hash($password, $algo, $options);
$t0 = hrtime(true);
for ($i = 0; $i < (int)$n; $i++)
    $hash = password_hash($password, $algo, $options);
$seconds = (hrtime(true) - $t0) / 1e9;
if (!password_verify($password, $hash)) {
    fwrite(STDERR, "password-hash.php: password_verify refuses $hash\n");
    exit(1);
}
printf("alg=%s hashes=%d seconds=%.3f hashes_per_s=%.2f\n", $alg, $n, $seconds, $n / $seconds);
fwrite(STDERR, "password-hash.php: $alg: e.g. $hash\n");
