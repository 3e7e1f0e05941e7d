import { createSocket, type Socket } from 'node:dgram'
import { readFileSync } from 'node:fs'

/**
 * Instance addresses on a machine shared by several openalbs (two data directories, or tests side
 * by side): each keeps its own instances' addresses, and neither may hand out one the other
 * uses. Two parts, both Linux's /proc view of the machine:
 * - boundAddresses(): every IPv4 address some socket on the machine is bound to (TCP and UDP,
 *   listening or not), read from /proc/net/{tcp,udp}; control's allocator skips those that are
 *   not its own instances'.
 * - AddressClaims: the supervisor binds one UDP socket (ephemeral port) to each address its live
 *   instances hold, from launch to termination, so another openalb sees the address taken even
 *   while the instance's program has not bound it yet, or has no program.
 */
export function boundAddresses(files: readonly string[] = ['/proc/net/tcp', '/proc/net/udp']): Set<string> {
  const out = new Set<string>()
  for (const file of files) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue // not Linux, or no /proc: nothing is known to be taken
    }
    for (const line of text.split('\n').slice(1)) {
      // "  sl  local_address rem_address ...": local_address is HEXIP:HEXPORT, the address little-endian.
      const hex = line.trim().split(/\s+/)[1]?.split(':')[0]
      if (hex === undefined || hex.length !== 8) continue
      const n = Number.parseInt(hex, 16)
      out.add([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.'))
    }
  }
  return out
}

export class AddressClaims {
  readonly #sockets = new Map<string, Socket>()

  /** Holds exactly these addresses: binds the new ones, lets go of the others. */
  sync(addresses: ReadonlySet<string>, onError?: (address: string, err: Error) => void): void {
    for (const [address, socket] of this.#sockets) {
      if (addresses.has(address)) continue
      this.#sockets.delete(address)
      socket.close()
    }
    for (const address of addresses) {
      if (this.#sockets.has(address)) continue
      const socket = createSocket('udp4')
      socket.on('error', (err) => {
        this.#sockets.delete(address)
        socket.close()
        onError?.(address, err)
      })
      socket.bind(0, address)
      socket.unref()
      this.#sockets.set(address, socket)
    }
  }

  held(): string[] {
    return [...this.#sockets.keys()]
  }

  close(): void {
    this.sync(new Set())
  }
}
