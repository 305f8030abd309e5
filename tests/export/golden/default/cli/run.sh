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

LIST_1=$(run 0001-create-firewall-domain-list.platform-baseline.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_1 "$LIST_1"
run 0002-update-firewall-domains.platform-baseline.1.json update-firewall-domains Status >/dev/null
settle "$LIST_1"
LIST_2=$(run 0003-create-firewall-domain-list.blueprint-additional.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_2 "$LIST_2"
run 0004-update-firewall-domains.blueprint-additional.1.json update-firewall-domains Status >/dev/null
settle "$LIST_2"
LIST_3=$(run 0005-create-firewall-domain-list.block-all.json create-firewall-domain-list FirewallDomainList.Id)
remember LIST_3 "$LIST_3"
run 0006-update-firewall-domains.block-all.1.json update-firewall-domains Status >/dev/null
settle "$LIST_3"
GROUP_1=$(run 0007-create-firewall-rule-group.agent-egress-policy.json create-firewall-rule-group FirewallRuleGroup.Id)
remember GROUP_1 "$GROUP_1"
run 0008-create-firewall-rule.agent-egress-policy.100.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0009-create-firewall-rule.agent-egress-policy.200.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0010-create-firewall-rule.agent-egress-policy.300.json create-firewall-rule FirewallRule.Priority >/dev/null
run 0011-associate-firewall-rule-group.agent-egress-policy.json associate-firewall-rule-group FirewallRuleGroupAssociation.Id >/dev/null
run 0012-update-firewall-config.vpc.json update-firewall-config FirewallConfig.FirewallFailOpen >/dev/null
arn=$(aws logs describe-log-groups --log-group-name-prefix '/dnsfw/agent-dns-query-log' \
    --query "logGroups[?logGroupName=='/dnsfw/agent-dns-query-log'].arn | [0]" --output text)
if [ "$arn" = None ] || [ -z "$arn" ]; then
    run_logs 0013-logs-create-log-group.agent-dns-query-log.json create-log-group
    arn=$(aws logs describe-log-groups --log-group-name-prefix '/dnsfw/agent-dns-query-log' \
        --query "logGroups[?logGroupName=='/dnsfw/agent-dns-query-log'].arn | [0]" --output text)
fi
remember_arn LOG_GROUP_ARN "$arn"
run_logs 0014-logs-put-retention-policy.agent-dns-query-log.json put-retention-policy
QUERY_LOG=$(run 0015-create-resolver-query-log-config.agent-dns-query-log.json create-resolver-query-log-config ResolverQueryLogConfig.Id)
remember QUERY_LOG "$QUERY_LOG"
run 0016-associate-resolver-query-log-config.agent-dns-query-log.json associate-resolver-query-log-config ResolverQueryLogConfigAssociation.Id >/dev/null
echo "dnsfw: done" >&2
