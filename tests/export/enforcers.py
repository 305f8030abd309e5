#!/usr/bin/python3
"""Load dnsfw-export's resolver formats into the real servers and check every answer.

    enforcers.py DNSFW_EXPORT DNSFW_EVAL POLICY...

For each policy: export it as an unbound configuration (one RPZ zone per run of rules),
as one RPZ zone (loaded in unbound with a single rpz: clause) and as a dnsmasq
configuration; start each server on 127.0.0.1 at a free high port, in the foreground,
with its own configuration in a temporary directory; query a set of names made from the
policy's own specs with dig; and require each answer to be what dnsfw-eval's verdict for
that name says it must be. An upstream unbound answers every name with 192.0.2.1 /
2001:db8::1, so a name that resolves is told from one that is blocked.

What the answer must be:
  ALLOW, ALERT, no match  NOERROR with the upstream's address
  BLOCK NODATA            NOERROR, empty answer   (dnsmasq: NXDOMAIN, docs/export.md)
  BLOCK NXDOMAIN          NXDOMAIN
  BLOCK OVERRIDE          a CNAME to the override domain first (dnsmasq: NXDOMAIN)

Exit 0 when every answer matches, 1 otherwise (also when unbound, dnsmasq or dig is
missing). Prints one line per (policy, server) and the mismatches.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml

UPSTREAM_A = "192.0.2.1"
UPSTREAM_AAAA = "2001:db8::1"

procs = []


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (the server binds it right after)."""
    for _ in range(100):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port")


def start(argv, log):
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    procs.remove(p)


def wait_ready(port, p, logfile):
    for _ in range(100):
        if p.poll() is not None:
            raise RuntimeError("server exited: " + open(logfile).read()[-2000:])
        r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+tries=1", "+time=1",
                            "ready.probe.", "A"], capture_output=True, text=True)
        if "status:" in r.stdout:
            return
        time.sleep(0.1)
    raise RuntimeError("server did not answer: " + open(logfile).read()[-2000:])


UNBOUND_SERVER = """server:
    interface: 127.0.0.1@{port}
    port: {port}
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "{dir}"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 1
    do-ip6: no
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    cache-max-ttl: 0
    # unbound answers the RFC 6761 special-use names itself, before any RPZ; the
    # policies list some (placeholder.invalid), so let them through to the test
    local-zone: "localhost." nodefault
    local-zone: "test." nodefault
    local-zone: "invalid." nodefault
    local-zone: "onion." nodefault
    local-zone: "home.arpa." nodefault
"""


def start_upstream(tmp):
    port = free_port()
    d = os.path.join(tmp, "upstream")
    os.mkdir(d)
    conf = os.path.join(d, "unbound.conf")
    with open(conf, "w") as f:
        f.write(UNBOUND_SERVER.format(port=port, dir=d))
        f.write('    local-zone: "." redirect\n')
        f.write('    local-data: ". 60 IN A %s"\n' % UPSTREAM_A)
        f.write('    local-data: ". 60 IN AAAA %s"\n' % UPSTREAM_AAAA)
    log = os.path.join(d, "log")
    p = start(["unbound", "-d", "-c", conf], open(log, "w"))
    wait_ready(port, p, log)
    return port, p


def start_unbound(d, upstream, rpz_clauses, include=None):
    port = free_port()
    conf = os.path.join(d, "server.conf")
    with open(conf, "w") as f:
        f.write(UNBOUND_SERVER.format(port=port, dir=d))
        if include:
            f.write('include: "%s"\n' % include)
        f.write(rpz_clauses)
        f.write('forward-zone:\n    name: "."\n    forward-addr: 127.0.0.1@%d\n' % upstream)
    r = subprocess.run(["unbound-checkconf", conf], capture_output=True, text=True, cwd=d)
    if r.returncode != 0:
        raise RuntimeError("unbound-checkconf: " + r.stdout + r.stderr)
    log = os.path.join(d, "log")
    p = start(["unbound", "-d", "-c", conf], open(log, "w"))
    wait_ready(port, p, log)
    return port, p


def start_dnsmasq(d, conf_file):
    port = free_port()
    log = os.path.join(d, "log")
    argv = ["dnsmasq", "--keep-in-foreground", "--conf-file=" + conf_file,
            "--port=%d" % port, "--listen-address=127.0.0.1", "--bind-interfaces",
            "--no-hosts", "--no-poll", "--cache-size=0", "--pid-file=",
            "--log-facility=-"]
    if os.geteuid() == 0:
        argv.append("--user=root")  # else dnsmasq drops to "nobody" and cannot read the file
    p = start(argv, open(log, "w"))
    wait_ready(port, p, log)
    return port, p


