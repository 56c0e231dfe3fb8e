#!/usr/bin/env bash
# Builds the fuzz target with libFuzzer on the stable toolchain (the same instrumentation
# cargo-fuzz uses, without needing nightly) and runs it. Usage: fuzz/run.sh [SECONDS]
# Seeds come from tests/fixtures; what it finds lands in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-1800}"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
cargo build --release --bin import --target x86_64-unknown-linux-gnu
mkdir -p corpus/import artifacts/import
find ../tests/fixtures -type f \( -name '*.csv' -o -name '*.CSV' -o -name '*.json*' -o -name '*.sqlite' \) \
  -exec cp -n {} corpus/import/ \;
exec target/x86_64-unknown-linux-gnu/release/import corpus/import \
  -artifact_prefix=artifacts/import/ -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1
