#!/usr/bin/env bash
# burnrate side by side with the tools people would use instead, on generated real-shaped data.
#
#   bash benches/compare.sh [--runs N] [--rows-10m] [--rows N] [--bank-rows N] [--keep]
#
# Builds in release, generates the exports with `examples/gen.rs`, installs sqlite3, hledger and
# GNU time from the distribution's packages when missing, and prints one table of medians over
# --runs runs (default 3), each comparison a ratio measured in the same run:
#   - a 1,000,000-row OpenAI cost export imported into a fresh ledger, against the sqlite3
#     command-line tool's `.import` of the same file into a plain table (the floor; the two run
#     in turn, the ratio is the median of the pairs' ratios); the same file imported again;
#   - 100,000 Revolut lines imported plus `report --what paid --month`, against hledger reading
#     the same file with a CSV rules file (written here) and `balance -M`;
#   - `report`, `flags`, `balance`, `diagnose` and `report --review` on the 1M-row ledger, whole
#     process; with --rows-10m the same on a 10M-row ledger (about 2.5 GB of export, 15 minutes);
#   - the window on the 1M-row ledger driven headless (`benches/frames.rs`): first frame with
#     data, milliseconds per frame while scrolling, hovering the chart and changing a filter,
#     time until the views are rebuilt after a filter change;
#   - peak memory (maximum resident set, GNU time) of the import and of the window.
# Writes benches/RESULTS.md (or --out FILE) with the machine, the figures, the ratios and each
# target of issue 11 met or missed by how much. Data goes to a temporary folder under $BENCH_DIR
# (default: the system's temporary folder), removed at the end unless --keep. Nothing else is
# written inside the repository. Not run by CI or `cargo test`: it takes minutes and a quiet
# machine.
set -euo pipefail

RUNS=3
ROWS=1000000
BANK_ROWS=100000
BIG=0
BIG_ROWS=10000000
KEEP=0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/benches/RESULTS.md"

usage() {
    sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'
Options:
  --runs N        timed runs of each measure; the table shows medians (default 3)
  --rows-10m      also build a 10,000,000-row ledger and time the commands on it
  --rows N        rows of the OpenAI export behind the 1M-row figures (default 1000000)
  --big-rows N    rows of the export behind the --rows-10m figures (default 10000000)
  --bank-rows N   Revolut lines of the bank comparison (default 100000)
  --out FILE      where to write the results (default benches/RESULTS.md)
  --keep          keep the generated data and ledgers (their folder is printed)
Environment: BENCH_DIR  the folder for the data (default: the system's temporary folder)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
        --rows) ROWS=${2:?--rows needs a number}; shift 2 ;;
        --bank-rows) BANK_ROWS=${2:?--bank-rows needs a number}; shift 2 ;;
        --rows-10m) BIG=1; shift ;;
        --big-rows) BIG_ROWS=${2:?--big-rows needs a number}; BIG=1; shift 2 ;;
        --out) OUT=${2:?--out needs a file}; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for n in "$RUNS" "$ROWS" "$BANK_ROWS" "$BIG_ROWS"; do
    case "$n" in ''|*[!0-9]*|0) echo "compare.sh: '$n' is not a positive whole number" >&2; exit 2 ;; esac
done
COMMAND="bash benches/compare.sh --runs $RUNS"
[ "$BIG" = 0 ] || COMMAND="$COMMAND --rows-10m"
[ "$ROWS" = 1000000 ] || COMMAND="$COMMAND --rows $ROWS"
[ "$BANK_ROWS" = 100000 ] || COMMAND="$COMMAND --bank-rows $BANK_ROWS"
[ "$BIG_ROWS" = 10000000 ] || COMMAND="$COMMAND --big-rows $BIG_ROWS"

