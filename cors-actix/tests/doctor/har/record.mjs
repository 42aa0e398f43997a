// Records a HAR file from a real headless Chromium run of the quickstart demo.
//
//   node record.mjs [out.har] [page-url]
//
// Defaults: quickstart.har next to this script, http://127.0.0.1:8000/ (also
// HAR_OUT, PAGE_URL and CHROMIUM from the environment). The demo must be
// running (`API_PORT=8080 cargo run --example quickstart`). puppeteer-core is
// loaded from the current directory's node_modules, so run this from a
// directory where `npm install puppeteer-core` was done.
//
// The entries are built from the DevTools-protocol Network events directly,
// the way DevTools' own "Save all as HAR" builds them: the headers are the
// ones on the wire (requestWillBeSentExtraInfo / responseReceivedExtraInfo),
// CORS preflights are entries of their own with `_resourceType: "preflight"`,
// and a request that failed keeps its entry, with `response._error` set to
// Chromium's error text (status 0 and no response headers if it never got an
// answer). chrome-har was tried first: it drops failed requests, which are
// exactly the blocked ones, and duplicates headers.

import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.cwd(), 'record.cjs'));
const puppeteer = require('puppeteer-core');

const out = process.argv[2] ?? process.env.HAR_OUT ??
  join(dirname(fileURLToPath(import.meta.url)), 'quickstart.har');
const pageUrl = process.argv[3] ?? process.env.PAGE_URL ?? 'http://127.0.0.1:8000/';
const BODY_LIMIT = 1024; // longer response bodies are left out of the HAR

