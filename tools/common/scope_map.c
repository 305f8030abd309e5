#include "scope_map.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "common.h"

struct entry {
    bool instance; /* key is an instance id ("i-...") or a network interface id ("eni-...") */
    char *key;
    struct cidr net; /* when not an id */
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
    const char *why;
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
        } else if (!cidr_parse(key, &e->net, &why)) {
            tool_warn("%s:%zu: \"%s\" is not an address, a CIDR block, an instance id or a "
                      "network interface id (%s)",
                      path, lineno, key, why);
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
        if (!e->instance && cidr_contains(&e->net, family, a) &&
            (!best || e->net.prefix > best->net.prefix))
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
                                   .family = e->net.family,
                                   .net = e->net.addr,
                                   .prefix = e->net.prefix,
                                   .repo = e->repo};
}