say() { printf '\n== %s\n' "$*" >&2; }
die() { echo "compare.sh: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------------
# The floor, the other tool and the memory meter come from the distribution's packages.
install_missing() {
    local missing=()
    command -v sqlite3 >/dev/null || missing+=(sqlite3)
    command -v hledger >/dev/null || missing+=(hledger)
    [ -x /usr/bin/time ] || missing+=(time)
    [ ${#missing[@]} -eq 0 ] && return
    command -v apt-get >/dev/null || die "install ${missing[*]} (no apt-get on this machine)"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    say "installing ${missing[*]} from the distribution's packages"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2
}
install_missing
command -v cargo >/dev/null || die "cargo is needed (see the README's set-up)"

# --- the data's folder -------------------------------------------------------------------------
BASE=${BENCH_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$BASE"
WORK=$(mktemp -d "$BASE/burnrate-compare.XXXXXX")
cleanup() {
    if [ "$KEEP" = 1 ]; then
        echo "compare.sh: data kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
RES="$WORK/results"
mkdir -p "$RES"
LOAD_START=$(uptime | sed 's/.*load average: //')

# --- build -------------------------------------------------------------------------------------
say "building in release"
cd "$ROOT"
cargo build --release --quiet --bin burnrate --example gen
TARGET=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
BIN="$TARGET/release/burnrate"
GEN="$TARGET/release/examples/gen"
FRAMES=$(cargo bench --quiet --bench frames --no-run --message-format=json 2>/dev/null \
    | grep '"name":"frames"' | grep -o '"executable":"[^"]*"' | cut -d'"' -f4 | tail -1)
[ -x "$BIN" ] && [ -x "$GEN" ] && [ -x "$FRAMES" ] || die "the release build did not produce burnrate, gen and the frames bench"

# --- measuring ---------------------------------------------------------------------------------
# timed NAME CMD...: runs CMD, appends its wall milliseconds to $RES/NAME.ms and its peak
# resident memory (KiB) to $RES/NAME.rss; stops the script when CMD fails.
timed() {
    local name=$1 t0 t1
    shift
    t0=$(date +%s%N)
    if ! /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/stdout" 2>"$WORK/stderr"; then
        cat "$WORK/stderr" >&2
        die "failed: $*"
    fi
    t1=$(date +%s%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }' >>"$RES/$name.ms"
    tail -n 1 "$WORK/rss" >>"$RES/$name.rss"
}

# count N: N with thousands separators.
count() { awk -v n="$1" 'BEGIN { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); print s }'; }
# median FILE: the median of the numbers in FILE, one a line ("n/a" when none).
median() {
    [ -s "$1" ] || { echo n/a; return; }
    sort -g "$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}
# max FILE: the largest number in FILE.
max() {
    [ -s "$1" ] || { echo n/a; return; }
    sort -g "$1" | tail -n 1
}
# ratio A B: A / B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b == 0) print "n/a"; else printf "%.2f\n", a / b }'; }
# pair_ratios A B OUT: the ratio of each run of A to the same run of B, one a line, into OUT.
pair_ratios() { paste "$RES/$1.ms" "$RES/$2.ms" | awk '{ printf "%.3f\n", $1 / $2 }' >"$RES/$3"; }

# gen DIR ROWS: writes the exports; the OpenAI cost export holds ROWS rows (gen splits --rows
# 60/40 between the OpenAI and the Anthropic exports).
gen() {
    local usage_rows=$(( ($2 * 10 + 5) / 6 ))
    "$GEN" --rows "$usage_rows" --bank-rows "$BANK_ROWS" --out "$1" >&2
}
# The last day the generated files cover, and the last whole month before it.
AS_OF=2026-11-20
MONTH=2026-10

# ledger_commands TAG DB: times each judgement and report command on the ledger DB.
LEDGER_COMMANDS=(report flags balance diagnose review)
ledger_commands() {
    local tag=$1 db=$2 name
    for round in warm $(seq "$RUNS"); do
        for name in "${LEDGER_COMMANDS[@]}"; do
            local args=()
            case "$name" in
                report) args=(report --by project) ;;
                flags) args=(flags) ;;
                balance) args=(balance --provider openai --account "Northwind Labs") ;;
                diagnose) args=(diagnose) ;;
                review) args=(report --review --month "$MONTH") ;;
            esac
            if [ "$round" = warm ]; then
                "$BIN" --db "$db" --as-of "$AS_OF" "${args[@]}" >/dev/null \
                    || die "burnrate ${args[*]} failed on $db"
            else
                timed "$tag.$name" "$BIN" --db "$db" --as-of "$AS_OF" "${args[@]}"
            fi
        done
    done
}

# --- 1. the import against the sqlite3 floor ---------------------------------------------------
say "generating $ROWS OpenAI usage rows and $BANK_ROWS bank lines"
DATA="$WORK/data"
gen "$DATA" "$ROWS"
EXPORT=$(ls "$DATA"/cost_*.csv)
REVOLUT=$(ls "$DATA"/revolut_statement_*.csv)
CHASE=$(ls "$DATA"/Chase*_Activity_*.CSV)
EXPORT_MB=$(du -m "$EXPORT" | cut -f1)
EXPORT_ROWS=$(( $(wc -l <"$EXPORT") - 1 ))
BANK_LINES=$(( $(wc -l <"$REVOLUT") - 1 ))

say "import vs sqlite3 .import, $RUNS pairs run in turn"
LEDGER="$WORK/ledger.sqlite"
floor() {
    rm -f "$WORK/floor.sqlite"
    timed floor sqlite3 "$WORK/floor.sqlite" ".import --csv '$EXPORT' usage"
    rm -f "$WORK/floor.sqlite"
}
first_import() {
    rm -f "$LEDGER" "$LEDGER-wal" "$LEDGER-shm"
    timed import "$BIN" --db "$LEDGER" --as-of "$AS_OF" import "$EXPORT"
    cp "$WORK/stdout" "$WORK/import-report.txt"
    timed reimport "$BIN" --db "$LEDGER" --as-of "$AS_OF" import "$EXPORT"
}
for i in $(seq "$RUNS"); do
    if [ $((i % 2)) = 1 ]; then floor; first_import; else first_import; floor; fi
    echo "  pair $i: floor $(tail -n 1 "$RES/floor.ms") ms, import $(tail -n 1 "$RES/import.ms") ms, re-import $(tail -n 1 "$RES/reimport.ms") ms" >&2
done
pair_ratios import floor import_vs_floor
pair_ratios reimport import reimport_vs_import

# --- 2. the commands on the 1M-row ledger ------------------------------------------------------
say "the $(count "$EXPORT_ROWS")-row ledger: billing records, bank statements and rates beside the usage"
"$BIN" --db "$LEDGER" --as-of "$AS_OF" import "$DATA/billing.csv" "$REVOLUT" "$CHASE" "$DATA/eurofxref-hist.csv" >/dev/null
say "report, flags, balance, diagnose, report --review: $RUNS runs each after a warm-up"
ledger_commands m1 "$LEDGER"

# --- 3. the bank lines against hledger ---------------------------------------------------------
say "$BANK_LINES Revolut lines: burnrate import + paid report vs hledger balance -M"
RULES="$WORK/revolut.rules"
cat >"$RULES" <<'EOF'
# The Revolut statement as burnrate reads it: declined and reverted lines moved no money,
# pending ones are marked pending; the AI providers' charges get their own accounts.
skip 1
fields type, product, started, completed, description, amount, fee, currency, state, running
date %started
date-format %Y-%m-%d %H:%M:%S
currency %currency
account1 assets:revolut
account2 expenses:other
if %state (DECLINED|REVERTED)
  skip
if %state PENDING
  status !
if %description openai
  account2 expenses:ai:openai
if %description anthropic
  account2 expenses:ai:anthropic
if %type TOPUP
  account2 income:topup
EOF
BANK_DB="$WORK/bank.sqlite"
bank_burnrate() {
    rm -f "$BANK_DB" "$BANK_DB-wal" "$BANK_DB-shm"
    timed bank "bash" -c '"$1" --db "$2" --as-of "$3" import "$4" >/dev/null && "$1" --db "$2" --as-of "$3" report --what paid --month "$5"' \
        _ "$BIN" "$BANK_DB" "$AS_OF" "$REVOLUT" "$MONTH"
}
bank_hledger() {
    timed hledger hledger -f "$REVOLUT" --rules-file "$RULES" balance -M
}
for i in $(seq "$RUNS"); do
    if [ $((i % 2)) = 1 ]; then bank_hledger; bank_burnrate; else bank_burnrate; bank_hledger; fi
    echo "  pair $i: hledger $(tail -n 1 "$RES/hledger.ms") ms, burnrate $(tail -n 1 "$RES/bank.ms") ms" >&2
done
pair_ratios hledger bank hledger_vs_bank

# --- 4. the window on the 1M-row ledger --------------------------------------------------------
say "the window on the $(count "$EXPORT_ROWS")-row ledger, headless: $RUNS runs"
for i in $(seq "$RUNS"); do
    timed window env BURNRATE_BENCH_LEDGER="$LEDGER" BURNRATE_BENCH_TODAY="$AS_OF" \
        BURNRATE_BENCH_PROJECT="Search 1" BURNRATE_BENCH_SKIP_IMPORT=1 "$FRAMES"
    grep -v '^bench ' "$WORK/stdout" >"$WORK/window-report.txt" || true
    grep '^bench window\.' "$WORK/stdout" | while read -r _ key value; do
        echo "$value" >>"$RES/$key"
    done
    echo "  run $i: first frame with data $(tail -n 1 "$RES/window.first_frame_with_data_ms") ms, rebuild after a filter change $(tail -n 1 "$RES/window.rebuild_median_ms") ms" >&2
done

# --- 5. the 10M-row ledger ---------------------------------------------------------------------
if [ "$BIG" = 1 ]; then
    rm -rf "$DATA" "$BANK_DB"*
    say "generating $BIG_ROWS OpenAI usage rows"
    BIGDATA="$WORK/big"
    gen "$BIGDATA" "$BIG_ROWS"
    rm -f "$BIGDATA"/claude_api_cost_*.csv
    BIG_LEDGER="$WORK/big.sqlite"
    say "importing them (once)"
    timed m10.import "$BIN" --db "$BIG_LEDGER" --as-of "$AS_OF" import "$BIGDATA"/cost_*.csv
    "$BIN" --db "$BIG_LEDGER" --as-of "$AS_OF" import "$BIGDATA/billing.csv" "$BIGDATA"/revolut_statement_*.csv \
        "$BIGDATA"/Chase*_Activity_*.CSV "$BIGDATA/eurofxref-hist.csv" >/dev/null
    rm -rf "$BIGDATA"
    say "report, flags, balance, diagnose, report --review on 10M rows: $RUNS runs each"
    ledger_commands m10 "$BIG_LEDGER"
fi
LOAD_END=$(uptime | sed 's/.*load average: //')

# --- the table ---------------------------------------------------------------------------------
fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else if (v >= 1000) printf "%.2f s\n", v / 1000; else if (v >= 100) printf "%.0f ms\n", v; else printf "%.1f ms\n", v }'; }
fmt_mib() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else printf "%.0f MiB\n", v / 1024 }'; }
# verdict VALUE LIMIT UNIT: "met" or "missed by X (Y x the target)" for a value that must stay
# at or under LIMIT; verdict_min for one that must reach LIMIT.
verdict() {
    awk -v v="$1" -v l="$2" -v u="$3" 'BEGIN {
        if (v == "n/a") { print "not measured"; exit }
        if (v + 0 <= l + 0) { print "met"; exit }
        d = v - l
        if (u == "x") printf "**missed** by %.2fx\n", d
        else if (u == " ms" && d >= 1000) printf "**missed** by %.2f s (%.1fx the target)\n", d / 1000, v / l
        else if (d < 10) printf "**missed** by %.1f%s (%.1fx the target)\n", d, u, v / l
        else printf "**missed** by %.0f%s (%.1fx the target)\n", d, u, v / l }'
}
verdict_min() {
    awk -v v="$1" -v l="$2" 'BEGIN {
        if (v == "n/a") { print "not measured"; exit }
        if (v + 0 >= l + 0) print "met"; else printf "**missed**: %.1fx, %.1fx short\n", v, l / v }'
}

