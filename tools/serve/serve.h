/*
 * dnsfw-serve: a DNS firewall for one host or a network (contract §4, docs/serve.md).
 *
 * One thread runs an epoll event loop (loop.c): UDP and TCP listeners, TCP client
 * connections (clients.c), the upstream sockets (upstream.c) and the signals. Two helper
 * threads never touch the loop's state: the query-log writer (query_log.c), fed through
 * a bounded queue, and the policy loader of a reload (policy_gen.c), which builds the
 * new matcher aside and hands it over through an eventfd.
 */
#ifndef DNSFW_TOOLS_SERVE_H
#define DNSFW_TOOLS_SERVE_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <dnsfw/dnsfw.h>

#include "acl.h"
#include "scope_map.h"

/* --- configuration (dnsfw-serve.c) ------------------------------------------------- */

struct serve_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

struct serve_config {
    const char *policy;    /* NULL: the embedded default */
    const char *mode;      /* NULL: the policy's */
    const char *scope_map; /* NULL: none */
    const char *query_log; /* NULL: none; "-" = stdout */
    struct serve_addr *listen;
    size_t n_listen;
    struct serve_addr upstream;
    int fail_open;             /* -1: the policy's FirewallFailOpen, 0 closed, 1 open */
    unsigned timeout_ms;       /* upstream timeout */
    unsigned tcp_idle_ms;      /* idle TCP client connections are closed after this */
    unsigned max_inflight;     /* queries waiting for the upstream */
    unsigned max_tcp;          /* TCP client connections */
    unsigned max_tcp_pipeline; /* unanswered queries per TCP connection */
    unsigned log_queue;        /* query-log records waiting for the writer */
    unsigned upstream_sockets;
    uint16_t edns_size;
    bool soa;
    uint32_t soa_ttl;
    const char *account_id, *region, *vpc_id; /* query-log record fields */
    /* clients (acl.c, client_limits.c) */
    struct cidr *allow; /* --allow; none: loopback and the listening interfaces' networks */
    size_t n_allow;
    unsigned rate_limit;      /* UDP queries a second per client; 0: none */
    unsigned slip;            /* every slip-th rate-limited query gets TC */
    unsigned client_inflight; /* one client's queries waiting for the upstream */
    unsigned tcp_per_client;  /* one client's TCP connections */
    unsigned prefix4, prefix6;
    unsigned tcp_query_ms; /* a TCP query must arrive whole within this */
    /* policy files */
    size_t max_policy_bytes;    /* 0: the library's default */
    unsigned reload_timeout_ms; /* reading and compiling a policy may take this long */
    bool policy_any_file;       /* read FIFOs and devices too */
    /* operation */
    const char *user, *group; /* drop privileges to these after binding */
    struct serve_addr stats;  /* --stats: Prometheus text over HTTP; family 0: none */
};

/* Format an address as "1.2.3.4:53" or "[::1]:53". */
void serve_addr_format(const struct sockaddr *sa, char *out, size_t size);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t serve_now_ms(void);

/* --- policy generations (policy_gen.c) ------------------------------------------- */

/*
 * A loaded policy. The loop holds one reference to the current generation and every
 * query waiting for the upstream holds one to the generation it was decided with, so a
 * reload never changes the policy under a query; the last reference frees it.
 */
struct policy_gen {
    dnsfw_matcher *matcher;
    struct scope_map *map; /* NULL without --scope-map */
    bool fail_open;
    bool scoped;   /* tiered policy: the map's repositories are scopes */
    unsigned refs; /* only touched by the loop thread */
    unsigned long serial;
    const char *warned[16]; /* repositories already reported as without a blueprint */
    size_t n_warned;
};

/* Load and compile (diagnostics on stderr). Returns 0 or an exit code. */
int policy_gen_load(const struct serve_config *cfg, unsigned long serial, struct policy_gen **out);
void policy_gen_unref(struct policy_gen *g);

/*
 * The scope a client is held to: DNSFW_SCOPE_ALL, or its repository's. Returns false when
 * the scope map names a repository the policy has no blueprint for: no policy can be
 * applied to that client (fail open / fail closed).
 */
bool policy_gen_scope(struct policy_gen *g, const struct sockaddr *client, uint32_t *scope);

/*
 * Reload in a thread; the loop polls reloader_fd() and then calls reloader_collect(). A
 * reload that takes longer than --reload-timeout (a file that blocks in the kernel, a
 * compile that does not end) is abandoned: its thread is left to finish on its own and
 * its result thrown away; no other reload starts while it still runs. Nothing ever
 * waits for a reload thread, so a blocked reload cannot delay SIGTERM.
 */
struct reloader;
int reloader_new(const struct serve_config *cfg, struct reloader **out);
/* Abandons a running reload. */
void reloader_free(struct reloader *r);
int reloader_fd(const struct reloader *r);
/* Start a reload (or note that another one is due once the running one ends). */
void reloader_start(struct reloader *r, uint64_t now_ms);
/*
 * After reloader_fd() turned readable: the new generation, or NULL; *failed says
 * whether a reload failed (reported already).
 */
struct policy_gen *reloader_collect(struct reloader *r, bool *failed);
/* Abandon a reload past its deadline: true (and reported) when one was abandoned. */
bool reloader_check_deadline(struct reloader *r, uint64_t now_ms);

/* --- query log (query_log.c) -------------------------------------------------------- */

struct qlog;

struct qlog_fields {
    const char *account_id, *region, *vpc_id;
};

/* One answered query, as the log writer needs it; copied by qlog_submit(). */
struct qlog_query {
    struct timespec when; /* CLOCK_REALTIME at arrival */
    const struct sockaddr *client;
    bool tcp;
    const dnsfw_query_info *info; /* query name, type, class */
    const uint8_t *response;      /* the response sent: its rcode and answers */
    size_t response_len;
    const uint8_t *answers_from; /* if not NULL, the answers come from this message: the */
    size_t answers_len;          /* upstream's answer whose CNAME chain was blocked */
    dnsfw_action action;         /* ALERT and BLOCK get the firewall fields */
    const char *rule_group, *domain_list;
};

int qlog_open(const char *path, unsigned capacity, const struct qlog_fields *fields,
              struct qlog **out);
/* Never blocks on I/O: when the queue is full the record is dropped and counted. */
void qlog_submit(struct qlog *q, const struct qlog_query *rec);
/* Ask the writer to reopen the file (log rotation). */
void qlog_reopen(struct qlog *q);
struct qlog_counts {
    uint64_t written; /* records that write(2) took whole */
    uint64_t dropped; /* records the queue had no room for (the writer fell behind) */
    uint64_t failed;  /* records lost to write errors (a full disk, an I/O error) */
    int last_errno;   /* of the last write error; 0: none */
};
void qlog_get_counts(struct qlog *q, struct qlog_counts *out);
/* Write what is queued, stop the writer, close the file; the final counts. */
void qlog_close(struct qlog *q, struct qlog_counts *counts);

/* --- the event loop (loop.c, clients.c, upstream.c) -------------------------------- */

struct server;

/* Run until SIGTERM or SIGINT. Returns an exit code. */
int serve_run(const struct serve_config *cfg, struct policy_gen *gen, struct qlog *log);

#endif
