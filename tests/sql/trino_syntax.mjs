// Checks the statements dnsfw-export --format athena writes with dt-sql-parser's grammars
// (ANTLR grammars derived from Trino's and Hive's own): the views as Trino SQL (Athena
// engine 3), the CREATE EXTERNAL TABLE statements as Hive DDL (which Athena's DDL is).
// A grammar cannot know function names: every function the views call must also be in
// TRINO_FUNCTIONS, the Trino functions they are allowed to use.
//   node --import ./esm-resolve.mjs trino_syntax.mjs FILE.sql ...
// Prints TAP; exits 1 when a statement fails.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { HiveSQL, TrinoSQL } from 'dt-sql-parser';

// From the Trino documentation's function list (trino.io/docs/current/functions/list.html).
const TRINO_FUNCTIONS = new Set([
  'array_agg', 'array_join', 'bool_or', 'coalesce', 'concat', 'count', 'filter', 'greatest',
  'json_extract', 'json_extract_scalar', 'json_parse', 'lead', 'length', 'max', 'min',
  'regexp_extract_all', 'regexp_like', 'row_number', 'slice', 'split', 'strpos', 'substr',
  'sum', 'to_hex', 'to_utf8', 'transform', 'translate', 'upper',
]);
// SQL syntax that looks like a call
const SYNTAX = new Set(['as', 'cast', 'try_cast', 'in', 'over', 'unnest', 'values', 'exists',
  'and', 'or', 'not', 'on', 'from', 'select', 'where', 'varchar', 'array', 'partitioned',
  'by', 'tblproperties', 'serdeproperties', 'struct', 'using', 'filter', 'table', 'then',
  'when', 'else', 'join', 'map']);

const trino = new TrinoSQL();
const hive = new HiveSQL();
let n = 0;
let bad = 0;
for (const file of process.argv.slice(2)) {
  const sql = readFileSync(file, 'utf8');
  const ddl = /CREATE EXTERNAL TABLE/.test(sql);
  const errors = (ddl ? hive : trino).validate(sql);
  const text = sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");
  // an identifier before "(", except a table alias's column list ("AS t (a, b)")
  const calls = [...text.matchAll(/(?<![Aa][Ss]\s+)\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)];
  const unknown = ddl ? [] : [...new Set(calls.map((m) => m[1].toLowerCase())
    .filter((f) => !SYNTAX.has(f) && !TRINO_FUNCTIONS.has(f)))];
  n++;
  if (errors.length || unknown.length) {
    bad++;
    console.log(`not ok ${n} - ${basename(file)} (${ddl ? 'Hive DDL' : 'Trino'})`);
    for (const e of errors.slice(0, 5)) console.log(`#   ${e.startLine}:${e.startColumn}: ${e.message}`);
    if (unknown.length) console.log(`#   functions that are not Trino's: ${unknown.join(', ')}`);
  } else {
    console.log(`ok ${n} - ${basename(file)} is valid ${ddl ? 'Hive DDL' : 'Trino SQL'}`);
  }
}
console.log(`1..${n}`);
process.exit(bad || n === 0 ? 1 : 0);
