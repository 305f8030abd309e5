/*
 * libdnsfw — a Route 53 Resolver DNS Firewall policy engine.
 *
 * The life of a policy:
 *
 *   dnsfw_policy   a mutable description of the rule set (domain lists, rule groups,
 *                  rules, fail-open), loaded from JSON or built with the functions
 *                  below. Use it from one thread at a time.
 *   dnsfw_matcher  the immutable result of dnsfw_compile(). It never changes and
 *                  never references the policy, so the policy may be freed at once.
 *                  Any number of threads may evaluate against one matcher at the same
 *                  time, without locks: the dnsfw_eval*() functions take a const
 *                  matcher, allocate nothing and keep their state on the stack.
 *
 * Every fallible function returns DNSFW_OK (0) or a negative dnsfw_status; results come
 * back through out-parameters placed last. dnsfw_strerror() turns a status into text.
 * The library never prints, never exits and reads no file it was not given.
 *
 * Matching semantics are AWS's (docs/matching.md): a spec "name" matches that name
 * only, "*.suffix" matches every name strictly below suffix at any depth, "*" matches
 * every name. Rule groups are evaluated by ascending priority, rules inside a group by
 * ascending priority, and the first matching rule ends evaluation for ALLOW, ALERT and
 * BLOCK alike. No match is DNSFW_ACTION_NONE.
 */
#ifndef DNSFW_DNSFW_H
#define DNSFW_DNSFW_H

#include <stddef.h>
#include <stdint.h>

#include <dnsfw/version.h>

#if defined(DNSFW_BUILDING) && defined(__GNUC__)
#define DNSFW_API __attribute__((visibility("default")))
#else
#define DNSFW_API
#endif

#if defined(__GNUC__)
#define DNSFW_MUSTCHECK __attribute__((warn_unused_result))
#else
#define DNSFW_MUSTCHECK
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Status codes. The numbers are ABI: a code never changes meaning and new codes are
 * only appended (docs/errors.md lists the release that introduced each one).
 */
typedef enum dnsfw_status {
    DNSFW_OK = 0,
    DNSFW_ENOMEM = -1,      /**< an allocation failed */
    DNSFW_EINVAL = -2,      /**< invalid argument (NULL pointer, value out of range) */
    DNSFW_EEMPTYLABEL = -3, /**< a name has an empty label */
    DNSFW_ELABELLEN = -4,   /**< a label is longer than 63 octets */
    DNSFW_ENAMELEN = -5,    /**< a name is longer than 255 octets in wire form */
    DNSFW_EESCAPE = -6,     /**< a name has a malformed escape (\DDD over 255, lone \) */
    DNSFW_EBADSPEC = -7,    /**< a domain spec is not AWS syntax */
    DNSFW_EPARSE = -8,      /**< a document is not well-formed (JSON syntax) */
    DNSFW_ESCHEMA = -9,     /**< a document has an unknown key, a wrong type or value */
    DNSFW_EDUPLICATE = -10, /**< a name or priority that must be unique is repeated */
    DNSFW_ENOTFOUND = -11,  /**< a named object (domain list, scope) does not exist */
    DNSFW_ELIMIT = -12,     /**< a size limit was exceeded */
    DNSFW_EQTYPE = -13,     /**< unknown or malformed query type */
    DNSFW_ENOSPC = -14,     /**< the caller's buffer is too small */
    DNSFW_EIO = -15,        /**< a file could not be read */
    DNSFW_EENCODING = -16,  /**< text is not valid UTF-8, or contains a NUL byte */
    DNSFW_ENOTQUERY = -17,  /**< a log line of the format that records no query */
    DNSFW_EBADPACKET = -18, /**< a DNS message is malformed, or is not the answer to the query */
    DNSFW_ENOTIMPL = -19,   /**< a DNS opcode or EDNS version that is not implemented */
    DNSFW_ETIMEDOUT = -20,  /**< a file did not deliver its contents within the time limit */
} dnsfw_status;

/** A static, never NULL, English description of a status code. */
DNSFW_API const char *dnsfw_strerror(int status);

/** The library's version string ("0.1.0") and number (DNSFW_VERSION_NUMBER). */
DNSFW_API const char *dnsfw_version(void);
DNSFW_API unsigned dnsfw_version_number(void);

/* ---------------------------------------------------------------------------------- */
/* Enumerations shared by the policy and the verdicts                                  */

typedef enum dnsfw_action {
    DNSFW_ACTION_NONE = 0, /**< no rule matched: the query resolves normally */
    DNSFW_ACTION_ALLOW = 1,
    DNSFW_ACTION_ALERT = 2,
    DNSFW_ACTION_BLOCK = 3,
} dnsfw_action;

typedef enum dnsfw_block_response {
    DNSFW_RESPONSE_NONE = 0, /**< not a BLOCK rule */
    DNSFW_RESPONSE_NODATA = 1,
    DNSFW_RESPONSE_NXDOMAIN = 2,
    DNSFW_RESPONSE_OVERRIDE = 3,
} dnsfw_block_response;

typedef enum dnsfw_redirection {
    DNSFW_REDIRECTION_INSPECT = 0, /**< every name of the CNAME/DNAME chain is evaluated */
    DNSFW_REDIRECTION_TRUST = 1,   /**< the chain after the matched name is trusted */
} dnsfw_redirection;

typedef enum dnsfw_mode {
    DNSFW_MODE_OBSERVE = 0, /**< tiered form: the catch-all rule ALERTs */
    DNSFW_MODE_ENFORCE = 1, /**< tiered form: the catch-all rule BLOCKs */
} dnsfw_mode;

/**
 * DNS Firewall Advanced protections (a rule's DnsThreatProtection). AWS does not publish
 * its detectors: the library keeps these rules in the policy and in order, and
 * evaluates them only against detections the caller supplies (dnsfw_eval_threats());
 * dnsfw-eval's replay supplies its own heuristics, an approximation (docs/egress.md).
 */
typedef enum dnsfw_threat {
    DNSFW_THREAT_NONE = 0, /**< not an Advanced rule: a domain-list rule */
    DNSFW_THREAT_DGA = 1,
    DNSFW_THREAT_DNS_TUNNELING = 2,
    DNSFW_THREAT_DICTIONARY_DGA = 3,
} dnsfw_threat;
#define DNSFW_THREAT_COUNT 4

/** An Advanced rule's ConfidenceThreshold, and the confidence of a detection. A rule
 * acts on detections of its threshold or above: LOW catches the most, HIGH the fewest. */
typedef enum dnsfw_confidence {
    DNSFW_CONFIDENCE_NONE = 0, /**< no detection; not an Advanced rule */
    DNSFW_CONFIDENCE_LOW = 1,
    DNSFW_CONFIDENCE_MEDIUM = 2,
    DNSFW_CONFIDENCE_HIGH = 3,
} dnsfw_confidence;

typedef enum dnsfw_entry_kind {
    DNSFW_ENTRY_NONE = 0,
    DNSFW_ENTRY_EXACT = 1,    /**< "name" */
    DNSFW_ENTRY_WILDCARD = 2, /**< "*.suffix" */
    DNSFW_ENTRY_ALL = 3,      /**< "*" */
} dnsfw_entry_kind;

/** Index value meaning "none" in verdicts and info structs. */
#define DNSFW_NONE UINT32_MAX

/** Longest domain spec AWS accepts, in characters. */
#define DNSFW_SPEC_MAX 255
/** Buffer size that holds any presentation-form name this library prints (escapes included). */
#define DNSFW_NAME_TEXT_MAX 1024

/* ---------------------------------------------------------------------------------- */
/* Error details                                                                       */

/**
 * Where and why a document was rejected. Filled by the functions that take a
 * `dnsfw_error *` (which may be NULL). line and column are 1-based; 0 means unknown.
 * The column counts bytes. message holds the reason, for example
 * `unknown key "prioity" in rule_groups[0].rules[1]`.
 */
typedef struct dnsfw_error {
    int status;
    char file[512];
    uint32_t line;
    uint32_t column;
    char message[512];
} dnsfw_error;

/* ---------------------------------------------------------------------------------- */
/* Names and query types                                                               */