M_FLOOR=$(median "$RES/floor.ms"); M_IMPORT=$(median "$RES/import.ms"); M_REIMPORT=$(median "$RES/reimport.ms")
R_IMPORT=$(median "$RES/import_vs_floor"); R_REIMPORT=$(median "$RES/reimport_vs_import")
M_BANK=$(median "$RES/bank.ms"); M_HLEDGER=$(median "$RES/hledger.ms"); R_BANK=$(median "$RES/hledger_vs_bank")
RSS_IMPORT=$(max "$RES/import.rss"); RSS_REIMPORT=$(max "$RES/reimport.rss"); RSS_WINDOW=$(max "$RES/window.rss")
w() { median "$RES/window.$1"; }

table() {
    echo "| Measure | burnrate | Reference | Ratio | Target | Result |"
    echo "|---|---|---|---|---|---|"
    echo "| Import, $(count "$EXPORT_ROWS")-row OpenAI cost export ($EXPORT_MB MB) | $(fmt_ms "$M_IMPORT") | sqlite3 \`.import\` $(fmt_ms "$M_FLOOR") | $(ratio "$R_IMPORT" 1)x the floor | ≤ 1.5x | $(verdict "$R_IMPORT" 1.5 x) |"
    echo "| Re-import of the same file | $(fmt_ms "$M_REIMPORT") | import $(fmt_ms "$M_IMPORT") | $(ratio "$R_REIMPORT" 1)x the import | ≤ 1.0x | $(verdict "$R_REIMPORT" 1.0 x) |"
    echo "| $(count "$BANK_LINES") Revolut lines: import + \`report --what paid --month $MONTH\` | $(fmt_ms "$M_BANK") | hledger \`balance -M\` $(fmt_ms "$M_HLEDGER") | $(ratio "$R_BANK" 1)x faster | ≥ 50x | $(verdict_min "$R_BANK" 50) |"
    local tag size limit name label m
    for tag in m1 m10; do
        [ "$tag" = m10 ] && [ "$BIG" != 1 ] && continue
        if [ "$tag" = m1 ]; then size="$(count "$EXPORT_ROWS") rows"; limit=200; else size="$(count "$BIG_ROWS") rows"; limit=1000; fi
        for name in "${LEDGER_COMMANDS[@]}"; do
            case "$name" in
                report) label="report --by project" ;;
                flags) label="flags" ;;
                balance) label="balance --provider openai --account \"Northwind Labs\"" ;;
                diagnose) label="diagnose" ;;
                review) label="report --review --month $MONTH" ;;
            esac
            m=$(median "$RES/$tag.$name.ms")
            echo "| \`$label\`, ledger of $size, whole process | $(fmt_ms "$m") | | $(ratio "$m" "$limit")x the target | < $limit ms | $(verdict "$m" "$limit" " ms") |"
        done
    done
    if [ "$BIG" = 1 ]; then
        echo "| Import, $(count "$BIG_ROWS")-row OpenAI cost export (one run) | $(fmt_ms "$(median "$RES/m10.import.ms")") | | | | |"
    fi
    echo "| Window ($(count "$EXPORT_ROWS") rows): first frame with data (opening the ledger included) | $(fmt_ms "$(w first_frame_with_data_ms)") | | | < 500 ms | $(verdict "$(w first_frame_with_data_ms)" 500 " ms") |"
    echo "| Window: views rebuilt after a filter change, median | $(fmt_ms "$(w rebuild_median_ms)") | | | < 300 ms | $(verdict "$(w rebuild_median_ms)" 300 " ms") |"
    echo "| Window: views rebuilt after a filter change, worst | $(fmt_ms "$(w rebuild_worst_ms)") | | | < 300 ms | $(verdict "$(w rebuild_worst_ms)" 300 " ms") |"
    local scene text
    for scene in idle scroll hover filter; do
        case "$scene" in
            idle) text="dashboard idle" ;;
            scroll) text="scrolling the usage table deep" ;;
            hover) text="hovering the cost chart" ;;
            filter) text="changing a filter (until the new views arrive)" ;;
        esac
        echo "| Window: ms per frame, $text, median | $(fmt_ms "$(w "${scene}_median_ms")") | | | < 4 ms | $(verdict "$(w "${scene}_median_ms")" 4 " ms") |"
        echo "| Window: ms per frame, $text, worst | $(fmt_ms "$(w "${scene}_worst_ms")") | | | < 16 ms | $(verdict "$(w "${scene}_worst_ms")" 16 " ms") |"
    done
    echo "| Peak memory, import of $(count "$EXPORT_ROWS") rows | $(fmt_mib "$RSS_IMPORT") | | | < 150 MiB | $(verdict "$(awk -v v="$RSS_IMPORT" 'BEGIN { print v / 1024 }')" 150 " MiB") |"
    echo "| Peak memory, re-import | $(fmt_mib "$RSS_REIMPORT") | | | < 150 MiB | $(verdict "$(awk -v v="$RSS_REIMPORT" 'BEGIN { print v / 1024 }')" 150 " MiB") |"
    if [ "$BIG" = 1 ]; then
        local big_rss
        big_rss=$(max "$RES/m10.import.rss")
        echo "| Peak memory, import of $(count "$BIG_ROWS") rows | $(fmt_mib "$big_rss") | | | < 150 MiB | $(verdict "$(awk -v v="$big_rss" 'BEGIN { print v / 1024 }')" 150 " MiB") |"
    fi
    echo "| Peak memory, window on the $(count "$EXPORT_ROWS")-row ledger (headless harness) | $(fmt_mib "$RSS_WINDOW") | | | < 300 MiB | $(verdict "$(awk -v v="$RSS_WINDOW" 'BEGIN { print v / 1024 }')" 300 " MiB") |"
}

