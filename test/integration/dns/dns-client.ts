import { createSocket } from 'node:dgram'
import { connect, type Socket } from 'node:net'

/** Sends one UDP message to 127.0.0.1:port and resolves with the first reply (rejects after timeoutMs). */
export function udpExchange(port: number, message: Buffer, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    const timer = setTimeout(() => {
      socket.close()
      reject(new Error(`no UDP answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('message', (reply) => {
      clearTimeout(timer)
      socket.close()
      resolve(reply)
    })
    socket.send(message, port, '127.0.0.1')
  })
}

/** Sends raw UDP datagrams and does not wait for anything. */
export async function udpSendAll(port: number, messages: readonly Buffer[]): Promise<void> {
  const socket = createSocket('udp4')
  for (const m of messages) await new Promise<void>((r) => socket.send(m, port, '127.0.0.1', () => r()))
  socket.close()
}

export function tcpConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
    s.once('error', reject)
  })
}

/** Reads length-prefixed messages from a TCP socket, one at a time; each read fails after timeoutMs. */
export function tcpReader(socket: Socket, timeoutMs = 5000): () => Promise<Buffer> {
  let pending = Buffer.alloc(0)
  const waiters: (() => void)[] = []
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    waiters.splice(0).forEach((w) => w())
  })
  return async () => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const len = pending.readUInt16BE(0)
        const msg = pending.subarray(2, 2 + len)
        pending = pending.subarray(2 + len)
        return msg
      }
      if (socket.destroyed || socket.readableEnded) throw new Error('connection closed')
      if (Date.now() >= deadline) throw new Error(`no whole message within ${timeoutMs} ms`)
      await new Promise<void>((r) => {
        const timer = setTimeout(r, deadline - Date.now())
        waiters.push(() => {
          clearTimeout(timer)
          r()
        })
        socket.once('close', r)
      })
    }
  }
}

export const frame = (m: Buffer): Buffer => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])

export async function tcpExchange(port: number, message: Buffer): Promise<Buffer> {
  const s = await tcpConnect(port)
  try {
    const read = tcpReader(s)
    s.write(frame(message))
    return await read()
  } finally {
    s.destroy()
  }
}
