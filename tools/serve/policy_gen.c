/*
 * Policy generations and reloads. A reload loads and compiles the policy (and the scope
 * map) in a thread of its own, so that the loop keeps answering with the old matcher
 * meanwhile; the loop swaps the new one in when the thread signals its eventfd. A policy
 * that fails to load leaves the old one in force. Files are read within
 * --max-policy-bytes and --reload-timeout, regular files only unless --policy-any-file;
 * a reload that outlasts its deadline anyway is abandoned, never waited for.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"
#include "serve.h"

/* The loop's deadline of a reload is later than the library's time limit on reading, so
 * that a file that does not deliver is reported by the library, with its name. */
#define RELOAD_GRACE_MS 1000

int policy_gen_load(const struct serve_config *cfg, unsigned long serial, struct policy_gen **out)
{
    *out = NULL;
    struct policy_gen *g = calloc(1, sizeof *g);
    if (!g) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    dnsfw_policy *policy = NULL;
    dnsfw_load_limits limits = {.max_bytes = cfg->max_policy_bytes,
                                .timeout_ms = cfg->reload_timeout_ms,
                                .flags = cfg->policy_any_file ? 0 : DNSFW_LOAD_REGULAR_ONLY};
    int rc = tool_load_policy_limited(cfg->policy, cfg->mode, &limits, &policy);
    if (rc == EXIT_CLEAN) {
        tool_note_managed_lists(policy);
        dnsfw_policy_info info;
        dnsfw_policy_get_info(policy, &info);
        g->scoped = info.tiered;
        int st = dnsfw_compile(policy, &g->matcher);
        if (st) {
            tool_warn("cannot compile the policy: %s", dnsfw_strerror(st));
            rc = tool_exit_for_status(st);
        } else {
            tool_warn("policy %s: %zu domain specs in %u lists, %u rule groups, "
                      "fail-%s, %zu bytes",
                      cfg->policy ? cfg->policy : "(built-in default)", info.n_specs, info.n_lists,
                      info.n_groups,
                      (cfg->fail_open < 0 ? info.fail_open : cfg->fail_open) ? "open" : "closed",
                      dnsfw_matcher_memory(g->matcher));
            uint32_t advanced = dnsfw_matcher_threat_rules(g->matcher);
            if (advanced)
                tool_warn("policy %s: %u DNS Firewall Advanced rules are not applied: AWS's "
                          "detectors are not published (dnsfw-eval --report approximates them "
                          "from the query log; docs/egress.md)",
                          cfg->policy ? cfg->policy : "(built-in default)", advanced);
        }
    }
    dnsfw_policy_free(policy);
    if (rc == EXIT_CLEAN && cfg->scope_map) {
        rc = scope_map_load(cfg->scope_map, &g->map);
        if (rc == EXIT_CLEAN && !g->scoped)
            tool_warn("%s: the policy is not tiered (no blueprints): every client is held to "
                      "the whole policy",
                      cfg->scope_map);
    }
    if (rc) {
        policy_gen_unref(g);
        return rc;
    }
    g->fail_open = cfg->fail_open < 0 ? dnsfw_matcher_fail_open(g->matcher) : cfg->fail_open;
    g->refs = 1;
    g->serial = serial;
    *out = g;
    return EXIT_CLEAN;
}

void policy_gen_unref(struct policy_gen *g)
{
    if (!g || (g->refs && --g->refs))
        return;
    dnsfw_matcher_free(g->matcher);
    scope_map_free(g->map);
    free(g);
}

bool policy_gen_scope(struct policy_gen *g, const struct sockaddr *client, uint32_t *scope)
{
    *scope = DNSFW_SCOPE_ALL;
    if (!g->map || !g->scoped)
        return true;
    char text[INET6_ADDRSTRLEN];
    const void *a = client->sa_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)client)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)client)->sin6_addr;
    if (!inet_ntop(client->sa_family, a, text, sizeof text))
        return true;
    const char *repo = scope_map_lookup(g->map, text, strlen(text), NULL, 0);
    if (!repo)
        return true; /* not in the map: the whole policy, as AWS applies it VPC-wide */
    if (dnsfw_matcher_find_scope(g->matcher, repo, scope) == DNSFW_OK)
        return true;
    bool known = false;
    for (size_t i = 0; i < g->n_warned && !known; i++)
        known = g->warned[i] == repo;
    if (!known) {
        tool_warn("scope map: the policy has no blueprint for repository \"%s\" (client %s): "
                  "no policy can be applied to its clients, their queries are %s",
                  repo, text,
                  g->fail_open ? "forwarded unfiltered (fail open)"
                               : "answered SERVFAIL (fail closed)");
        if (g->n_warned < sizeof g->warned / sizeof g->warned[0])
            g->warned[g->n_warned++] = repo;
    }
    return false;
}

/* --- reloads ---------------------------------------------------------------------- */

/*
 * The eventfd through which reload threads wake the loop. A thread that was abandoned
 * may still write to it after the loop has gone, so it is freed by whoever lets go last.
 */
