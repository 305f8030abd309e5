#include "log_input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "file_set.h"

#define READ_SIZE (256 * 1024)
#define MAX_DEPTH 64

struct reading {
    const struct log_read_options *o;
    log_item_fn fn;
    void *ud;
    dnsfw_logreader *reader;
    struct log_read_stats *st;
    char *buf;
    uint64_t total_size; /* on-disk bytes of every input, when known, for the percentage */
    uint64_t done_size;  /* on-disk bytes read so far */
    struct timespec start, last_progress;
    bool *io_failed;
    struct file_set seen; /* every file and directory read: no link is followed twice */
    int64_t since;        /* --since, when records before it go to o->early */
};

/* Records before --since (read for lead_ms more) go to early(), the others on. */
static int dispatch(void *ud, const dnsfw_log_item *item)
{
    struct reading *rd = ud;
    if (item->kind == DNSFW_ITEM_RECORD && item->record->time < rd->since) {
        rd->st->early++;
        return rd->o->early(rd->ud, item);
    }
    return rd->fn(rd->ud, item);
}

static double now_since(const struct timespec *t)
{
    struct timespec n;
    clock_gettime(CLOCK_MONOTONIC, &n);
    return (double)(n.tv_sec - t->tv_sec) + (double)(n.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress(struct reading *rd, bool final)
{
    if (!rd->o->progress)
        return;
    if (!final && now_since(&rd->last_progress) < 0.5)
        return;
    clock_gettime(CLOCK_MONOTONIC, &rd->last_progress);
    dnsfw_logreader_stats s;
    dnsfw_logreader_get_stats(rd->reader, &s);
    double secs = now_since(&rd->start);
    uint64_t items = s.records + s.not_query + s.malformed + s.outside_window;
    fprintf(stderr, "\r%llu records, %.1f MB, %.0f records/s", (unsigned long long)items,
            (double)s.bytes / 1e6, secs > 0 ? (double)items / secs : 0);
    if (rd->total_size)
        fprintf(stderr, ", %.0f%%", 100.0 * (double)rd->done_size / (double)rd->total_size);
    fputs(final ? "\n" : "   ", stderr);
}

/* An input the machine could not read: an item of its own, and the run goes on. */
static void cannot_read(struct reading *rd, const char *file, uint64_t line, int status,
                        const char *what)
{
    *rd->io_failed = true;
    dnsfw_log_item item = {.kind = DNSFW_ITEM_MALFORMED,
                           .status = status,
                           .reason = what,
                           .where = {.source = file, .line = line}};
    rd->fn(rd->ud, &item);
}

/* Something the walk says about an input, which is not an error in it. */
static void notice(struct reading *rd, const char *file, const char *what)
{
    dnsfw_log_item item = {.kind = DNSFW_ITEM_NOTICE, .reason = what, .where = {.source = file}};
    rd->fn(rd->ud, &item);
}

/* Feed one open input to the reader. */
static void read_fd(struct reading *rd, int fd, const char *name)
{
    rd->st->files++;
    int rc = dnsfw_logreader_begin(rd->reader, name);
    for (;;) {
        if (rc)
            break;
        ssize_t n = read(fd, rd->buf, READ_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            char what[256];
            snprintf(what, sizeof what, "read error (%s); the rest of the input is skipped",
                     strerror(errno));
            cannot_read(rd, name, 0, DNSFW_EIO, what);
            break;
        }
        if (n == 0)
            break;
        rd->done_size += (uint64_t)n;
        rc = dnsfw_logreader_feed(rd->reader, rd->buf, (size_t)n);
        progress(rd, false);
    }
    if (!rc)
        rc = dnsfw_logreader_end(rd->reader);
    if (rc == DNSFW_ENOMEM)
        cannot_read(rd, name, 0, DNSFW_ENOMEM, "out of memory; the rest of the input is skipped");
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_path(struct reading *rd, const char *path, int depth);

static void read_dir(struct reading *rd, const char *path, int depth)
{
    DIR *d = opendir(path);
    if (!d) {
        cannot_read(rd, path, 0, DNSFW_EIO, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue; /* hidden files, . and .. */
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        if ((names[n] = strdup(e->d_name)))
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);
        if (child) {
            snprintf(child, len, "%s/%s", path, names[i]);
            read_path(rd, child, depth + 1);
            free(child);
        }
        free(names[i]);
    }
    free(names);
}

static void read_path(struct reading *rd, const char *path, int depth)
{
    if (strcmp(path, "-") == 0) {
        read_fd(rd, STDIN_FILENO, "<stdin>");
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        cannot_read(rd, path, 0, DNSFW_EIO, strerror(errno));
        return;
    }
    if (file_set_add(&rd->seen, &st) == 0) {
        notice(rd, path,
               S_ISDIR(st.st_mode)
                   ? "a directory already read (through a symbolic link), skipped"
                   : "a file already read (through a symbolic link, or named twice), "
                     "skipped");
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth >= MAX_DEPTH) {
            cannot_read(rd, path, 0, DNSFW_EIO, "directories nested too deeply, skipped");
            return;
        }
        read_dir(rd, path, depth);
        return;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        cannot_read(rd, path, 0, DNSFW_EIO, strerror(errno));
        return;
    }
    read_fd(rd, fd, path);
    close(fd);
}

/* Sum of the on-disk sizes, for the progress percentage (0 when stdin is among them). */
static uint64_t size_of(const char *path, int depth, struct file_set *seen)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || file_set_add(seen, &st) == 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return (uint64_t)st.st_size;
    DIR *d = depth < MAX_DEPTH ? opendir(path) : NULL;
    uint64_t total = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        total += size_of(child, depth + 1, seen);
    }
    if (d)
        closedir(d);
    return total;
}