TABLE=$(table)
echo
echo "$TABLE"

# --- RESULTS.md --------------------------------------------------------------------------------
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD -- src benches examples Cargo.toml Cargo.lock 2>/dev/null || COMMIT="$COMMIT (with local changes)"
{
    echo "# burnrate benchmarks: side by side with sqlite3 and hledger"
    echo
    echo "Written by \`benches/compare.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') at commit $COMMIT."
    echo "Reproduce with:"
    echo
    echo '```sh'
    echo "$COMMAND"
    echo '```'
    echo
    echo "## Machine"
    echo
    echo "- $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
    echo "- $(rustc --version), release profile"
    echo "- sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(hledger --version | head -n 1)"
    echo "- load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $LOAD_END"
    echo
    echo "## Figures"
    echo
    echo "Medians of $RUNS runs. Ratios are taken run by run, against the reference measured in"
    echo "the same run, then the median of those ratios is shown. Wall times are whole processes"
    echo "(start, open the ledger, work, print, exit), the files in the page cache."
    echo
    echo "$TABLE"
    echo
    echo "## How each figure is measured"
    echo
    echo "- Data: \`cargo run --release --example gen -- --rows N --bank-rows $BANK_ROWS\`, seed 1,"
    echo "  $(awk -v r="$ROWS" 'BEGIN { printf "%d", r }') OpenAI cost rows over two years ending $AS_OF (the Anthropic export it also"
    echo "  writes is not used)."
    echo "- Import: \`burnrate --db NEW import cost_*.csv\` against"
    echo "  \`sqlite3 NEW \".import --csv cost_*.csv usage\"\` (a plain all-text table, the tool's"
    echo "  defaults), the two run in turn (the order alternates), a fresh database each time."
    echo "  Re-import: the same command again on the ledger just written (every row a duplicate)."
    echo "- The 1M-row ledger: that import plus the generated billing records, Revolut and Chase"
    echo "  statements and ECB rates. Each command runs once to warm up, then $RUNS times, with"
    echo "  \`--as-of $AS_OF\`."
    echo "- Bank: a fresh ledger, \`burnrate import revolut_statement_*.csv\` then"
    echo "  \`burnrate report --what paid --month $MONTH\`, against"
    echo "  \`hledger -f revolut_statement_*.csv --rules-file revolut.rules balance -M\` with this"
    echo "  rules file (written by the script):"
    echo
    echo '```'
    cat "$RULES"
    echo '```'
    echo
    echo "- Window: \`benches/frames.rs\` opens the 1M-row ledger in the real app, driven headless"
    echo "  by egui_kittest at 1280x800 (no GPU: the frame's layout and widgets, not painting)."
    echo "  First frame with data: from opening the ledger to the end of the first frame drawn"
    echo "  after the views thread answered. Milliseconds per frame: the window thread's time"
    echo "  in a frame; 240 frames per scene (the dashboard idle, the usage table scrolled by"
    echo "  60,000 points a frame, the pointer swept over the chart's bars), and 16 filter changes"
    echo "  (date range and project, on the dashboard and on the table) with every frame until"
    echo "  the new views arrived. Rebuild: from the change to the frame that has the new views"
    echo "  (polled every 4 ms or so)."
    echo "- Peak memory: the maximum resident set of the process (GNU time \`%M\`), the largest"
    echo "  of the runs. The window's figure is the whole headless bench process."
    echo "- The machine is shared: the load average above says how busy it was. Rerun on a quiet"
    echo "  machine for figures to compare between commits."
    echo
    echo "## Every run"
    echo
    echo "Milliseconds (peak memory in KiB), in the order run; the table above shows their medians."
    echo
    echo '```'
    for f in "$RES"/*.ms "$RES"/*.rss "$RES"/import_vs_floor "$RES"/reimport_vs_import "$RES"/hledger_vs_bank "$RES"/window.*_ms; do
        [ -s "$f" ] || continue
        printf '%-40s %s\n' "$(basename "$f")" "$(tr '\n' ' ' <"$f")"
    done
    echo '```'
    echo
    echo "## The window bench's own report (last run)"
    echo
    echo '```'
    cat "$WORK/window-report.txt" 2>/dev/null || true
    echo '```'
    echo
    echo "## The import's report (last run)"
    echo
    echo '```'
    cat "$WORK/import-report.txt" 2>/dev/null || true
    echo '```'
} >"$OUT"
echo >&2
echo "compare.sh: wrote $OUT" >&2
