const enum S {
  Size,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  LineStart,
  Trailer,
  EndLf,
  Done,
}

const MAX_SIZE_DIGITS = 15

/**
 * Finds where a chunked body ends without copying it: the bytes are forwarded as they are, the
 * tracker only follows the framing (sizes, CRLFs, trailers) and rejects what does not parse.
 */
export class ChunkTracker {
  private s = S.Size
  private remaining = 0
  private digits = 0
  private lineBytes = 0
  /** When set, the data bytes (without framing) are collected here: for clients that cannot take chunks. */
  sink: Buffer[] | null = null

  reset(): void {
    this.s = S.Size
    this.remaining = 0
    this.digits = 0
    this.lineBytes = 0
  }

  get done(): boolean {
    return this.s === S.Done
  }

  /** Consumes buf[start, end): the index just past the body's last byte, -1 when more is needed, -2 when invalid. */
  feed(buf: Buffer, start: number, end: number): number {
    let i = start
    while (i < end) {
      switch (this.s) {
        case S.Data: {
          const take = Math.min(this.remaining, end - i)
          if (this.sink !== null && take > 0) this.sink.push(buf.subarray(i, i + take))
          i += take
          this.remaining -= take
          if (this.remaining === 0) this.s = S.DataCr
          continue
        }
        case S.Size: {
          const c = buf[i] as number
          const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return -2
            this.remaining = this.remaining * 16 + v
          } else if (this.digits === 0) return -2
          else if (c === 13) this.s = S.SizeLf
          else if (c === 59 || c === 32 || c === 9) this.s = S.Ext
          else return -2
          break
        }
        case S.Ext: {
          const c = buf[i] as number
          if (c === 13) this.s = S.SizeLf
          else if (c === 10 || c === 0) return -2
          else if (++this.lineBytes > 4096) return -2
          break
        }
        case S.SizeLf:
          if (buf[i] !== 10) return -2
          this.digits = 0
          this.lineBytes = 0
          this.s = this.remaining === 0 ? S.LineStart : S.Data
          break
        case S.DataCr:
          if (buf[i] !== 13) return -2
          this.s = S.DataLf
          break
        case S.DataLf:
          if (buf[i] !== 10) return -2
          this.s = S.Size
          break
        case S.LineStart: {
          const c = buf[i] as number
          if (c === 13) this.s = S.EndLf
          else if (c === 10) return -2
          else {
            this.s = S.Trailer
            this.lineBytes = 1
          }
          break
        }
        case S.Trailer: {
          const c = buf[i] as number
          if (c === 10) this.s = S.LineStart
          else if (c === 0 || ++this.lineBytes > 16384) return -2
          break
        }
        case S.EndLf:
          if (buf[i] !== 10) return -2
          this.s = S.Done
          return i + 1
        case S.Done:
          return i
      }
      i++
    }
    return -1
  }
}
