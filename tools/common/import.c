/* DEPLOYED, as dnsfw-export's --import and --diff take it: a template file ("-" for
 * stdin) or a directory whose *.json files are saved AWS CLI outputs. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "diag.h"
#include "import.h"

/* Read f whole: 0, -1 (errno set), or 1 when it holds more than *left octets. */
static int read_all(FILE *f, size_t *left, char **text, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0 || n > *left)
            break;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    if (!buf || ferror(f) || n > *left) {
        int tail = buf && n > *left;
        free(buf);
        if (!buf)
            errno = ENOMEM;
        return tail ? 1 : -1;
    }
    *left -= n;
    *text = buf;
    *len = n;
    return 0;
}

/* Read a file of DEPLOYED; *left: what --max-policy-bytes still allows. */
static int read_file(const char *path, size_t *left, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        tool_warn("cannot read %s: %s", path, strerror(errno));
        return EXIT_SYSTEM;
    }
    size_t max = *left;
    int rc = read_all(f, left, text, len);
    int err = errno;
    if (f != stdin)
        fclose(f);
    if (rc > 0) {
        tool_warn("%s: DEPLOYED exceeds the size limit (--max-policy-bytes) of %zu bytes", path,
                  max);
        return EXIT_INVALID;
    }
    if (rc) {
        tool_warn("cannot read %s: %s", path, strerror(err));
        return EXIT_SYSTEM;
    }
    return EXIT_CLEAN;
}

static int status(int rc)
{
    return rc == 0    ? EXIT_CLEAN
           : rc == -2 ? (tool_warn("out of memory"), EXIT_SYSTEM)
                      : EXIT_INVALID;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int import_dir(const char *path, const char *vpc, size_t *left, struct fw_model *m)
{
    DIR *d = opendir(path);
    if (!d) {
        tool_warn("cannot read %s: %s", path, strerror(errno));
        return EXIT_SYSTEM;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = EXIT_CLEAN;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (!nn || !(nn[n] = strdup(e->d_name))) {
            names = nn ? nn : names;
            rc = EXIT_SYSTEM;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (!rc && n == 0) {
        tool_warn("%s: no *.json files (saved aws route53resolver outputs) in it", path);
        rc = EXIT_INVALID;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_name); /* the same order on every run */
    struct cli_import *ci = rc ? NULL : cli_import_new(vpc);
    if (!rc && !ci)
        rc = EXIT_SYSTEM;
    for (size_t i = 0; !rc && i < n; i++) {
        size_t plen = strlen(path) + strlen(names[i]) + 2;
        char *full = malloc(plen);
        char *text = NULL;
        size_t len;
        if (!full) {
            rc = EXIT_SYSTEM;
            break;
        }
        snprintf(full, plen, "%s/%s", path, names[i]);
        rc = read_file(full, left, &text, &len);
        if (!rc)
            rc = status(cli_import_add(ci, full, text, len));
        free(text);
        free(full);
    }
    if (!rc)
        rc = status(cli_import_finish(ci, m));
    cli_import_free(ci);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int import_path(const char *path, const char *vpc, size_t max_bytes, struct fw_model *m)
{
    struct stat st;
    size_t left = max_bytes ? max_bytes : DNSFW_POLICY_MAX_BYTES_DEFAULT;
    fw_model_init(m);
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return import_dir(path, vpc, &left, m);
    char *text;
    size_t len;
    int rc = read_file(path, &left, &text, &len);
    if (rc)
        return rc;
    rc = status(import_cfn(strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, vpc, m));
    free(text);
    return rc;
}
