import { withCatFile } from '../git/cat-file'
import { writeFileCommits } from '../git/file-commit'
import { swapRef } from '../git/cas'
import { refStoreOf } from '../git/ref-store'
import type { RefStore } from '../types/git'
import type { LLMResponse } from '../types/llm'

/**
 * Responses kept in Git for `cache: true`: `refs/gitvan/llm-cache` points at a commit whose tree holds one
 * `<key[0..2]>/<key>.json` per response, keyed by `llmCacheKey` (provider, model, options and prompt; never the
 * API key). It travels with the repository like receipts; `git update-ref -d refs/gitvan/llm-cache` clears it.
 * With a `remote`, it is read from the local mirror (synced by the daemon) and written to the remote.
 */
export const LLM_CACHE_REF = 'refs/gitvan/llm-cache'

export interface CachedResponse {
  v: 1
  text: string
  model: string
  provider: string
  usage?: LLMResponse['usage']
  finishReason?: string
  createdAt: string
}

const pathOf = (key: string) => `${key.slice(0, 2)}/${key}.json`

export async function readCachedResponse(repo: string | RefStore, key: string): Promise<CachedResponse | null> {
  const { cwd } = refStoreOf(repo)
  const text = await withCatFile(cwd, cat => cat.readText(`${LLM_CACHE_REF}:${pathOf(key)}`))
  if (!text) return null
  try {
    const entry = JSON.parse(text) as CachedResponse
    return entry.v === 1 && typeof entry.text === 'string' ? entry : null
  } catch {
    return null
  }
}

/** Add a response, by compare-and-swap on the cache ref (retried on top of concurrent writers). */
export async function writeCachedResponse(repo: string | RefStore, key: string, response: LLMResponse, now: Date): Promise<void> {
  const store = refStoreOf(repo)
  const { cwd } = store
  const entry: CachedResponse = { v: 1, text: response.text, model: response.model, provider: response.provider, usage: response.usage, finishReason: response.finishReason, createdAt: now.toISOString() }
  await swapRef(store, LLM_CACHE_REF, async (parent) => {
    const [commit] = await writeFileCommits(cwd, [{ file: pathOf(key), content: `${JSON.stringify(entry)}\n`, message: 'gitvan llm cache', parent }])
    return commit!
  }, { what: 'the LLM cache' })
}
