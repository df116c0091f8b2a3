// Records what the real Node SDKs send to /v1/batch, for SdkWireFormatTest's fixtures
// (src/test/resources/sdk/). Run: npm install && node record.js
const http = require('http');
const fs = require('fs');
const zlib = require('zlib');
const { Analytics } = require('@segment/analytics-node');
const RudderAnalytics = require('@rudderstack/rudder-sdk-node');

const requests = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const gzip = req.headers['content-encoding'] === 'gzip';
    requests.push({ headers: req.headers, body: (gzip ? zlib.gunzipSync(body) : body).toString() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"success":true}');
  });
});

server.listen(0, async () => {
  const host = `http://127.0.0.1:${server.address().port}`;
  const segment = new Analytics({ writeKey: 'WRITEKEY', host, flushAt: 2 });
  segment.identify({ userId: 'u-sdk', traits: { email: 'ann@example.com' } });
  segment.track({ userId: 'u-sdk', event: 'Order Completed', properties: { revenue: 12.5 } });
  await segment.closeAndFlush();
  const rudder = new RudderAnalytics('WRITEKEY', { dataPlaneUrl: host, flushAt: 1 });
  rudder.track({ userId: 'u-sdk', event: 'Order Completed', properties: { revenue: 12.5 } });
  await new Promise((done) => rudder.flush(done));
  setTimeout(() => {
    const [fromSegment, fromRudder] = requests;
    fs.writeFileSync('../resources/sdk/segment-analytics-node-3.1.0.json', fromSegment.body + '\n');
    fs.writeFileSync('../resources/sdk/rudder-sdk-node-3.0.13.json', fromRudder.body + '\n');
    console.log(requests.map((r) => r.headers));
    server.close();
  }, 1000);
});
