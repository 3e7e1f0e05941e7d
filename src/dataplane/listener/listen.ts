import type { Server } from 'node:net'

/** Binds a listener's server: rejects with the bind error (EADDRINUSE, EACCES), then ignores later server errors. */
export function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e)
    server.once('error', onError)
    server.listen({ host, port, backlog: 4096 }, () => {
      server.off('error', onError)
      server.on('error', () => {})
      resolve()
    })
  })
}
