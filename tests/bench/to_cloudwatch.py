#!/usr/bin/python3
"""The benchmark log (Route 53 JSON lines) in the shapes CloudWatch Logs hands out:
  DIR/export.log, DIR/000000.gz   export task lines "<time> <record>", plain and gzip
  DIR/firehose                    a Firehose S3 object: subscription payloads of 500
                                  events, each gzip-compressed, back to back
  DIR/firehose-plain              the same payloads decompressed, back to back

usage: to_cloudwatch.py LOG DIR
"""
import calendar
import gzip
import json
import sys
import time
import zlib

log, out = sys.argv[1], sys.argv[2]


def ms(ts):
    return calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) * 1000


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 1000)) + ".%03dZ" % (t % 1000)


def member(data):
    c = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip framing
    return c.compress(data) + c.flush()


with open(log) as f, open(out + "/export.log", "w") as ex, \
        gzip.open(out + "/000000.gz", "wt", compresslevel=6) as exz, \
        open(out + "/firehose", "wb") as fh, open(out + "/firehose-plain", "wb") as fp:
    batch = []

    def flush():
        if not batch:
            return
        p = {"messageType": "DATA_MESSAGE", "owner": "111122223333",
             "logGroup": "/aws/route53/resolver/query-logs",
             "logStream": "vpc-0a1b2c3d4e5f67890_vpcdnsquerylogs_111122223333",
             "subscriptionFilters": ["dns-to-firehose"],
             "logEvents": [{"id": "%056d" % (t * 1000 + i), "timestamp": t, "message": m}
                           for i, (t, m) in enumerate(batch)]}
        data = json.dumps(p, separators=(",", ":")).encode()
        fh.write(member(data))
        fp.write(data)
        batch.clear()

    for line in f:
        line = line.rstrip("\n")
        t = ms(json.loads(line)["query_timestamp"])
        ex.write("%s %s\n" % (iso(t), line))
        exz.write("%s %s\n" % (iso(t), line))
        batch.append((t, line))
        if len(batch) == 500:
            flush()
    flush()