def specs_of(policy_path, export):
    """The policy's domain specs, as the AWS domains export writes them."""
    d = tempfile.mkdtemp()
    try:
        out = os.path.join(d, "lists")
        subprocess.run([export, "-p", policy_path, "--format", "domains", "-o", out],
                       check=True, capture_output=True)
        specs = []
        for name in sorted(os.listdir(out)):
            specs += open(os.path.join(out, name)).read().split()
        return specs
    finally:
        shutil.rmtree(d)


def names_for(specs):
    """Names around every spec: the name, its parent, children at two depths, a sibling,
    odd first labels (one that sorts before '*', an escaped octet) and upper case."""
    names = ["unlisted.example.org", "com", "a.b.c.d.e.f.example.net", "localhost.test"]
    for s in specs:
        if s in ("*", "*."):
            continue
        base = s[2:] if s.startswith("*.") else s
        base = base.rstrip(".")
        labels = base.split(".")
        names += [base, "x." + base, "a.b." + base, "zz" + base, base.upper(),
                  "!." + base, "\\000." + base, "y.\\000." + base]
        if len(labels) > 1:
            names.append(".".join(labels[1:]))
            names.append("sib." + ".".join(labels[1:]))
    seen, out = set(), []
    for n in names:
        if n.lower() not in seen and len(n) < 240:
            seen.add(n.lower())
            out.append(n)
    return out


