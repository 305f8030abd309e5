#!/bin/sh
# Creates the Route 53 Resolver DNS Firewall configuration exported by dnsfw-export,
# with the AWS CLI: every NNNN-*.json document beside this script is the
# --cli-input-json of one "aws route53resolver" call, in order. The ids AWS returns
# replace the @...@ placeholders of the documents that follow. Needs the AWS CLI v2,
# credentials for the target account and Region, and sed.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/ids.sed"

# run DOC OPERATION QUERY: make the call, print the value QUERY selects in the reply
run() {
    sed -f "$work/ids.sed" "$1" >"$work/request.json"
    echo "dnsfw: $2 ($1)" >&2
    aws route53resolver "$2" --cli-input-json "file://$work/request.json" \
        --query "$3" --output text
}

# remember NAME VALUE: later documents get VALUE where they say @NAME@
remember() {
    case $2 in
    '' | *[!A-Za-z0-9-]*) echo "dnsfw: unexpected id for $1: '$2'" >&2; exit 1 ;;
    esac
    printf 's/@%s@/%s/g\n' "$1" "$2" >>"$work/ids.sed"
}

# remember_arn NAME ARN: as remember, for an ARN
remember_arn() {
    case $2 in
    arn:*) ;;
    *) echo "dnsfw: unexpected ARN for $1: '$2'" >&2; exit 1 ;;
    esac
    case $2 in
    *[!A-Za-z0-9:/_.*-]*) echo "dnsfw: unexpected ARN for $1: '$2'" >&2; exit 1 ;;
    esac
    printf 's|@%s@|%s|g\n' "$1" "$2" >>"$work/ids.sed"
}

# run_logs DOC OPERATION: an "aws logs" call
run_logs() {
    sed -f "$work/ids.sed" "$1" >"$work/request.json"
    echo "dnsfw: logs $2 ($1)" >&2
    aws logs "$2" --cli-input-json "file://$work/request.json"
}

# settle LIST_ID: wait until AWS has applied a domain list update
settle() {
    tries=0
    while :; do
        status=$(aws route53resolver get-firewall-domain-list \
            --firewall-domain-list-id "$1" --query FirewallDomainList.Status --output text)
        case $status in
        COMPLETE) return 0 ;;
        UPDATING | IMPORTING) ;;
        *) echo "dnsfw: domain list $1 is $status" >&2; exit 1 ;;
        esac
        tries=$((tries + 1))
        if [ "$tries" -ge 300 ]; then
            echo "dnsfw: domain list $1 is still $status" >&2
            exit 1
        fi
        sleep 2
    done
}

if [ $# -ne 1 ]; then
    echo "usage: $0 VPC_ID (the VPC whose DNS queries the rule groups filter)" >&2
    exit 2
fi
remember VPC_ID "$1"

LIST_1=$(run 0001-create-firewall-domain-list.trusted.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_1 "$LIST_1"
run 0002-update-firewall-domains.trusted.1.json update-firewall-domains Status >/dev/null
settle "$LIST_1"
LIST_2=$(run 0003-create-firewall-domain-list.cdn.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_2 "$LIST_2"
run 0004-update-firewall-domains.cdn.1.json update-firewall-domains Status >/dev/null
settle "$LIST_2"
LIST_3=$(run 0005-create-firewall-domain-list.bad.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_3 "$LIST_3"
run 0006-update-firewall-domains.bad.1.json update-firewall-domains Status >/dev/null
settle "$LIST_3"
LIST_4=$(run 0007-create-firewall-domain-list.sinkholed.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_4 "$LIST_4"
run 0008-update-firewall-domains.sinkholed.1.json update-firewall-domains Status >/dev/null
settle "$LIST_4"
LIST_5=$(run 0009-create-firewall-domain-list.deep.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_5 "$LIST_5"
run 0010-update-firewall-domains.deep.1.json update-firewall-domains Status >/dev/null
settle "$LIST_5"
LIST_6=$(run 0011-create-firewall-domain-list.tld.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_6 "$LIST_6"
run 0012-update-firewall-domains.tld.1.json update-firewall-domains Status >/dev/null
settle "$LIST_6"
LIST_7=$(run 0013-create-firewall-domain-list.everything.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_7 "$LIST_7"
run 0014-update-firewall-domains.everything.1.json update-firewall-domains Status >/dev/null
settle "$LIST_7"
GROUP_1=$(run 0015-create-firewall-rule-group.first.json create-firewall-rule-group FirewallRuleGroup.Id)
remember GROUP_1 "$GROUP_1"
run 0016-create-firewall-rule.first.10.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0017-create-firewall-rule.first.20.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0018-create-firewall-rule.first.30.json create-firewall-rule FirewallRule.Priority >/dev/null
GROUP_2=$(run 0019-create-firewall-rule-group.second.json create-firewall-rule-group FirewallRuleGroup.Id)
remember GROUP_2 "$GROUP_2"
run 0020-create-firewall-rule.second.5.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0021-create-firewall-rule.second.10.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0022-create-firewall-rule.second.20.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0023-create-firewall-rule.second.30.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0024-associate-firewall-rule-group.first.json associate-firewall-rule-group FirewallRuleGroupAssociation.Id >/dev/null
run 0025-associate-firewall-rule-group.second.json associate-firewall-rule-group FirewallRuleGroupAssociation.Id >/dev/null
run 0026-update-firewall-config.vpc.json update-firewall-config FirewallConfig.FirewallFailOpen >/dev/null
arn=$(aws logs describe-log-groups --log-group-name-prefix '/dnsfw/dnsfw-query-log' \
    --query "logGroups[?logGroupName=='/dnsfw/dnsfw-query-log'].arn | [0]" --output text)
if [ "$arn" = None ] || [ -z "$arn" ]; then
    run_logs 0027-logs-create-log-group.dnsfw-query-log.json create-log-group
    arn=$(aws logs describe-log-groups --log-group-name-prefix '/dnsfw/dnsfw-query-log' \
        --query "logGroups[?logGroupName=='/dnsfw/dnsfw-query-log'].arn | [0]" --output text)
fi
remember_arn LOG_GROUP_ARN "$arn"
run_logs 0028-logs-put-retention-policy.dnsfw-query-log.json put-retention-policy
QUERY_LOG=$(run 0029-create-resolver-query-log-config.dnsfw-query-log.json create-resolver-query-log-config ResolverQueryLogConfig.Id)
remember QUERY_LOG "$QUERY_LOG"
run 0030-associate-resolver-query-log-config.dnsfw-query-log.json associate-resolver-query-log-config ResolverQueryLogConfigAssociation.Id >/dev/null
echo "dnsfw: done" >&2
