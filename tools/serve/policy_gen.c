/*
 * Policy generations and reloads. A reload loads and compiles the policy (and the scope
 * map) in a thread of its own, so that the loop keeps answering with the old matcher
 * meanwhile; the loop swaps the new one in when the thread signals its eventfd. A policy
 * that fails to load leaves the old one in force.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"
#include "serve.h"

int policy_gen_load(const struct serve_config *cfg, unsigned long serial, struct policy_gen **out)
{
    *out = NULL;
    struct policy_gen *g = calloc(1, sizeof *g);
    if (!g) {
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    dnsfw_policy *policy = NULL;
    int rc = tool_load_policy(cfg->policy, cfg->mode, &policy);
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

struct reloader {
    const struct serve_config *cfg;
    int efd;
    pthread_t thread;
    bool running, again;
    unsigned long serial;
    /* written by the thread before it signals efd, read by the loop after */
    struct policy_gen *result;
};

int reloader_new(const struct serve_config *cfg, struct reloader **out)
{
    struct reloader *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    r->cfg = cfg;
    r->serial = 1;
    r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->efd < 0) {
        free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void reloader_free(struct reloader *r)
{
    if (!r)
        return;
    if (r->running) {
        pthread_join(r->thread, NULL);
        policy_gen_unref(r->result);
    }
    close(r->efd);
    free(r);
}

int reloader_fd(const struct reloader *r)
{
    return r->efd;
}

static void *reload_thread(void *arg)
{
    struct reloader *r = arg;
    r->result = NULL;
    if (policy_gen_load(r->cfg, r->serial, &r->result) != EXIT_CLEAN)
        r->result = NULL;
    uint64_t one = 1;
    while (write(r->efd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    return NULL;
}

void reloader_start(struct reloader *r)
{
    if (r->running) {
        r->again = true;
        return;
    }
    if (r->cfg->policy && strcmp(r->cfg->policy, "-") == 0) {
        tool_warn("SIGHUP: the policy was read from stdin and cannot be read again");
        return;
    }
    r->serial++;
    r->again = false;
    if (pthread_create(&r->thread, NULL, reload_thread, r) != 0) {
        tool_warn("SIGHUP: cannot start the reload thread: %s", strerror(errno));
        return;
    }
    r->running = true;
}

struct policy_gen *reloader_collect(struct reloader *r, bool *failed)
{
    uint64_t v;
    *failed = false;
    if (read(r->efd, &v, sizeof v) < 0 || !r->running)
        return NULL;
    pthread_join(r->thread, NULL);
    r->running = false;
    struct policy_gen *g = r->result;
    r->result = NULL;
    *failed = g == NULL;
    if (r->again)
        reloader_start(r);
    return g;
}
