#!/bin/sh
# Interoperability of password.hash and password.verify with Node: hashes
# heft makes verify with @node-rs/argon2 and bcryptjs, and theirs verify in
# heft (the node case of check_password, given the packages that
# tests/password/package-lock.json pins).  No Redis or heftd is involved:
# the check runs the job handlers in its own process.
# Skipped (exit 77) without node 18+ and npm or the npm registry.
set -eu

skip() {
    echo "SKIP: password-node: $*"
    exit 77
}
command -v node >/dev/null 2>&1 || skip "node not found (scripts/install-deps installs nodejs and npm)"
command -v npm >/dev/null 2>&1 || skip "npm not found (scripts/install-deps installs it)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' ||
    skip "node $(node --version) is older than 18"

. "${HEFT_SRCDIR:-.}/tests/lib.sh"

npm_ci "$HEFT_SRCDIR/tests/password"
cp "$HEFT_SRCDIR/tests/password/interop.mjs" "$TEST_DIR/"
HEFT_PASSWORD_NODE_DIR="$TEST_DIR" CK_RUN_SUITE=password CK_RUN_CASE=node \
    "$HEFT_BUILDDIR/tests/check_password" > "$TEST_DIR/check.log" 2>&1 ||
    { sed 's/^/  check_password: /' "$TEST_DIR/check.log" >&2; fail "the node case of check_password failed"; }
grep -q "100%: Checks: 2," "$TEST_DIR/check.log" ||
    { cat "$TEST_DIR/check.log" >&2; fail "the node case of check_password ran no checks"; }
echo "password-node: @node-rs/argon2 and bcryptjs agree with password.hash and password.verify"
