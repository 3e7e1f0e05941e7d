import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { sendJson } from './endpoint.js'

/** The built console (src/console compiled, its HTML and CSS copied beside it by the build): dist/src/console/. */
const ASSETS_DIR = fileURLToPath(new URL('../../console/', import.meta.url))

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
}

/** One of the console's files by its plain name (no folders, so nothing outside the console is reachable). */
export async function serveConsoleAsset(name: string, res: ServerResponse): Promise<true> {
  const file = name === '' ? 'index.html' : name
  const ext = /^[a-z0-9-]+\.([a-z]+)$/.exec(file)?.[1]
  const type = ext === undefined ? undefined : TYPES[ext]
  if (type === undefined) return sendJson(res, 404, { error: `no such console file: ${name}` })
  let body: Buffer
  try {
    body = await readFile(ASSETS_DIR + file)
  } catch {
    return sendJson(res, 404, { error: `no such console file: ${name}` })
  }
  // Same origin only; no inline script, so a stored value can never run as code on this page.
  res.writeHead(200, {
    'content-type': type,
    'cache-control': 'no-cache',
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
    'x-content-type-options': 'nosniff',
  })
  res.end(body)
  return true
}