/**
 * Normalise a presentation-form name ("WWW.Example.COM", "a\.b.example.", "\065.com")
 * to lower case with one trailing dot and canonical escapes, as Route 53 logs write
 * query names. Writes a NUL-terminated string; *outlen (may be NULL) gets its length.
 * @return DNSFW_OK, a name error (DNSFW_EEMPTYLABEL, DNSFW_ELABELLEN, DNSFW_ENAMELEN,
 *         DNSFW_EESCAPE) or DNSFW_ENOSPC.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_name_normalize(const char *name, size_t len, char *out,
                                                   size_t size, size_t *outlen);

/**
 * Parse a query type: a mnemonic known to ldns ("A", "aaaa", "HTTPS") or "TYPEn"
 * with 1 <= n <= 65535. Case-insensitive.
 * @return DNSFW_OK or DNSFW_EQTYPE.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_qtype_parse(const char *text, size_t len, uint16_t *qtype);

/** Write the mnemonic of qtype ("AAAA", or "TYPE65400") into buf. DNSFW_ENOSPC if short. */
DNSFW_API int dnsfw_qtype_format(uint16_t qtype, char *buf, size_t size);

/**
 * Check and normalise one domain spec the way AWS stores it in a domain list: lower
 * case, no trailing dot, "*" for match-all. On error *reason (may be NULL) points to a
 * static explanation ("'*' is only allowed as the whole first label").
 * @return DNSFW_OK, DNSFW_EBADSPEC or DNSFW_ENOSPC.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_spec_normalize(const char *spec, size_t len, char *out,
                                                   size_t size, const char **reason);

/* ---------------------------------------------------------------------------------- */
/* Policies                                                                            */

typedef struct dnsfw_policy dnsfw_policy;

/** A new empty policy of the general form: no lists, no groups, fail-open off. */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_new(dnsfw_policy **out);

/**
 * The embedded default: the platform's tiered policy with the built-in baseline,
 * observe mode, fail-open, no blueprints (contract §1.1).
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_new_default(dnsfw_policy **out);

/**
 * Load a policy from JSON text (either form of docs/policy-format.md).
 * @param source   name used in error messages ("policy.json", "<stdin>"); may be NULL
 * @param base_dir directory against which `{ "file": PATH }` lists are resolved;
 *                 NULL means the current directory
 * @return DNSFW_OK, or DNSFW_EPARSE, DNSFW_EENCODING, DNSFW_ESCHEMA, DNSFW_EBADSPEC,
 *         DNSFW_EDUPLICATE, DNSFW_ENOTFOUND, DNSFW_ELIMIT, DNSFW_EQTYPE, DNSFW_EIO,
 *         DNSFW_ENOMEM with details in *err.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_from_json(dnsfw_policy **out, const char *text,
                                                     size_t len, const char *source,
                                                     const char *base_dir, dnsfw_error *err);

/** Read the file at path and load it with dnsfw_policy_from_json(); lists resolve beside it. */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_load_file(dnsfw_policy **out, const char *path,
                                                     dnsfw_error *err);

/**
 * Default of dnsfw_load_limits.max_bytes, and the limit of the loaders that take no
 * limits: 64 MiB, room for about a million domain specs (docs/policy-format.md).
 */
#define DNSFW_POLICY_MAX_BYTES_DEFAULT ((size_t)64 << 20)

/**
 * Read regular files only: a FIFO, a device or a socket named as the policy file or a
 * list file is refused (DNSFW_EIO) before a byte is read.
 */
#define DNSFW_LOAD_REGULAR_ONLY 0x1u

/**
 * Limits on what loading a policy may read. Zero-initialise (or pass NULL) for the
 * defaults: DNSFW_POLICY_MAX_BYTES_DEFAULT, no time limit, any kind of file.
 *
 * Files are opened non-blocking (a FIFO without a writer reads as empty instead of
 * blocking the open). The time limit covers waiting for data that does not come (a FIFO
 * or socket whose writer is silent) and slow reads, checked between reads; an open() or
 * read() that the kernel itself blocks in (a hung network file system) cannot be
 * interrupted: a caller that must never wait loads in a thread it can abandon.
 */
typedef struct dnsfw_load_limits {
    size_t max_bytes;     /**< the policy text and its list files together; 0 = the default */
    uint32_t timeout_ms;  /**< reading all the files may take this long; 0 = no limit */
    uint32_t flags;       /**< DNSFW_LOAD_REGULAR_ONLY */
    uint32_t reserved[4]; /**< zero */
} dnsfw_load_limits;

/**
 * dnsfw_policy_from_json() within limits (NULL: the defaults).
 * @return as dnsfw_policy_from_json(); also DNSFW_ELIMIT when the text and the list
 *         files exceed limits->max_bytes, DNSFW_ETIMEDOUT when a list file does not
 *         deliver within limits->timeout_ms, DNSFW_EIO for a list file that is not a
 *         regular file under DNSFW_LOAD_REGULAR_ONLY, DNSFW_EINVAL for unknown flags.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_from_json_limited(dnsfw_policy **out, const char *text,
                                                             size_t len, const char *source,
                                                             const char *base_dir,
                                                             const dnsfw_load_limits *limits,
                                                             dnsfw_error *err);

/** dnsfw_policy_load_file() within limits (NULL: the defaults); statuses as above. */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_load_file_limited(dnsfw_policy **out, const char *path,
                                                             const dnsfw_load_limits *limits,
                                                             dnsfw_error *err);

/** Free a policy. NULL is a no-op. */
DNSFW_API void dnsfw_policy_free(dnsfw_policy *policy);

/**
 * Add an empty domain list. Names follow AWS: 1-64 characters of A-Z a-z 0-9 - _ space
 * and apostrophe, not all digits, unique in the policy.
 * @return DNSFW_OK, DNSFW_ESCHEMA (bad name), DNSFW_EDUPLICATE, DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_add_list(dnsfw_policy *policy, const char *name,
                                                    uint32_t *list);

/**
 * Add one domain spec to a list (normalised as dnsfw_spec_normalize() does; a spec
 * already in the list is not added twice). *reason as in dnsfw_spec_normalize().
 * @return DNSFW_OK, DNSFW_EBADSPEC, DNSFW_ENOTFOUND (no such list), DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_add_spec(dnsfw_policy *policy, uint32_t list,
                                                    const char *spec, size_t len,
                                                    const char **reason);

/**
 * Add a rule group with its association priority (1-10000; lower is evaluated first;
 * unique in the policy). Names follow the list-name rules.
 * @return DNSFW_OK, DNSFW_ESCHEMA, DNSFW_EDUPLICATE, DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_add_group(dnsfw_policy *policy, const char *name,
                                                     uint32_t priority, uint32_t *group);

/** What a rule says. Zero-initialise, then fill. */
typedef struct dnsfw_rule_def {
    const char *name;                    /**< AWS name rules; NULL only in the tiered form */
    uint32_t priority;                   /**< 1..2147483647, unique in its group */
    dnsfw_action action;                 /**< ALLOW, ALERT or BLOCK */
    uint32_t domain_list;                /**< list index */
    uint16_t qtype;                      /**< 0 = every query type */
    dnsfw_redirection redirection;       /**< default INSPECT */
    dnsfw_block_response block_response; /**< required with BLOCK, NONE otherwise */
    const char *override_domain;         /**< OVERRIDE: CNAME target */
    uint32_t override_ttl;               /**< OVERRIDE: 0..604800 */
    /** An Advanced rule: its protection (domain_list is then not used, and reads back as
     * DNSFW_NONE) and its ConfidenceThreshold, required with it. ALERT or BLOCK only. */
    dnsfw_threat threat;
    dnsfw_confidence confidence;
} dnsfw_rule_def;

/**
 * Add a rule to a group: a domain-list rule, or an Advanced rule (threat set).
 * @return DNSFW_OK, DNSFW_ESCHEMA (with *reason: BLOCK without a response, OVERRIDE
 *         without a domain, TTL out of range, an Advanced rule that ALLOWs or has no
 *         confidence threshold...), DNSFW_EDUPLICATE (priority),
 *         DNSFW_ENOTFOUND (group or list), DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_add_rule(dnsfw_policy *policy, uint32_t group,
                                                    const dnsfw_rule_def *rule,
                                                    const char **reason);

/** Set FirewallFailOpen (1 = ENABLED, 0 = DISABLED). */
DNSFW_API int dnsfw_policy_set_fail_open(dnsfw_policy *policy, int fail_open);

/**
 * Tiered form only: switch the catch-all rule between observe (ALERT) and enforce
 * (BLOCK with the policy's block_response).
 * @return DNSFW_OK or DNSFW_EINVAL (not a tiered policy).
 */
