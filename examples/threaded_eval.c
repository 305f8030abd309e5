/*
 * threaded_eval: one compiled matcher shared by several threads, without locks.
 *
 *   threaded_eval [POLICY.json]
 *
 * A dnsfw_matcher never changes after dnsfw_compile(), and dnsfw_eval() only reads it,
 * keeping its state on the stack. So every thread evaluates against the same matcher
 * at the same time; only the verdicts (and the counters here) are per thread. The
 * program checks that every thread reached the same verdicts as the main thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <dnsfw/dnsfw.h>

#define N_THREADS 4
#define ROUNDS    2500

static const char *const names[] = {
    "github.com",     "api.github.com",         "raw.githubusercontent.com",
    "pypi.org",       "files.pythonhosted.org", "s3.us-east-1.amazonaws.com",
    "amazonaws.com",  "evil.example",           "exfil-4f2a9c.attacker.example",
    "deb.debian.org",
};
#define N_NAMES (sizeof names / sizeof names[0])

struct job {
    const dnsfw_matcher *m; /* shared, read-only */
    unsigned counts[4];     /* per thread: verdicts by dnsfw_action */
    int status;
};

static void *work(void *arg)
{
    struct job *j = arg;
    for (unsigned r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < N_NAMES; i++) {
            dnsfw_verdict v;
            if (dnsfw_eval(j->m, names[i], strlen(names[i]), 1, DNSFW_SCOPE_ALL, &v) != DNSFW_OK) {
                j->status = -1;
                return NULL;
            }
            j->counts[v.action]++;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    dnsfw_policy *policy;
    dnsfw_error err = {0};
    int rc = argc > 1 ? dnsfw_policy_load_file(&policy, argv[1], &err)
                      : dnsfw_policy_new_default(&policy);
    if (rc != DNSFW_OK) {
        fprintf(stderr, "threaded_eval: %s\n", err.message[0] ? err.message : dnsfw_strerror(rc));
        return 1;
    }
    dnsfw_matcher *m;
    rc = dnsfw_compile(policy, &m);
    dnsfw_policy_free(policy);
    if (rc != DNSFW_OK) {
        fprintf(stderr, "threaded_eval: %s\n", dnsfw_strerror(rc));
        return 1;
    }

    /* The reference: the same work in this thread. */
    struct job ref = {.m = m};
    work(&ref);

    struct job jobs[N_THREADS];
    pthread_t tids[N_THREADS];
    int started = 0, status = ref.status;
    for (; started < N_THREADS; started++) {
        jobs[started] = (struct job){.m = m};
        if (pthread_create(&tids[started], NULL, work, &jobs[started]) != 0) {
            status = -1;
            break;
        }
    }
    for (int t = 0; t < started; t++) {
        pthread_join(tids[t], NULL);
        if (jobs[t].status != 0 || memcmp(jobs[t].counts, ref.counts, sizeof ref.counts) != 0)
            status = -1;
    }
    /* Only after every thread has finished may the matcher be freed. */
    dnsfw_matcher_free(m);

    printf("%d threads x %u evaluations: ALLOW %u, ALERT %u, BLOCK %u, NONE %u each%s\n", started,
           ROUNDS * (unsigned)N_NAMES, ref.counts[DNSFW_ACTION_ALLOW],
           ref.counts[DNSFW_ACTION_ALERT], ref.counts[DNSFW_ACTION_BLOCK],
           ref.counts[DNSFW_ACTION_NONE], status == 0 ? "" : " -- threads DISAGREE");
    return status == 0 ? 0 : 1;
}
