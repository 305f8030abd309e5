/*
 * Policies from JSON: dnsfw_policy_from_json(), dnsfw_policy_load_file() and
 * dnsfw_policy_dump_json(). Both forms of the contract (§1.1 tiered, §1.2 general), their
 * defaults, list files, and every kind of bad input with its status, line and column.
 *
 * The JSON texts below are written with ' for " (turned back at run time) and a backquote
 * marking the byte the error must point at (removed before loading). Where an error
 * points is the rule of the briefing ("file, line, column (1-based, byte column)") made
 * precise like this:
 *   - an unknown or repeated key, a bad list name, a list defined twice: the key;
 *   - a member of the wrong type or value, an undefined list, a bad spec, a bad qtype,
 *     a repeated rule priority or repository: the value;
 *   - a missing member: the object that lacks it;
 *   - a rule the builder rejects as a whole (BLOCK without block_response, block_response
 *     on ALLOW, OVERRIDE without block_override and the reverse, a bad rule name or
 *     override domain): the rule's object; in the tiered form, the block_override object
 *     (or the root object when block_override is missing);
 *   - a rule group whose name or priority is taken: the group's object;
 *   - malformed JSON: where the text goes wrong; truncated text: the end of the text.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define MARK '`'

struct text {
    char buf[4096];
    size_t len;
    uint32_t line, column; /* of the marker; 0 when there is none */
};

/* Turn ' into " and remove the marker, noting its line and byte column. */
static void prepare(const char *in, size_t len, struct text *t)
{
    uint32_t line = 1, col = 1;
    t->len = 0;
    t->line = t->column = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == MARK) {
            t->line = line;
            t->column = col;
            continue;
        }
        ck_assert_uint_lt(t->len, sizeof t->buf - 1);
        t->buf[t->len++] = c == '\'' ? '"' : c;
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    t->buf[t->len] = '\0';
}

/* Load the text; expects failure with status, at the marker, message containing msg. */
static void expect_error(const char *what, const char *in, size_t len, int status, const char *msg)
{
    struct text t;
    prepare(in, len, &t);
    ck_assert_msg(t.line != 0, "%s: the test text has no marker", what);
    dnsfw_policy *p = (dnsfw_policy *)&t; /* must be reset to NULL */
    dnsfw_error err;
    memset(&err, 0x55, sizeof err);
    int rc = dnsfw_policy_from_json(&p, t.buf, t.len, "bad.json", unit_data_dir(), &err);
    ck_assert_msg(rc == status, "%s: status %d (%s), expected %d; %u:%u: %s", what, rc,
                  dnsfw_strerror(rc), status, err.line, err.column, err.message);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(err.status, status);
    ck_assert_str_eq(err.file, "bad.json");
    ck_assert_msg(err.line == t.line && err.column == t.column,
                  "%s: error at %u:%u, expected %u:%u (%s)", what, err.line, err.column, t.line,
                  t.column, err.message);
    ck_assert_msg(err.message[0] != '\0', "%s: empty message", what);
    if (msg)
        ck_assert_msg(strstr(err.message, msg), "%s: message \"%s\" lacks \"%s\"", what,
                      err.message, msg);
    /* err may be NULL */
    p = NULL;
    ck_assert_int_eq(dnsfw_policy_from_json(&p, t.buf, t.len, "bad.json", unit_data_dir(), NULL),
                     status);
    ck_assert_ptr_null(p);
}

/* Pieces of the general form: a list l, a group g, and rules inside it. */
#define GEN_HEAD                                                                                   \
    "{'dnsfw':1,'domain_lists':{'l':['a.example']},'rule_groups':[{'name':'g','priority':1,"       \
    "'rules':["
#define GEN_TAIL    "]}]}"
#define RULE_OK     "{'name':'r','priority':1,'action':'ALLOW','domain_list':'l'}"
#define RULE_HEAD   "{'name':'r','priority':1,'domain_list':'l',"
#define OVERRIDE_OK "'block_response':'OVERRIDE','block_override':{'domain':'s.example'"