DNSFW_API int dnsfw_policy_set_mode(dnsfw_policy *policy, dnsfw_mode mode);

/** Summary of a policy. */
typedef struct dnsfw_policy_info {
    int tiered;        /**< 1 for the tiered form */
    dnsfw_mode mode;   /**< tiered form only */
    int fail_open;     /**< 1 = ENABLED */
    uint32_t n_lists;  /**< domain lists, in definition order */
    uint32_t n_groups; /**< rule groups, in definition order */
    uint32_t n_scopes; /**< tiered form: blueprints (repositories) */
    size_t n_specs;    /**< specs over all lists */
} dnsfw_policy_info;

DNSFW_API void dnsfw_policy_get_info(const dnsfw_policy *policy, dnsfw_policy_info *info);

/** Name and size of a list; NULL / 0 when list is out of range. */
DNSFW_API const char *dnsfw_policy_list_name(const dnsfw_policy *policy, uint32_t list);
DNSFW_API size_t dnsfw_policy_list_size(const dnsfw_policy *policy, uint32_t list);
/** The i-th normalised spec of a list, in insertion order; NULL when out of range. */
DNSFW_API const char *dnsfw_policy_list_spec(const dnsfw_policy *policy, uint32_t list, size_t i);

/** A rule group: name, association priority, number of rules. */
typedef struct dnsfw_group_info {
    const char *name;
    uint32_t priority;
    uint32_t n_rules;
} dnsfw_group_info;

DNSFW_API int dnsfw_policy_get_group(const dnsfw_policy *policy, uint32_t group,
                                     dnsfw_group_info *info);
/** The i-th rule of a group, sorted by ascending rule priority. Strings point into the policy. */
DNSFW_API int dnsfw_policy_get_rule(const dnsfw_policy *policy, uint32_t group, uint32_t i,
                                    dnsfw_rule_def *rule);

/**
 * AWS-managed domain lists (AWSManagedDomainsMalwareDomainList, ...): rules may use them,
 * but AWS does not disclose what they hold. A list marked managed is referenced by its id
 * in each Region (exporters write the id, never specs); specs added to it are a local
 * stand-in that evaluation uses, and without one it matches no name. General form only.
 * aws_name: "AWSManagedDomains..." or NULL when the list is known only by its ids.
 * @return DNSFW_OK, DNSFW_ESCHEMA (not a managed list's name), DNSFW_ENOTFOUND,
 *         DNSFW_EINVAL (a tiered policy), DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_set_list_managed(dnsfw_policy *policy, uint32_t list,
                                                            const char *aws_name);
/**
 * The managed list's id in a Region ("us-east-1"; "*" for every Region).
 * @return DNSFW_OK, DNSFW_ESCHEMA (region or id malformed: an id is "rslvr-fdl-" and hex
 *         digits), DNSFW_EDUPLICATE (the Region has one), DNSFW_EINVAL (not managed),
 *         DNSFW_ENOTFOUND, DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_add_list_managed_id(dnsfw_policy *policy, uint32_t list,
                                                               const char *region, const char *id);

/** Whether a list is AWS-managed, and how it is known. */
typedef struct dnsfw_managed_info {
    int managed;          /**< 1: the list's contents are AWS's */
    const char *aws_name; /**< "AWSManagedDomains...", or NULL when not known */
    size_t n_ids;         /**< Region ids, for dnsfw_policy_list_managed_id() */
    int stand_in;         /**< 1: the list's specs are a local stand-in */
} dnsfw_managed_info;

DNSFW_API int dnsfw_policy_list_managed(const dnsfw_policy *policy, uint32_t list,
                                        dnsfw_managed_info *info);
/** The i-th Region and id of a managed list, in the order they were added. */
DNSFW_API int dnsfw_policy_list_managed_id(const dnsfw_policy *policy, uint32_t list, size_t i,
                                           const char **region, const char **id);

/** Tiered form: the repository of blueprint (scope) i, 0-based; NULL when out of range. */
DNSFW_API const char *dnsfw_policy_scope_name(const dnsfw_policy *policy, uint32_t scope);

/* ---------------------------------------------------------------------------------- */
/* Where a policy's parts were written                                                 */

/** A place in a policy file or list file. file is NULL when not known (the built-in
 * baseline, parts added through the builder functions); line and column are 1-based. */
typedef struct dnsfw_location {
    const char *file;
    uint32_t line;
    uint32_t column;
} dnsfw_location;

/** One time a spec was written into a list (repeats included), as the JSON loader saw
 * it. Strings live as long as the policy. */
typedef struct dnsfw_spec_origin {
    size_t spec;          /**< the spec it became: dnsfw_policy_list_spec(list, spec) */
    dnsfw_location where; /**< where it was written (file NULL: the built-in baseline) */
    const char *written;  /**< the spec as written ("API.GitHub.com."), never NULL */
    const char *preset;   /**< the preset that brought it, or NULL */
    const char *repo;     /**< tiered form: the blueprint that brought it, or NULL */
} dnsfw_spec_origin;

/**
 * The specs written into a list, repeats included, in the order they were loaded: a
 * list's explicit entries first, then its presets' hosts. For the tiered form's
 * blueprint-additional list, every blueprint's entries with their repository. Policies
 * built with the builder functions record none (0).
 */
DNSFW_API size_t dnsfw_policy_list_origins(const dnsfw_policy *policy, uint32_t list);
DNSFW_API int dnsfw_policy_list_origin(const dnsfw_policy *policy, uint32_t list, size_t k,
                                       dnsfw_spec_origin *out);

/** Where a list, a rule group and a rule (i-th by priority) are defined. DNSFW_EINVAL when
 * out of range; file NULL when not known. A tiered list is located at its key
 * ("baseline", "blueprints"). */
DNSFW_API int dnsfw_policy_list_location(const dnsfw_policy *policy, uint32_t list,
                                         dnsfw_location *out);
DNSFW_API int dnsfw_policy_group_location(const dnsfw_policy *policy, uint32_t group,
                                          dnsfw_location *out);
DNSFW_API int dnsfw_policy_rule_location(const dnsfw_policy *policy, uint32_t group, uint32_t i,
                                         dnsfw_location *out);

/* ---------------------------------------------------------------------------------- */
/* Ecosystem presets (docs/policy-format.md, "Presets")                                */

/** A preset: a curated host list compiled into the library, taken by name in a policy. */
typedef struct dnsfw_preset_info {
    const char *name;        /**< "go", "aws-us-east-1" */
    const char *title;       /**< "Go modules" */
    const char *description; /**< what it covers and what it leaves out */
    const char *data_file;   /**< the data file of the project it was built from */
    size_t n_hosts;
} dnsfw_preset_info;

/** One host of a preset, with where it comes from. */
typedef struct dnsfw_preset_host {
    const char *spec;   /**< a normalised domain spec */
    int writes;         /**< 1: the host can carry writes (upload, publish, push) */
    const char *source; /**< the document or code that names the host */
    const char *note;   /**< a caveat, or NULL */
    int verified;       /**< 1: the source was read when the list was last checked */
} dnsfw_preset_host;

/** Number of presets; they are numbered 0..count-1, sorted by name. */
DNSFW_API size_t dnsfw_preset_count(void);
DNSFW_API int dnsfw_preset_get(size_t preset, dnsfw_preset_info *out);
/** @return DNSFW_OK or DNSFW_ENOTFOUND. */
DNSFW_API int dnsfw_preset_find(const char *name, size_t *preset);
DNSFW_API int dnsfw_preset_get_host(size_t preset, size_t i, dnsfw_preset_host *out);

/** A write callback: consume len bytes, return 0 or a negative value to stop. */
typedef int (*dnsfw_write_fn)(void *userdata, const char *data, size_t len);

/**
 * Write the policy as JSON in the form it was loaded (tiered or general; lists read
 * from files are written inline). Output is deterministic; loading it gives a policy
 * that evaluates every name the same way.
 * @return DNSFW_OK, DNSFW_ENOMEM or DNSFW_EIO (the callback failed).
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_policy_dump_json(const dnsfw_policy *policy,
                                                     dnsfw_write_fn write, void *userdata);

/* ---------------------------------------------------------------------------------- */
/* Compiled matchers and evaluation                                                    */

typedef struct dnsfw_matcher dnsfw_matcher;