void log_location_text(const dnsfw_log_location *w, char *buf, size_t size)
{
    const char *src = w->source ? w->source : "<input>";
    if (!w->line)
        snprintf(buf, size, "%s", src);
    else if (w->array)
        snprintf(buf, size, "%s:%llu: %s[%llu]", src, (unsigned long long)w->line, w->array,
                 (unsigned long long)w->index);
    else
        snprintf(buf, size, "%s:%llu", src, (unsigned long long)w->line);
}

int log_parse_time(const char *text, int64_t now_ms, int64_t *ms)
{
    if (dnsfw_time_parse(text, strlen(text), ms) == DNSFW_OK)
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    static const struct {
        char unit;
        int64_t ms;
    } units[] = {{'w', 7 * 86400000LL}, {'d', 86400000LL}, {'h', 3600000LL}, {'m', 60000LL}};
    if (end == text || errno || end[0] == '\0' || end[1] != '\0' || n > 100000)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (*end == units[i].unit) {
            *ms = now_ms - (int64_t)n * units[i].ms;
            return 0;
        }
    }
    return -1;
}

/* Seconds east of UTC of the local time zone now (for stamps written in local time). */
static int32_t local_offset(time_t now)
{
    struct tm lt, gt;
    if (!localtime_r(&now, &lt) || !gmtime_r(&now, &gt))
        return 0;
    int days = lt.tm_yday - gt.tm_yday;
    if (lt.tm_year != gt.tm_year)
        days = lt.tm_year > gt.tm_year ? 1 : -1;
    return (int32_t)(days * 86400 + (lt.tm_hour - gt.tm_hour) * 3600 +
                     (lt.tm_min - gt.tm_min) * 60 + (lt.tm_sec - gt.tm_sec));
}

