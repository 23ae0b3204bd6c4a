// Sends every Segment call type and a batch of tracks with Segment's Node library (@segment/analytics-node),
// pointed at a gateway: `node send.js <gateway url> <write key> <number of tracks>`. Prints, as JSON, the
// messageId of every call the library sent and the HTTP statuses it got back.
'use strict'
const { Analytics } = require('@segment/analytics-node')

async function main () {
  const [host, writeKey, count] = process.argv.slice(2)
  const analytics = new Analytics({ writeKey, host, flushAt: 100, maxRetries: 3 })
  const sent = []
  const statuses = []
  analytics.on('http_request', (request) => {
    for (const call of JSON.parse(request.body).batch) sent.push(call.messageId)
  })
  analytics.on('http_response', (response) => statuses.push(response.status))
  const userId = 'node-user-1'
  const anonymousId = 'node-anon-1'
  analytics.identify({ userId, anonymousId, traits: { email: 'grace@example.com', plan: 'pro' } })
  analytics.alias({ userId, previousId: anonymousId })
  analytics.group({ userId, groupId: 'acme', traits: { name: 'Acme', employees: 42 } })
  analytics.page({ userId, category: 'Docs', name: 'Install', properties: { url: 'https://example.com/docs/install', title: 'Install' } })
  analytics.screen({ userId, name: 'Home', context: { app: { name: 'Example', version: '1.2.0', build: '120' }, device: { manufacturer: 'Google', model: 'Pixel 8', type: 'android' }, os: { name: 'Android', version: '14' }, screen: { width: 1080, height: 2400, density: 2.625 } } })
  analytics.track({ userId, event: 'Order Completed', properties: { order_id: 'node-user-1-order', total: 27.5, currency: 'EUR', products: [{ product_id: 'p-1', name: 'Mug', price: 13.75, quantity: 2 }] } })
  for (let index = 0; index < Number(count); index++) {
    analytics.track({ anonymousId, event: 'Song Played', properties: { index } })
  }
  await analytics.closeAndFlush({ timeout: 60000 })
  process.stdout.write(JSON.stringify({ sent, statuses }))
}

main().catch((error) => { console.error(error); process.exit(1) })
