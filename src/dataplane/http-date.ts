let cachedSecond = -1
let cached = ''

/** The IMF-fixdate for now, rebuilt at most once a second. */
export function httpDate(nowMs: number): string {
  const second = Math.floor(nowMs / 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cached = new Date(second * 1000).toUTCString()
  }
  return cached
}