/**
 * Compile a policy into an immutable matcher (a suffix trie over reversed labels).
 * @return DNSFW_OK, DNSFW_ENOMEM, DNSFW_ELIMIT.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_compile(const dnsfw_policy *policy, dnsfw_matcher **out);

/** Free a matcher. NULL is a no-op. No evaluation may be running on it. */
DNSFW_API void dnsfw_matcher_free(dnsfw_matcher *matcher);

/** FirewallFailOpen of the compiled policy (1 = ENABLED). */
DNSFW_API int dnsfw_matcher_fail_open(const dnsfw_matcher *matcher);

/** Bytes the matcher holds (trie, label pool, tables). */
DNSFW_API size_t dnsfw_matcher_memory(const dnsfw_matcher *matcher);

/** Scope meaning "the whole policy", as AWS evaluates it. */
#define DNSFW_SCOPE_ALL 0u

/**
 * Tiered form: the scope that evaluates the baseline plus one repository's allowlist
 * only (as if that blueprint were the only one).
 * @return DNSFW_OK or DNSFW_ENOTFOUND.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_matcher_find_scope(const dnsfw_matcher *matcher,
                                                       const char *repo, uint32_t *scope);

/**
 * The decision for one query. Small and copyable; dnsfw_explain() turns it into names.
 */
typedef struct dnsfw_verdict {
    dnsfw_action action;
    dnsfw_block_response block_response; /**< set when action is BLOCK */
    uint32_t rule;                       /**< rule index in evaluation order, or DNSFW_NONE */
    uint32_t domain_list;                /**< matching list index, or DNSFW_NONE */
    dnsfw_entry_kind entry_kind;         /**< how the entry matched */
    uint32_t entry_node;                 /**< internal reference to the matching entry */
    uint32_t hop;                        /**< 0: the query name decided; i: chain[i-1] */
    uint32_t reserved;
} dnsfw_verdict;

/**
 * Evaluate one query name in presentation form (escapes \. and \DDD understood; case
 * folded; one trailing dot optional) for query type qtype.
 * @return DNSFW_OK, a name error (DNSFW_EEMPTYLABEL, DNSFW_ELABELLEN, DNSFW_ENAMELEN,
 *         DNSFW_EESCAPE) or DNSFW_EINVAL (bad scope).
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_eval(const dnsfw_matcher *matcher, const char *name, size_t len,
                                         uint16_t qtype, uint32_t scope, dnsfw_verdict *verdict);

/**
 * Evaluate a name in uncompressed wire form (length-prefixed labels ending with the
 * root label). len is the buffer size; reading stops at the root label.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_eval_wire(const dnsfw_matcher *matcher, const uint8_t *wire,
                                              size_t len, uint16_t qtype, uint32_t scope,
                                              dnsfw_verdict *verdict);

/** One query of a batch: what dnsfw_eval() takes, minus the matcher and the verdict. */
typedef struct dnsfw_query {
    const char *name; /**< presentation form, as for dnsfw_eval() */
    size_t len;
    uint16_t qtype;
    uint32_t scope; /**< DNSFW_SCOPE_ALL or a dnsfw_matcher_find_scope() result */
} dnsfw_query;

/**
 * Evaluate n queries at once: verdicts[i] is what dnsfw_eval() gives for queries[i],
 * field for field. The lookups of several names are interleaved so that their memory
 * accesses overlap: with large policies this is faster than n calls of dnsfw_eval().
 * status (may be NULL) receives each query's own status; a query that fails (a name
 * error, a NULL name or a bad scope: DNSFW_EINVAL) gets a no-match verdict
 * (DNSFW_ACTION_NONE) and does not stop the others.
 * @return DNSFW_OK when every query was evaluated, else the status of the first one
 *         that failed; DNSFW_EINVAL when matcher is NULL, or queries or verdicts is NULL
 *         while n > 0 (then nothing is written).
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_eval_batch(const dnsfw_matcher *matcher,
                                               const dnsfw_query *queries, size_t n,
                                               dnsfw_verdict *verdicts, int *status);

/**
 * Evaluate a query name together with its redirection chain: the names the answer's
 * CNAME / DNAME records lead to, in order (docs/matching.md, "Redirection chains").
 * The query name is decided first; when the deciding rule TRUSTs redirection (or the
 * action is BLOCK) the chain is not looked at. Otherwise each hop is evaluated in turn
 * and the first BLOCK decides; failing that the first ALERT; failing that the query
 * name's own verdict. verdict->hop tells which name decided.
 * @return as dnsfw_eval(); a malformed hop fails the call with its name error and
 *         *bad_hop (may be NULL) set to its 1-based index.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_eval_chain(const dnsfw_matcher *matcher, const char *qname,
                                               size_t qname_len, const char *const *chain,
                                               const size_t *chain_len, size_t n_chain,
                                               uint16_t qtype, uint32_t scope,
                                               dnsfw_verdict *verdict, size_t *bad_hop);

/** Everything a verdict refers to, in words. Strings live as long as the matcher. */
typedef struct dnsfw_explanation {
    const char *rule_group;  /**< NULL when no rule matched */
    uint32_t group_priority; /**< association priority */
    const char *rule;        /**< rule name; NULL when none (or tiered form) */
    uint32_t rule_priority;  /**< 0 when none */
    const char *domain_list; /**< NULL when none */
    const char *scope;       /**< repository when evaluated with a scope, else NULL */
    uint16_t qtype;          /**< the rule's query type, 0 = any */
    dnsfw_redirection redirection;
    const char *override_domain; /**< OVERRIDE rules */
    uint32_t override_ttl;
    char entry[DNSFW_SPEC_MAX + 3]; /**< normalised matching spec, "" when none */
    dnsfw_threat threat;            /**< an Advanced rule decided (domain_list NULL) */
    dnsfw_confidence confidence;    /**< that rule's ConfidenceThreshold */
    const char *preset;             /**< the preset that brought the entry, or NULL */
} dnsfw_explanation;

/**
 * Explain a verdict produced by this matcher with the given scope.
 * @return DNSFW_OK or DNSFW_EINVAL.
 */
DNSFW_API int dnsfw_explain(const dnsfw_matcher *matcher, const dnsfw_verdict *verdict,
                            uint32_t scope, dnsfw_explanation *out);

/** Number of Advanced rules (DnsThreatProtection) in a matcher. dnsfw_eval() and the other
 * evaluation functions pass over them: they match through dnsfw_eval_threats() only. */
DNSFW_API uint32_t dnsfw_matcher_threat_rules(const dnsfw_matcher *matcher);

/**
 * Apply the Advanced rules to a verdict of dnsfw_eval() (or dnsfw_eval_chain()) for the
 * same query, given what detectors found: detected[t] is the confidence with which
 * protection t flagged the query (DNSFW_CONFIDENCE_NONE: not flagged). The first
 * Advanced rule, in evaluation order, that comes before the rule that decided *verdict
 * (or any, when none did), accepts qtype, and whose protection was detected at its
 * ConfidenceThreshold or above, decides instead: *verdict becomes that rule's (no
 * list, no entry, hop 0). Otherwise *verdict is unchanged.
 * @return DNSFW_OK or DNSFW_EINVAL.
 */
DNSFW_API int dnsfw_eval_threats(const dnsfw_matcher *matcher, uint16_t qtype,
                                 const dnsfw_confidence detected[DNSFW_THREAT_COUNT],
                                 dnsfw_verdict *verdict);
/** A compiled rule, by its rank in evaluation order. Strings live as long as the matcher. */
typedef struct dnsfw_rule_info {
    const char *rule_group;
    uint32_t group_priority;
    const char *rule; /**< NULL in the tiered form */
    uint32_t rule_priority;
    dnsfw_action action;
    uint32_t domain_list; /**< the list it looks at under the scope asked for */
    const char *domain_list_name;
    uint16_t qtype; /**< 0 = every type */
    dnsfw_redirection redirection;
    dnsfw_threat threat; /**< an Advanced rule: its protection (domain_list is then DNSFW_NONE,
                              domain_list_name NULL) */
    dnsfw_confidence confidence;
} dnsfw_rule_info;

/** Number of rules; ranks are 0..count-1 in evaluation order. */
DNSFW_API uint32_t dnsfw_matcher_rule_count(const dnsfw_matcher *matcher);
/** @return DNSFW_OK or DNSFW_EINVAL (rank or scope out of range). */
DNSFW_API int dnsfw_matcher_rule(const dnsfw_matcher *matcher, uint32_t rank, uint32_t scope,
                                 dnsfw_rule_info *out);

