// Incremental decoder of the chunked transfer coding (RFC 9112 7.1), strict about framing: hex
// sizes with a digit limit, CRLF (never a bare LF) after sizes and data, trailer fields that are
// well-formed field lines. It reports body bytes as ranges of the buffers it is fed, so nothing is
// copied, and stops right after the last CRLF: the next pipelined request starts there.
import { CR, FIELD_VALUE, HT, LF, SP, TCHAR } from './chars.js'

export interface ChunkedLimits {
  /** Most hex digits in a chunk size (default 13: sizes stay below 2^52). */
  maxSizeDigits: number
  /** Most bytes of chunk extensions on one size line (default 4096). */
  maxExtensionBytes: number
  /** Most bytes of the whole trailer section (default 16384). */
  maxTrailerBytes: number
}

export const DEFAULT_CHUNKED_LIMITS: ChunkedLimits = Object.freeze({
  maxSizeDigits: 13,
  maxExtensionBytes: 4096,
  maxTrailerBytes: 16384,
})

export type OnChunkData = (buf: Buffer, from: number, to: number) => void
export type FeedResult = { consumed: number; done: boolean } | { error: string }

const SIZE = 0
const SIZE_WS = 1 // BWS after the size, before ';'
const EXT = 2
const SIZE_LF = 3
const DATA = 4
const DATA_CR = 5
const DATA_LF = 6
const TRAILER_START = 7
const TRAILER_NAME = 8
const TRAILER_VALUE = 9
const TRAILER_LF = 10
const END_LF = 11
const DONE = 12

const HEX = new Int8Array(256).fill(-1)
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i
  HEX[0x61 + i] = 10 + i
}

export class ChunkedDecoder {
  private state = SIZE
  private digits = 0
  private size = 0
  private remaining = 0
  private extBytes = 0
  private trailerBytes = 0
  /** Body bytes delivered so far (the chunk data, without framing). */
  bodyBytes = 0

  constructor(private readonly limits: ChunkedLimits = DEFAULT_CHUNKED_LIMITS) {}

  /** Ready for the next message's body. */
  reset(): void {
    this.state = SIZE
    this.digits = 0
    this.size = 0
    this.remaining = 0
    this.extBytes = 0
    this.trailerBytes = 0
    this.bodyBytes = 0
  }

  get done(): boolean {
    return this.state === DONE
  }

  /**
   * Decodes buf from `start`. Calls onData for each run of body bytes; returns how many bytes of buf
   * (from start) belong to this body and whether it ended. After done, bytes past start+consumed
   * are the next message. An error means the framing is broken: close the connection.
   */
  feed(buf: Buffer, start: number, onData: OnChunkData): FeedResult {
    const len = buf.length
    let i = start
    const lim = this.limits
    while (i < len) {
      const b = buf[i]!
      switch (this.state) {
        case SIZE: {
          const h = HEX[b]!
          if (h >= 0) {
            if (++this.digits > lim.maxSizeDigits) return { error: 'chunk size has too many digits' }
            this.size = this.size * 16 + h
            i++
          } else if (this.digits === 0) {
            return { error: 'chunk size expected' }
          } else if (b === CR) {
            this.state = SIZE_LF
            i++
          } else if (b === 0x3b) {
            this.state = EXT
            i++
          } else if (b === SP || b === HT) {
            this.state = SIZE_WS
            i++
          } else return { error: 'invalid byte after chunk size' }
          break
        }
        case SIZE_WS:
          if (b === SP || b === HT) i++
          else if (b === 0x3b) {
            this.state = EXT
            i++
          } else return { error: 'whitespace after chunk size without an extension' }
          break
        case EXT:
          if (b === CR) {
            this.state = SIZE_LF
            i++
          } else if ((FIELD_VALUE[b] === 1 && b !== 0x7f) || b === HT) {
            if (++this.extBytes > lim.maxExtensionBytes) return { error: 'chunk extension too long' }
            i++
          } else return { error: 'invalid byte in chunk extension' }
          break
        case SIZE_LF:
          if (b !== LF) return { error: 'CR without LF after chunk size' }
          i++
          this.extBytes = 0
          this.digits = 0
          if (this.size === 0) this.state = TRAILER_START
          else {
            this.remaining = this.size
            this.state = DATA
          }
          this.size = 0
          break
        case DATA: {
          const take = Math.min(this.remaining, len - i)
          onData(buf, i, i + take)
          this.bodyBytes += take
          this.remaining -= take
          i += take
          if (this.remaining === 0) this.state = DATA_CR
          break
        }
        case DATA_CR:
          if (b !== CR) return { error: 'chunk data not followed by CRLF' }
          this.state = DATA_LF
          i++
          break
        case DATA_LF:
          if (b !== LF) return { error: 'chunk data not followed by CRLF' }
          this.state = SIZE
          i++
          break
        case TRAILER_START:
          if (b === CR) {
            this.state = END_LF
            i++
            break
          }
          if (TCHAR[b] !== 1) return { error: 'invalid trailer field name' }
          this.state = TRAILER_NAME
          break
        case TRAILER_NAME:
          if (++this.trailerBytes > lim.maxTrailerBytes) return { error: 'trailer section too large' }
          if (b === 0x3a) this.state = TRAILER_VALUE
          else if (TCHAR[b] !== 1) return { error: 'invalid trailer field name' }
          i++
          break
        case TRAILER_VALUE:
          if (++this.trailerBytes > lim.maxTrailerBytes) return { error: 'trailer section too large' }
          if (b === CR) this.state = TRAILER_LF
          else if (FIELD_VALUE[b] !== 1) return { error: 'invalid byte in trailer field value' }
          i++
          break
        case TRAILER_LF:
          if (b !== LF) return { error: 'CR without LF in trailer section' }
          this.state = TRAILER_START
          i++
          break
        case END_LF:
          if (b !== LF) return { error: 'CR without LF after last chunk' }
          this.state = DONE
          i++
          return { consumed: i - start, done: true }
        default:
          return { consumed: i - start, done: true }
      }
    }
    return { consumed: i - start, done: this.state === DONE }
  }
}