static const struct {
    const char *what;
    const char *json;
    int len; /* -1: strlen */
    int status;
    const char *msg;
} bad[] = {
    /* malformed JSON */
    {"empty text", "`", -1, DNSFW_EPARSE, NULL},
    {"only blanks", "   `", -1, DNSFW_EPARSE, NULL},
    {"truncated after a value", "{'dnsfw': 1`", -1, DNSFW_EPARSE, NULL},
    {"truncated in a string", "{'dnsfw': 1, 'mode': 'obs`", -1, DNSFW_EPARSE, NULL},
    {"truncated after a comma", "{'dnsfw': 1,\n `", -1, DNSFW_EPARSE, NULL},
    {"truncated in an array", "{'dnsfw':1,'baseline':['a.example',`", -1, DNSFW_EPARSE, NULL},
    {"trailing garbage", "{'dnsfw':1} `x", -1, DNSFW_EPARSE, NULL},
    {"second value", "{'dnsfw':1}\n\n`{}", -1, DNSFW_EPARSE, NULL},
    {"trailing comma", "{'dnsfw':1,`}", -1, DNSFW_EPARSE, NULL},
    {"missing comma", "{'dnsfw':1 `'mode':'observe'}", -1, DNSFW_EPARSE, NULL},
    {"bad literal", "{'dnsfw':`tru}", -1, DNSFW_EPARSE, NULL},
    {"bracket mismatch", "{'dnsfw':1,'baseline':['a.example'`}", -1, DNSFW_EPARSE, NULL},
    {"truncated in a key", "{'dnsfw':1,'baseli`", -1, DNSFW_EPARSE, NULL},
    {"truncated after a backslash", "{'dnsfw':1,'baseline':['a\\`", -1, DNSFW_EPARSE, NULL},
    {"missing colon", "{'dnsfw'`1}", -1, DNSFW_EPARSE, NULL},
    {"key not a string", "{'dnsfw':1,`]}", -1, DNSFW_EPARSE, NULL},
    {"key not a string, nested", "{'dnsfw':1,'block_override':{`{}}}", -1, DNSFW_EPARSE, NULL},
    {"value missing in an array", "{'dnsfw':1,'baseline':['a.example',`]}", -1, DNSFW_EPARSE, NULL},
    {"bad value in nested arrays", "[[`x]]", -1, DNSFW_EPARSE, NULL},
    {"bad escape", "{'dnsfw':1,'baseline':['a`\\qb']}", -1, DNSFW_EPARSE, NULL},
    /* cJSON alone would read this as U+0000 and cut the string to "a" */
    {"bad unicode escape", "{'dnsfw':1,'baseline':['a`\\u12G4.example']}", -1, DNSFW_EPARSE, NULL},
    {"short unicode escape", "{'dnsfw':1,'baseline':['a`\\u12']}", -1, DNSFW_EPARSE, NULL},
    {"truncated in a unicode escape", "{'dnsfw':1,'baseline':['a\\u12`", -1, DNSFW_EPARSE, NULL},
    /* encoding */
    {"invalid UTF-8", "{'dnsfw':1,'baseline':['a`\xFF.example']}", -1, DNSFW_EENCODING, NULL},
    {"invalid UTF-8 outside strings", "{`\xFF'dnsfw':1}", -1, DNSFW_EENCODING, NULL},
    {"overlong UTF-8", "{'dnsfw':1,'baseline':['`\xC0\xAF']}", -1, DNSFW_EENCODING, NULL},
    {"UTF-16 surrogate", "{'dnsfw':1,'baseline':['`\xED\xA0\x80']}", -1, DNSFW_EENCODING, NULL},
    {"truncated UTF-8", "{'dnsfw':1} `\xC3", -1, DNSFW_EENCODING, NULL},
    {"NUL byte", "{'dnsfw':1`\0}", 13, DNSFW_EENCODING, NULL},
    {"\\u0000", "{'dnsfw':1,'baseline':['a`\\u0000b']}", -1, DNSFW_EENCODING, NULL},
    /* the root */
    {"array root", "`[1]", -1, DNSFW_ESCHEMA, NULL},
    {"string root", "  `'x'", -1, DNSFW_ESCHEMA, NULL},
    {"null root", "`null", -1, DNSFW_ESCHEMA, NULL},
    {"number root", "\n`42", -1, DNSFW_ESCHEMA, NULL},
    {"empty object", "`{}", -1, DNSFW_ESCHEMA, "dnsfw"},
    {"no dnsfw", "`{'mode':'observe'}", -1, DNSFW_ESCHEMA, "dnsfw"},
    {"no dnsfw, general", "`{'domain_lists':{}}", -1, DNSFW_ESCHEMA, "dnsfw"},
    /* AWS-managed lists */
    {"managed: not a managed list's name",
     "{'dnsfw':1,'domain_lists':{'m':{'managed':`'Malware'}}}", -1, DNSFW_ESCHEMA,
     "AWSManagedDomains"},
    {"managed: true without ids", "{'dnsfw':1,'domain_lists':{`'m':{'managed':true}}}", -1,
     DNSFW_ESCHEMA, "needs \"ids\""},
    {"managed: a Region that is not one",
     "{'dnsfw':1,'domain_lists':{'m':{'managed':'AWSManagedDomainsMalwareDomainList',"
     "'ids':{`'moon':'rslvr-fdl-0123'}}}}",
     -1, DNSFW_ESCHEMA, "Region"},
    {"managed: an id that is not a list's",
     "{'dnsfw':1,'domain_lists':{'m':{'managed':'AWSManagedDomainsMalwareDomainList',"
     "'ids':{`'us-east-1':'rslvr-frg-0123'}}}}",
     -1, DNSFW_ESCHEMA, "rslvr-fdl-"},
    {"managed: a key it does not have",
     "{'dnsfw':1,'domain_lists':{'m':{'managed':'AWSManagedDomainsMalwareDomainList',"
     "`'domains':[]}}}",
     -1, DNSFW_ESCHEMA, "domains"},
    {"managed: a bad stand-in spec",
     "{'dnsfw':1,'domain_lists':{'m':{'managed':'AWSManagedDomainsMalwareDomainList',"
     "'stand_in':[`'a..b']}}}",
     -1, DNSFW_EBADSPEC, "empty label"},
    {"dnsfw 2", "{'dnsfw':`2}", -1, DNSFW_ESCHEMA, NULL},
    {"dnsfw 0", "{'dnsfw':`0}", -1, DNSFW_ESCHEMA, NULL},
    {"dnsfw -1", "{'dnsfw':`-1}", -1, DNSFW_ESCHEMA, NULL},
    {"dnsfw 1.5", "{'dnsfw':`1.5}", -1, DNSFW_ESCHEMA, NULL},
    {"dnsfw string", "{'dnsfw':`'1'}", -1, DNSFW_ESCHEMA, NULL},
    {"dnsfw true", "{'dnsfw':`true}", -1, DNSFW_ESCHEMA, NULL},
    {"dnsfw null", "{'dnsfw':`null}", -1, DNSFW_ESCHEMA, NULL},
    /* unknown keys at each level */
    {"unknown key, tiered", "{'dnsfw':1,`'modes':'observe'}", -1, DNSFW_ESCHEMA, "modes"},
    {"tiered key in the general form", "{'dnsfw':1,'domain_lists':{},`'mode':'observe'}", -1,
     DNSFW_ESCHEMA, "mode"},
    {"general key in the tiered form", "{'dnsfw':1,'mode':'observe',`'fail_closed':true}", -1,
     DNSFW_ESCHEMA, "fail_closed"},
    {"unknown key, tiered block_override",
     "{'dnsfw':1,'mode':'enforce','block_response':'OVERRIDE','block_override':{'domain':"
     "'s.example',`'type':'CNAME'}}",
     -1, DNSFW_ESCHEMA, "type"},
    {"unknown key, blueprint", "{'dnsfw':1,'blueprints':[{'repo':'a/b',`'allow':[]}]}", -1,
     DNSFW_ESCHEMA, "allow"},
    {"unknown key, list file object",
     "{'dnsfw':1,'domain_lists':{'l':{'file':'lists/big.txt',`'path':'x'}}}", -1, DNSFW_ESCHEMA,
     "path"},
    {"unknown key, rule group",
     "{'dnsfw':1,'rule_groups':[{'name':'g','priority':1,'rules':[],`'prio':2}]}", -1,
     DNSFW_ESCHEMA, "prio"},
    {"unknown key, rule",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALLOW','domain_list':'l',`'prioity':3}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "prioity"},
    {"unknown key, rule block_override",
     GEN_HEAD RULE_HEAD "'action':'BLOCK'," OVERRIDE_OK ",`'typ':'CNAME'}}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "typ"},
    /* duplicate keys */
    {"duplicate key, root", "{'dnsfw':1,`'dnsfw':1}", -1, DNSFW_ESCHEMA, "dnsfw"},
    {"duplicate key, tiered", "{'dnsfw':1,'mode':'observe',`'mode':'enforce'}", -1, DNSFW_ESCHEMA,
     "mode"},
    {"duplicate key, general", "{'dnsfw':1,'domain_lists':{},`'domain_lists':{}}", -1,
     DNSFW_ESCHEMA, "domain_lists"},
    {"duplicate key, rule",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALLOW','domain_list':'l',`'name':'s'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "name"},
    {"duplicate key, rule group",
     "{'dnsfw':1,'rule_groups':[{'name':'g',`'name':'h','priority':1,'rules':[]}]}", -1,
     DNSFW_ESCHEMA, "name"},
    {"duplicate key, blueprint", "{'dnsfw':1,'blueprints':[{'repo':'a/b',`'repo':'c/d'}]}", -1,
     DNSFW_ESCHEMA, "repo"},
    {"duplicate key, block_override",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':{'domain':'s.example','ttl':1,"
     "`'ttl':2}}",
     -1, DNSFW_ESCHEMA, "ttl"},
    {"duplicate key, list file object",
     "{'dnsfw':1,'domain_lists':{'l':{'file':'lists/big.txt',`'file':'lists/big.txt'}}}", -1,
     DNSFW_ESCHEMA, "file"},
    /* wrong types and values, tiered form */
    {"mode number", "{'dnsfw':1,'mode':`1}", -1, DNSFW_ESCHEMA, "mode"},
    {"mode case", "{'dnsfw':1,'mode':`'Enforce'}", -1, DNSFW_ESCHEMA, "mode"},
    {"mode empty", "{'dnsfw':1,'mode':`''}", -1, DNSFW_ESCHEMA, "mode"},
    {"fail_open string", "{'dnsfw':1,'fail_open':`'yes'}", -1, DNSFW_ESCHEMA, "fail_open"},
    {"fail_open number", "{'dnsfw':1,'fail_open':`1}", -1, DNSFW_ESCHEMA, "fail_open"},
    {"fail_open null", "{'dnsfw':1,'fail_open':`null}", -1, DNSFW_ESCHEMA, "fail_open"},
    {"block_response unknown", "{'dnsfw':1,'block_response':`'DROP'}", -1, DNSFW_ESCHEMA,
     "block_response"},
    {"block_response case", "{'dnsfw':1,'block_response':`'nodata'}", -1, DNSFW_ESCHEMA,
     "block_response"},
    {"block_response empty", "{'dnsfw':1,'block_response':`''}", -1, DNSFW_ESCHEMA,
     "block_response"},
    {"block_response number", "{'dnsfw':1,'block_response':`1}", -1, DNSFW_ESCHEMA,
     "block_response"},
    {"block_override string", "{'dnsfw':1,'block_response':'OVERRIDE','block_override':`'x'}", -1,
     DNSFW_ESCHEMA, "block_override"},
    {"block_override domain number",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':{'domain':`1}}", -1, DNSFW_ESCHEMA,
     "domain"},
    {"block_override domain empty",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':{'domain':`''}}", -1, DNSFW_ESCHEMA,
     "domain"},
    {"block_override without domain",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':`{'ttl':5}}", -1, DNSFW_ESCHEMA,
     "domain"},
    {"block_override ttl string",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':{'domain':'s.example','ttl':`'60'}}",
     -1, DNSFW_ESCHEMA, "ttl"},
    {"block_override ttl 604801",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':{'domain':'s.example','ttl':"
     "`604801}}",
     -1, DNSFW_ESCHEMA, "ttl"},
    {"block_override ttl -1",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':{'domain':'s.example','ttl':`-1}}",
     -1, DNSFW_ESCHEMA, "ttl"},
    {"block_override ttl 1.5",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':{'domain':'s.example','ttl':`1.5}}",
     -1, DNSFW_ESCHEMA, "ttl"},
    {"OVERRIDE without block_override", "`{'dnsfw':1,'mode':'enforce','block_response':'OVERRIDE'}",
     -1, DNSFW_ESCHEMA, "block_override"},
    {"block_override without OVERRIDE",
     "{'dnsfw':1,'block_response':'NXDOMAIN','block_override':`{'domain':'s.example'}}", -1,
     DNSFW_ESCHEMA, "block_override"},
    {"block_override with the default response",
     "{'dnsfw':1,'block_override':`{'domain':'s.example'}}", -1, DNSFW_ESCHEMA, "block_override"},
    {"bad override domain, tiered",
     "{'dnsfw':1,'block_response':'OVERRIDE','block_override':`{'domain':'a..b'}}", -1,
     DNSFW_ESCHEMA, NULL},
    {"baseline string", "{'dnsfw':1,'baseline':`'github.com'}", -1, DNSFW_ESCHEMA, "baseline"},
    {"baseline object", "{'dnsfw':1,'baseline':`{}}", -1, DNSFW_ESCHEMA, "baseline"},
    {"baseline element number", "{'dnsfw':1,'baseline':['a.example',`1]}", -1, DNSFW_ESCHEMA,
     "baseline"},
    {"baseline element null", "{'dnsfw':1,'baseline':[`null]}", -1, DNSFW_ESCHEMA, "baseline"},
    {"blueprints object", "{'dnsfw':1,'blueprints':`{}}", -1, DNSFW_ESCHEMA, "blueprints"},
    {"blueprint string", "{'dnsfw':1,'blueprints':[`'a/b']}", -1, DNSFW_ESCHEMA, "blueprints"},
    {"blueprint without repo", "{'dnsfw':1,'blueprints':[`{'egress_allowlist':[]}]}", -1,
     DNSFW_ESCHEMA, "repo"},
    {"repo number", "{'dnsfw':1,'blueprints':[{'repo':`1}]}", -1, DNSFW_ESCHEMA, "repo"},
    {"repo empty", "{'dnsfw':1,'blueprints':[{'repo':`''}]}", -1, DNSFW_ESCHEMA, "repo"},
    {"egress_allowlist string",
     "{'dnsfw':1,'blueprints':[{'repo':'a/b','egress_allowlist':`'x.example'}]}", -1, DNSFW_ESCHEMA,
     "egress_allowlist"},
    {"egress_allowlist element",
     "{'dnsfw':1,'blueprints':[{'repo':'a/b','egress_allowlist':[`true]}]}", -1, DNSFW_ESCHEMA,
     "egress_allowlist"},
    /* wrong types and values, general form */
    {"fail_open string, general", "{'dnsfw':1,'fail_open':`'false','domain_lists':{}}", -1,
     DNSFW_ESCHEMA, "fail_open"},
    {"domain_lists array", "{'dnsfw':1,'domain_lists':`[]}", -1, DNSFW_ESCHEMA, "domain_lists"},
    {"domain_lists string", "{'dnsfw':1,'domain_lists':`'l'}", -1, DNSFW_ESCHEMA, "domain_lists"},
    {"list string", "{'dnsfw':1,'domain_lists':{'l':`'a.example'}}", -1, DNSFW_ESCHEMA, "l"},
    {"list number", "{'dnsfw':1,'domain_lists':{'l':`1}}", -1, DNSFW_ESCHEMA, "l"},
    {"list null", "{'dnsfw':1,'domain_lists':{'l':`null}}", -1, DNSFW_ESCHEMA, "l"},
    {"list element", "{'dnsfw':1,'domain_lists':{'l':['a.example',`[]]}}", -1, DNSFW_ESCHEMA, "l"},
    {"list object without file", "{'dnsfw':1,'domain_lists':{'l':`{}}}", -1, DNSFW_ESCHEMA, "file"},
    {"list file number", "{'dnsfw':1,'domain_lists':{'l':{'file':`1}}}", -1, DNSFW_ESCHEMA, "file"},
    {"list file empty", "{'dnsfw':1,'domain_lists':{'l':{'file':`''}}}", -1, DNSFW_ESCHEMA, "file"},
    {"rule_groups object", "{'dnsfw':1,'rule_groups':`{}}", -1, DNSFW_ESCHEMA, "rule_groups"},
    {"rule group number", "{'dnsfw':1,'rule_groups':[`1]}", -1, DNSFW_ESCHEMA, "rule_groups"},
    {"group without name", "{'dnsfw':1,'rule_groups':[`{'priority':1,'rules':[]}]}", -1,
     DNSFW_ESCHEMA, "name"},
    {"group name number", "{'dnsfw':1,'rule_groups':[{'name':`1,'priority':1,'rules':[]}]}", -1,
     DNSFW_ESCHEMA, "name"},
    {"group name empty", "{'dnsfw':1,'rule_groups':[{'name':`'','priority':1,'rules':[]}]}", -1,
     DNSFW_ESCHEMA, "name"},
    {"group without priority", "{'dnsfw':1,'rule_groups':[`{'name':'g','rules':[]}]}", -1,
     DNSFW_ESCHEMA, "priority"},
    {"group priority string", "{'dnsfw':1,'rule_groups':[{'name':'g','priority':`'1','rules':[]}]}",
     -1, DNSFW_ESCHEMA, "priority"},
    {"group priority 0", "{'dnsfw':1,'rule_groups':[{'name':'g','priority':`0,'rules':[]}]}", -1,
     DNSFW_ESCHEMA, "priority"},
    {"group priority 10001",
     "{'dnsfw':1,'rule_groups':[{'name':'g','priority':`10001,'rules':[]}]}", -1, DNSFW_ESCHEMA,
     "priority"},
    {"group priority 1.5", "{'dnsfw':1,'rule_groups':[{'name':'g','priority':`1.5,'rules':[]}]}",
     -1, DNSFW_ESCHEMA, "priority"},
    {"group without rules", "{'dnsfw':1,'rule_groups':[`{'name':'g','priority':1}]}", -1,
     DNSFW_ESCHEMA, "rules"},
    {"rules object", "{'dnsfw':1,'rule_groups':[{'name':'g','priority':1,'rules':`{}}]}", -1,
     DNSFW_ESCHEMA, "rules"},
    {"rule string", GEN_HEAD "`'r'" GEN_TAIL, -1, DNSFW_ESCHEMA, "rules"},
    {"rule without name", GEN_HEAD "`{'priority':1,'action':'ALLOW','domain_list':'l'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "name"},
    {"rule name number",
     GEN_HEAD "{'name':`7,'priority':1,'action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "name"},
    {"rule name empty",
     GEN_HEAD "{'name':`'','priority':1,'action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "name"},
    {"rule without priority", GEN_HEAD "`{'name':'r','action':'ALLOW','domain_list':'l'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "priority"},
    {"rule priority string",
     GEN_HEAD "{'name':'r','priority':`'1','action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "priority"},
    {"rule priority 0",
     GEN_HEAD "{'name':'r','priority':`0,'action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "priority"},
    {"rule priority -5",
     GEN_HEAD "{'name':'r','priority':`-5,'action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "priority"},
    {"rule priority 2^31",
     GEN_HEAD "{'name':'r','priority':`2147483648,'action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "priority"},
    {"rule priority 1.5",
     GEN_HEAD "{'name':'r','priority':`1.5,'action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "priority"},
    {"rule without action", GEN_HEAD "`{'name':'r','priority':1,'domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "action"},
    {"action lower case", GEN_HEAD RULE_HEAD "'action':`'allow'}" GEN_TAIL, -1, DNSFW_ESCHEMA,
     "action"},
    {"action empty", GEN_HEAD RULE_HEAD "'action':`''}" GEN_TAIL, -1, DNSFW_ESCHEMA, "action"},
    {"action NONE", GEN_HEAD RULE_HEAD "'action':`'NONE'}" GEN_TAIL, -1, DNSFW_ESCHEMA, "action"},
    {"action number", GEN_HEAD RULE_HEAD "'action':`3}" GEN_TAIL, -1, DNSFW_ESCHEMA, "action"},
    {"rule without domain_list", GEN_HEAD "`{'name':'r','priority':1,'action':'ALLOW'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "domain_list"},
    {"domain_list number",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALLOW','domain_list':`1}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "domain_list"},
    {"domain_list empty",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALLOW','domain_list':`''}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "domain_list"},
    {"qtype number", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`28}" GEN_TAIL, -1, DNSFW_ESCHEMA,
     "qtype"},
    {"redirection short", GEN_HEAD RULE_HEAD "'action':'ALLOW','redirection':`'TRUST'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "redirection"},
    {"redirection number", GEN_HEAD RULE_HEAD "'action':'ALLOW','redirection':`1}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "redirection"},
    {"rule block_response unknown",
     GEN_HEAD RULE_HEAD "'action':'BLOCK','block_response':`'DROP'}" GEN_TAIL, -1, DNSFW_ESCHEMA,
     "block_response"},
    {"rule block_response empty",
     GEN_HEAD RULE_HEAD "'action':'BLOCK','block_response':`''}" GEN_TAIL, -1, DNSFW_ESCHEMA,
     "block_response"},
    {"rule block_response empty on ALLOW",
     GEN_HEAD RULE_HEAD "'action':'ALLOW','block_response':`''}" GEN_TAIL, -1, DNSFW_ESCHEMA,
     "block_response"},
    {"rule block_override array",
     GEN_HEAD RULE_HEAD
     "'action':'BLOCK','block_response':'OVERRIDE','block_override':`[]}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "block_override"},
    /* names */
    {"list name all digits", "{'dnsfw':1,'domain_lists':{`'123':[]}}", -1, DNSFW_ESCHEMA, "123"},
    {"list name with a dot", "{'dnsfw':1,'domain_lists':{'ok':[],`'a.b':[]}}", -1, DNSFW_ESCHEMA,
     "a.b"},
    {"list name empty", "{'dnsfw':1,'domain_lists':{`'':[]}}", -1, DNSFW_ESCHEMA, NULL},
    {"list name 65 characters",
     "{'dnsfw':1,'domain_lists':{`'"
     "x2345678901234567890123456789012345678901234567890123456789012345'"
     ":[]}}",
     -1, DNSFW_ESCHEMA, NULL},
    {"group name with a slash",
     "{'dnsfw':1,'rule_groups':[{'name':`'a/b','priority':1,'rules':[]}]}", -1, DNSFW_ESCHEMA,
     "name"},
    {"group name all digits", "{'dnsfw':1,'rule_groups':[{'name':`'42','priority':1,'rules':[]}]}",
     -1, DNSFW_ESCHEMA, "name"},
    {"rule name with a slash",
     GEN_HEAD "`{'name':'a/b','priority':1,'action':'ALLOW','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, NULL},
    /* duplicates */
    {"list defined twice", "{'dnsfw':1,'domain_lists':{'l':[],'m':[],`'l':['a.example']}}", -1,
     DNSFW_EDUPLICATE, "l"},
    {"group name twice",
     "{'dnsfw':1,'rule_groups':[{'name':'g','priority':1,'rules':[]},"
     "`{'name':'g','priority':2,'rules':[]}]}",
     -1, DNSFW_EDUPLICATE, NULL},
    {"group priority twice",
     "{'dnsfw':1,'rule_groups':[{'name':'g','priority':1,'rules':[]},"
     "`{'name':'h','priority':1,'rules':[]}]}",
     -1, DNSFW_EDUPLICATE, NULL},
    {"rule priority twice",
     GEN_HEAD RULE_OK ",{'name':'s','priority':`1,'action':'ALERT','domain_list':'l'}" GEN_TAIL, -1,
     DNSFW_EDUPLICATE, NULL},
    {"repository twice",
     "{'dnsfw':1,'blueprints':[{'repo':'a/b','egress_allowlist':[]},{'repo':`'a/b'}]}", -1,
     DNSFW_EDUPLICATE, "a/b"},
    /* rules the builder rejects */
    {"BLOCK without block_response", GEN_HEAD "`" RULE_HEAD "'action':'BLOCK'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "block_response"},
    {"block_response on ALLOW",
     GEN_HEAD "`" RULE_HEAD "'action':'ALLOW','block_response':'NODATA'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "block_response"},
    {"block_response on ALERT",
     GEN_HEAD "`" RULE_HEAD "'action':'ALERT','block_response':'NXDOMAIN'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "block_response"},
    {"OVERRIDE without block_override",
     GEN_HEAD "`" RULE_HEAD "'action':'BLOCK','block_response':'OVERRIDE'}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "block_override"},
    {"block_override without OVERRIDE",
     GEN_HEAD "`" RULE_HEAD "'action':'BLOCK','block_response':'NODATA','block_override':{"
              "'domain':'s.example'}}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "block_override"},
    {"block_override on ALLOW",
     GEN_HEAD "`" RULE_HEAD "'action':'ALLOW','block_override':{'domain':'s.example'}}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "block_override"},
    {"rule ttl 604801",
     GEN_HEAD RULE_HEAD "'action':'BLOCK'," OVERRIDE_OK ",'ttl':`604801}}" GEN_TAIL, -1,
     DNSFW_ESCHEMA, "ttl"},
    {"rule override domain number",
     GEN_HEAD RULE_HEAD "'action':'BLOCK','block_response':'OVERRIDE','block_override':{"
                        "'domain':`5}}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "domain"},
    {"rule override without domain",
     GEN_HEAD RULE_HEAD "'action':'BLOCK','block_response':'OVERRIDE','block_override':`{"
                        "'ttl':5}}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "domain"},
    {"rule ttl string", GEN_HEAD RULE_HEAD "'action':'BLOCK'," OVERRIDE_OK ",'ttl':`'0'}}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "ttl"},
    {"rule override domain empty label",
     GEN_HEAD
     "`" RULE_HEAD
     "'action':'BLOCK','block_response':'OVERRIDE','block_override':{'domain':'a..b'}}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "domain"},
    {"rule override domain label too long",
     GEN_HEAD
     "`" RULE_HEAD "'action':'BLOCK','block_response':'OVERRIDE','block_override':{'domain':"
     "'x234567890123456789012345678901234567890123456789012345678901234.example'}}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "domain"},
    /* undefined list */
    {"undefined domain_list",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALLOW','domain_list':`'m'}" GEN_TAIL, -1,
     DNSFW_ENOTFOUND, "m"},
    {"list names are case-sensitive",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALLOW','domain_list':`'L'}" GEN_TAIL, -1,
     DNSFW_ENOTFOUND, "L"},
    {"lists are defined before rules refer to them",
     "{'dnsfw':1,'rule_groups':[{'name':'g','priority':1,'rules':[{'name':'r','priority':1,"
     "'action':'ALLOW','domain_list':`'l'}]}]}",
     -1, DNSFW_ENOTFOUND, "l"},
    /* DNS Firewall Advanced rules */
    {"Advanced rule with a domain list too",
     GEN_HEAD "{'name':'r','priority':1,'action':'BLOCK','domain_list':'l','block_response':"
              "'NODATA',`'dns_threat_protection':'DGA','confidence_threshold':'LOW'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "one match source"},
    {"Advanced rule without a threshold",
     GEN_HEAD "`{'name':'r','priority':1,'action':'ALERT','dns_threat_protection':'DGA'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "confidence_threshold"},
    {"threshold without a protection",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALERT','domain_list':'l',"
              "`'confidence_threshold':'LOW'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "goes with dns_threat_protection"},
    {"unknown protection",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALERT','dns_threat_protection':`'DICT_DGA',"
              "'confidence_threshold':'LOW'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "DICTIONARY_DGA"},
    {"unknown threshold",
     GEN_HEAD "{'name':'r','priority':1,'action':'ALERT','dns_threat_protection':'DGA',"
              "'confidence_threshold':`'low'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "MEDIUM"},
    {"Advanced rule that ALLOWs",
     GEN_HEAD "`{'name':'r','priority':1,'action':'ALLOW','dns_threat_protection':"
              "'DNS_TUNNELING','confidence_threshold':'HIGH'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "ALLOW"},
    {"Advanced BLOCK rule without a response",
     GEN_HEAD "`{'name':'r','priority':1,'action':'BLOCK','dns_threat_protection':"
              "'DNS_TUNNELING','confidence_threshold':'HIGH'}" GEN_TAIL,
     -1, DNSFW_ESCHEMA, "block_response"},
    {"neither a list nor a protection",
     GEN_HEAD "`{'name':'r','priority':1,'action':'ALERT'}" GEN_TAIL, -1, DNSFW_ESCHEMA,
     "domain_list"},
    /* query types */
    {"qtype HTTPS", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`'HTTPS'}" GEN_TAIL, -1,
     DNSFW_EQTYPE, "qtype"},
    {"qtype ANY", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`'ANY'}" GEN_TAIL, -1, DNSFW_EQTYPE,
     "qtype"},
    {"qtype TYPE65535", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`'TYPE65535'}" GEN_TAIL, -1,
     DNSFW_EQTYPE, "qtype"},
    {"qtype TYPE0", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`'TYPE0'}" GEN_TAIL, -1,
     DNSFW_EQTYPE, "qtype"},
    {"qtype TYPE65536", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`'TYPE65536'}" GEN_TAIL, -1,
     DNSFW_EQTYPE, "qtype"},
    {"qtype junk", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`'AAAA '}" GEN_TAIL, -1,
     DNSFW_EQTYPE, "qtype"},
    {"qtype empty", GEN_HEAD RULE_HEAD "'action':'ALLOW','qtype':`''}" GEN_TAIL, -1, DNSFW_EQTYPE,
     "qtype"},
    /* invalid specs */
    {"bad spec in a list", "{'dnsfw':1,'domain_lists':{'l':['ok.example',`'a.*.com']}}", -1,
     DNSFW_EBADSPEC, "a.*.com"},
    {"bad spec in the baseline", "{'dnsfw':1,'baseline':['github.com',`'*x.com']}", -1,
     DNSFW_EBADSPEC, "*x.com"},
    {"bad spec in an allowlist",
     "{'dnsfw':1,'blueprints':[{'repo':'org/a','egress_allowlist':[`'_dmarc.example.com']}]}", -1,
     DNSFW_EBADSPEC, "_dmarc.example.com"},
    {"empty spec", "{'dnsfw':1,'baseline':[`'']}", -1, DNSFW_EBADSPEC, NULL},
    {"non-ASCII spec",
     "{'dnsfw':1,'baseline':[`'b\xC3\xBC"
     "cher.example']}",
     -1, DNSFW_EBADSPEC, "xn--"},
    {"escaped \\u0000 is text", "{'dnsfw':1,'baseline':[`'\\\\u0000']}", -1, DNSFW_EBADSPEC, NULL},
    {"spec with an escaped NUL-free control", "{'dnsfw':1,'baseline':[`'a\\tb.example']}", -1,
     DNSFW_EBADSPEC, NULL},
    /* the list file itself is missing: EIO at its name */
    {"missing list file", "{'dnsfw':1,'domain_lists':{'l':{'file':`'lists/no-such-file.txt'}}}", -1,
     DNSFW_EIO, "no-such-file.txt"},
    /* positions on later lines, after CRLF, tabs, a BOM, multi-byte characters, escapes */
    {"later line",
     "{\n  'dnsfw': 1,\n  'domain_lists': {\n    'l': ['a.example']\n  },\n  'rule_groups': [\n"
     "    { 'name': 'g', 'priority': 1, 'rules': [\n"
     "        { 'name': 'r', 'priority': 1, 'action': 'BLOCK', 'domain_list': `'m' }\n"
     "    ] }\n  ]\n}\n",
     -1, DNSFW_ENOTFOUND, "m"},
    {"CRLF", "{\r\n'dnsfw':1,\r\n`'x':1}\r\n", -1, DNSFW_ESCHEMA, "x"},
    {"tabs", "{\t'dnsfw':1,\t\t`'x':1}", -1, DNSFW_ESCHEMA, "x"},
    {"byte order mark", "\xEF\xBB\xBF{'dnsfw':1,`'x':1}", -1, DNSFW_ESCHEMA, "x"},
    {"multi-byte characters",
     "{'dnsfw':1,'blueprints':[{'repo':'\xC3\xBC/\xC3\xBC','egress_allowlist':[`'*x']}]}", -1,
     DNSFW_EBADSPEC, "*x"},
    {"escaped key", "{'dnsfw':1,'\\u006dode':`'x'}", -1, DNSFW_ESCHEMA, "mode"},
    {"brackets and quotes in strings",
     "{'dnsfw':1,'blueprints':[{'repo':'{[\\',]}','egress_allowlist':['a.example',`'*x']}]}", -1,
     DNSFW_EBADSPEC, "*x"},
    {"nested error after arrays", "{'dnsfw':1,'domain_lists':{'a':['a.example',`['x']],'b':[]}}",
     -1, DNSFW_ESCHEMA, NULL},
};

START_TEST(bad_input)
{
    size_t len = bad[_i].len < 0 ? strlen(bad[_i].json) : (size_t)bad[_i].len;
    expect_error(bad[_i].what, bad[_i].json, len, bad[_i].status, bad[_i].msg);
}
END_TEST

/* A spec of 256 characters (and a much longer one) is rejected where it stands. */
START_TEST(oversized_spec)
{
    static const size_t sizes[] = {256, 1000, 3000};
    for (size_t s = 0; s < N_ELEMS(sizes); s++) {
        char json[3200];
        int o = snprintf(json, sizeof json, "{'dnsfw':1,\n'baseline':['ok.example', `'");
        for (size_t i = 0; i < sizes[s]; i++) /* labels of 63 letters, then dots */
            json[o++] = i % 64 == 63 ? '.' : 'a';
        snprintf(json + o, sizeof json - (size_t)o, "']}");
        expect_error("oversized spec", json, strlen(json), DNSFW_EBADSPEC, "255");
    }
    /* 255 characters are fine */
    char json[400];
    int o = snprintf(json, sizeof json, "{\"dnsfw\":1,\"baseline\":[\"");
    for (size_t i = 0; i < 255; i++)
        json[o++] = i % 64 == 63 ? '.' : 'a';
    snprintf(json + o, sizeof json - (size_t)o, "\"]}");
    dnsfw_policy *p = unit_policy(json);
    ck_assert_uint_eq(strlen(unit_str(dnsfw_policy_list_spec(p, 0, 0))), 255);
    dnsfw_policy_free(p);
}
END_TEST

/* The error of a bad spec in a list file names that file, its line and column. */
START_TEST(bad_list_file)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/bad-list.json", unit_data_dir());
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    ck_assert_int_eq(dnsfw_policy_load_file(&p, path, &err), DNSFW_EBADSPEC);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(err.status, DNSFW_EBADSPEC);
    const char *tail = "lists/bad.txt";
    size_t fl = strlen(err.file), tl = strlen(tail);
    ck_assert_msg(fl >= tl && strcmp(err.file + fl - tl, tail) == 0, "error file \"%s\"", err.file);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_uint_eq(err.column, 4);
    ck_assert_ptr_nonnull(strstr(err.message, "*x.example"));
    ck_assert_ptr_nonnull(strstr(err.message, "bad"));

    /* the same through dnsfw_policy_from_json with the data directory as base */
    const char *text = "{\"dnsfw\":1,\"domain_lists\":{\"bad\":{\"file\":\"lists/bad.txt\"}}}";
    ck_assert_int_eq(
        dnsfw_policy_from_json(&p, text, strlen(text), "inline", unit_data_dir(), &err),
        DNSFW_EBADSPEC);
    ck_assert_uint_eq(err.line, 4);
    ck_assert_uint_eq(err.column, 4);
}
END_TEST

START_TEST(load_file_errors)
{
    dnsfw_policy *p = (dnsfw_policy *)&p;
    dnsfw_error err;
    char path[4200];
    snprintf(path, sizeof path, "%s/no-such-policy.json", unit_data_dir());
    ck_assert_int_eq(dnsfw_policy_load_file(&p, path, &err), DNSFW_EIO);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(err.status, DNSFW_EIO);
    ck_assert_str_eq(err.file, path);
    ck_assert(err.message[0] != '\0');
    /* a directory is not a policy either */
    ck_assert_int_eq(dnsfw_policy_load_file(&p, unit_data_dir(), &err), DNSFW_EIO);
    ck_assert_int_eq(dnsfw_policy_load_file(&p, path, NULL), DNSFW_EIO);
    ck_assert_int_eq(dnsfw_policy_load_file(NULL, path, &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_load_file(&p, NULL, &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_from_json(NULL, "{}", 2, NULL, NULL, &err), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_from_json(&p, NULL, 2, NULL, NULL, &err), DNSFW_EINVAL);
    /* no text at all is an empty document */
    ck_assert_int_eq(dnsfw_policy_from_json(&p, NULL, 0, NULL, NULL, &err), DNSFW_EPARSE);
    ck_assert_uint_eq(err.line, 1);
    ck_assert_uint_eq(err.column, 1);
    /* without a source name the error still carries a position */
    ck_assert_int_eq(dnsfw_policy_from_json(&p, "{\"dnsfw\":3}", 11, NULL, NULL, &err),
                     DNSFW_ESCHEMA);
    ck_assert_uint_eq(err.line, 1);
    ck_assert_uint_eq(err.column, 10);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Limits on what a load reads: dnsfw_load_limits                                      */

/* A scratch directory with policy.json referring to list.txt. */
struct limits_dir {
    char dir[64], policy[96], list[96];
    size_t policy_len;
};

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void limits_dir_new(struct limits_dir *d)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/dnsfw-limits.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d->dir));
    snprintf(d->policy, sizeof d->policy, "%s/policy.json", d->dir);
    snprintf(d->list, sizeof d->list, "%s/list.txt", d->dir);
    const char *json = "{\"dnsfw\":1,\"domain_lists\":{\"l\":{\"file\":\"list.txt\"}}}";
    d->policy_len = strlen(json);
    write_text(d->policy, json, d->policy_len);
}

static void limits_dir_free(struct limits_dir *d)
{
    unlink(d->list);
    unlink(d->policy);
    rmdir(d->dir);
}

static int load_limited(const struct limits_dir *d, size_t max_bytes, uint32_t timeout_ms,
                        uint32_t flags, dnsfw_error *err)
{
    dnsfw_load_limits lim = {.max_bytes = max_bytes, .timeout_ms = timeout_ms, .flags = flags};
    dnsfw_policy *p = NULL;
    int rc = dnsfw_policy_load_file_limited(&p, d->policy, &lim, err);
    ck_assert((rc == DNSFW_OK) == (p != NULL));
    dnsfw_policy_free(p);
    return rc;
}

/* max_bytes counts the policy and its list files together, to the byte. */
START_TEST(limit_bytes)
{
    struct limits_dir d;
    limits_dir_new(&d);
    const char *list = "a.example\nb.example\n";
    write_text(d.list, list, strlen(list));
    size_t total = d.policy_len + strlen(list);
    dnsfw_error err;
    ck_assert_int_eq(load_limited(&d, total, 0, 0, &err), DNSFW_OK);
    ck_assert_int_eq(load_limited(&d, total - 1, 0, 0, &err), DNSFW_ELIMIT);
    ck_assert_str_eq(err.file, d.policy); /* the list file is named in the message */
    ck_assert_ptr_nonnull(strstr(err.message, "list.txt"));
    ck_assert_ptr_nonnull(strstr(err.message, "size limit (max_bytes)"));
    /* the policy file alone over the limit */
    ck_assert_int_eq(load_limited(&d, d.policy_len - 1, 0, 0, &err), DNSFW_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "exceeds the size limit"));
    /* text given to dnsfw_policy_from_json_limited counts too */
    dnsfw_load_limits lim = {.max_bytes = 5};
    dnsfw_policy *p = NULL;
    ck_assert_int_eq(dnsfw_policy_from_json_limited(&p, "{\"dnsfw\":1}", 11, "t", NULL, &lim, &err),
                     DNSFW_ELIMIT);
    ck_assert_ptr_null(p);
    lim.max_bytes = 11;
    ck_assert_int_eq(dnsfw_policy_from_json_limited(&p, "{\"dnsfw\":1}", 11, "t", NULL, &lim, &err),
                     DNSFW_OK);
    dnsfw_policy_free(p);
    /* unknown flags are refused */
    lim.flags = 0x80;
    ck_assert_int_eq(dnsfw_policy_from_json_limited(&p, "{}", 2, "t", NULL, &lim, &err),
                     DNSFW_EINVAL);
    limits_dir_free(&d);
}
END_TEST

/* An endless file stops at the limit: /dev/zero, also through the loader without limits. */
START_TEST(limit_endless_file)
{
    dnsfw_error err;
    dnsfw_load_limits lim = {.max_bytes = 1 << 20};
    dnsfw_policy *p = NULL;
    ck_assert_int_eq(dnsfw_policy_load_file_limited(&p, "/dev/zero", &lim, &err), DNSFW_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err.message, "1048576 bytes"));
    ck_assert_int_eq(dnsfw_policy_load_file(&p, "/dev/zero", &err), DNSFW_ELIMIT);
    ck_assert_ptr_null(p);
    /* regular files only: refused before a byte is read */
    lim.flags = DNSFW_LOAD_REGULAR_ONLY;
    ck_assert_int_eq(dnsfw_policy_load_file_limited(&p, "/dev/zero", &lim, &err), DNSFW_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file (a character device)"));
}
END_TEST

/*
 * A FIFO list file: refused under DNSFW_LOAD_REGULAR_ONLY; without a writer it reads as
 * empty (the open does not wait); with a silent writer the time limit ends the wait.
 */
START_TEST(limit_fifo)
{
    struct limits_dir d;
    limits_dir_new(&d);
    ck_assert_int_eq(mkfifo(d.list, 0600), 0);
    dnsfw_error err;
    ck_assert_int_eq(load_limited(&d, 0, 0, DNSFW_LOAD_REGULAR_ONLY, &err), DNSFW_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file (a FIFO)"));
    ck_assert_ptr_nonnull(strstr(err.message, "list.txt"));
    ck_assert_int_eq(load_limited(&d, 0, 100, 0, &err), DNSFW_OK);
    int writer = open(d.list, O_RDWR | O_NONBLOCK); /* a writer that never writes */
    ck_assert_int_ge(writer, 0);
    ck_assert_int_eq(load_limited(&d, 0, 100, 0, &err), DNSFW_ETIMEDOUT);
    ck_assert_ptr_nonnull(strstr(err.message, "time limit of 100 ms"));
    /* what the writer sends within the limit is read */
    ck_assert_int_eq(write(writer, "a.example\n", 10), 10);
    close(writer);
    ck_assert_int_eq(load_limited(&d, 0, 100, 0, &err), DNSFW_OK);
    limits_dir_free(&d);
}
END_TEST

/* A NUL byte in a list file is reported as such, with its line and column. */
START_TEST(list_file_nul)
{
    struct limits_dir d;
    limits_dir_new(&d);
    write_text(d.list, "a.example\nb.ex\0ample\n", 21);
    dnsfw_error err;
    ck_assert_int_eq(load_limited(&d, 0, 0, 0, &err), DNSFW_EENCODING);
    ck_assert_str_eq(err.file, d.list);
    ck_assert_uint_eq(err.line, 2);
    ck_assert_uint_eq(err.column, 5);
    ck_assert_ptr_nonnull(strstr(err.message, "NUL byte"));
    limits_dir_free(&d);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Valid policies                                                                      */

/* Contract §1.1, verbatim. */
static const char *tiered_example =
    "{\n"
    "  \"dnsfw\": 1,\n"
    "  \"mode\": \"observe\",\n"
    "  \"fail_open\": true,\n"
    "  \"block_response\": \"NODATA\",\n"
    "  \"baseline\": [\"github.com\", \"api.github.com\", \"*.githubusercontent.com\"],\n"
    "  \"blueprints\": [\n"
    "    { \"repo\": \"org/my-repo\",\n"
    "      \"egress_allowlist\": [\"npm.internal.example.com\", \"*.private-registry.io\"] }\n"
    "  ]\n"
    "}\n";

/* Contract §1.2, verbatim ("lists/big.txt" is tests/unit/data/lists/big.txt). */
static const char *general_example =
    "{\n"
    "  \"dnsfw\": 1,\n"
    "  \"fail_open\": false,\n"
    "  \"domain_lists\": {\n"
    "    \"allowed\": [\"pypi.org\", \"*.pythonhosted.org\"],\n"
    "    \"big\":     { \"file\": \"lists/big.txt\" },\n"
    "    \"all\":     [\"*\"]\n"
    "  },\n"
    "  \"rule_groups\": [\n"
    "    { \"name\": \"egress\", \"priority\": 1000,\n"
    "      \"rules\": [\n"
    "        { \"name\": \"allow\", \"priority\": 100, \"action\": \"ALLOW\", \"domain_list\": "
    "\"allowed\",\n"
    "          \"redirection\": \"TRUST_REDIRECTION_DOMAIN\" },\n"
    "        { \"name\": \"aaaa-off\", \"priority\": 150, \"action\": \"BLOCK\", \"domain_list\": "
    "\"all\",\n"
    "          \"qtype\": \"AAAA\", \"block_response\": \"NXDOMAIN\" },\n"
    "        { \"name\": \"rest\", \"priority\": 300, \"action\": \"BLOCK\", \"domain_list\": "
    "\"all\",\n"
    "          \"block_response\": \"OVERRIDE\",\n"
    "          \"block_override\": { \"domain\": \"sinkhole.example.\", \"ttl\": 60 } }\n"
    "      ] }\n"
    "  ]\n"
    "}\n";

static void check_list(const dnsfw_policy *p, uint32_t list, const char *name,
                       const char *const *specs, size_t n)
{
    ck_assert_str_eq(unit_str(dnsfw_policy_list_name(p, list)), name);
    ck_assert_uint_eq(dnsfw_policy_list_size(p, list), n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(unit_str(dnsfw_policy_list_spec(p, list, i)), specs[i]);
}

static void check_rule(const dnsfw_policy *p, uint32_t group, uint32_t i, const char *name,
                       uint32_t priority, dnsfw_action action, uint32_t list, uint16_t qtype,
                       dnsfw_redirection redirection, dnsfw_block_response response,
                       const char *override_domain, uint32_t ttl)
{
    dnsfw_rule_def r;
    ck_assert_int_eq(dnsfw_policy_get_rule(p, group, i, &r), DNSFW_OK);
    if (name)
        ck_assert_str_eq(unit_str(r.name), name);
    else
        ck_assert_ptr_null(r.name);
    ck_assert_uint_eq(r.priority, priority);
    ck_assert_int_eq(r.action, action);
    ck_assert_uint_eq(r.domain_list, list);
    ck_assert_uint_eq(r.qtype, qtype);
    ck_assert_int_eq(r.redirection, redirection);
    ck_assert_int_eq(r.block_response, response);
    if (override_domain)
        ck_assert_str_eq(unit_str(r.override_domain), override_domain);
    else
        ck_assert_ptr_null(r.override_domain);
    ck_assert_uint_eq(r.override_ttl, ttl);
}

static void check_group(const dnsfw_policy *p, uint32_t group, const char *name, uint32_t priority,
                        uint32_t n_rules)
{
    dnsfw_group_info gi;
    ck_assert_int_eq(dnsfw_policy_get_group(p, group, &gi), DNSFW_OK);
    ck_assert_str_eq(unit_str(gi.name), name);
    ck_assert_uint_eq(gi.priority, priority);
    ck_assert_uint_eq(gi.n_rules, n_rules);
}

START_TEST(tiered_contract_example)
{
    dnsfw_policy *p = unit_policy(tiered_example);
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.tiered, 1);
    ck_assert_int_eq(info.mode, DNSFW_MODE_OBSERVE);
    ck_assert_int_eq(info.fail_open, 1);
    ck_assert_uint_eq(info.n_lists, 3);
    ck_assert_uint_eq(info.n_groups, 1);
    ck_assert_uint_eq(info.n_scopes, 1);
    ck_assert_uint_eq(info.n_specs, 3 + 2 + 1);
    static const char *const base[] = {"github.com", "api.github.com", "*.githubusercontent.com"};
    static const char *const allow[] = {"npm.internal.example.com", "*.private-registry.io"};
    static const char *const all[] = {"*"};
    check_list(p, 0, "platform-baseline", base, N_ELEMS(base));
    check_list(p, 1, "blueprint-additional", allow, N_ELEMS(allow));
    check_list(p, 2, "block-all", all, 1);
    ck_assert_str_eq(unit_str(dnsfw_policy_scope_name(p, 0)), "org/my-repo");
    ck_assert_ptr_null(dnsfw_policy_scope_name(p, 1));
    check_group(p, 0, "agent-egress-policy", 101, 3);
    check_rule(p, 0, 0, NULL, 100, DNSFW_ACTION_ALLOW, 0, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NONE, NULL, 0);
    check_rule(p, 0, 1, NULL, 200, DNSFW_ACTION_ALLOW, 1, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NONE, NULL, 0);
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_ALERT, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NONE, NULL, 0);
    /* block_response NODATA takes effect in enforce mode */
    ck_assert_int_eq(dnsfw_policy_set_mode(p, DNSFW_MODE_ENFORCE), DNSFW_OK);
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_BLOCK, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NODATA, NULL, 0);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(general_contract_example)
{
    dnsfw_policy *p = unit_policy(general_example);
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.tiered, 0);
    ck_assert_int_eq(info.fail_open, 0);
    ck_assert_uint_eq(info.n_lists, 3);
    ck_assert_uint_eq(info.n_groups, 1);
    ck_assert_uint_eq(info.n_scopes, 0);
    ck_assert_uint_eq(info.n_specs, 2 + 2 + 1);
    static const char *const allowed[] = {"pypi.org", "*.pythonhosted.org"};
    static const char *const big[] = {"tracker.example", "*.ads.example"};
    static const char *const all[] = {"*"};
    check_list(p, 0, "allowed", allowed, N_ELEMS(allowed));
    check_list(p, 1, "big", big, N_ELEMS(big));
    check_list(p, 2, "all", all, 1);
    check_group(p, 0, "egress", 1000, 3);
    check_rule(p, 0, 0, "allow", 100, DNSFW_ACTION_ALLOW, 0, 0, DNSFW_REDIRECTION_TRUST,
               DNSFW_RESPONSE_NONE, NULL, 0);
    check_rule(p, 0, 1, "aaaa-off", 150, DNSFW_ACTION_BLOCK, 2, 28, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NXDOMAIN, NULL, 0);
    check_rule(p, 0, 2, "rest", 300, DNSFW_ACTION_BLOCK, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_OVERRIDE, "sinkhole.example.", 60);
    /* the mode is the tiered form's */
    ck_assert_int_eq(dnsfw_policy_set_mode(p, DNSFW_MODE_ENFORCE), DNSFW_EINVAL);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(tiered_defaults)
{
    static const char *const baseline[] = {
        "github.com",
        "api.github.com",
        "*.githubusercontent.com",
        "registry.npmjs.org",
        "*.npmjs.org",
        "pypi.org",
        "*.pypi.org",
        "files.pythonhosted.org",
        "*.amazonaws.com",
    };
    static const char *const placeholder[] = {"placeholder.invalid"};
    dnsfw_policy *p = unit_policy("{\"dnsfw\": 1}");
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.tiered, 1);
    ck_assert_int_eq(info.mode, DNSFW_MODE_OBSERVE);
    ck_assert_int_eq(info.fail_open, 1);
    ck_assert_uint_eq(info.n_scopes, 0);
    check_list(p, 0, "platform-baseline", baseline, N_ELEMS(baseline));
    check_list(p, 1, "blueprint-additional", placeholder, 1);
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_ALERT, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NONE, NULL, 0);
    ck_assert_int_eq(dnsfw_policy_set_mode(p, DNSFW_MODE_ENFORCE), DNSFW_OK);
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_BLOCK, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NODATA, NULL, 0);
    dnsfw_policy_free(p);

    /* enforce with the default response */
    p = unit_policy("{\"dnsfw\": 1, \"mode\": \"enforce\"}");
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.mode, DNSFW_MODE_ENFORCE);
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_BLOCK, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NODATA, NULL, 0);
    dnsfw_policy_free(p);

    /* "baseline": [] is an empty list, not the default */
    p = unit_policy("{\"dnsfw\": 1, \"baseline\": [], \"fail_open\": false}");
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.fail_open, 0);
    ck_assert_uint_eq(dnsfw_policy_list_size(p, 0), 0);
    ck_assert_uint_eq(info.n_specs, 2); /* placeholder and "*" */
    dnsfw_policy_free(p);

    /* NXDOMAIN; OVERRIDE with and without a TTL (default 0) */
    p = unit_policy("{\"dnsfw\":1,\"mode\":\"enforce\",\"block_response\":\"NXDOMAIN\"}");
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_BLOCK, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NXDOMAIN, NULL, 0);
    dnsfw_policy_free(p);
    p = unit_policy("{\"dnsfw\":1,\"mode\":\"enforce\",\"block_response\":\"OVERRIDE\","
                    "\"block_override\":{\"domain\":\"sinkhole.example.\"}}");
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_BLOCK, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_OVERRIDE, "sinkhole.example.", 0);
    dnsfw_policy_free(p);
    p = unit_policy("{\"dnsfw\":1,\"block_response\":\"OVERRIDE\","
                    "\"block_override\":{\"domain\":\"sinkhole.example\",\"ttl\":604800}}");
    /* observe mode: ALERT, the override waits for enforce mode */
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_ALERT, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NONE, NULL, 0);
    ck_assert_int_eq(dnsfw_policy_set_mode(p, DNSFW_MODE_ENFORCE), DNSFW_OK);
    check_rule(p, 0, 2, NULL, 300, DNSFW_ACTION_BLOCK, 2, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_OVERRIDE, "sinkhole.example", 604800);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(blueprints)
{
    dnsfw_policy *p = unit_policy(
        "{\"dnsfw\":1,\"baseline\":[\"github.com\"],\"blueprints\":["
        "{\"repo\":\"org/a\",\"egress_allowlist\":[\"PyPI.org.\",\"*.Example.com\"]},"
        "{\"repo\":\"org/b\",\"egress_allowlist\":[\"pypi.org\",\"b.example\",\"pypi.org\"]},"
        "{\"repo\":\"org/empty\",\"egress_allowlist\":[]},"
        "{\"repo\":\"org/none\"}]}");
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_uint_eq(info.n_scopes, 4);
    ck_assert_uint_eq(info.n_lists, 3); /* the blueprints' own lists are not deployed */
    static const char *const scopes[] = {"org/a", "org/b", "org/empty", "org/none"};
    for (uint32_t i = 0; i < 4; i++)
        ck_assert_str_eq(unit_str(dnsfw_policy_scope_name(p, i)), scopes[i]);
    /* the union, de-duplicated after normalisation, in first-seen order */
    static const char *const un[] = {"pypi.org", "*.example.com", "b.example"};
    check_list(p, 1, "blueprint-additional", un, N_ELEMS(un));
    dnsfw_policy_free(p);

    /* only empty allowlists: the union gets the placeholder */
    p = unit_policy("{\"dnsfw\":1,\"blueprints\":[{\"repo\":\"org/empty\","
                    "\"egress_allowlist\":[]},{\"repo\":\"org/none\"}]}");
    static const char *const placeholder[] = {"placeholder.invalid"};
    check_list(p, 1, "blueprint-additional", placeholder, 1);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(general_defaults)
{
    dnsfw_policy *p = unit_policy("{\"dnsfw\":1,\"domain_lists\":{}}");
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.tiered, 0);
    ck_assert_int_eq(info.fail_open, 0);
    ck_assert_uint_eq(info.n_lists, 0);
    ck_assert_uint_eq(info.n_groups, 0);
    dnsfw_policy_free(p);

    p = unit_policy("{\"dnsfw\":1,\"rule_groups\":[]}");
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.tiered, 0);
    dnsfw_policy_free(p);

    /* rule defaults: INSPECT, every qtype, TTL 0; an empty list is fine */
    p = unit_policy(
        "{\"dnsfw\":1,\"fail_open\":true,\"domain_lists\":{\"l\":[],\"A-b_c d\":[\"x.example\"]},"
        "\"rule_groups\":[{\"name\":\"g\",\"priority\":10000,\"rules\":["
        "{\"name\":\"o\",\"priority\":2147483647,\"action\":\"BLOCK\",\"domain_list\":\"l\","
        "\"block_response\":\"OVERRIDE\",\"block_override\":{\"domain\":\"s.example\"}},"
        "{\"name\":\"i\",\"priority\":1,\"action\":\"ALERT\",\"domain_list\":\"A-b_c d\","
        "\"redirection\":\"INSPECT_REDIRECTION_DOMAIN\"}]}]}");
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.fail_open, 1);
    check_group(p, 0, "g", 10000, 2);
    check_rule(p, 0, 0, "i", 1, DNSFW_ACTION_ALERT, 1, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_NONE, NULL, 0);
    check_rule(p, 0, 1, "o", 2147483647, DNSFW_ACTION_BLOCK, 0, 0, DNSFW_REDIRECTION_INSPECT,
               DNSFW_RESPONSE_OVERRIDE, "s.example", 0);
    dnsfw_policy_free(p);
}
END_TEST

static const struct {
    const char *qtype;
    unsigned value;
} qtypes[] = {
    {"A", 1},       {"AAAA", 28},     {"aaaa", 28},
    {"CAA", 257},   {"CNAME", 5},     {"Cname", 5},
    {"DS", 43},     {"MX", 15},       {"NAPTR", 35},
    {"NS", 2},      {"PTR", 12},      {"SOA", 6},
    {"SPF", 99},    {"SRV", 33},      {"TXT", 16},
    {"TYPE1", 1},   {"TYPE28", 28},   {"type28", 28},
    {"TYPE65", 65}, {"TYPE255", 255}, {"TYPE65534", 65534},
};

START_TEST(qtype_values)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"dnsfw\":1,\"domain_lists\":{\"l\":[\"*\"]},\"rule_groups\":[{\"name\":\"g\","
             "\"priority\":1,\"rules\":[{\"name\":\"r\",\"priority\":1,\"action\":\"ALLOW\","
             "\"domain_list\":\"l\",\"qtype\":\"%s\"}]}]}",
             qtypes[_i].qtype);
    dnsfw_policy *p = unit_policy(json);
    dnsfw_rule_def r;
    ck_assert_int_eq(dnsfw_policy_get_rule(p, 0, 0, &r), DNSFW_OK);
    ck_assert_uint_eq(r.qtype, qtypes[_i].value);
    dnsfw_policy_free(p);
}
END_TEST

START_TEST(list_files)
{
    /* tests/unit/data/general.json refers to lists/good.txt beside it */
    char path[4200];
    snprintf(path, sizeof path, "%s/general.json", unit_data_dir());
    dnsfw_policy *p = NULL;
    dnsfw_error err;
    int rc = dnsfw_policy_load_file(&p, path, &err);
    ck_assert_msg(rc == DNSFW_OK, "%s:%u:%u: %s", err.file, err.line, err.column, err.message);
    static const char *const good[] = {"example.com", "*.example.org", "*", "last.example"};
    check_list(p, 0, "good", good, N_ELEMS(good));
    dnsfw_policy_info info;
    dnsfw_policy_get_info(p, &info);
    ck_assert_int_eq(info.fail_open, 1);
    check_group(p, 0, "egress", 500, 2);
    dnsfw_policy_free(p);

    /* a relative path from another working directory resolves beside the policy */
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(unit_data_dir()), 0);
    rc = dnsfw_policy_load_file(&p, "general.json", &err);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(rc == DNSFW_OK, "%s:%u:%u: %s", err.file, err.line, err.column, err.message);
    check_list(p, 0, "good", good, N_ELEMS(good));
    dnsfw_policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------------------- */
/* Dumps                                                                               */

struct sink {
    char *data;
    size_t len, cap;
    int fail_after; /* calls before a failure; -1: never */
};

static int sink_write(void *userdata, const char *data, size_t len)
{
    struct sink *s = userdata;
    if (s->fail_after == 0)
        return -1;
    if (s->fail_after > 0)
        s->fail_after--;
    if (s->len + len + 1 > s->cap) {
        size_t cap = (s->len + len + 1) * 2;
        char *d = realloc(s->data, cap);
        ck_assert_ptr_nonnull(d);
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    s->data[s->len] = '\0';
    return 0;
}

static char *dump(const dnsfw_policy *p)
{
    struct sink s = {.fail_after = -1};
    ck_assert_int_eq(dnsfw_policy_dump_json(p, sink_write, &s), DNSFW_OK);
    ck_assert_ptr_nonnull(s.data);
    return s.data;
}

/* Names evaluated on both sides of a round trip: every verdict must be the same. */
static const char *const probe_names[] = {
    "github.com",
    "api.github.com",
    "x.githubusercontent.com",
    "pypi.org",
    "files.pythonhosted.org",
    "pythonhosted.org",
    "npm.internal.example.com",
    "a.private-registry.io",
    "evil.example",
    "tracker.example",
    "x.ads.example",
    "example.com",
    "www.example.com",
    "www.example.org",
    "last.example",
    ".",
    "b.example",
    "placeholder.invalid",
};

static void same_verdicts(const dnsfw_policy *a, const dnsfw_policy *b)
{
    dnsfw_matcher *ma, *mb;
    ck_assert_int_eq(dnsfw_compile(a, &ma), DNSFW_OK);
    ck_assert_int_eq(dnsfw_compile(b, &mb), DNSFW_OK);
    ck_assert_int_eq(dnsfw_matcher_fail_open(ma), dnsfw_matcher_fail_open(mb));
    static const uint16_t types[] = {1, 28, 16};
    for (size_t i = 0; i < N_ELEMS(probe_names); i++) {
        for (size_t t = 0; t < N_ELEMS(types); t++) {
            const char *n = probe_names[i];
            dnsfw_verdict va, vb;
            ck_assert_int_eq(dnsfw_eval(ma, n, strlen(n), types[t], 0, &va), DNSFW_OK);
            ck_assert_int_eq(dnsfw_eval(mb, n, strlen(n), types[t], 0, &vb), DNSFW_OK);
            ck_assert_int_eq(va.action, vb.action);
            ck_assert_int_eq(va.block_response, vb.block_response);
            dnsfw_explanation ea, eb;
            ck_assert_int_eq(dnsfw_explain(ma, &va, 0, &ea), DNSFW_OK);
            ck_assert_int_eq(dnsfw_explain(mb, &vb, 0, &eb), DNSFW_OK);
            ck_assert_str_eq(unit_str(ea.rule_group), unit_str(eb.rule_group));
            ck_assert_str_eq(unit_str(ea.rule), unit_str(eb.rule));
            ck_assert_uint_eq(ea.rule_priority, eb.rule_priority);
            ck_assert_str_eq(unit_str(ea.domain_list), unit_str(eb.domain_list));
            ck_assert_str_eq(ea.entry, eb.entry);
            ck_assert_str_eq(unit_str(ea.override_domain), unit_str(eb.override_domain));
            ck_assert_uint_eq(ea.override_ttl, eb.override_ttl);
            ck_assert_uint_eq(ea.qtype, eb.qtype);
            ck_assert_int_eq(ea.redirection, eb.redirection);
        }
    }
    dnsfw_matcher_free(ma);
    dnsfw_matcher_free(mb);
}

#define MANAGED_EXAMPLE                                                                            \
    "{\"dnsfw\":1,\"domain_lists\":{\"m\":{\"managed\":\"AWSManagedDomainsMalwareDomainList\","    \
    "\"ids\":{\"us-east-1\":\"rslvr-fdl-2c46f2ecbfec4dcc\",\"eu-west-1\":\"rslvr-fdl-7b5e\"},"     \
    "\"stand_in\":[\"Bad.Example.\"]},\"x\":{\"managed\":true,\"ids\":{\"*\":"                     \
    "\"rslvr-fdl-01\"}},\"all\":[\"*\"]},\"rule_groups\":[{\"name\":\"g\",\"priority\":"           \
    "200,\"rules\":[{\"name\":\"m\",\"priority\":1,\"action\":\"BLOCK\",\"domain_list\":"          \
    "\"m\",\"block_response\":\"NODATA\"},{\"name\":\"x\",\"priority\":2,\"action\":"              \
    "\"ALERT\",\"domain_list\":\"x\"}]}]}"

static const char *const round_trips[] = {
    NULL, /* tiered_example */
    NULL, /* general_example */
    "{\"dnsfw\":1}",
    "{\"dnsfw\":1,\"baseline\":[]}",
    "{\"dnsfw\":1,\"mode\":\"enforce\",\"fail_open\":false,\"block_response\":\"OVERRIDE\","
    "\"block_override\":{\"domain\":\"sinkhole.example.\",\"ttl\":30},\"baseline\":[\"Github.COM."
    "\"],"
    "\"blueprints\":[{\"repo\":\"org/a\",\"egress_allowlist\":[\"*.Example.com\",\"b.example\"]},"
    "{\"repo\":\"org/empty\",\"egress_allowlist\":[]},{\"repo\":\"org/b\","
    "\"egress_allowlist\":[\"b.example\"]}]}",
    "{\"dnsfw\":1,\"domain_lists\":{}}",
    MANAGED_EXAMPLE, /* AWS-managed lists: names, ids per Region, a stand-in */
    "{\"dnsfw\":1,\"fail_open\":true,\"domain_lists\":{\"good\":{\"file\":\"lists/good.txt\"},"
    "\"empty\":[],\"unused\":[\"x.example\"]},\"rule_groups\":[{\"name\":\"late\",\"priority\":"
    "9000,"
    "\"rules\":[{\"name\":\"r\",\"priority\":5,\"action\":\"ALERT\",\"domain_list\":\"good\","
    "\"qtype\":\"TYPE65\"}]},{\"name\":\"early\",\"priority\":2,\"rules\":[{\"name\":\"b\","
    "\"priority\":9,\"action\":\"BLOCK\",\"domain_list\":\"good\",\"qtype\":\"txt\","
    "\"block_response\":\"NODATA\",\"redirection\":\"TRUST_REDIRECTION_DOMAIN\"},{\"name\":\"a\","
    "\"priority\":3,\"action\":\"ALLOW\",\"domain_list\":\"empty\"}]}]}",
    /* DNS Firewall Advanced rules keep their protection, threshold, action and response */
    "{\"dnsfw\":1,\"domain_lists\":{\"allow\":[\"github.com\"]},\"rule_groups\":[{\"name\":"
    "\"adv\",\"priority\":500,\"rules\":[{\"name\":\"tunnels\",\"priority\":10,\"action\":"
    "\"BLOCK\",\"dns_threat_protection\":\"DNS_TUNNELING\",\"confidence_threshold\":\"HIGH\","
    "\"block_response\":\"NXDOMAIN\"},{\"name\":\"dga\",\"priority\":20,\"action\":\"ALERT\","
    "\"dns_threat_protection\":\"DGA\",\"confidence_threshold\":\"LOW\",\"qtype\":\"A\"},"
    "{\"name\":\"dict\",\"priority\":30,\"action\":\"BLOCK\",\"dns_threat_protection\":"
    "\"DICTIONARY_DGA\",\"confidence_threshold\":\"MEDIUM\",\"block_response\":\"OVERRIDE\","
    "\"block_override\":{\"domain\":\"sink.example.\",\"ttl\":5}},{\"name\":\"ok\",\"priority\":"
    "40,\"action\":\"ALLOW\",\"domain_list\":\"allow\"}]}]}",
};

START_TEST(dump_round_trip)
{
    const char *text = _i == 0 ? tiered_example : _i == 1 ? general_example : round_trips[_i];
    dnsfw_policy *p1 = unit_policy(text);
    char *d1 = dump(p1);
    dnsfw_policy *p2 = unit_policy(d1);
    char *d2 = dump(p2);
    ck_assert_str_eq(d1, d2);
    /* loading the dump gives a policy that decides every name the same way */
    same_verdicts(p1, p2);
    dnsfw_policy_info i1, i2;
    dnsfw_policy_get_info(p1, &i1);
    dnsfw_policy_get_info(p2, &i2);
    ck_assert_int_eq(i1.tiered, i2.tiered);
    ck_assert_int_eq(i1.mode, i2.mode);
    ck_assert_int_eq(i1.fail_open, i2.fail_open);
    ck_assert_uint_eq(i1.n_lists, i2.n_lists);
    ck_assert_uint_eq(i1.n_groups, i2.n_groups);
    ck_assert_uint_eq(i1.n_scopes, i2.n_scopes);
    ck_assert_uint_eq(i1.n_specs, i2.n_specs);
    /* lists read from files are written inline */
    ck_assert_ptr_null(strstr(d1, "\"file\""));
    /* the dump is deterministic */
    char *d3 = dump(p1);
    ck_assert_str_eq(d1, d3);
    free(d1);
    free(d2);
    free(d3);
    dnsfw_policy_free(p1);
    dnsfw_policy_free(p2);
}
END_TEST

START_TEST(dump_contents)
{
    dnsfw_policy *p = unit_policy(general_example);
    char *d = dump(p);
    /* the file list is inline, the override and qtype are kept */
    ck_assert_ptr_nonnull(strstr(d, "tracker.example"));
    ck_assert_ptr_nonnull(strstr(d, "*.ads.example"));
    ck_assert_ptr_nonnull(strstr(d, "sinkhole.example."));
    ck_assert_ptr_nonnull(strstr(d, "TRUST_REDIRECTION_DOMAIN"));
    ck_assert_ptr_nonnull(strstr(d, "\"AAAA\""));
    ck_assert(d[strlen(d) - 1] == '\n');
    free(d);
    dnsfw_policy_free(p);

    /* the tiered form dumps as the tiered form, the default baseline left out */
    p = unit_policy("{\"dnsfw\":1,\"blueprints\":[{\"repo\":\"org/empty\"}]}");
    d = dump(p);
    ck_assert_ptr_null(strstr(d, "rule_groups"));
    ck_assert_ptr_null(strstr(d, "baseline"));
    ck_assert_ptr_null(strstr(d, "placeholder.invalid")); /* it stands for an empty list */
    ck_assert_ptr_nonnull(strstr(d, "org/empty"));
    free(d);

    /* a failing callback: DNSFW_EIO */
    struct sink s = {.fail_after = 0};
    ck_assert_int_eq(dnsfw_policy_dump_json(p, sink_write, &s), DNSFW_EIO);
    free(s.data);
    s = (struct sink){.fail_after = 1};
    ck_assert_int_eq(dnsfw_policy_dump_json(p, sink_write, &s), DNSFW_EIO);
    free(s.data);
    ck_assert_int_eq(dnsfw_policy_dump_json(NULL, sink_write, &s), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_dump_json(p, NULL, &s), DNSFW_EINVAL);
    dnsfw_policy_free(p);
}
END_TEST

/* The builder and reader of AWS-managed lists. */
START_TEST(managed_lists)
{
    dnsfw_policy *p = unit_policy(MANAGED_EXAMPLE);
    dnsfw_managed_info mi;
    const char *region, *id;
    ck_assert_int_eq(dnsfw_policy_list_managed(p, 0, &mi), DNSFW_OK);
    ck_assert_int_eq(mi.managed, 1);
    ck_assert_str_eq(mi.aws_name, "AWSManagedDomainsMalwareDomainList");
    ck_assert_uint_eq(mi.n_ids, 2);
    ck_assert_int_eq(mi.stand_in, 1);
    ck_assert_int_eq(dnsfw_policy_list_managed_id(p, 0, 1, &region, &id), DNSFW_OK);
    ck_assert_str_eq(region, "eu-west-1");
    ck_assert_str_eq(id, "rslvr-fdl-7b5e");
    ck_assert_int_eq(dnsfw_policy_list_managed_id(p, 0, 2, &region, &id), DNSFW_EINVAL);
    ck_assert_int_eq(dnsfw_policy_list_managed(p, 1, &mi), DNSFW_OK);
    ck_assert_ptr_null(mi.aws_name);
    ck_assert_int_eq(mi.stand_in, 0);
    ck_assert_int_eq(dnsfw_policy_list_managed(p, 2, &mi), DNSFW_OK);
    ck_assert_int_eq(mi.managed, 0);
    ck_assert_int_eq(dnsfw_policy_add_list_managed_id(p, 0, "us-east-1", "rslvr-fdl-aa"),
                     DNSFW_EDUPLICATE);
    ck_assert_int_eq(dnsfw_policy_add_list_managed_id(p, 2, "us-east-1", "rslvr-fdl-aa"),
                     DNSFW_EINVAL); /* not managed */
    ck_assert_int_eq(dnsfw_policy_set_list_managed(p, 2, "Malware"), DNSFW_ESCHEMA);
    ck_assert_int_eq(dnsfw_policy_set_list_managed(p, 9, NULL), DNSFW_ENOTFOUND);
    /* the stand-in decides; a managed list without one matches nothing */
    dnsfw_matcher *m;
    dnsfw_verdict v;
    ck_assert_int_eq(dnsfw_compile(p, &m), DNSFW_OK);
    ck_assert_int_eq(dnsfw_eval(m, "bad.example", 11, 1, DNSFW_SCOPE_ALL, &v), DNSFW_OK);
    ck_assert_int_eq(v.action, DNSFW_ACTION_BLOCK);
    ck_assert_int_eq(dnsfw_eval(m, "other.example", 13, 1, DNSFW_SCOPE_ALL, &v), DNSFW_OK);
    ck_assert_int_eq(v.action, DNSFW_ACTION_NONE);
    dnsfw_matcher_free(m);
    dnsfw_policy_free(p);
    /* a tiered policy has no managed lists */
    ck_assert_int_eq(dnsfw_policy_new_default(&p), DNSFW_OK);
    ck_assert_int_eq(dnsfw_policy_set_list_managed(p, 0, NULL), DNSFW_EINVAL);
    dnsfw_policy_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy_json");
    TCase *tc = tcase_create("errors");
    tcase_add_loop_test(tc, bad_input, 0, (int)N_ELEMS(bad));
    tcase_add_test(tc, oversized_spec);
    tcase_add_test(tc, bad_list_file);
    tcase_add_test(tc, load_file_errors);
    tcase_add_test(tc, limit_bytes);
    tcase_add_test(tc, limit_endless_file);
    tcase_add_test(tc, limit_fifo);
    tcase_add_test(tc, list_file_nul);
    suite_add_tcase(s, tc);
    tc = tcase_create("valid");
    tcase_add_test(tc, tiered_contract_example);
    tcase_add_test(tc, general_contract_example);
    tcase_add_test(tc, tiered_defaults);
    tcase_add_test(tc, blueprints);
    tcase_add_test(tc, general_defaults);
    tcase_add_loop_test(tc, qtype_values, 0, (int)N_ELEMS(qtypes));
    tcase_add_test(tc, list_files);
    suite_add_tcase(s, tc);
    tc = tcase_create("dump");
    tcase_add_loop_test(tc, dump_round_trip, 0, (int)N_ELEMS(round_trips));
    tcase_add_test(tc, dump_contents);
    tcase_add_test(tc, managed_lists);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