struct reload_chan {
    atomic_uint refs;
    int efd;
};

/* One reload, shared by the loop and its thread: whoever lets go last frees it. */
struct reload_job {
    atomic_uint refs;
    atomic_bool done;
    struct reload_chan *chan;
    struct serve_config cfg; /* a copy: the thread may outlive the loop's configuration */
    unsigned long serial;
    struct policy_gen *result; /* the thread's, until done; then the loop's to take */
    uint64_t deadline_ms;
};

struct reloader {
    const struct serve_config *cfg;
    struct reload_chan *chan;
    struct reload_job *job;   /* running (or done, not collected yet) */
    struct reload_job *stuck; /* abandoned and perhaps still running */
    bool again;
    unsigned long serial;
};

static void chan_unref(struct reload_chan *c)
{
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1) {
        close(c->efd);
        free(c);
    }
}

static void job_unref(struct reload_job *j)
{
    if (!j || atomic_fetch_sub_explicit(&j->refs, 1, memory_order_acq_rel) != 1)
        return;
    policy_gen_unref(j->result); /* a result nobody took */
    chan_unref(j->chan);
    free(j);
}

static bool job_done(struct reload_job *j)
{
    return atomic_load_explicit(&j->done, memory_order_acquire);
}

int reloader_new(const struct serve_config *cfg, struct reloader **out)
{
    struct reloader *r = calloc(1, sizeof *r);
    struct reload_chan *c = calloc(1, sizeof *c);
    if (!r || !c || (c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
        free(r);
        free(c);
        return -1;
    }
    atomic_init(&c->refs, 1);
    r->cfg = cfg;
    r->chan = c;
    r->serial = 1;
    *out = r;
    return 0;
}

void reloader_free(struct reloader *r)
{
    if (!r)
        return;
    job_unref(r->job); /* never joined: a blocked reload must not delay the exit */
    job_unref(r->stuck);
    chan_unref(r->chan);
    free(r);
}

int reloader_fd(const struct reloader *r)
{
    return r->chan->efd;
}

static void *reload_thread(void *arg)
{
    struct reload_job *j = arg;
    struct policy_gen *g = NULL;
    if (policy_gen_load(&j->cfg, j->serial, &g) != EXIT_CLEAN)
        g = NULL;
    j->result = g;
    atomic_store_explicit(&j->done, true, memory_order_release);
    uint64_t one = 1;
    while (write(j->chan->efd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    job_unref(j);
    return NULL;
}

void reloader_start(struct reloader *r, uint64_t now_ms)
{
    if (r->job) {
        r->again = true;
        return;
    }
    if (r->cfg->policy && strcmp(r->cfg->policy, "-") == 0) {
        tool_warn("SIGHUP: the policy was read from stdin and cannot be read again");
        return;
    }
    if (r->stuck) {
        if (!job_done(r->stuck)) {
            tool_warn("SIGHUP: an abandoned reload is still blocked (a file that does not "
                      "answer?): no new reload until it ends");
            return;
        }
        job_unref(r->stuck);
        r->stuck = NULL;
    }
    struct reload_job *j = calloc(1, sizeof *j);
    if (!j) {
        tool_warn("SIGHUP: out of memory");
        return;
    }
    r->again = false;
    j->cfg = *r->cfg;
    j->serial = ++r->serial;
    j->chan = r->chan;
    j->deadline_ms = now_ms + r->cfg->reload_timeout_ms + RELOAD_GRACE_MS;
    atomic_init(&j->refs, 2); /* the loop's and the thread's */
    atomic_init(&j->done, false);
    atomic_fetch_add_explicit(&r->chan->refs, 1, memory_order_relaxed);
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (!rc)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    if (!rc)
        rc = pthread_create(&thread, &attr, reload_thread, j);
    pthread_attr_destroy(&attr);
    if (rc) {
        tool_warn("SIGHUP: cannot start the reload thread: %s", strerror(rc));
        atomic_store(&j->refs, 1);
        job_unref(j);
        return;
    }
    r->job = j;
}

struct policy_gen *reloader_collect(struct reloader *r, bool *failed)
{
    uint64_t v;
    *failed = false;
    while (read(r->chan->efd, &v, sizeof v) < 0 && errno == EINTR)
        ;
    if (!r->job || !job_done(r->job))
        return NULL; /* an abandoned reload that ended late */
    struct policy_gen *g = r->job->result;
    r->job->result = NULL;
    job_unref(r->job);
    r->job = NULL;
    *failed = g == NULL;
    if (r->again)
        reloader_start(r, serve_now_ms());
    return g;
}

bool reloader_check_deadline(struct reloader *r, uint64_t now_ms)
{
    if (!r->job || now_ms < r->job->deadline_ms || job_done(r->job))
        return false;
    tool_warn("reload (generation %lu) did not end within --reload-timeout (%.3g s): abandoned; "
              "a file of the policy may be blocked",
              r->job->serial, r->cfg->reload_timeout_ms / 1000.0);
    job_unref(r->stuck);
    r->stuck = r->job;
    r->job = NULL;
    r->again = false;
    return true;
}
