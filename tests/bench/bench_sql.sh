#!/bin/bash
# SQL benchmark (not a test): the DuckDB analysis dnsfw-export --format duckdb writes,
# against dnsfw-eval on the same generated Route 53 query log and the same policy of
# 100,000 entries, in the same run. DuckDB runs in Node.js (tests/sql/node_modules, from
# scripts/install-deps.sh) with 2 threads.
# usage: tests/bench/bench_sql.sh [BUILD_DIR] [RECORDS] [ENTRIES]
# (defaults: build, 1000000 records, 100000 entries)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
records=${2:-1000000}
entries=${3:-100000}
work=$(mktemp -d /tmp/dnsfw-bench-sql.XXXXXX)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$root/tests/bench/gen_route53_log.py" "$records" "$work/log.jsonl"
# the baseline's names, then random ones, half of them wildcards; an ALERT catch-all
/usr/bin/python3 - "$work" "$entries" <<'PY'
import json, random, sys
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
specs = ["github.com", "*.github.com", "*.githubusercontent.com", "registry.npmjs.org",
         "*.npmjs.org", "pypi.org", "*.pypi.org", "files.pythonhosted.org", "*.amazonaws.com"]
seen = set(specs)
while len(specs) < n:
    d = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(5, 12)))
    s = ("*." if rng.random() < 0.5 else "") + d + "." + rng.choice(["com", "net", "org", "io"])
    if s not in seen:
        seen.add(s)
        specs.append(s)
open(work + "/big.txt", "w").write("\n".join(specs) + "\n")
json.dump({"dnsfw": 1, "domain_lists": {"big": {"file": "big.txt"}, "all": ["*"]},
           "rule_groups": [{"name": "egress", "priority": 1000, "rules": [
               {"name": "allow", "priority": 100, "action": "ALLOW", "domain_list": "big"},
               {"name": "rest", "priority": 300, "action": "ALERT", "domain_list": "all"}]}]},
          open(work + "/policy.json", "w"))
PY

"$build/tools/export/dnsfw-export" -p "$work/policy.json" --format duckdb \
    --log-path "$work/log.jsonl" -o "$work/sql"
cat > "$work/time.mjs" <<'JS'
import { readFileSync } from 'node:fs';
const { DuckDBInstance } = await import(process.argv[2] + '/node_modules/@duckdb/node-api/lib/index.js');
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await instance.connect();
let t = performance.now();
await c.run(readFileSync(process.argv[3], 'utf8'));
const load = (performance.now() - t) / 1000;
t = performance.now();
const r = await c.runAndReadAll('SELECT action, count(*) AS n FROM dnsfw_verdicts GROUP BY action ORDER BY action');
const query = (performance.now() - t) / 1000;
console.log(`${load.toFixed(2)} ${query.toFixed(2)} ${JSON.stringify(r.getRowObjectsJson())}`);
JS
read -r load query counts < <(node "$work/time.mjs" "$root/tests/sql" "$work/sql/run.sql")
TIMEFORMAT='%R'
{ time "$build/tools/eval/dnsfw-eval" -p "$work/policy.json" --log "$work/log.jsonl" \
    --json > "$work/eval.jsonl" || [ $? -le 1 ]; } 2> "$work/eval.time"
eval_wall=$(cat "$work/eval.time")
{ time "$build/tools/eval/dnsfw-eval" -p "$work/policy.json" --log "$work/log.jsonl" \
    --report > /dev/null || [ $? -le 1 ]; } 2> "$work/report.time"
report_wall=$(cat "$work/report.time")
want=$(grep -o '"action":"[A-Z]*"' "$work/eval.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
echo "records $records, entries $entries; verdicts by action: DuckDB $counts, dnsfw-eval $want"
awk -v l="$load" -v q="$query" -v e="$eval_wall" -v r="$report_wall" -v n="$records" 'BEGIN {
    printf "DuckDB: read the logs into a table %6.2f s, dnsfw_verdicts %6.2f s, together %6.2f s (%.0f records/s)\n", l, q, l + q, n / (l + q)
    printf "dnsfw-eval --log --json            %6.2f s (%.0f records/s)\n", e, n / e
    printf "dnsfw-eval --log --report          %6.2f s (%.0f records/s)\n", r, n / r
    printf "ratio DuckDB (both steps) / dnsfw-eval --json: %.1f\n", (l + q) / e }'
