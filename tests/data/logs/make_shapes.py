#!/usr/bin/python3
"""Write the records of ../replay.jsonl (the AWS documentation samples and the project's
own records) in each shape AWS hands query logs out in, for tests/logs/test_shapes.sh.
The outputs are committed; run this again only to change them:

    tests/data/logs/make_shapes.py

Shapes (the layouts are AWS's, as documented for each service; ids and tokens are
made up):
  cwexport/exportedlogs/<task>/<stream>/000000.gz  CloudWatch Logs export task
  filter-log-events.json         aws logs filter-log-events (default JSON output, two
                                 pages appended to one file with >>)
  get-log-events.json            aws logs get-log-events --output json | jq -c (one line)
  subscription.json.gz           one CloudWatch Logs subscription payload (DATA_MESSAGE)
  firehose/2026/11/27/16/<obj>   a Firehose S3 object: gzip payloads back to back, one
                                 of them a CONTROL_MESSAGE
  firehose-gzip/<obj>.gz         the same object with Firehose's own GZIP on top
  eventbridge.jsonl              EventBridge DNS Firewall Alert / Block events, a line
                                 each (only the records with a firewall action: the only
                                 ones EventBridge gets)
  eventbridge-array.json         the same events as one JSON array, pretty-printed
  pretty.json                    the records pretty-printed (jq .), back to back
"""
import calendar
import copy
import gzip
import io
import json
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes")
records = [json.loads(l) for l in open(os.path.join(HERE, "..", "replay.jsonl"))]
lines = [l.rstrip("\n") for l in open(os.path.join(HERE, "..", "replay.jsonl"))]
GROUP = "/aws/route53/resolver/query-logs"
STREAM = "vpc-0a1b2c3d4e5f67890_vpcdnsquerylogs_111122223333"


def ms(ts):
    """RFC 3339 (Z) to milliseconds since 1970."""
    base, frac = ts.rstrip("Z"), 0
    if "." in base:
        base, f = base.split(".")
        frac = int((f + "000")[:3])
    return calendar.timegm(tuple(int(x) for x in base.replace("T", "-").replace(":", "-").split("-")) + (0, 0, 0)) * 1000 + frac


def iso_ms(t):
    s, f = divmod(t, 1000)
    return "%s.%03dZ" % (__import__("time").strftime("%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(s)), f)


def gz(data, mtime=0):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=mtime) as f:
        f.write(data)
    return buf.getvalue()


def write(path, data):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


events = []
for i, (r, line) in enumerate(zip(records, lines)):
    t = ms(r["query_timestamp"])
    events.append({"logStreamName": STREAM, "timestamp": t, "message": line,
                   "ingestionTime": t + 1500, "eventId": "3%055d" % i})

# CloudWatch Logs export task: "<time> <message>" a line, gzip
write("cwexport/exportedlogs/2b8e7c1a-0000-4000-8000-000000000001/%s/000000.gz" % STREAM,
      gz("".join("%s %s\n" % (iso_ms(e["timestamp"]), e["message"]) for e in events).encode()))

# filter-log-events, two pages appended (the CLI's default output: JSON, indent 4)
half = len(events) // 2
page1 = {"events": events[:half], "searchedLogStreams": [{"logStreamName": STREAM, "searchedCompletely": False}],
         "nextToken": "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7ZXDnI4vCJQpj"}
page2 = {"events": events[half:], "searchedLogStreams": [{"logStreamName": STREAM, "searchedCompletely": True}]}
write("filter-log-events.json", json.dumps(page1, indent=4) + "\n" + json.dumps(page2, indent=4) + "\n")

# get-log-events, compact, on one line
get = {"events": [{k: e[k] for k in ("timestamp", "message", "ingestionTime")} for e in events],
       "nextForwardToken": "f/3" + "0" * 55, "nextBackwardToken": "b/3" + "1" * 55}
write("get-log-events.json", json.dumps(get, separators=(",", ":")) + "\n")


def payload(evs):
    return {"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": GROUP,
            "logStream": STREAM, "subscriptionFilters": ["dns-to-firehose"],
            "logEvents": [{"id": e["eventId"], "timestamp": e["timestamp"], "message": e["message"]}
                          for e in evs]}


control = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "",
           "logStream": "", "subscriptionFilters": [],
           "logEvents": [{"id": "", "timestamp": 1795795200000,
                          "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}

# one subscription payload (what a Lambda or a Kinesis consumer gets, decoded)
write("subscription.json.gz", gz(json.dumps(payload(events), separators=(",", ":")).encode()))

# Firehose object: the payloads as CloudWatch Logs gzipped them, back to back
members = [gz(json.dumps(control, separators=(",", ":")).encode())]
for k in range(0, len(events), 10):
    members.append(gz(json.dumps(payload(events[k:k + 10]), separators=(",", ":")).encode()))
obj = b"".join(members)
write("firehose/2026/11/27/16/dns-delivery-1-2026-11-27-16-00-00-0a1b2c3d-4e5f-6789-0abc-def012345678", obj)
write("firehose-gzip/dns-delivery-1-2026-11-27-16-05-00-0a1b2c3d-4e5f-6789-0abc-def012345679.gz", gz(obj))


def eventbridge(r, i):
    detail = {"account-id": r.get("account_id", "111122223333"),
              "last-observed-at": r["query_timestamp"],
              "query-name": r["query_name"], "query-type": r["query_type"],
              "query-class": r.get("query_class", "IN"), "transport": r.get("transport", "UDP"),
              "firewall-rule-action": r["firewall_rule_action"],
              "firewall-rule-group-id": r.get("firewall_rule_group_id"),
              "firewall-domain-list-id": r.get("firewall_domain_list_id"),
              "resources": [{"resource-type": "instance",
                             "instance-details": {"id": r.get("srcids", {}).get("instance", "i-0000000000000000")}}]}
    if r.get("srcaddr"):
        detail["src-addr"] = r["srcaddr"]
        detail["src-port"] = r.get("srcport", "53")
    return {"version": "0", "id": "4a5b6c7d-0000-4000-8000-%012d" % i,
            "detail-type": "DNS Firewall " + ("Block" if r["firewall_rule_action"] == "BLOCK" else "Alert"),
            "source": "aws.route53resolver", "account": "111122223333",
            "time": r["query_timestamp"], "region": r.get("region", "us-east-1"),
            "resources": ["arn:aws:route53resolver:us-east-1:111122223333:firewall-rule-group/%s"
                          % r.get("firewall_rule_group_id")],
            "detail": detail}


eb = [eventbridge(r, i) for i, r in enumerate(records) if r.get("firewall_rule_action")]
write("eventbridge.jsonl", "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in eb))
write("eventbridge-array.json", json.dumps(eb, indent=2) + "\n")
write("pretty.json", "".join(json.dumps(r, indent=2) + "\n" for r in records))