/**
 * An entry of a rule that can never decide a query, computed on the compiled matcher
 * (docs/lint.md, "shadowed"): every query the rule would match through the entry is
 * decided by an earlier rule. An earlier rule counts when it has no query type or, for a
 * rule of one query type, the same type: a rule of one type shadows only that type.
 */
typedef struct dnsfw_shadow {
    uint32_t rule;        /**< rank of the rule */
    uint32_t domain_list; /**< the list it looks at */
    const char *entry;    /**< the entry, normalised; NULL: the whole rule */
    /**
     * The earliest rule that decides every query the entry matches. Equal to rule: not
     * shadowed, but redundant — a broader entry of the same list matches every name the
     * entry matches. DNSFW_NONE: the entry matches no name at all (longer than any DNS
     * name can be), or, for a whole rule, its list is empty.
     * For a whole rule: the latest of its entries' shadowing rules.
     */
    uint32_t by_rule;
    uint32_t by_list;     /**< the list of the covering entry, or DNSFW_NONE */
    const char *by_entry; /**< the covering entry ("*", "*.example.com", ...), or NULL */
} dnsfw_shadow;

/** Called once per finding; return 0 to go on, anything else to stop (it is returned). */
typedef int (*dnsfw_shadow_fn)(void *userdata, const dnsfw_shadow *shadow);

/**
 * Report every entry (per rule that looks at its list) that is shadowed or redundant,
 * then every rule all of whose entries are shadowed, for one scope. DNS Firewall Advanced
 * rules have no entries and are never reported. Exact: an entry
 * "*.s" is covered only by "*" or "*.a" with a = s or above, since names below s with
 * octets no spec can hold ("_x.s") exist; "name" by "*", "*.a" above it, or "name".
 * Strings passed to fn are valid during the call only.
 * @return DNSFW_OK, DNSFW_EINVAL, DNSFW_ENOMEM, or fn's non-zero value.
 */
DNSFW_API int dnsfw_matcher_shadows(const dnsfw_matcher *matcher, uint32_t scope,
                                    dnsfw_shadow_fn fn, void *userdata);

/** Names of enumerations as the contract writes them ("ALLOW", "NODATA",
 * "TRUST_REDIRECTION_DOMAIN", "DNS_TUNNELING", "HIGH"); NULL for the NONE values of
 * threats and confidences. */
DNSFW_API const char *dnsfw_threat_name(dnsfw_threat threat);
DNSFW_API const char *dnsfw_confidence_name(dnsfw_confidence confidence);
DNSFW_API const char *dnsfw_action_name(dnsfw_action action);
DNSFW_API const char *dnsfw_block_response_name(dnsfw_block_response response);
DNSFW_API const char *dnsfw_redirection_name(dnsfw_redirection redirection);

/* ---------------------------------------------------------------------------------- */
/* Query logs                                                                          */

typedef enum dnsfw_log_format {
    DNSFW_LOG_ROUTE53 = 0,     /**< Route 53 Resolver query logs: one JSON object a line */
    DNSFW_LOG_DNSMASQ = 1,     /**< dnsmasq log-queries (syslog or log-facility file) */
    DNSFW_LOG_BIND = 2,        /**< BIND 9 query log (category queries) */
    DNSFW_LOG_UNBOUND = 3,     /**< unbound log-queries */
    DNSFW_LOG_CUSTOM = 4,      /**< a PCRE2 pattern with named groups qname, qtype, client, time */
    DNSFW_LOG_AUTO = 5,        /**< every shape below and above, recognised by its content */
    DNSFW_LOG_CW_EXPORT = 6,   /**< CloudWatch Logs export task: "<RFC 3339 time> <record>" */
    DNSFW_LOG_CLOUDWATCH = 7,  /**< CloudWatch Logs JSON documents: filter-log-events and
                                    get-log-events output, subscription payloads, Firehose
                                    objects of payloads (documents only: dnsfw_logreader) */
    DNSFW_LOG_EVENTBRIDGE = 8, /**< EventBridge "DNS Firewall Alert" / "Block" events */
} dnsfw_log_format;

/** A time in milliseconds since 1970-01-01 UTC that is not known. */
#define DNSFW_TIME_NONE INT64_MIN

/**
 * Parse an RFC 3339 time ("2026-11-28T10:00:00Z", "...10:00:00.250+01:00") or a date
 * ("2026-11-28", midnight UTC) into milliseconds since 1970-01-01 UTC.
 * @return DNSFW_OK, DNSFW_EPARSE (not such a time, or not a valid one), DNSFW_EINVAL.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_time_parse(const char *text, size_t len, int64_t *ms);

/** A piece of text: ptr is NULL when the field is absent. Not NUL-terminated. */
typedef struct dnsfw_text {
    const char *ptr;
    size_t len;
} dnsfw_text;

/** Redirection targets kept per record; further ones set chain_truncated. */
#define DNSFW_LOG_CHAIN_MAX 16
/** Answered addresses (A, AAAA) kept per record; further ones set addresses_truncated. */
#define DNSFW_LOG_ADDR_MAX 32

/**
 * One parsed log record. Texts point into the line given to dnsfw_log_parse() or into
 * the scratch (decoded JSON escapes); they stay valid until the next call with the same
 * scratch or until the line goes away. Fields a format does not have are absent.
 */
typedef struct dnsfw_log_record {
    dnsfw_text query_name;
    dnsfw_text query_type;
    dnsfw_text query_class;
    dnsfw_text timestamp;
    dnsfw_text client;      /**< srcaddr */
    dnsfw_text client_port; /**< srcport */
    dnsfw_text instance;    /**< srcids.instance (or the resolver endpoint) */
    dnsfw_text vpc_id;
    dnsfw_text account_id;
    dnsfw_text region;
    dnsfw_text rcode;
    dnsfw_text transport;
    dnsfw_text version;
    dnsfw_text firewall_action; /**< firewall_rule_action as logged: ALERT, BLOCK... */
    dnsfw_text firewall_rule_group_id;
    dnsfw_text firewall_domain_list_id;
    size_t n_chain;                        /**< CNAME / DNAME targets from answers[], in order */
    dnsfw_text chain[DNSFW_LOG_CHAIN_MAX]; /**< target names in presentation form */
    int chain_truncated;                   /**< more targets than DNSFW_LOG_CHAIN_MAX */
    /** The Rdata of the answers' A and AAAA records (the end of any CNAME chain), as
     * logged; not checked to be addresses (dnsfw_ip_parse() does). */
    size_t n_addresses;
    dnsfw_text addresses[DNSFW_LOG_ADDR_MAX];
    int addresses_truncated; /**< more addresses than DNSFW_LOG_ADDR_MAX */
    uint32_t flags;          /**< DNSFW_LOG_NAME_UNPRINTABLE */
    int64_t time; /**< the record's time (ms since 1970 UTC) when a dnsfw_logreader read it
                       with a time window, else DNSFW_TIME_NONE */
} dnsfw_log_record;

/**
 * The log records a query whose name the resolver could not print (dnsmasq's
 * "query[TXT] <name unprintable> from ...": a name with bytes it will not write, as DNS
 * tunnels use). query_name is absent; the record is a query all the same.
 */
#define DNSFW_LOG_NAME_UNPRINTABLE 0x1u

/** A compiled log format: immutable, share it between threads. */
typedef struct dnsfw_logparser dnsfw_logparser;
/** Per-thread working memory for dnsfw_log_parse(). */
typedef struct dnsfw_logscratch dnsfw_logscratch;

/**
 * Compile a log format. pattern is used with DNSFW_LOG_CUSTOM only: a PCRE2 pattern with
 * a named group "qname" and optionally "qtype", "client" and "time"; lines it does not
 * match are malformed.
 * @return DNSFW_OK, DNSFW_EINVAL, DNSFW_EPARSE (bad pattern; err->column is the 1-based
 *         offset in the pattern), DNSFW_ESCHEMA (no qname group), DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_logparser_new(dnsfw_logparser **out, dnsfw_log_format format,
                                                  const char *pattern, dnsfw_error *err);
DNSFW_API void dnsfw_logparser_free(dnsfw_logparser *parser);

DNSFW_API DNSFW_MUSTCHECK int dnsfw_logscratch_new(const dnsfw_logparser *parser,
                                                   dnsfw_logscratch **out);
DNSFW_API void dnsfw_logscratch_free(dnsfw_logscratch *scratch);

/**
 * Parse one log line (without its newline).
 * @return DNSFW_OK (a query record), DNSFW_ENOTQUERY (a line of the format that records
 *         no query, e.g. dnsmasq's "reply" lines), or DNSFW_EPARSE, DNSFW_ESCHEMA,
 *         DNSFW_EENCODING, DNSFW_ENOMEM for a malformed line, with *reason (may be NULL)
 *         pointing to a static explanation.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_log_parse(const dnsfw_logparser *parser,
                                              dnsfw_logscratch *scratch, const char *line,
                                              size_t len, dnsfw_log_record *record,
                                              const char **reason);

/* ---------------------------------------------------------------------------------- */
/* VPC Flow Logs (docs/egress.md)                                                      */