def verdicts(evaluate, policy, queries):
    """dnsfw-eval's verdict for each (name, type)."""
    text = "".join("%s %s\n" % q for q in queries)
    r = subprocess.run([evaluate, "-p", policy, "--json"], input=text, capture_output=True,
                       text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError("dnsfw-eval failed: " + r.stderr)
    out = [json.loads(line) for line in r.stdout.splitlines()]
    if len(out) != len(queries):
        raise RuntimeError("dnsfw-eval gave %d verdicts for %d queries: %s"
                           % (len(out), len(queries), r.stderr))
    return out


def ask(port, queries):
    """dig in batch mode; the parsed response of each query, in order."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for name, qtype in queries:
            f.write("%s %s\n" % (name, qtype))
        batch = f.name
    try:
        r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+tries=2", "+time=3",
                            "+yaml", "-f", batch], capture_output=True, text=True)
    finally:
        os.unlink(batch)
    docs = yaml.safe_load(r.stdout) or []
    answers = []
    for d in docs:
        m = d.get("message", {})
        data = m.get("response_message_data")
        if data is None:
            answers.append(None)
            continue
        answers.append((data.get("status"), [a.split() for a in data.get("ANSWER_SECTION", [])]))
    if len(answers) != len(queries):
        raise RuntimeError("dig gave %d answers for %d queries: %s"
                           % (len(answers), len(queries), r.stderr[-500:]))
    return answers


def expected(v, server):
    """What the server must answer for dnsfw-eval's verdict v."""
    if v["action"] != "BLOCK":
        return ("resolve", None)
    if server == "dnsmasq":
        return ("NXDOMAIN", None)
    resp = v["block_response"]
    if resp == "NODATA":
        return ("NODATA", None)
    if resp == "NXDOMAIN":
        return ("NXDOMAIN", None)
    return ("OVERRIDE", v["block_override_domain"].lower().rstrip(".") + ".")


def matches(exp, got, qtype):
    if got is None:
        return False
    status, answer = got
    kind, target = exp
    if kind == "resolve":
        want = UPSTREAM_A if qtype == "A" else UPSTREAM_AAAA
        return status == "NOERROR" and any(a[-1] == want for a in answer)
    if kind == "NODATA":
        return status == "NOERROR" and not answer
    if kind == "NXDOMAIN":
        return status == "NXDOMAIN"
    return status == "NOERROR" and answer and answer[0][3] == "CNAME" and \
        answer[0][4].lower() == target


def mismatches(server, port, queries, vs):
    got = ask(port, queries)
    bad = []
    for i, (q, v, g) in enumerate(zip(queries, vs, got)):
        e = expected(v, server)
        if matches(e, g, q[1]):
            continue
        # one more try on its own: a lost UDP answer is not a wrong answer, a wrong
        # answer comes back the same
        g = ask(port, [q])[0]
        if not matches(e, g, q[1]):
            bad.append("  %s %s: dnsfw-eval says %s%s, %s answered %s"
                       % (q[0], q[1], v["action"],
                          "/" + v["block_response"] if v["block_response"] else "",
                          server, g))
    return bad


def check(server, policy, port, queries, vs):
    bad = mismatches(server, port, queries, vs)
    print("%s %s: %s (%d queries)" % ("ok  " if not bad else "FAIL", os.path.basename(policy),
                                       server, len(queries)))
    for line in bad[:40]:
        print(line)
    return not bad


def run_policy(export, evaluate, policy, tmp, upstream):
    specs = specs_of(policy, export)
    names = names_for(specs)
    queries = [(n, "A") for n in names] + [(n, "AAAA") for n in names[:20]]
    vs = verdicts(evaluate, policy, queries)
    ok = True
    base = os.path.join(tmp, os.path.basename(policy))
    os.mkdir(base)

    # unbound with one zone per run of rules
    d = os.path.join(base, "unbound")
    subprocess.run([export, "-p", policy, "--format", "unbound", "-o", d], check=True,
                   capture_output=True)
    port, p = start_unbound(d, upstream, "", include=os.path.join(d, "unbound.conf"))
    try:
        ok &= check("unbound", policy, port, queries, vs)
    finally:
        stop(p)

    # one RPZ zone, loaded in unbound
    d = os.path.join(base, "rpz")
    os.mkdir(d)
    subprocess.run([export, "-p", policy, "--format", "rpz", "-o", os.path.join(d, "policy.rpz")],
                   check=True, capture_output=True)
    clause = ('server:\n    module-config: "respip validator iterator"\n'
              'rpz:\n    name: "policy.dnsfw.rpz."\n    zonefile: "policy.rpz"\n')
    port, p = start_unbound(d, upstream, clause)
    try:
        ok &= check("rpz", policy, port, queries, vs)
    finally:
        stop(p)

    # The control: the naive single zone (allowed names with rpz-passthru and "*" -> NODATA
    # in one zone) is not exact, and this check must be able to tell.
    if policy.endswith("tiered-enforce.json"):
        d = os.path.join(base, "naive")
        os.mkdir(d)
        lists = os.path.join(d, "lists")
        subprocess.run([export, "-p", policy, "--format", "domains", "-o", lists], check=True,
                       capture_output=True)
        with open(os.path.join(d, "naive.rpz"), "w") as f:
            f.write("$TTL 60\n@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n"
                    "@ NS localhost.\n")
            for name in ("platform-baseline.txt", "blueprint-additional.txt"):
                for spec in open(os.path.join(lists, name)).read().split():
                    f.write("%s CNAME rpz-passthru.\n" % spec)
            f.write("* CNAME *.\n")
        clause = ('server:\n    module-config: "respip validator iterator"\n'
                  'rpz:\n    name: "naive.dnsfw.rpz."\n    zonefile: "naive.rpz"\n')
        port, p = start_unbound(d, upstream, clause)
        try:
            bad = mismatches("naive zone", port, queries, vs)
        finally:
            stop(p)
        print("%s %s: the naive single zone differs from dnsfw-eval on %d names%s"
              % ("ok  " if bad else "FAIL", os.path.basename(policy), len(bad),
                 " (e.g. " + bad[0].strip() + ")" if bad else ", but it is not exact"))
        ok &= bool(bad)

    # dnsmasq
    d = os.path.join(base, "dnsmasq")
    os.mkdir(d)
    conf = os.path.join(d, "dnsmasq.conf")
    subprocess.run([export, "-p", policy, "--format", "dnsmasq", "--upstream",
                    "127.0.0.1#%d" % upstream, "-o", conf], check=True, capture_output=True)
    port, p = start_dnsmasq(d, conf)
    try:
        ok &= check("dnsmasq", policy, port, queries, vs)
    finally:
        stop(p)
    return ok


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    for tool in ("unbound", "unbound-checkconf", "dnsmasq", "dig"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            print("FAIL: %s not found (scripts/install-deps.sh installs it)" % tool)
            return 1
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    # meson stops a test that runs too long with SIGTERM: stop the servers too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    export, evaluate = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix="dnsfw-enforcers-")
    ok = True
    try:
        upstream, up = start_upstream(tmp)
        for policy in sys.argv[3:]:
            ok &= run_policy(export, evaluate, policy, tmp, upstream)
        stop(up)
    finally:
        for p in list(procs):
            stop(p)
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept for inspection: " + tmp)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
