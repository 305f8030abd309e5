#!/usr/bin/python3
"""dnsfw-export --format athena (contract §8): the statements are valid Trino SQL (the
views) and Hive DDL (the tables) by dt-sql-parser's grammars (trino_syntax.mjs); the
view statements are the same bytes as --format duckdb's; each statement stays under
Athena's 262,144-byte query limit with 100,000 entries; the entries are data, not SQL.

Also the Athena statements docs/sql.md gives for CloudWatch Logs export tasks.

usage: test_athena.py DNSFW_EXPORT TESTS_SQL_DIR TESTS_DATA_DIR DOCS_SQL_MD
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

export, here, data, docs_sql = sys.argv[1:5]
passed = failed = 0


def check(ok, what):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print("%s - %s" % ("ok" if ok else "not ok", what))
    return ok


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
    return p


def statements(text):
    """The statements of an athena.sql or run.sql, each without its ';'."""
    return [s.strip() + "\n" for s in re.split(r"\n;\n", text) if "CREATE" in s]


S3 = "s3://dnsfw-test-bucket/route53/AWSLogs/111122223333/vpcdnsquerylogs/"
with tempfile.TemporaryDirectory() as tmp:
    big = os.path.join(tmp, "big.json")
    with open(os.path.join(tmp, "big.txt"), "w") as f:
        for i in range(100000):
            f.write("%s.example-%d.com\n" % ("*" if i % 3 == 0 else "host", i))
    json.dump({"dnsfw": 1, "domain_lists": {"big": {"file": "big.txt"}, "all": ["*"]},
               "rule_groups": [{"name": "g", "priority": 1000, "rules": [
                   {"name": "allow", "priority": 1, "action": "ALLOW", "domain_list": "big"},
                   {"name": "rest", "priority": 2, "action": "BLOCK", "domain_list": "all",
                    "block_response": "NODATA"}]}]}, open(big, "w"))
    cases = [os.path.join(data, "logs", "policy-tiered.json"),
             os.path.join(data, "logs", "policy-general.json"),
             os.path.join(here, "policies", "general-qtypes.json"), big]
    files = []
    for i, policy in enumerate(cases):
        a, d = os.path.join(tmp, "a%d" % i), os.path.join(tmp, "d%d" % i)
        run([export, "-p", policy, "--format", "athena", "--s3-location", S3, "--vpc-id",
             "vpc-0a1b2c3d4e5f60718,vpc-01234567", "--scope-map",
             os.path.join(data, "logs", "scope-map.txt"), "-o", a])
        run([export, "-p", policy, "--format", "duckdb", "--log-path", "/nonexistent/*.jsonl",
             "--scope-map", os.path.join(data, "logs", "scope-map.txt"), "-o", d])
        name = os.path.basename(policy)
        sa = statements(open(os.path.join(a, "athena.sql")).read())
        sd = statements(open(os.path.join(d, "run.sql")).read())
        views = lambda ss: [s for s in ss if "dnsfw_query_logs AS" not in s and
                            "read_csv" not in s and "EXTERNAL TABLE" not in s and "MACRO" not in s]
        check(views(sa) == views(sd) and len(views(sa)) >= 14,
              "%s: the %d view statements are the same bytes for Athena and DuckDB" %
              (name, len(views(sa))))
        each = sorted(glob.glob(os.path.join(a, "statements", "*.sql")))
        check([s.rstrip() for s in sa] == [open(f).read().rstrip() for f in each],
              "%s: statements/ holds athena.sql's statements, one a file" % name)
        largest = max(os.path.getsize(f) for f in each)
        check(largest < 262144, "%s: the largest statement has %d bytes (Athena: < 262,144)" %
              (name, largest))
        entries = open(os.path.join(a, "data", "entries", "entries.tsv")).read().count("\n")
        check(entries == (100001 if policy == big else entries) and
              "example-99999" not in open(os.path.join(a, "athena.sql")).read(),
              "%s: %d entries in data/entries/entries.tsv, none in the SQL" % (name, entries))
        tbl = open(os.path.join(a, "statements", "01-dnsfw_resolver_query_logs.sql")).read()
        check("'projection.vpc.values' = 'vpc-0a1b2c3d4e5f60718,vpc-01234567'" in tbl and
              "LOCATION '%s'" % S3 in tbl and
              "'storage.location.template' = '%s${vpc}/${date}/'" % S3 in tbl,
              "%s: the query-log table reads --s3-location with the VPCs projected" % name)
        loc = open(os.path.join(a, "data-location.txt")).read().strip()
        check(loc.startswith("s3://dnsfw-test-bucket/route53/dnsfw/") and
              "LOCATION '%sentries/'" % loc in open(os.path.join(a, "athena.sql")).read(),
              "%s: the data goes beside AWSLogs/ (%s)" % (name, loc))
        files += each
    # docs/sql.md's variant for CloudWatch Logs export tasks: one statement a file
    doc = open(docs_sql).read()
    block = re.search(r"```sql\n(.*?)```", doc, re.S).group(1)
    block = "\n".join(line[5:] if line.startswith("     ") else line for line in block.splitlines())
    for i, st in enumerate(x for x in block.split(";") if x.strip()):
        path = os.path.join(tmp, "docs-cloudwatch-%d.sql" % i)
        open(path, "w").write(st.strip() + "\n")
        files.append(path)
    check(len(files) >= 2 and "json_parse" in open(files[-1]).read(),
          "docs/sql.md's CloudWatch variant is checked too (%d statements)" % 2)
    p = subprocess.run(["node", "--import", os.path.join(here, "esm-resolve.mjs"),
                        os.path.join(here, "trino_syntax.mjs")] + files,
                       capture_output=True, text=True, cwd=here)
    sys.stdout.write(p.stdout)
    check(p.returncode == 0 and p.stdout.count("\nok ") + p.stdout.startswith("ok ") == len(files),
          "dt-sql-parser: %d statements are valid Trino SQL or Hive DDL" % len(files))
    # the grammar check can fail: DuckDB's own syntax is refused
    bad = os.path.join(tmp, "duckdb-only.sql")
    open(bad, "w").write("CREATE OR REPLACE VIEW v AS SELECT [1, 2] AS l, x::integer AS i FROM t\n")
    p = subprocess.run(["node", "--import", os.path.join(here, "esm-resolve.mjs"),
                        os.path.join(here, "trino_syntax.mjs"), bad],
                       capture_output=True, text=True, cwd=here)
    check(p.returncode == 1, "dt-sql-parser refuses DuckDB's list literal and :: cast")

print("1..%d" % (passed + failed))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
