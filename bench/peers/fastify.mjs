// Peer: fastify with @fastify/reply-from (an undici pool upstream). Env: PORT, UPSTREAM (host:port).
import replyFrom from '@fastify/reply-from'
import Fastify from 'fastify'

const app = Fastify({ logger: false, keepAliveTimeout: 300_000, requestTimeout: 0 })
// Hand bodies over unparsed, as streams, so reply-from streams them to the target.
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', (_req, payload, done) => done(null, payload))
await app.register(replyFrom, { base: `http://${process.env.UPSTREAM}`, undici: { connections: 256, pipelining: 1 } })
const rewriteRequestHeaders = (req, headers) => ({
  ...headers,
  'x-forwarded-for': headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${req.ip}` : req.ip,
  'x-forwarded-proto': 'http',
})
app.all('/*', (_req, reply) => reply.from(undefined, { rewriteRequestHeaders }))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.once('SIGTERM', () => process.exit(0))
