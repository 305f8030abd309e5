#!/bin/sh
# Checks that keep the documentation from drifting away from the code.
#
#   check_docs.sh man FILE...                 render without groff warnings
#   check_docs.sh options TOOL MANPAGE [SKIP...]
#                                             every long option of TOOL --help is in MANPAGE,
#                                             except the SKIP options (not documented yet)
#   check_docs.sh errors HEADER ERRORS_MD     every status code of HEADER is in the registry
#                                             with the same number, and nothing else is
#   check_docs.sh unit UNIT DOC               the systemd unit is valid for systemd-analyze
#                                             and DOC states its exposure level
set -u
fail=0

case ${1:-} in
man)
    shift
    command -v groff >/dev/null || { echo "FAIL: groff is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
    [ $# -gt 0 ] || { echo "FAIL: no man page given" >&2; exit 1; }
    for page in "$@"; do
        # -ww: all warnings; -z: no output. groff exits 0 on warnings, so look at stderr.
        out=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
        if [ -n "$out" ]; then
            echo "FAIL: $page: groff warnings:" >&2
            echo "$out" >&2
            fail=1
        fi
    done
    ;;
options)
    tool=$2
    page=$3
    shift 3
    skip=" $* "
    opts=$("$tool" --help | grep -o -e '--[a-z][a-z-]*' | sort -u)
    [ -n "$opts" ] || { echo "FAIL: no options in $tool --help" >&2; exit 1; }
    for opt in $opts; do
        case $skip in *" $opt "*) continue ;; esac
        # In roff, a hyphen-minus in an option is written \-.
        roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        if ! grep -q -e "$roff" "$page"; then
            echo "FAIL: $opt (from --help) is not documented in $page" >&2
            fail=1
        fi
    done
    ;;
errors)
    header=$2
    registry=$3
    tmp=$(mktemp -d) || exit 99
    trap 'rm -rf "$tmp"' EXIT
    # "    DNSFW_ENOMEM = -1," inside enum dnsfw_status -> "-1 DNSFW_ENOMEM"
    sed -n '/^typedef enum dnsfw_status/,/^} dnsfw_status;/s/^ *\(DNSFW_[A-Z0-9_]*\) = \(-\{0,1\}[0-9]*\),.*/\2 \1/p' \
        "$header" | sort >"$tmp/header"
    # "| -1 | `DNSFW_ENOMEM` | ..." -> "-1 DNSFW_ENOMEM"
    # shellcheck disable=SC2016 # the backquotes are literal Markdown
    sed -n 's/^| *\(-\{0,1\}[0-9][0-9]*\) *| *`\(DNSFW_[A-Z0-9_]*\)`.*/\1 \2/p' "$registry" |
        sort >"$tmp/registry"
    if [ ! -s "$tmp/header" ]; then
        echo "FAIL: no status codes found in $header" >&2
        fail=1
    elif ! diff -u "$tmp/header" "$tmp/registry" >&2; then
        echo "FAIL: $registry does not list the codes of $header (- header, + registry)" >&2
        fail=1
    fi
    ;;
unit)
    unit=$2
    doc=$3
    command -v systemd-analyze >/dev/null ||
        { echo "FAIL: systemd-analyze is not installed (scripts/install-deps.sh installs systemd)" >&2; exit 1; }
    # Offline: the unit file alone is rated, no running systemd is needed.
    out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
    if [ -z "$level" ]; then
        echo "FAIL: systemd-analyze did not rate $unit:" >&2
        printf '%s\n' "$out" >&2
        fail=1
    elif ! grep -q "exposure level $level" "$doc"; then
        echo "FAIL: systemd-analyze rates $unit $level; $doc says otherwise:" >&2
        grep -n "exposure level" "$doc" >&2
        fail=1
    fi
    ;;
*)
    echo "usage: $0 man|options|errors|unit ARGS..." >&2
    exit 99
    ;;
esac
exit $fail
