<?php
// bench/password-hash.php - PHP's password_hash, for bench/compare-password.sh:
//   php bench/password-hash.php argon2id|bcrypt N WARMUP
// W untimed hashes, then N timed ones in this process (one thread: PHP has
// no threads; the script runs two of these at once), then one line:
//   alg=A hashes=N seconds=S hashes_per_s=R cpu_s=C (the process's CPU time)
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
$cpu = function () {
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_stime.tv_sec']
        + ($r['ru_utime.tv_usec'] + $r['ru_stime.tv_usec']) / 1e6;
};
$c0 = $cpu();
$t0 = hrtime(true);
for ($i = 0; $i < (int)$n; $i++)
    $hash = password_hash($password, $algo, $options);
$seconds = (hrtime(true) - $t0) / 1e9;
$cpu_s = $cpu() - $c0;
if (!password_verify($password, $hash)) {
    fwrite(STDERR, "password-hash.php: password_verify refuses $hash\n");
    exit(1);
}
printf("alg=%s hashes=%d seconds=%.3f hashes_per_s=%.2f cpu_s=%.3f\n", $alg, $n, $seconds,
       $n / $seconds, $cpu_s);
fwrite(STDERR, "password-hash.php: $alg: e.g. $hash\n");