/** An IPv4 or IPv6 address. IPv4 is kept as ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2),
 * so that one 16-octet key holds either; family is 4 or 6, 0 when absent. */
typedef struct dnsfw_ip {
    uint8_t family;
    uint8_t addr[16];
} dnsfw_ip;

/**
 * Parse an address in text form: a dotted quad (four decimal octets, no leading zeros
 * beyond "0") or any IPv6 form of RFC 4291 (an IPv4-mapped IPv6 address stays family 6).
 * @return DNSFW_OK or DNSFW_EPARSE.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_ip_parse(const char *text, size_t len, dnsfw_ip *out);

/** Write an address in its canonical text form (RFC 5952 for IPv6). DNSFW_ENOSPC if short,
 * DNSFW_EINVAL for family 0. 46 bytes always suffice. */
DNSFW_API int dnsfw_ip_format(const dnsfw_ip *ip, char *buf, size_t size);

/**
 * The fields of a flow-log record, by the names AWS gives them in a custom format's
 * header line. The first fourteen, in this order, are the default format (version 2).
 */
typedef enum dnsfw_flow_field {
    DNSFW_FLOW_VERSION = 0,
    DNSFW_FLOW_ACCOUNT_ID,
    DNSFW_FLOW_INTERFACE_ID,
    DNSFW_FLOW_SRCADDR,
    DNSFW_FLOW_DSTADDR,
    DNSFW_FLOW_SRCPORT,
    DNSFW_FLOW_DSTPORT,
    DNSFW_FLOW_PROTOCOL,
    DNSFW_FLOW_PACKETS,
    DNSFW_FLOW_BYTES,
    DNSFW_FLOW_START,
    DNSFW_FLOW_END,
    DNSFW_FLOW_ACTION,
    DNSFW_FLOW_LOG_STATUS,
    DNSFW_FLOW_VPC_ID, /* version 3 */
    DNSFW_FLOW_SUBNET_ID,
    DNSFW_FLOW_INSTANCE_ID,
    DNSFW_FLOW_TCP_FLAGS,
    DNSFW_FLOW_TYPE,
    DNSFW_FLOW_PKT_SRCADDR,
    DNSFW_FLOW_PKT_DSTADDR,
    DNSFW_FLOW_REGION, /* version 4 */
    DNSFW_FLOW_AZ_ID,
    DNSFW_FLOW_SUBLOCATION_TYPE,
    DNSFW_FLOW_SUBLOCATION_ID,
    DNSFW_FLOW_PKT_SRC_AWS_SERVICE, /* version 5 */
    DNSFW_FLOW_PKT_DST_AWS_SERVICE,
    DNSFW_FLOW_FLOW_DIRECTION,
    DNSFW_FLOW_TRAFFIC_PATH,
    DNSFW_FLOW_ECS_CLUSTER_ARN, /* version 7: kept as text only */
    DNSFW_FLOW_ECS_CLUSTER_NAME,
    DNSFW_FLOW_ECS_CONTAINER_INSTANCE_ARN,
    DNSFW_FLOW_ECS_CONTAINER_INSTANCE_ID,
    DNSFW_FLOW_ECS_CONTAINER_ID,
    DNSFW_FLOW_ECS_SECOND_CONTAINER_ID,
    DNSFW_FLOW_ECS_SERVICE_NAME,
    DNSFW_FLOW_ECS_TASK_DEFINITION_ARN,
    DNSFW_FLOW_ECS_TASK_ARN,
    DNSFW_FLOW_ECS_TASK_ID,
    DNSFW_FLOW_REJECT_REASON, /* version 8 */
    DNSFW_FLOW_FIELD_COUNT
} dnsfw_flow_field;

/** The name of a field ("pkt-dstaddr"), or NULL when out of range. */
DNSFW_API const char *dnsfw_flow_field_name(dnsfw_flow_field field);

typedef enum dnsfw_flow_status {
    DNSFW_FLOW_STATUS_NONE = 0, /**< the format has no log-status, or it is "-" */
    DNSFW_FLOW_OK = 1,          /**< a flow */
    DNSFW_FLOW_NODATA = 2,      /**< no traffic on the interface in the interval */
    DNSFW_FLOW_SKIPDATA = 3,    /**< records were skipped in the interval */
} dnsfw_flow_status;

typedef enum dnsfw_flow_action {
    DNSFW_FLOW_ACTION_NONE = 0, /**< absent or "-" */
    DNSFW_FLOW_ACCEPT = 1,
    DNSFW_FLOW_REJECT = 2,
} dnsfw_flow_action;

typedef enum dnsfw_flow_direction {
    DNSFW_FLOW_DIRECTION_NONE = 0, /**< absent or "-" */
    DNSFW_FLOW_INGRESS = 1,
    DNSFW_FLOW_EGRESS = 2,
} dnsfw_flow_direction;

/** Bit f of dnsfw_flow_record.present: field f had a value (not "-"). */
#define DNSFW_FLOW_HAS(rec, f) (((rec)->present >> (f)) & 1u)

/**
 * One flow-log record. text[f] is field f as logged (pointing into the line; ptr NULL
 * when the format lacks it or the record says "-"); the typed members are the parsed
 * values of the fields that have one, zero (family 0, tcp_flags -1) when absent.
 */
typedef struct dnsfw_flow_record {
    uint64_t present;
    dnsfw_text text[DNSFW_FLOW_FIELD_COUNT];
    uint32_t version;
    dnsfw_flow_status log_status;
    dnsfw_flow_action action;
    dnsfw_flow_direction direction;
    dnsfw_ip srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr;
    uint16_t srcport, dstport;
    uint8_t protocol;
    int32_t tcp_flags; /**< FIN 1, SYN 2, RST 4, SYN-ACK 18, OR-ed over the interval; -1 absent */
    uint32_t traffic_path;
    uint64_t packets, bytes;
    int64_t start, end; /**< Unix seconds */
} dnsfw_flow_record;

/** A flow-log format: the order of the fields of a record. Immutable, share it freely. */
typedef struct dnsfw_flowformat dnsfw_flowformat;

/**
 * Compile a flow-log format from a header line ("version account-id interface-id ...",
 * as the first line of every file delivered to S3 in text format) or from the
 * LogFormat string of the flow log ("${version} ${srcaddr} ..."); fields separated by
 * spaces, each known field at most once, in any order. NULL (or length 0) is the
 * default format, version 2.
 * @return DNSFW_OK, DNSFW_ESCHEMA (an unknown field; err->column is its 1-based
 *         offset), DNSFW_EDUPLICATE (a field twice), DNSFW_EPARSE (an empty format, a
 *         malformed "${"), DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_flowformat_new(dnsfw_flowformat **out, const char *fields,
                                                   size_t len, dnsfw_error *err);
DNSFW_API void dnsfw_flowformat_free(dnsfw_flowformat *format);

/** Number of fields of a format, and the i-th (DNSFW_FLOW_FIELD_COUNT when out of range). */
DNSFW_API size_t dnsfw_flowformat_count(const dnsfw_flowformat *format);
DNSFW_API dnsfw_flow_field dnsfw_flowformat_field(const dnsfw_flowformat *format, size_t i);
/** Does the format have the field? */
DNSFW_API int dnsfw_flowformat_has(const dnsfw_flowformat *format, dnsfw_flow_field field);

/** 1 when the line is a header line: every space-separated token a field name. */
DNSFW_API int dnsfw_flow_is_header(const char *line, size_t len);

