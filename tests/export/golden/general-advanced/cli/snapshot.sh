#!/bin/sh
# Saves the DNS Firewall configuration deployed in the current account and Region
# into DIR, the way "dnsfw-export --diff DIR" and "--import DIR" read it: the
# JSON output of the aws route53resolver list and get commands, one file each.
# Usage: ./snapshot.sh DIR [VPC_ID]   (with VPC_ID, only that VPC's associations)
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 DIR [VPC_ID]" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"
r53() {
    aws route53resolver "$@" --output json
}
r53 list-firewall-rule-groups >"$dir/list-firewall-rule-groups.json"
r53 list-firewall-domain-lists >"$dir/list-firewall-domain-lists.json"
if [ $# -eq 2 ]; then
    r53 list-firewall-rule-group-associations --vpc-id "$2" \
        >"$dir/list-firewall-rule-group-associations.json"
    r53 get-firewall-config --resource-id "$2" >"$dir/get-firewall-config.json"
else
    r53 list-firewall-rule-group-associations \
        >"$dir/list-firewall-rule-group-associations.json"
    r53 list-firewall-configs >"$dir/list-firewall-configs.json"
fi
r53 list-resolver-query-log-configs >"$dir/list-resolver-query-log-configs.json"
if [ $# -eq 2 ]; then
    r53 list-resolver-query-log-config-associations \
        --filters "Name=ResourceId,Values=$2" \
        >"$dir/list-resolver-query-log-config-associations.json"
else
    r53 list-resolver-query-log-config-associations \
        >"$dir/list-resolver-query-log-config-associations.json"
fi
aws logs describe-log-groups --output json >"$dir/describe-log-groups.json"
for g in $(aws route53resolver list-firewall-rule-groups \
    --query 'FirewallRuleGroups[].Id' --output text); do
    r53 list-firewall-rules --firewall-rule-group-id "$g" \
        >"$dir/list-firewall-rules-$g.json"
done
# AWS-managed lists do not disclose their domains
for l in $(aws route53resolver list-firewall-domain-lists \
    --query 'FirewallDomainLists[?ManagedOwnerName==null].Id' --output text); do
    r53 list-firewall-domains --firewall-domain-list-id "$l" \
        >"$dir/list-firewall-domains-$l.json"
done
