#!/bin/sh
# Records a HAR file with Firefox's own exporter (the network monitor's
# auto-export), from a run of the quickstart demo's page.
#
#   sh record-firefox.sh [out.har] [page-url]
#
# Defaults: firefox-quickstart.har next to this script, http://127.0.0.1:8000/.
# The demo must be running. Needs firefox-esr and xvfb-run: the export only
# happens with the developer tools open, which headless Firefox does not do,
# so Firefox runs in a virtual X display. The auto-export brackets a page
# load, and the toolbox opens after a URL given on the command line has
# started loading, so Firefox first opens a local page that waits for the
# toolbox and then goes to the demo page.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/firefox-quickstart.har}
page=${2:-http://127.0.0.1:8000/}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/profile" "$work/har"

cat > "$work/profile/user.js" <<EOF
user_pref("devtools.netmonitor.har.enableAutoExportToFile", true);
user_pref("devtools.netmonitor.har.defaultLogDir", "$work/har");
user_pref("devtools.netmonitor.har.defaultFileName", "export");
user_pref("devtools.netmonitor.har.includeResponseBodies", false);
user_pref("devtools.netmonitor.har.pageLoadedTimeout", 3000);
user_pref("devtools.toolbox.selectedTool", "netmonitor");
user_pref("devtools.toolbox.host", "window");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("browser.aboutwelcome.enabled", false);
EOF
cat > "$work/wait.html" <<EOF
<!doctype html><title>waiting for the toolbox</title>
<script>setTimeout(() => { location.href = "$page"; }, 10000);</script>
EOF

# Own process group, so that Firefox and Xvfb can be stopped together.
setsid xvfb-run -a firefox-esr --no-remote --profile "$work/profile" \
  --devtools "file://$work/wait.html" >"$work/firefox.log" 2>&1 &
group=$!
for _ in $(seq 60); do
  sleep 1
  [ -s "$work/har/export.har" ] && break
done
sleep 2 # let the writer finish
kill -- "-$group" 2>/dev/null || true
wait "$group" 2>/dev/null || true
if [ ! -s "$work/har/export.har" ]; then
  echo "no HAR was exported; Firefox's log:" >&2
  cat "$work/firefox.log" >&2
  exit 1
fi
cp "$work/har/export.har" "$out"
echo "HAR written to $out"