/**
 * Parse one record (a line without its newline; a CloudWatch event's message). Fields
 * are separated by single spaces (runs of spaces and tabs are tolerated); "-" is an
 * absent value in any field. NODATA and SKIPDATA records parse with their log_status.
 * @return DNSFW_OK, or DNSFW_EPARSE with *reason (may be NULL) pointing to a static
 *         explanation: a wrong number of fields, a number, address or keyword that
 *         does not parse, end before start.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_flow_parse(const dnsfw_flowformat *format, const char *line,
                                               size_t len, dnsfw_flow_record *record,
                                               const char **reason);

/* ---------------------------------------------------------------------------------- */
/* Log readers: whole inputs in every shape, streamed                                  */

/**
 * A log reader takes the bytes of one input after another (a file, an S3 object, a
 * stream) and hands over each record with its location. It recognises, by content and
 * per input (DNSFW_LOG_AUTO), everything the parsers above read plus:
 *   - gzip, with any number of members, also nested once (Firehose objects of
 *     CloudWatch Logs payloads, compressed again);
 *   - CloudWatch Logs export task lines "<RFC 3339 time> <message>";
 *   - CloudWatch Logs JSON documents: filter-log-events / get-log-events output (an
 *     "events" array; several documents back to back, pretty-printed or not),
 *     subscription payloads and Firehose objects of them ("logEvents"; CONTROL_MESSAGE
 *     payloads record no query), arrays or lines of such events;
 *   - EventBridge DNS Firewall events (kebab-case "detail" keys), a line each or arrays;
 *   - text lines through syslog (RFC 3164 with or without PRI, RFC 5424, RFC 3339 and
 *     journald prefixes), where the program name picks dnsmasq, BIND or unbound.
 * Documents are read as they arrive: memory is bounded by the largest single record
 * (max_record), never by the size of a document. The reader is not thread-safe; use
 * one per thread.
 */
typedef struct dnsfw_logreader dnsfw_logreader;

/** What carried an item. */
typedef enum dnsfw_log_shape {
    DNSFW_SHAPE_NONE = 0,        /**< an input-level problem (gzip, document structure) */
    DNSFW_SHAPE_ROUTE53 = 1,     /**< a Route 53 JSON record on its own (a line, or a value) */
    DNSFW_SHAPE_CW_EXPORT = 2,   /**< a CloudWatch Logs export task line */
    DNSFW_SHAPE_CW_EVENTS = 3,   /**< an event of filter-log-events / get-log-events output */
    DNSFW_SHAPE_CW_PAYLOAD = 4,  /**< an event of a subscription payload (or Firehose object) */
    DNSFW_SHAPE_EVENTBRIDGE = 5, /**< an EventBridge event */
    DNSFW_SHAPE_TEXT = 6,        /**< a resolver's own text log line */
    DNSFW_SHAPE_SYSLOG = 7,      /**< a resolver's text line through syslog or journald */
    DNSFW_SHAPE_FLOW = 8,        /**< a VPC Flow Logs record line (a text file of S3) */
} dnsfw_log_shape;

/** The name of a shape ("cloudwatch-export", "syslog"...), for reports. */
DNSFW_API const char *dnsfw_log_shape_name(dnsfw_log_shape shape);

typedef enum dnsfw_log_item_kind {
    DNSFW_ITEM_RECORD = 0,    /**< a query record (see record->flags) */
    DNSFW_ITEM_NOT_QUERY = 1, /**< a line or event that records no query */
    DNSFW_ITEM_MALFORMED = 2, /**< a malformed record, or a problem of the input itself */
    DNSFW_ITEM_NOTICE = 3,    /**< something to say once (an unknown record version) */
    DNSFW_ITEM_FLOW = 4,      /**< a VPC Flow Logs record (readers of DNSFW_RECORDS_FLOW) */
} dnsfw_log_item_kind;

/** Where an item is. Strings live until the callback returns. */
typedef struct dnsfw_log_location {
    const char *source; /**< the name given to dnsfw_logreader_begin() */
    uint64_t line;      /**< 1-based line of the (decompressed) input where the item starts */
    uint64_t document;  /**< 1-based JSON document of the input holding it; 0: none */
    const char *array;  /**< "events" or "logEvents" inside a document, or NULL */
    uint64_t index;     /**< 0-based index in that array (meaningful when array is set) */
} dnsfw_log_location;

/** One thing the reader found. */
typedef struct dnsfw_log_item {
    dnsfw_log_item_kind kind;
    int status;         /**< DNSFW_OK, or why (DNSFW_EPARSE, DNSFW_ESCHEMA, ...) */
    const char *reason; /**< static English text for MALFORMED and NOTICE */
    dnsfw_log_shape shape;
    const dnsfw_log_record *record; /**< with DNSFW_ITEM_RECORD; valid during the call */
    dnsfw_log_location where;
    const dnsfw_flow_record *flow; /**< with DNSFW_ITEM_FLOW; valid during the call */
} dnsfw_log_item;

/** Called for each item; return 0 to go on, anything else to stop the reader. */
typedef int (*dnsfw_log_item_fn)(void *userdata, const dnsfw_log_item *item);

/** What the records of a reader's inputs are. */
typedef enum dnsfw_log_records {
    DNSFW_RECORDS_QUERY = 0, /**< DNS query logs: DNSFW_ITEM_RECORD items */
    /** VPC Flow Logs, in the same places (docs/egress.md): text files as delivered to S3
     * (a header line, then records), and records as the messages of CloudWatch Logs
     * export lines, documents, subscription payloads and Firehose objects. A header line
     * sets the format for the rest of its input; without one, flow_format applies.
     * Records come as DNSFW_ITEM_FLOW (NODATA and SKIPDATA ones too, with their
     * log_status), header lines as DNSFW_ITEM_NOT_QUERY. format must be DNSFW_LOG_AUTO. */
    DNSFW_RECORDS_FLOW = 1,
} dnsfw_log_records;

/** dnsfw_logreader_options.flags: set every record's time (record->time of a query
 * record, from its own stamp or its envelope's), with or without a window. */
#define DNSFW_LOGREADER_TIMES 0x1u

/** How a reader reads. Zero-initialise, then set format, on_item and what applies. */
typedef struct dnsfw_logreader_options {
    dnsfw_log_format format; /**< DNSFW_LOG_AUTO for every shape; another forces one */
    const char *pattern;     /**< with DNSFW_LOG_CUSTOM */
    int64_t since;           /**< window start (ms, inclusive); DNSFW_TIME_NONE or 0: none */
    int64_t until;           /**< window end (ms, exclusive); DNSFW_TIME_NONE or 0: none */
    int64_t now;             /**< for stamps without a year (RFC 3164); 0: the clock */
    int32_t local_offset;    /**< seconds east of UTC of stamps without a zone */
    size_t max_record;       /**< longest line or event; 0: 1 MiB */
    dnsfw_log_item_fn on_item;
    void *userdata;
    uint32_t records; /**< a dnsfw_log_records; 0: query logs */
    uint32_t flags;   /**< DNSFW_LOGREADER_TIMES */
    /** DNSFW_RECORDS_FLOW: the format of inputs without a header line (the reader does
     * not copy it: keep it until the reader is freed); NULL: the default, version 2. */
    const dnsfw_flowformat *flow_format;
    uint32_t reserved[4]; /**< zero */
} dnsfw_logreader_options;

/** Counts over every input so far. */
typedef struct dnsfw_logreader_stats {
    uint64_t inputs;          /**< dnsfw_logreader_begin() calls */
    uint64_t bytes_in;        /**< bytes fed */
    uint64_t bytes;           /**< bytes after gzip */
    uint64_t records;         /**< DNSFW_ITEM_RECORD (or DNSFW_ITEM_FLOW) items */
    uint64_t not_query;       /**< DNSFW_ITEM_NOT_QUERY items */
    uint64_t malformed;       /**< DNSFW_ITEM_MALFORMED items */
    uint64_t outside_window;  /**< records before since or from until on: not handed over */
    uint64_t unknown_version; /**< records of a format version this reader does not know */
    uint64_t reserved[8];
} dnsfw_logreader_stats;

/**
 * A new reader. A record outside [since, until) is counted and not handed over; with a
 * window, a record whose time cannot be read is malformed.
 * @return DNSFW_OK, DNSFW_EINVAL, DNSFW_EPARSE / DNSFW_ESCHEMA (bad custom pattern,
 *         details in *err), DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_logreader_new(dnsfw_logreader **out,
                                                  const dnsfw_logreader_options *options,
                                                  dnsfw_error *err);
DNSFW_API void dnsfw_logreader_free(dnsfw_logreader *reader);

/** Start an input; source names it in locations (copied). Ends the previous one. */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_logreader_begin(dnsfw_logreader *reader, const char *source);

