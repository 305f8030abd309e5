// Runs a run.sql written by dnsfw-export --format duckdb in a real DuckDB
// (@duckdb/node-api), then prints the rows of each query given after it as JSON lines:
// {"query": N, "row": {...}}, N counting the queries from 0, values as JSON (numbers as
// numbers, NULL as null).
//   node duckdb_run.mjs RUN.SQL [QUERY ...]
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [script, ...queries] = process.argv.slice(2);
if (!script) {
  console.error('usage: node duckdb_run.mjs RUN.SQL [QUERY ...]');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
try {
  await connection.run(readFileSync(script, 'utf8'));
  for (const [i, q] of queries.entries()) {
    const reader = await connection.runAndReadAll(q);
    for (const row of reader.getRowObjectsJS()) {
      const line = { query: i, row };
      process.stdout.write(JSON.stringify(line, (k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
    }
  }
} catch (e) {
  console.error(`duckdb: ${e.message}`);
  process.exit(1);
}
