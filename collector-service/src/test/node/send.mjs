// Sends identify, track, page, screen, group and alias through the real Node SDKs of Segment and
// RudderStack to a running collector, then flushes. NodeSdkTest runs it and checks the events on
// cdp.events.raw; it also runs by hand: npm ci && node send.mjs <collectorUrl> <writeKey> <runId>
// Every id is derived from <runId> (see calls()); the exit code is non-zero if any SDK reports an
// error, so an event the collector refused fails the run.
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';

// The client's event time, fixed and in the past so that the collector's clock-skew correction
// of it is visible in the checks.
const EVENT_TIME = '2026-01-02T03:04:05.678Z';

const [collectorUrl, writeKey, runId] = process.argv.slice(2);
if (!collectorUrl || !writeKey || !runId) {
  console.error('usage: node send.mjs <collectorUrl> <writeKey> <runId>');
  process.exit(2);
}

/** The calls each SDK makes: [method, message]; `sdk` prefixes the messageIds. */
function calls(sdk) {
  const userId = `user-${runId}`;
  const anonymousId = `anon-${runId}`;
  const id = (type) => `${sdk}-${type}-${runId}`;
  return [
    ['identify', { messageId: id('identify'), userId, anonymousId, traits: { email: `ann-${runId}@example.com`, plan: 'pro' } }],
    ['track', { messageId: id('track'), userId, event: 'Order Completed', properties: { orderId: 'o-1', revenue: 12.5, currency: 'EUR' } }],
    ['page', { messageId: id('page'), anonymousId, category: 'Docs', name: 'Pricing', properties: { path: '/pricing' } }],
    ['screen', { messageId: id('screen'), userId, name: 'Home', properties: { variant: 'b' } }],
    ['group', { messageId: id('group'), userId, groupId: `group-${runId}`, traits: { name: 'Acme' } }],
    ['alias', { messageId: id('alias'), userId, previousId: anonymousId }],
  ];
}

const failures = [];

async function sendWithSegment() {
  // few retries: a refused or failing call should end the run soon, not after minutes of backoff
  const analytics = new Analytics({ writeKey, host: collectorUrl, maxRetries: 2 });
  analytics.on('error', (error) =>
    failures.push(['segment', error.ctx?.event.messageId, error.code, String(error.reason)]),
  );
  for (const [method, message] of calls('segment')) {
    analytics[method]({ ...message, timestamp: EVENT_TIME });
  }
  await analytics.closeAndFlush();
}

async function sendWithRudder() {
  const analytics = new RudderAnalytics(writeKey, {
    dataPlaneUrl: collectorUrl,
    retryCount: 2,
    // without a handler a failed flush is an unhandled rejection; each call's callback reports it
    errorHandler: () => {},
  });
  const delivered = calls('rudder').map(
    ([method, message]) =>
      new Promise((resolve) =>
        // RudderStack's SDKs send the client's event time as originalTimestamp
        analytics[method]({ ...message, originalTimestamp: EVENT_TIME }, (error) => {
          if (error) {
            failures.push(['rudder', message.messageId, String(error)]);
          }
          resolve();
        }),
      ),
  );
  await analytics.flush();
  await Promise.all(delivered);
}

await sendWithSegment();
await sendWithRudder();
if (failures.length > 0) {
  console.error('SDK errors:', JSON.stringify(failures));
  process.exit(1);
}
console.log('sent 6 calls through each SDK, no SDK error');
