#include "scope_map.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct entry {
    bool instance; /* key is an instance id ("i-...") or a network interface id ("eni-...") */
    char *key;
    int family; /* AF_INET or AF_INET6 */
    unsigned char net[16];
    unsigned prefix; /* bits */
    char *repo;
};

struct scope_map {
    struct entry *e;
    size_t n, cap;
};

void scope_map_free(struct scope_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->e[i].key);
        free(m->e[i].repo);
    }
    free(m->e);
    free(m);
}

static bool parse_cidr(const char *s, struct entry *e)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    if (alen >= sizeof addr)
        return false;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (inet_pton(AF_INET, addr, e->net) == 1)
        e->family = AF_INET;
    else if (inet_pton(AF_INET6, addr, e->net) == 1)
        e->family = AF_INET6;
    else
        return false;
    unsigned max = e->family == AF_INET ? 32 : 128;
    e->prefix = max;
    if (slash) {
        char *end;
        unsigned long p = strtoul(slash + 1, &end, 10);
        if (*end || end == slash + 1 || p > max)
            return false;
        e->prefix = (unsigned)p;
    }
    return true;
}

int scope_map_load(const char *path, struct scope_map **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        tool_warn("%s: cannot open the scope map", path);
        return EXIT_SYSTEM;
    }
    struct scope_map *m = calloc(1, sizeof *m);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    int rc = m ? EXIT_CLEAN : EXIT_SYSTEM;
    while (rc == EXIT_CLEAN && getline(&line, &cap, f) >= 0) {
        lineno++;
        char key[256], repo[1024], extra[2];
        int n = sscanf(line, " %255s %1023s %1s", key, repo, extra);
        if (n <= 0 || key[0] == '#')
            continue;
        if (n != 2) {
            tool_warn("%s:%zu: expected \"ADDRESS-OR-CIDR-OR-ID REPO\"", path, lineno);
            rc = EXIT_INVALID;
            break;
        }
        if (m->n == m->cap) {
            struct entry *ne = realloc(m->e, (m->cap = m->cap ? m->cap * 2 : 16) * sizeof *ne);
            if (!ne) {
                rc = EXIT_SYSTEM;
                break;
            }
            m->e = ne;
        }
        struct entry *e = &m->e[m->n];
        memset(e, 0, sizeof *e);
        if (strncmp(key, "i-", 2) == 0 || strncmp(key, "eni-", 4) == 0) {
            e->instance = true;
            e->key = strdup(key);
        } else if (!parse_cidr(key, e)) {
            tool_warn("%s:%zu: \"%s\" is not an address, a CIDR block, an instance id or a "
                      "network interface id",
                      path, lineno, key);
            rc = EXIT_INVALID;
            break;
        }
        e->repo = strdup(repo);
        if ((e->instance && !e->key) || !e->repo) {
            free(e->key);
            free(e->repo);
            rc = EXIT_SYSTEM;
            break;
        }
        m->n++;
    }
    free(line);
    fclose(f);
    if (rc) {
        scope_map_free(m);
        return rc;
    }
    *out = m;
    return EXIT_CLEAN;
}

static bool in_prefix(const unsigned char *a, const unsigned char *net, unsigned prefix)
{
    unsigned full = prefix / 8, rest = prefix % 8;
    if (memcmp(a, net, full) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

const char *scope_map_lookup(const struct scope_map *m, const char *addr, size_t addr_len,
                             const char *instance, size_t instance_len)
{
    if (!m)
        return NULL;
    if (instance)
        for (size_t i = 0; i < m->n; i++)
            if (m->e[i].instance && strlen(m->e[i].key) == instance_len &&
                memcmp(m->e[i].key, instance, instance_len) == 0)
                return m->e[i].repo;
    char buf[64];
    unsigned char a[16];
    int family;
    if (!addr || addr_len >= sizeof buf)
        return NULL;
    memcpy(buf, addr, addr_len);
    buf[addr_len] = '\0';
    if (inet_pton(AF_INET, buf, a) == 1)
        family = AF_INET;
    else if (inet_pton(AF_INET6, buf, a) == 1)
        family = AF_INET6;
    else
        return NULL;
    const struct entry *best = NULL;
    for (size_t i = 0; i < m->n; i++) {
        const struct entry *e = &m->e[i];
        if (!e->instance && e->family == family && in_prefix(a, e->net, e->prefix) &&
            (!best || e->prefix > best->prefix))
            best = e;
    }
    return best ? best->repo : NULL;
}

size_t scope_map_count(const struct scope_map *m)
{
    return m ? m->n : 0;
}

void scope_map_item(const struct scope_map *m, size_t i, struct scope_map_item *out)
{
    const struct entry *e = &m->e[i];
    *out = (struct scope_map_item){.instance = e->instance ? e->key : NULL,
                                   .family = e->family,
                                   .net = e->net,
                                   .prefix = e->prefix,
                                   .repo = e->repo};
}