// A fresh profile that allows third-party cookies: this Chromium blocks them
// by default, and the credentialed call below should carry its cookie.
const profile = mkdtempSync(join(tmpdir(), 'har-profile-'));
mkdirSync(join(profile, 'Default'));
writeFileSync(join(profile, 'Default', 'Preferences'),
  JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await browser.newPage();
const cdp = await page.createCDPSession();

// requestId -> the protocol events seen for it; the order in which the
// events arrive varies (extra info may come before the request itself).
const requests = new Map();
const record = (event, key) => cdp.on(event, params => {
  const id = params.requestId;
  if (!requests.has(id)) requests.set(id, { id });
  requests.get(id)[key] = params;
});
record('Network.requestWillBeSent', 'sent');
record('Network.requestWillBeSentExtraInfo', 'sentExtra');
record('Network.responseReceived', 'received');
record('Network.responseReceivedExtraInfo', 'receivedExtra');
record('Network.requestServedFromCache', 'fromCache');
record('Network.loadingFinished', 'finished');
record('Network.loadingFailed', 'failed');
const pageEvents = {};
cdp.on('Page.domContentEventFired', p => { pageEvents.onContentLoad = p.timestamp; });
cdp.on('Page.loadEventFired', p => { pageEvents.onLoad = p.timestamp; });
await cdp.send('Page.enable');
await cdp.send('Network.enable');

// A cookie for the API's host, so that the credentialed call below has one to send.
await browser.setCookie({ name: 'session', value: 'demo', domain: 'localhost',
  path: '/', sameSite: 'None', secure: true, httpOnly: true });

await page.goto(pageUrl);
await page.waitForFunction(() => {
  const rows = [...document.querySelectorAll('#results tr')];
  return rows.length > 0 && rows.every(row => row.dataset.outcome);
});

// More calls after the page's own, one at a time, so that each one's
// preflight (if any) sits next to it in the HAR.
async function extraCalls() {
  const api = typeof API === 'string' ? API : 'http://localhost:8080';
  const json = { 'Content-Type': 'application/json' };
  const calls = [
    // The allowed PUT twice in a row: both are preflighted, since the
    // preflight answers Access-Control-Max-Age: 0 (nothing to cache).
    ['PUT /api/users/1 (1st of 2)', '/api/users/1', { method: 'PUT', headers: json, body: '{}' }],
    ['PUT /api/users/1 (2nd of 2)', '/api/users/1', { method: 'PUT', headers: json, body: '{}' }],
    // Credentials, but the route does not allow them: blocked after a 200.
    ['GET /api/users with credentials', '/api/users', { credentials: 'include' }],
    // A simple POST (no preflight) the handler rejects: a 400 with CORS headers, readable.
    ['POST /api/users as text/plain', '/api/users', { method: 'POST', body: '{"name":"alan"}' }],
    // No route, no policy: a 404 without CORS headers, blocked.
    ['GET /api/nope', '/api/nope', {}],
  ];
  const outcomes = [];
  for (const [what, path, init] of calls) {
    try {
      const response = await fetch(api + path, init);
      await response.text();
      outcomes.push(`${what}: ok ${response.status}`);
    } catch (e) {
      outcomes.push(`${what}: blocked (${e.message})`);
    }
  }
  return outcomes;
}
// Passed as source with a sourceURL of its own, so that the entries'
// `_initiator.url` names this script rather than a path on this machine.
const extra = await page.evaluate(`(${extraCalls})()\n//# sourceURL=record.mjs-extra-calls.js`);
const rows = await page.$$eval('#results tr', rows => rows.map(row =>
  `${row.cells[0].textContent}: ${row.cells[2].textContent}`));
for (const line of [...rows, ...extra]) console.log(line);
await page.waitForNetworkIdle({ idleTime: 500 });

// Response bodies, while Chromium still has them.
for (const r of requests.values()) {
  if (!r.finished || !r.received) continue;
  try {
    r.body = await cdp.send('Network.getResponseBody', { requestId: r.id });
  } catch { /* no body kept, e.g. for preflights */ }
}
const title = await page.title();
const version = (await browser.version()).replace(/^.*\//, '');
await browser.close();
// CDP_DUMP=file keeps the raw events per request, to look at what Chromium sent.
if (process.env.CDP_DUMP) writeFileSync(process.env.CDP_DUMP, JSON.stringify([...requests.values()], null, 1));
rmSync(profile, { recursive: true, force: true });

// --- protocol events -> HAR 1.2 ---

const ms = seconds => Math.round(seconds * 1e6) / 1e3;
const headerList = headers => Object.entries(headers ?? {}).flatMap(([name, value]) =>
  String(value).split('\n').map(v => ({ name, value: v })));
const headerValue = (headers, name) =>
  Object.entries(headers ?? {}).find(([n]) => n.toLowerCase() === name)?.[1];
const cookieList = header => (header ?? '').split(';').map(c => c.trim()).filter(Boolean)
  .map(c => ({ name: c.split('=')[0], value: c.slice(c.indexOf('=') + 1) }));

function timings(r, end) {
  const t = r.received?.response.timing;
  if (!t) return { blocked: ms(end - r.sent.timestamp), dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 };
  const first = [t.dnsStart, t.connectStart, t.sendStart].find(x => x >= 0);
  return {
    blocked: Math.max(0, ms(t.requestTime - r.sent.timestamp) + first),
    dns: t.dnsStart >= 0 ? ms((t.dnsEnd - t.dnsStart) / 1e3) : -1,
    connect: t.connectStart >= 0 ? ms((t.connectEnd - t.connectStart) / 1e3) : -1,
    ssl: t.sslStart >= 0 ? ms((t.sslEnd - t.sslStart) / 1e3) : -1,
    send: ms((t.sendEnd - t.sendStart) / 1e3),
    wait: ms((t.receiveHeadersEnd - t.sendEnd) / 1e3),
    receive: Math.max(0, ms(end - t.requestTime - t.receiveHeadersEnd / 1e3)),
  };
}

function entry(r) {
  const { sent, sentExtra, received, receivedExtra, failed } = r;
  const response = received?.response;
  const end = (r.finished ?? failed ?? received ?? sent).timestamp;
  const requestHeaders = sentExtra?.headers ?? sent.request.headers;
  const statusLine = receivedExtra?.headersText?.split('\r\n')[0];
  const httpVersion = statusLine?.split(' ')[0] ?? response?.protocol?.toUpperCase() ?? '';
  const url = new URL(sent.request.url);
  const initiator = sent.initiator;
  const frame = initiator.stack?.callFrames[0];
  const timing = timings(r, end);

  const request = {
    method: sent.request.method,
    url: sent.request.url,
    httpVersion: sentExtra ? httpVersion : '',
    headers: headerList(requestHeaders),
    queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
    cookies: cookieList(headerValue(requestHeaders, 'cookie')),
    headersSize: -1,
    bodySize: sent.request.postData?.length ?? 0,
  };
  if (sent.request.postData !== undefined) {
    request.postData = { mimeType: headerValue(requestHeaders, 'content-type') ?? '', text: sent.request.postData };
  }

  const content = { size: 0, mimeType: response?.mimeType || 'x-unknown' };
  if (r.body) {
    const text = r.body.base64Encoded ? Buffer.from(r.body.body, 'base64').toString() : r.body.body;
    content.size = text.length;
    if (text.length <= BODY_LIMIT) content.text = text;
    else content.comment = `body of ${text.length} characters left out`;
  }
  const result = {
    _requestId: r.id,
    _resourceType: initiator.type === 'preflight' ? 'preflight' : (received?.type ?? sent.type ?? 'other').toLowerCase(),
    _initiator: Object.fromEntries(Object.entries({
      type: initiator.type,
      url: initiator.url ?? frame?.url,
      lineNumber: initiator.lineNumber ?? frame?.lineNumber,
      requestId: initiator.requestId,
    }).filter(([, v]) => v !== undefined)),
    pageref: 'page_1',
    startedDateTime: new Date(sent.wallTime * 1000).toISOString(),
    time: ms(end - sent.timestamp),
    request,
    response: {
      status: receivedExtra?.statusCode ?? response?.status ?? 0,
      statusText: response?.statusText ?? statusLine?.split(' ').slice(2).join(' ') ?? '',
      httpVersion,
      headers: headerList(receivedExtra?.headers ?? response?.headers),
      cookies: [],
      content,
      redirectURL: headerValue(receivedExtra?.headers ?? response?.headers, 'location') ?? '',
      headersSize: receivedExtra?.headersText?.length ?? -1,
      bodySize: r.finished && receivedExtra?.headersText
        ? Math.max(0, r.finished.encodedDataLength - receivedExtra.headersText.length) : -1,
      _transferSize: r.finished?.encodedDataLength ?? 0,
      _error: failed?.errorText ?? null,
    },
    cache: {},
    timings: timing,
  };
  if (response?.remoteIPAddress) result.serverIPAddress = response.remoteIPAddress;
  if (r.fromCache || response?.fromDiskCache) result._fromCache = 'disk';
  return result;
}

const all = [...requests.values()]
  .filter(r => r.sent && /^https?:/.test(r.sent.request.url))
  .sort((a, b) => a.sent.timestamp - b.sent.timestamp);
const documentRequest = all.find(r => r.sent.type === 'Document') ?? all[0];
const sinceStart = t => (t ? ms(t - documentRequest.sent.timestamp) : -1);

const har = {
  log: {
    version: '1.2',
    creator: { name: 'cors-actix tests/doctor/har/record.mjs', version: '1' },
    browser: { name: 'Chromium (headless)', version },
    pages: [{
      startedDateTime: new Date(documentRequest.sent.wallTime * 1000).toISOString(),
      id: 'page_1',
      title,
      pageTimings: { onContentLoad: sinceStart(pageEvents.onContentLoad), onLoad: sinceStart(pageEvents.onLoad) },
    }],
    entries: all.map(entry),
  },
};
writeFileSync(out, JSON.stringify(har, null, 2) + '\n');
console.log(`${har.log.entries.length} entries -> ${out}`);
