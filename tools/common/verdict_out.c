#include "verdict_out.h"

#include "common.h"

void verdict_json_begin(FILE *f, const struct verdict_line *l)
{
    const dnsfw_verdict *v = l->verdict;
    const dnsfw_explanation *e = l->why;
    fputs("{\"query_name\":", f);
    tool_json_string(f, l->query_name);
    fputs(",\"query_type\":", f);
    tool_json_string(f, l->query_type);
    fprintf(f, ",\"action\":\"%s\",\"rule_group\":", dnsfw_action_name(v->action));
    tool_json_string_or_null(f, e->rule_group);
    fputs(",\"rule_priority\":", f);
    if (e->rule_group)
        fprintf(f, "%u", e->rule_priority);
    else
        fputs("null", f);
    fputs(",\"rule\":", f);
    tool_json_string_or_null(f, e->rule);
    fputs(",\"domain_list\":", f);
    tool_json_string_or_null(f, e->domain_list);
    fputs(",\"entry\":", f);
    tool_json_string_or_null(f, e->rule_group ? e->entry : NULL);
    if (e->rule_group && e->preset) {
        fputs(",\"preset\":", f);
        tool_json_string(f, e->preset);
    }
    fputs(",\"block_response\":", f);
    tool_json_string_or_null(f, dnsfw_block_response_name(v->block_response));
    if (v->block_response == DNSFW_RESPONSE_OVERRIDE && e->override_domain) {
        fputs(",\"block_override_domain\":", f);
        tool_json_string(f, e->override_domain);
        fprintf(f, ",\"block_override_ttl\":%u", e->override_ttl);
    }
    if (e->scope) {
        fputs(",\"scope\":", f);
        tool_json_string(f, e->scope);
    }
    if (v->hop) {
        fprintf(f, ",\"decided_by_hop\":%u,\"hop_name\":", v->hop);
        tool_json_string_or_null(f, l->hop_name);
    }
}

void verdict_json_end(FILE *f)
{
    fputs("}\n", f);
}

void verdict_text(FILE *f, const struct verdict_line *l)
{
    const dnsfw_verdict *v = l->verdict;
    const dnsfw_explanation *e = l->why;
    char action[32];
    const char *resp = dnsfw_block_response_name(v->block_response);
    snprintf(action, sizeof action, "%s%s%s", dnsfw_action_name(v->action), resp ? "/" : "",
             resp ? resp : "");
    /* 14 = "BLOCK/NXDOMAIN" and "BLOCK/OVERRIDE", the longest actions: keep columns aligned. */
    fprintf(f, "%-14s %-40s %-6s", action, l->query_name, l->query_type);
    if (!e->rule_group) {
        fputs(" no rule matched", f);
    } else {
        fprintf(f, " rule_group=%s rule_priority=%u", e->rule_group, e->rule_priority);
        if (e->rule)
            fprintf(f, " rule=%s", e->rule);
        fprintf(f, " domain_list=%s entry=%s", e->domain_list, e->entry);
        if (e->preset)
            fprintf(f, " preset=%s", e->preset);
    }
    if (e->scope)
        fprintf(f, " scope=%s", e->scope);
    if (v->hop)
        fprintf(f, " via=%s", l->hop_name ? l->hop_name : "?");
    if (l->suffix)
        fputs(l->suffix, f);
    fputc('\n', f);
}

void verdict_brief(FILE *f, const struct verdict_line *l)
{
    const dnsfw_verdict *v = l->verdict;
    const dnsfw_explanation *e = l->why;
    char action[32];
    const char *resp = dnsfw_block_response_name(v->block_response);
    snprintf(action, sizeof action, "%s%s%s", dnsfw_action_name(v->action), resp ? "/" : "",
             resp ? resp : "");
    fprintf(f, "%-14s %-32s %-5s", action, l->query_name, l->query_type);
    if (e->rule_group)
        fprintf(f, " %-24s %s", e->entry, e->domain_list);
    else
        fputs(" no rule matched", f);
    if (v->hop)
        fprintf(f, " via=%s", l->hop_name ? l->hop_name : "?");
    fputc('\n', f);
}
