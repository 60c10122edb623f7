import { TemplateError } from './error'

/** Latin letters that Unicode normalization does not split into a base letter plus accents. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss', æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ð: 'd', Ð: 'd', ł: 'l', Ł: 'l', þ: 'th', Þ: 'th', ı: 'i',
}

/**
 * Lowercase kebab text safe as a file name: accents are removed (`é` → `e`), the letters above transliterated,
 * anything else outside a-z and 0-9 (other scripts, emoji, punctuation) becomes a separator.
 * Case changes are not word breaks (`GitVan` → `gitvan`); use `kebabCase` for identifiers.
 */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\u0000-\u007F]/gu, char => TRANSLITERATIONS[char] ?? '-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  if (slug === '') {
    throw new TemplateError(`slug filter: ${JSON.stringify(text)} has no letters or digits usable in a file name (pass text with a-z or 0-9)`)
  }
  return slug
}