/**
 * The next bytes of the input, as stored (gzip or not). Items are handed over from
 * inside this call. Problems of the data are items, never return values.
 * @return DNSFW_OK; DNSFW_ENOMEM; DNSFW_EINVAL (no input begun); or the non-zero value
 *         on_item returned to stop.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_logreader_feed(dnsfw_logreader *reader, const void *data,
                                                   size_t len);

/** The input is complete: its last line, and what was cut short, are handed over. */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_logreader_end(dnsfw_logreader *reader);

DNSFW_API void dnsfw_logreader_get_stats(const dnsfw_logreader *reader,
                                         dnsfw_logreader_stats *stats);

/* ---------------------------------------------------------------------------------- */
/* DNS messages: block responses and redirection-chain inspection (docs/serve.md)      */

/** What to do with a DNS message. */
typedef enum dnsfw_disposition {
    DNSFW_PASS = 0,  /**< not blocked: forward the query, or relay the answer, unchanged */
    DNSFW_REPLY = 1, /**< send the response written to the caller's buffer instead */
    DNSFW_DROP = 2,  /**< send nothing: the message is not a query (short header, QR set) */
} dnsfw_disposition;

/** The query came over TCP: a response is never truncated to the client's UDP size. */
#define DNSFW_RESPOND_TCP 0x1u
/** NODATA and NXDOMAIN responses carry a synthetic SOA (negative caching); off by default. */
#define DNSFW_RESPOND_SOA 0x2u
/**
 * Build every response with ldns's packet writer. Without it, responses that carry no
 * record of their own (NODATA and NXDOMAIN without SOA, FORMERR, NOTIMP, BADVERS,
 * dnsfw_respond_error()) are written directly: the same octets, about 15 times faster.
 */
#define DNSFW_RESPOND_LDNS 0x4u

/** EDNS UDP payload size advertised in responses when the options say 0. */
#define DNSFW_EDNS_SIZE_DEFAULT 1232

/** How responses are built. Zero-initialise (or pass NULL) for the defaults. */
typedef struct dnsfw_respond_options {
    uint32_t scope;       /**< DNSFW_SCOPE_ALL or a scope of dnsfw_matcher_find_scope() */
    uint32_t flags;       /**< DNSFW_RESPOND_TCP, DNSFW_RESPOND_SOA, DNSFW_RESPOND_LDNS */
    uint16_t edns_size;   /**< UDP payload size in our OPT record; 0 = DNSFW_EDNS_SIZE_DEFAULT */
    uint32_t soa_ttl;     /**< with DNSFW_RESPOND_SOA: the SOA's TTL and MINIMUM (seconds) */
    uint32_t reserved[4]; /**< zero */
} dnsfw_respond_options;

/**
 * What a message was, and what was decided. Filled as far as the message could be read:
 * qname is "" and qtype 0 when the question did not parse.
 */
typedef struct dnsfw_query_info {
    dnsfw_disposition disposition;
    int problem;           /**< DNSFW_OK, or why the message was not evaluated:
                                DNSFW_EBADPACKET (FORMERR or DROP), DNSFW_ENOTIMPL (NOTIMP, BADVERS) */
    dnsfw_verdict verdict; /**< the firewall's decision; action NONE when not evaluated */
    uint16_t id;           /**< message ID */
    uint16_t qtype;
    uint16_t qclass;
    uint16_t rcode;     /**< with DNSFW_REPLY: RCODE of the response, extended (0-4095) */
    uint16_t udp_size;  /**< largest UDP response to send: 512 without EDNS, else the
                             client's payload size (at least 512) but never more than our
                             own, options->edns_size */
    uint8_t edns;       /**< 1 when the query has an OPT record */
    uint8_t truncated;  /**< with DNSFW_REPLY: the response has TC set (did not fit) */
    uint32_t chain_len; /**< dnsfw_inspect_answer(): redirection targets found in the answer */
    char qname[DNSFW_NAME_TEXT_MAX]; /**< the query name, normalised as dnsfw_name_normalize() */
} dnsfw_query_info;

/**
 * Decide one DNS query in wire format (without the TCP length prefix) and build the
 * response when it is answered locally. Messages that are not queries are dropped
 * (shorter than a header, QR set); other opcodes get NOTIMP, EDNS versions above 0
 * BADVERS; malformed queries (QDCOUNT other than 1, records in the answer or authority
 * section, truncated records, compression pointers that do not point backwards, names
 * over 255 octets, bad or repeated OPT records) get FORMERR. A well-formed query is
 * evaluated (its name, type and options->scope): BLOCK is answered with the rule's
 * response — NODATA (NOERROR, no answer), NXDOMAIN, or OVERRIDE (one CNAME to the
 * override domain with its TTL) — with ID, opcode, RD, CD and the question (in the
 * client's case) copied, QR and RA set, an OPT record when the query had one (our
 * payload size, DO copied, no options); everything else is DNSFW_PASS. A response larger
 * than info->udp_size over UDP (what the client takes, at most options->edns_size)
 * loses its answer and authority sections and gets TC.
 * The message is only read within [query, query + len).
 * @return DNSFW_OK with *info telling what to do (the response is in out when
 *         disposition is DNSFW_REPLY, *outlen its length); DNSFW_EINVAL (NULL argument,
 *         bad scope), DNSFW_ENOSPC (out is too small), DNSFW_ENOMEM: no decision.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_respond(const dnsfw_matcher *matcher, const uint8_t *query,
                                            size_t len, const dnsfw_respond_options *options,
                                            uint8_t *out, size_t size, size_t *outlen,
                                            dnsfw_query_info *info);

/**
 * Inspect the upstream's answer to a query that dnsfw_respond() passed: the CNAME and
 * DNAME records of its answer section, followed from the query name, form the
 * redirection chain, evaluated with dnsfw_eval_chain(). When the chain reaches a blocked
 * name (INSPECT rules), out gets that rule's block response to the original query and
 * disposition is DNSFW_REPLY; otherwise DNSFW_PASS (relay the answer as it is).
 * info->verdict is the chain's verdict (its hop says which name decided).
 * @return DNSFW_OK; DNSFW_EBADPACKET when the query or the answer is malformed or the
 *         answer does not answer the query (ID, QR, question); DNSFW_EINVAL,
 *         DNSFW_ENOSPC, DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int
dnsfw_inspect_answer(const dnsfw_matcher *matcher, const uint8_t *query, size_t query_len,
                     const uint8_t *answer, size_t answer_len, const dnsfw_respond_options *options,
                     uint8_t *out, size_t size, size_t *outlen, dnsfw_query_info *info);

/**
 * Build an error response (SERVFAIL, REFUSED... rcode 0-15) to a query that
 * dnsfw_respond() passed: flags and question as for block responses, OPT echoed, no
 * records. Used when the upstream fails or no policy can be applied (fail closed).
 * @return DNSFW_OK, DNSFW_EBADPACKET (the query is malformed), DNSFW_EINVAL,
 *         DNSFW_ENOSPC, DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_respond_error(const uint8_t *query, size_t len, unsigned rcode,
                                                  const dnsfw_respond_options *options,
                                                  uint8_t *out, size_t size, size_t *outlen);

/**
 * A truncated response to a query that dnsfw_respond() passed, so that the client asks
 * again over TCP (RFC 1035 §4.2.1, RFC 6891 §7): used when the upstream's answer is
 * larger than info->udp_size, and to slip a rate-limited client a response it can only
 * retry over TCP. ID, opcode, RD, CD and the question as for block responses, QR, RA
 * and TC set, an OPT record when the query had one, no records. With answer (the
 * upstream's answer to the query, at least a header; may be NULL), its RCODE and AA bit
 * are kept; without, RCODE is NOERROR.
 * @return DNSFW_OK, DNSFW_EBADPACKET (the query is malformed), DNSFW_EINVAL,
 *         DNSFW_ENOSPC, DNSFW_ENOMEM.
 */
DNSFW_API DNSFW_MUSTCHECK int dnsfw_respond_truncated(const uint8_t *query, size_t len,
                                                      const uint8_t *answer, size_t answer_len,
                                                      const dnsfw_respond_options *options,
                                                      uint8_t *out, size_t size, size_t *outlen);

#ifdef __cplusplus
}
#endif

#endif /* DNSFW_DNSFW_H */
