import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'pathe'
import { gitvanPackage } from '../utils/self'

const TYPES = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'icon.svg': 'image/svg+xml',
} as const

export type AssetName = keyof typeof TYPES

export interface Asset {
  body: string
  type: string
  /** `/assets/app.css?v=<hash>`: cached for good by the browser, since a new content has a new address. */
  href: string
}

/** The page's assets, shipped in the package (no CDN: the page works offline), read once into memory. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const dir = gitvanPackage().uiDir
  const entries = await Promise.all(Object.entries(TYPES).map(async ([name, type]) => {
    const body = await readFile(join(dir, name), 'utf8').catch(() => {
      throw new Error(`Cannot read the web page's ${name} in ${dir}: the installation is broken, reinstall gitvan`)
    })
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10)
    return [name, { body, type, href: `/assets/${name}?v=${hash}` }] as const
  }))
  return new Map(entries)
}
