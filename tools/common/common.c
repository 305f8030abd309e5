#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "dnsfw";

void tool_set_name(const char *name)
{
    progname = name;
}

const char *tool_name(void)
{
    return progname;
}

void tool_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr); /* one line, even when several threads warn */
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}

void tool_print_version(void)
{
    printf("%s %s (libdnsfw %s)\n", progname, dnsfw_version(), dnsfw_version());
}

int tool_finish_stdout(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return EXIT_CLEAN;
    tool_warn("cannot write to standard output: %s", strerror(errno));
    return EXIT_SYSTEM;
}

bool tool_parse_size(const char *arg, const char *opt, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    unsigned shift = 0;
    if (end != arg && (*end == 'K' || *end == 'k'))
        shift = 10;
    else if (end != arg && *end == 'M')
        shift = 20;
    else if (end != arg && *end == 'G')
        shift = 30;
    if (shift)
        end++;
    const unsigned long long max = 1ull << 40;
    if (end == arg || *end || arg[0] == '-' || errno || v == 0 || v > (max >> shift)) {
        tool_warn("%s needs a number of bytes from 1 to 1T (K, M, G: KiB, MiB, GiB), not \"%s\"",
                  opt, arg);
        return false;
    }
    *out = (size_t)(v << shift);
    return true;
}

int tool_option_error(int opt, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (strncmp(arg, "--", 2) != 0) /* a short option, perhaps inside a cluster like -hx */
        tool_warn(opt == ':' ? "option requires an argument -- '%c'" : "invalid option -- '%c'",
                  optopt);
    else if (opt == ':')
        tool_warn("option '%s' needs an argument", arg);
    else if (strchr(arg, '='))
        tool_warn("unknown option '%.*s', or it takes no argument", (int)strcspn(arg, "="), arg);
    else
        tool_warn("unknown option '%s'", arg);
    fprintf(stderr, "Try '%s --help'.\n", progname);
    return EXIT_USAGE;
}

int tool_exit_for_status(int status)
{
    switch (status) {
    case DNSFW_OK:
        return EXIT_CLEAN;
    case DNSFW_ENOMEM:
    case DNSFW_EIO:
    case DNSFW_ETIMEDOUT:
        return EXIT_SYSTEM;
    default:
        return EXIT_INVALID;
    }
}

static int report(dnsfw_error *err, int status)
{
    /* The library names its limit by its field; the tools by their option. */
    char *field = strstr(err->message, "(max_bytes)");
    if (field) {
        char rest[sizeof err->message];
        snprintf(rest, sizeof rest, "%s", field + strlen("(max_bytes)"));
        snprintf(field, sizeof err->message - (size_t)(field - err->message),
                 "(--max-policy-bytes)%s", rest);
    }
    if (err->line)
        tool_warn("%s:%u:%u: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0])
        tool_warn("%s: %s", err->file, err->message[0] ? err->message : dnsfw_strerror(status));
    else
        tool_warn("%s", err->message[0] ? err->message : dnsfw_strerror(status));
    return tool_exit_for_status(status);
}

/* Read stdin up to max octets: 0, -1 (errno set) or 1 when there is more than max. */
static int read_stdin(size_t max, char **text, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, stdin);
        n += r;
        if (r == 0 || n > max)
            break;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    if (!buf || ferror(stdin) || n > max) {
        free(buf);
        if (!buf)
            errno = ENOMEM;
        return buf && n > max ? 1 : -1;
    }
    *text = buf;
    *len = n;
    return 0;
}

int tool_load_policy_limited(const char *path, const char *mode, const dnsfw_load_limits *limits,
                             dnsfw_policy **out)
{
    dnsfw_error err = {0};
    int rc;
    *out = NULL;
    if (!path) {
        rc = dnsfw_policy_new_default(out);
    } else if (strcmp(path, "-") == 0) {
        char *text;
        size_t len;
        size_t max =
            limits && limits->max_bytes ? limits->max_bytes : DNSFW_POLICY_MAX_BYTES_DEFAULT;
        int r = read_stdin(max, &text, &len);
        if (r > 0) {
            tool_warn("<stdin>: the policy exceeds the size limit (--max-policy-bytes) of %zu "
                      "bytes",
                      max);
            return EXIT_INVALID;
        }
        if (r < 0) {
            tool_warn("cannot read the policy from stdin: %s", strerror(errno));
            return EXIT_SYSTEM;
        }
        rc = dnsfw_policy_from_json_limited(out, text, len, "<stdin>", ".", limits, &err);
        free(text);
    } else {
        rc = dnsfw_policy_load_file_limited(out, path, limits, &err);
    }
    if (rc)
        return report(&err, rc);
    if (mode) {
        dnsfw_mode m;
        if (strcmp(mode, "observe") == 0)
            m = DNSFW_MODE_OBSERVE;
        else if (strcmp(mode, "enforce") == 0)
            m = DNSFW_MODE_ENFORCE;
        else {
            tool_warn("--mode must be observe or enforce, not \"%s\"", mode);
            dnsfw_policy_free(*out);
            *out = NULL;
            return EXIT_USAGE;
        }
        if (dnsfw_policy_set_mode(*out, m) != DNSFW_OK) {
            tool_warn("--mode applies to the tiered policy form only");
            dnsfw_policy_free(*out);
            *out = NULL;
            return EXIT_USAGE;
        }
    }
    return EXIT_CLEAN;
}

void tool_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        /* Names and most values need no escape: write them in runs, not a byte at a time. */
        size_t run = 0;
        while (p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
            run++;
        fwrite(p, 1, run, f);
        p += run;
        if (!*p)
            break;
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            fprintf(f, "\\u%04x", *p);
        }
        p++;
    }
    fputc('"', f);
}

void tool_json_string_or_null(FILE *f, const char *s)
{
    if (s)
        tool_json_string(f, s);
    else
        fputs("null", f);
}

void tool_note_managed_lists(const dnsfw_policy *p)
{
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    for (uint32_t i = 0; i < info.n_lists; i++) {
        dnsfw_managed_info m;
        if (dnsfw_policy_list_managed(p, i, &m) != DNSFW_OK || !m.managed)
            continue;
        const char *name = dnsfw_policy_list_name(p, i);
        if (m.stand_in)
            tool_warn("domain list \"%s\" is AWS-managed (%s): AWS does not disclose its "
                      "domains; evaluated with its local stand-in of %zu entries, not AWS's",
                      name, m.aws_name ? m.aws_name : "known by id", dnsfw_policy_list_size(p, i));
        else
            tool_warn("domain list \"%s\" is AWS-managed (%s): AWS does not disclose its "
                      "domains, so here it matches no name (give it a \"stand_in\")",
                      name, m.aws_name ? m.aws_name : "known by id");
    }
}