static int format_of(const struct log_read_options *o, dnsfw_log_format *f)
{
    static const struct {
        const char *name;
        dnsfw_log_format format;
    } formats[] = {{"auto", DNSFW_LOG_AUTO},
                   {"route53", DNSFW_LOG_ROUTE53},
                   {"cloudwatch-export", DNSFW_LOG_CW_EXPORT},
                   {"cloudwatch", DNSFW_LOG_CLOUDWATCH},
                   {"eventbridge", DNSFW_LOG_EVENTBRIDGE},
                   {"dnsmasq", DNSFW_LOG_DNSMASQ},
                   {"bind", DNSFW_LOG_BIND},
                   {"unbound", DNSFW_LOG_UNBOUND},
                   {"custom", DNSFW_LOG_CUSTOM}};
    *f = o->pattern ? DNSFW_LOG_CUSTOM : DNSFW_LOG_AUTO;
    if (!o->format)
        return EXIT_CLEAN;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcmp(o->format, formats[i].name) == 0) {
            *f = formats[i].format;
            if ((*f == DNSFW_LOG_CUSTOM) != (o->pattern != NULL)) {
                tool_warn("--log-pattern goes with --log-format custom, and it needs one");
                return EXIT_USAGE;
            }
            return EXIT_CLEAN;
        }
    }
    tool_warn("--log-format must be " LOG_FORMAT_NAMES ", not \"%s\"", o->format);
    return EXIT_USAGE;
}

int log_read(const struct log_read_options *o, log_item_fn fn, void *ud,
             struct log_read_stats *stats, bool *io_failed)
{
    memset(stats, 0, sizeof *stats);
    *io_failed = false;
    time_t now = time(NULL);
    dnsfw_logreader_options ro = {.on_item = fn,
                                  .userdata = ud,
                                  .pattern = o->pattern,
                                  .now = (int64_t)now * 1000,
                                  .local_offset = local_offset(now),
                                  .since = DNSFW_TIME_NONE,
                                  .until = DNSFW_TIME_NONE};
    int rc = format_of(o, &ro.format);
    if (rc)
        return rc;
    if (o->flows) {
        ro.records = DNSFW_RECORDS_FLOW;
        ro.flow_format = o->flow_format;
    }
    if (o->times)
        ro.flags |= DNSFW_LOGREADER_TIMES;
    if (o->since && log_parse_time(o->since, ro.now, &ro.since) != 0) {
        tool_warn("--since must be an RFC 3339 time, a date or a span such as 14d, not \"%s\"",
                  o->since);
        return EXIT_USAGE;
    }
    if (o->until && log_parse_time(o->until, ro.now, &ro.until) != 0) {
        tool_warn("--until must be an RFC 3339 time, a date or a span such as 14d, not \"%s\"",
                  o->until);
        return EXIT_USAGE;
    }
    if (o->since && o->until && ro.since >= ro.until) {
        tool_warn("--since must be before --until");
        return EXIT_USAGE;
    }
    struct reading rd = {.o = o, .fn = fn, .ud = ud, .st = stats, .io_failed = io_failed};
    if (o->since && o->lead_ms > 0 && o->early && ro.since > INT64_MIN + o->lead_ms) {
        rd.since = ro.since;
        ro.since -= o->lead_ms;
        ro.on_item = dispatch;
        ro.userdata = &rd;
    }
    dnsfw_error err = {0};
    rc = dnsfw_logreader_new(&rd.reader, &ro, &err);
    if (rc) {
        const char *msg = err.message[0] ? err.message : dnsfw_strerror(rc);
        if (err.column)
            tool_warn("--log-pattern: column %u: %s", err.column, msg);
        else
            tool_warn("--log-pattern: %s", msg);
        return rc == DNSFW_ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
    }
    if (!(rd.buf = malloc(READ_SIZE))) {
        dnsfw_logreader_free(rd.reader);
        tool_warn("out of memory");
        return EXIT_SYSTEM;
    }
    clock_gettime(CLOCK_MONOTONIC, &rd.start);
    rd.last_progress = rd.start;
    struct file_set sized = {0};
    for (size_t i = 0; o->progress && i < o->n_paths; i++) {
        if (strcmp(o->paths[i], "-") == 0) {
            rd.total_size = 0;
            break;
        }
        rd.total_size += size_of(o->paths[i], 0, &sized);
    }
    file_set_free(&sized);
    for (size_t i = 0; i < o->n_paths; i++)
        read_path(&rd, o->paths[i], 0);
    progress(&rd, true);
    dnsfw_logreader_get_stats(rd.reader, &stats->reader);
    dnsfw_logreader_free(rd.reader);
    file_set_free(&rd.seen);
    free(rd.buf);
    return EXIT_CLEAN;
}
