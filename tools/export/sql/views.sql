-- The views of dnsfw-export's SQL formats (athena, duckdb): the same text for both
-- engines, so it keeps to what Trino and DuckDB share (the DuckDB preamble defines
-- regexp_like, array_join and to_utf8 as macros). Every statement ends with ";" alone at
-- the end of a line; dnsfw-export cuts them there. The views read:
--   dnsfw_query_logs  one row per log record, with chain: the CNAME/DNAME targets of the
--                     answers, in order, at most 16 (the table definitions differ by engine)
--   dnsfw_entries     the policy's domain specs (a data file): scope ('-' every
--                     evaluation, '*' the policy as AWS applies it, else a repository's
--                     own allowlist), domain_list, kind ('exact', 'wildcard', 'all'),
--                     match_key (the spec without "*."), spec
--   dnsfw_rules       the policy's rules (VALUES), dnsfw_qtypes, dnsfw_octets (VALUES)
--   dnsfw_scope_map, dnsfw_public_suffixes   for the per-repository and per-domain views
-- Semantics: docs/matching.md; each step names the C code it follows.

-- Every name the logs ask about (query names and redirection targets), read the way
-- lib/name.c reads presentation form: one row per label, with the label's canonical
-- text (lower-case ASCII, \. \\ \" \( \) \; \@ \$, \DDD outside 0x21-0x7e), its length
-- in octets, and the name's problem when it is malformed.
CREATE OR REPLACE VIEW dnsfw_name_labels AS
WITH raw AS (
  SELECT DISTINCT name FROM (
    SELECT query_name AS name FROM dnsfw_query_logs
    UNION ALL
    SELECT h.name FROM (SELECT DISTINCT chain FROM dnsfw_query_logs) c
    CROSS JOIN UNNEST(c.chain) AS h (name)
  ) t
  WHERE name IS NOT NULL
),
-- letters, digits, '-' and '_' between single dots: nearly every logged name
fast AS (
  SELECT name, translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS lowered
  FROM raw
  WHERE regexp_like(name, '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$')
),
fast_labels AS (
  SELECT f.name, t.i, t.label AS text, length(t.label) AS octets, false AS bad_escape, false AS empty, f.bare
  FROM (
    SELECT name, CASE WHEN lowered LIKE '%.' THEN substr(lowered, 1, length(lowered) - 1) ELSE lowered END AS bare
    FROM fast
  ) f
  CROSS JOIN UNNEST(split(f.bare, '.')) WITH ORDINALITY AS t (label, i)
),
-- everything else, a token at a time: \DDD, \X, a lone \ (malformed) or one character
tokens AS (
  SELECT r.name, t.token, t.j
  FROM raw r
  CROSS JOIN UNNEST(regexp_extract_all(r.name, '(?s)\\[0-9]{3}|\\.|\\|.')) WITH ORDINALITY AS t (token, j)
  WHERE NOT regexp_like(r.name, '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$')
),
token_bytes AS (
  SELECT t.name, t.j, t.token = '.' AS sep,
    CASE
      WHEN t.token = '.' THEN ''
      WHEN substr(t.token, 1, 1) <> '\' THEN to_hex(to_utf8(t.token))
      WHEN length(t.token) = 4 THEN o.hex
      WHEN length(t.token) = 2 AND NOT regexp_like(substr(t.token, 2), '^[0-9]$') THEN to_hex(to_utf8(substr(t.token, 2)))
    END AS hex,
    sum(CASE WHEN t.token = '.' THEN 1 ELSE 0 END) OVER (PARTITION BY t.name ORDER BY t.j) AS seps,
    lead(t.token) OVER (PARTITION BY t.name ORDER BY t.j) AS next_token,
    count(*) OVER (PARTITION BY t.name) AS n_tokens
  FROM tokens t
  LEFT JOIN dnsfw_octets o ON o.octet = CASE WHEN length(t.token) = 4 THEN TRY_CAST(substr(t.token, 2) AS integer) END
),
token_text AS (
  SELECT b.name, b.j, b.sep, b.seps + 1 AS i, b.hex IS NULL AS bad_escape,
    coalesce(length(b.hex), 0) / 2 AS octets,
    concat(coalesce(o1.text, ''), coalesce(o2.text, ''), coalesce(o3.text, ''), coalesce(o4.text, '')) AS text,
    b.sep AND ((b.j = 1 AND b.n_tokens > 1) OR b.next_token = '.') AS empty
  FROM token_bytes b
  -- a character is up to 4 octets; substr() past the end is '', which no octet has
  LEFT JOIN dnsfw_octets o1 ON o1.hex = substr(b.hex, 1, 2)
  LEFT JOIN dnsfw_octets o2 ON o2.hex = substr(b.hex, 3, 2)
  LEFT JOIN dnsfw_octets o3 ON o3.hex = substr(b.hex, 5, 2)
  LEFT JOIN dnsfw_octets o4 ON o4.hex = substr(b.hex, 7, 2)
),
slow_labels AS (
  SELECT name, i, array_join(array_agg(text ORDER BY j), '') AS text, sum(octets) AS octets,
    bool_or(bad_escape) AS bad_escape, false AS empty
  FROM token_text WHERE NOT sep GROUP BY name, i
  UNION ALL
  -- an empty label leaves no token of its own: its dot stands for it
  SELECT name, i, '', 0, false, true FROM token_text WHERE empty
),
labels AS (
  SELECT * FROM fast_labels
  UNION ALL
  SELECT l.*, array_join(array_agg(l.text) OVER (PARTITION BY l.name ORDER BY l.i ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), '.') AS bare
  FROM slow_labels l
  UNION ALL
  -- "" has no label at all: as lib/name.c, an empty label
  SELECT name, 1, '', 0, false, true, '' FROM raw WHERE name = ''
)
SELECT l.name, l.i, l.text,
  count(*) OVER (PARTITION BY l.name) AS n_labels,
  CASE
    WHEN bool_or(l.bad_escape) OVER (PARTITION BY l.name) THEN 'a malformed escape'
    WHEN bool_or(l.empty) OVER (PARTITION BY l.name) THEN 'an empty label'
    WHEN max(l.octets) OVER (PARTITION BY l.name) > 63 THEN 'a label longer than 63 octets'
    WHEN sum(l.octets + 1) OVER (PARTITION BY l.name) > 254 THEN 'a name longer than 255 octets'
  END AS problem,
  l.bare,
  CAST(1 + coalesce(sum(length(l.text) + 1) OVER (PARTITION BY l.name ORDER BY l.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS bigint) AS start
FROM labels l
UNION ALL
-- the root name "." has no label
SELECT name, 0, '', 0, CAST(NULL AS varchar), '', CAST(1 AS bigint) FROM raw WHERE name = '.'
;

-- For each name: its canonical form and problem, and every rule whose list has an
-- entry that matches it (lib/eval.c): "name" the name itself, "*.suffix" a name
-- strictly below suffix, "*" every name. One row per (name, matching entry, rule), and
-- one row without a rule for every name. specificity: the labels of the entry's key
-- (the explanation names the most specific entry of the deciding list).
CREATE OR REPLACE VIEW dnsfw_name_matches AS
WITH names AS (
  SELECT DISTINCT name, n_labels, problem, CASE WHEN n_labels = 0 THEN '.' ELSE bare || '.' END AS canonical
  FROM dnsfw_name_labels
),
hits AS (
  SELECT l.name, e.scope, e.domain_list, e.spec, l.n_labels - l.i + 1 AS specificity
  FROM dnsfw_name_labels l
  JOIN dnsfw_entries e ON e.match_key = substr(l.bare, l.start)
  WHERE l.problem IS NULL AND l.i > 0
    AND ((e.kind = 'exact' AND l.i = 1) OR (e.kind = 'wildcard' AND l.i > 1))
  UNION ALL
  SELECT n.name, e.scope, e.domain_list, e.spec, 0
  FROM names n CROSS JOIN dnsfw_entries e
  WHERE n.problem IS NULL AND e.kind = 'all'
)
SELECT n.name, n.canonical, n.problem, h.scope AS entry_scope, h.spec AS entry, h.specificity,
  r.rule_group, r.group_priority, r.rule_priority, r.rule, r.domain_list, r.qtype, r.trust,
  r.action, r.block_response, r.enforce_action, r.enforce_block_response
FROM names n
JOIN hits h ON h.name = n.name
JOIN dnsfw_rules r ON r.domain_list = h.domain_list
UNION ALL
SELECT n.name, n.canonical, n.problem, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  'NONE', NULL, 'NONE', NULL
FROM names n
;

-- Which repository each client belongs to (--scope-map): an instance id first, else
-- the most specific IPv4 block (tools/common/scope_map.c).
CREATE OR REPLACE VIEW dnsfw_client_repos AS
WITH clients AS (
  SELECT DISTINCT srcaddr, instance FROM dnsfw_query_logs
),
addresses AS (
  SELECT c.srcaddr, c.instance,
    CASE WHEN regexp_like(c.srcaddr, '^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$') THEN
      CAST(split(c.srcaddr, '.')[1] AS bigint) * 16777216 + CAST(split(c.srcaddr, '.')[2] AS bigint) * 65536
      + CAST(split(c.srcaddr, '.')[3] AS bigint) * 256 + CAST(split(c.srcaddr, '.')[4] AS bigint)
    END AS ipv4
  FROM clients c
),
candidates AS (
  SELECT a.srcaddr, a.instance, m.repo, 1000 AS weight, m.line
  FROM addresses a JOIN dnsfw_scope_map m ON m.kind = 'instance' AND m.instance = a.instance
  UNION ALL
  SELECT a.srcaddr, a.instance, m.repo, m.prefix_length AS weight, m.line
  FROM addresses a JOIN dnsfw_scope_map m ON m.kind = 'ipv4' AND a.ipv4 BETWEEN m.first_address AND m.last_address
)
SELECT srcaddr, instance, repo FROM (
  SELECT c.*, row_number() OVER (PARTITION BY c.srcaddr, c.instance ORDER BY c.weight DESC, c.line) AS rn
  FROM candidates c
) t WHERE rn = 1
;

-- One evaluation per distinct (query name, type, redirection chain, scope): scope '*' is
-- the policy as AWS applies it, a repository's name its own allowlist only. The query
-- name is decided first; unless that is a BLOCK or a rule that trusts redirection, the
-- chain's names are evaluated in order: the first BLOCK decides, a name decided by a
-- TRUST rule ends the inspection, else the first ALERT, else the query name's verdict
-- (dnsfw_eval_chain, lib/eval.c). A malformed chain name the inspection reaches makes
-- the record malformed. Both the policy's mode and enforce mode are evaluated.
CREATE OR REPLACE VIEW dnsfw_evaluations AS
WITH keys AS (
  SELECT query_name, query_type, chain, scope, row_number() OVER (ORDER BY query_name) AS key_id
  FROM (
    SELECT DISTINCT query_name, query_type, chain, '*' AS scope FROM dnsfw_query_logs
    WHERE query_name IS NOT NULL AND query_type IS NOT NULL
    UNION
    SELECT DISTINCT l.query_name, l.query_type, l.chain, c.repo FROM dnsfw_query_logs l
    JOIN dnsfw_client_repos c ON c.srcaddr IS NOT DISTINCT FROM l.srcaddr AND c.instance IS NOT DISTINCT FROM l.instance
    -- only a repository with a blueprint has an allowlist of its own
    JOIN (SELECT DISTINCT scope FROM dnsfw_entries WHERE scope NOT IN ('-', '*')) b ON b.scope = c.repo
    WHERE l.query_name IS NOT NULL AND l.query_type IS NOT NULL
  ) k
),
typed AS (
  SELECT k.*, k.qtype AS qtype_num, coalesce(q.name, 'TYPE' || CAST(k.qtype AS varchar)) AS qtype_text
  FROM (
    -- dnsfw_qtype_parse(): a mnemonic (any case), or TYPEn with 1 <= n <= 65535
    SELECT k.*, coalesce(t.qtype,
      CASE WHEN regexp_like(k.query_type, '^[Tt][Yy][Pp][Ee][1-9][0-9]{0,4}$')
        AND CAST(substr(k.query_type, 5) AS integer) <= 65535 THEN CAST(substr(k.query_type, 5) AS integer) END) AS qtype
    FROM keys k LEFT JOIN dnsfw_qtypes t ON t.name = upper(k.query_type)
  ) k
  LEFT JOIN dnsfw_qtypes q ON q.qtype = k.qtype
),
asks AS (
  SELECT k.key_id, k.query_name, k.query_type, k.chain, k.scope, k.qtype_num, k.qtype_text,
    h.name, h.i - 1 AS i
  FROM typed k
  CROSS JOIN UNNEST(ARRAY[k.query_name] || k.chain) WITH ORDINALITY AS h (name, i)
),
decided AS (
  SELECT * FROM (
    SELECT a.key_id, a.query_name, a.query_type, a.chain, a.scope, a.qtype_num, a.qtype_text,
      a.i, a.name, m.canonical, m.problem, m.rule_group, m.rule_priority, m.rule,
      m.domain_list, m.entry, coalesce(m.trust, false) AS trust, m.action, m.block_response,
      m.enforce_action, m.enforce_block_response,
      row_number() OVER (PARTITION BY a.key_id, a.i
        ORDER BY m.group_priority IS NULL, m.group_priority, m.rule_priority, m.specificity DESC) AS rn
    FROM asks a
    JOIN dnsfw_name_matches m ON m.name = a.name
      AND (m.group_priority IS NULL OR ((m.qtype = 0 OR m.qtype = a.qtype_num) AND (m.entry_scope = '-' OR m.entry_scope = a.scope)))
  ) t WHERE rn = 1
),
stops AS (
  SELECT d.*,
    max(CASE WHEN d.i = 0 THEN d.problem IS NOT NULL OR d.action = 'BLOCK' OR d.trust END) OVER (PARTITION BY d.key_id) AS now_first,
    max(CASE WHEN d.i = 0 THEN d.problem IS NOT NULL OR d.enforce_action = 'BLOCK' OR d.trust END) OVER (PARTITION BY d.key_id) AS enf_first,
    min(CASE WHEN d.i > 0 AND (d.problem IS NOT NULL OR d.action = 'BLOCK' OR d.trust) THEN d.i END) OVER (PARTITION BY d.key_id) AS now_stop,
    min(CASE WHEN d.i > 0 AND (d.problem IS NOT NULL OR d.enforce_action = 'BLOCK' OR d.trust) THEN d.i END) OVER (PARTITION BY d.key_id) AS enf_stop
  FROM decided d
),
choice AS (
  SELECT s.*,
    CASE
      WHEN s.now_first THEN 0
      WHEN max(CASE WHEN s.i = s.now_stop AND (s.problem IS NOT NULL OR s.action = 'BLOCK') THEN 1 ELSE 0 END) OVER (PARTITION BY s.key_id) = 1 THEN s.now_stop
      ELSE coalesce(min(CASE WHEN s.action = 'ALERT' AND s.i <= coalesce(s.now_stop, 1000) THEN s.i END) OVER (PARTITION BY s.key_id), 0)
    END AS now_hop,
    CASE
      WHEN s.enf_first THEN 0
      WHEN max(CASE WHEN s.i = s.enf_stop AND (s.problem IS NOT NULL OR s.enforce_action = 'BLOCK') THEN 1 ELSE 0 END) OVER (PARTITION BY s.key_id) = 1 THEN s.enf_stop
      ELSE coalesce(min(CASE WHEN s.enforce_action = 'ALERT' AND s.i <= coalesce(s.enf_stop, 1000) THEN s.i END) OVER (PARTITION BY s.key_id), 0)
    END AS enf_hop
  FROM stops s
),
results AS (
  SELECT c.*,
    max(CASE WHEN c.i = c.enf_hop THEN c.enforce_action END) OVER (PARTITION BY c.key_id) AS enf_action,
    max(CASE WHEN c.i = c.enf_hop THEN c.enforce_block_response END) OVER (PARTITION BY c.key_id) AS enf_response,
    max(CASE WHEN c.i = c.enf_hop THEN c.problem END) OVER (PARTITION BY c.key_id) AS enf_problem,
    max(CASE WHEN c.i = 0 THEN c.canonical END) OVER (PARTITION BY c.key_id) AS query_canonical
  FROM choice c
)
SELECT r.query_name, r.query_type, r.chain, r.scope, r.qtype_text,
  r.query_canonical AS canonical_name,
  CASE
    WHEN r.problem IS NOT NULL AND r.i = 0 THEN 'query_name: ' || r.problem
    WHEN r.qtype_num IS NULL THEN 'query_type: unknown query type'
    WHEN r.problem IS NOT NULL THEN 'answers: redirection target ' || CAST(r.i AS varchar) || ': ' || r.problem
  END AS problem,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL THEN r.action END AS action,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL THEN r.rule_group END AS rule_group,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL THEN r.rule_priority END AS rule_priority,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL THEN r.rule END AS rule,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL THEN r.domain_list END AS domain_list,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL THEN r.entry END AS entry,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL AND r.action = 'BLOCK' THEN r.block_response END AS block_response,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL THEN r.i END AS decided_by_hop,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL AND r.i > 0 THEN r.name END AS hop_name,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL AND r.enf_problem IS NULL THEN r.enf_action END AS enforce_action,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL AND r.enf_problem IS NULL AND r.enf_action = 'BLOCK' THEN r.enf_response END AS enforce_block_response,
  CASE WHEN r.problem IS NULL AND r.qtype_num IS NOT NULL AND r.enf_problem IS NULL THEN r.enf_hop END AS enforce_decided_by_hop
FROM results r
WHERE r.i = r.now_hop
;

-- One row per log record (contract section 8): the verdict dnsfw-eval --log --json gives it,
-- and enforce_action, the action --mode enforce gives it. A record dnsfw-eval counts as
-- malformed has its reason in problem and no verdict.
CREATE OR REPLACE VIEW dnsfw_verdicts AS
SELECT l.log_file, l.query_timestamp,
  -- normalised, as dnsfw-eval prints it; as logged when the record is malformed
  CASE WHEN e.problem IS NULL AND e.canonical_name IS NOT NULL THEN e.canonical_name ELSE l.query_name END AS query_name,
  CASE WHEN e.problem IS NULL AND e.qtype_text IS NOT NULL THEN e.qtype_text ELSE l.query_type END AS query_type,
  l.srcaddr, l.instance, l.vpc_id,
  e.action, e.enforce_action, e.rule_group, e.rule_priority, e.rule, e.domain_list, e.entry,
  e.block_response, e.decided_by_hop, e.hop_name,
  e.enforce_block_response, e.enforce_decided_by_hop,
  l.firewall_rule_action,
  CASE
    WHEN l.query_name IS NULL THEN 'the record has no query_name (or is not a JSON record)'
    WHEN l.query_name = '' THEN 'query_name is empty'
    WHEN l.query_type IS NULL THEN 'the record has no query_type'
    ELSE e.problem
  END AS problem
FROM dnsfw_query_logs l
LEFT JOIN dnsfw_evaluations e
  ON e.scope = '*' AND e.query_name = l.query_name AND e.query_type = l.query_type AND e.chain = l.chain
;

-- The registrable domain of every well-formed name: the public suffix (the longest
-- matching rule of the Public Suffix List, an exception rule first, "*" by default)
-- and one label more; NULL for a name that is itself a public suffix.
CREATE OR REPLACE VIEW dnsfw_name_domains AS
WITH suffixes AS (
  SELECT l.name, l.i, l.n_labels, l.bare, substr(l.bare, l.start) AS suffix
  FROM dnsfw_name_labels l
  WHERE l.problem IS NULL AND l.i > 0
),
public_suffix AS (
  SELECT s.name, s.n_labels, s.bare,
    coalesce(
      max(CASE WHEN p.kind = 'exception' THEN s.n_labels - s.i END),
      greatest(coalesce(max(CASE
        WHEN p.kind = 'exact' THEN s.n_labels - s.i + 1
        WHEN p.kind = 'wildcard' AND s.i > 1 THEN s.n_labels - s.i + 2 END), 1), 1)) AS labels
  FROM suffixes s
  LEFT JOIN dnsfw_public_suffixes p ON p.match_key = s.suffix
  GROUP BY s.name, s.n_labels, s.bare
)
SELECT DISTINCT p.bare || '.' AS query_name, s.suffix AS registrable_domain
FROM public_suffix p
LEFT JOIN suffixes s ON s.name = p.name AND s.n_labels - s.i = p.labels
;

-- What enforcement would block, per registrable domain and name (the query name's
-- registrable domain; a name that is a public suffix stands for itself).
CREATE OR REPLACE VIEW dnsfw_would_block_names AS
SELECT coalesce(d.registrable_domain, CASE WHEN v.query_name = '.' THEN '.' ELSE substr(v.query_name, 1, length(v.query_name) - 1) END) AS registrable_domain,
  v.query_name,
  count(*) AS queries,
  sum(CASE WHEN v.enforce_decided_by_hop > 0 THEN 1 ELSE 0 END) AS chain_queries,
  count(DISTINCT v.srcaddr) AS clients,
  min(v.query_timestamp) AS first_seen,
  max(v.query_timestamp) AS last_seen
FROM dnsfw_verdicts v
LEFT JOIN dnsfw_name_domains d ON d.query_name = v.query_name
WHERE v.enforce_action = 'BLOCK'
GROUP BY 1, 2
;

CREATE OR REPLACE VIEW dnsfw_would_block AS
SELECT registrable_domain, sum(queries) AS queries, count(*) AS names,
  sum(chain_queries) AS chain_queries, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
  min(query_name) AS example
FROM dnsfw_would_block_names
GROUP BY registrable_domain
;

-- Drift: records whose logged firewall action is not what the policy decides now (a
-- record without firewall fields was allowed, or matched no rule).
CREATE OR REPLACE VIEW dnsfw_drift AS
SELECT coalesce(firewall_rule_action, 'none') AS logged, action AS now,
  count(*) AS records, count(DISTINCT query_name) AS names, min(query_name) AS example
FROM dnsfw_verdicts
WHERE problem IS NULL
  AND NOT (CASE WHEN firewall_rule_action IS NULL THEN action IN ('ALLOW', 'NONE')
    ELSE firewall_rule_action = action END)
GROUP BY 1, 2
;

-- Per repository (dnsfw_scope_map): records, what enforcement would block, and what it
-- would block only if the repository had its own allowlist (isolation: its blueprint's
-- entries instead of the union).
CREATE OR REPLACE VIEW dnsfw_repository_counts AS
WITH records AS (
  SELECT l.query_name, l.query_type, l.chain, coalesce(c.repo, '(unmapped)') AS repo
  FROM dnsfw_query_logs l
  LEFT JOIN dnsfw_client_repos c ON c.srcaddr IS NOT DISTINCT FROM l.srcaddr AND c.instance IS NOT DISTINCT FROM l.instance
  WHERE l.query_name IS NOT NULL AND l.query_name <> '' AND l.query_type IS NOT NULL
)
SELECT r.repo,
  count(*) AS records,
  sum(CASE WHEN a.enforce_action = 'BLOCK' THEN 1 ELSE 0 END) AS would_block_records,
  count(DISTINCT CASE WHEN a.enforce_action = 'BLOCK' THEN a.canonical_name END) AS would_block_names,
  bool_or(s.scope IS NOT NULL) AS blueprint,
  sum(CASE WHEN a.enforce_action <> 'BLOCK' AND s.enforce_action = 'BLOCK' THEN 1 ELSE 0 END) AS isolation_block_records,
  count(DISTINCT CASE WHEN a.enforce_action <> 'BLOCK' AND s.enforce_action = 'BLOCK' THEN a.canonical_name END) AS isolation_block_names
FROM records r
JOIN dnsfw_evaluations a
  ON a.scope = '*' AND a.query_name = r.query_name AND a.query_type = r.query_type AND a.chain = r.chain
LEFT JOIN dnsfw_evaluations s
  ON s.scope = r.repo AND s.query_name = r.query_name AND s.query_type = r.query_type AND s.chain = r.chain
WHERE a.problem IS NULL
GROUP BY r.repo
;
