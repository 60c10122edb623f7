import { isPlainObject } from './messages'

/**
 * GitVan's one way to check what TypeScript cannot: the config, job definitions, plugins, exec specs, LLM options
 * and lease options. A rule looks at a value and returns the first problem, or `undefined`. A rule carries its own
 * words and the caller frames the problem, because the messages are the product: they name the key path, what was
 * expected and what was found (`Invalid config in gitvan.config.ts: \`daemon.lookback\` must be an integer >= 1,
 * got 0`). Checks for untyped objects need plain-object semantics (an array or a class instance is not a config
 * section), every key's own words for wrong, missing and unknown keys alike, and unknown keys that only warn:
 * schema libraries make each of these a workaround, so these few combinators are GitVan's own.
 */
export type Rule = (value: unknown) => Problem | undefined

export type Key = string | number

export interface Problem {
  /** Where, below the value checked: `['on', 'commit', 'paths']`; empty for the value itself. */
  keys: Key[]
  /** The rule's own words, framed by the caller: usually what was expected (`an integer >= 1`). */
  message: string
  /** What was found there. */
  value: unknown
  /** The value may be a secret (an API key where its variable's name belongs): messages must not show it. */
  secret?: boolean
}

/** Words, or words made from the value found (for messages that quote it, like `quote it like "8080"`). */
export type Words = string | ((value: any) => string)

/** A rule from a test: `is(Number.isInteger, 'an integer')`. */
export function is(test: (value: any) => boolean, words: Words): Rule {
  return value => (test(value) ? undefined : problem(say(words, value), value))
}

/** `undefined` passes; anything else must pass `rule`. */
export function optional(rule: Rule): Rule {
  return value => (value === undefined ? undefined : rule(value))
}

/** Each rule in order; the first problem wins. */
export function every(...rules: Rule[]): Rule {
  return (value) => {
    for (const rule of rules) {
      const problem = rule(value)
      if (problem) return problem
    }
  }
}

/** Passes when `first` does; otherwise the problem is `second`'s (`a glob, or an object of globs by kind`). */
export function either(first: Rule, second: Rule): Rule {
  return value => (first(value) ? second(value) : undefined)
}

/** Problems of `rule` never show the value found. */
export function secret(rule: Rule): Rule {
  return (value) => {
    const problem = rule(value)
    return problem && { ...problem, secret: true }
  }
}

/** One of these strings: `"current" or "all"`. */
export function oneOf(values: readonly string[]): Rule {
  const quoted = values.map(value => `"${value}"`)
  return is(value => values.includes(value), quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0]!)
}

export interface ObjectRule extends Rule {
  /** The rule of each known key, for callers that list them (known config paths, "did you mean" hints). */
  readonly entries: Readonly<Record<string, Rule>>
}

/**
 * A plain object (not an array, a class instance or null) whose keys are checked in the order of `entries`, a
 * missing key as `undefined`. With `unknownKey`, a key not in `entries` is a problem first (a misspelt key is the
 * likely cause of what else is wrong); without it, other keys are left to whoever reads them.
 */
export function object(entries: Record<string, Rule>, options: { expected: Words; unknownKey?: Words }): ObjectRule {
  const rule = (value: unknown): Problem | undefined => {
    if (!isPlainObject(value)) return problem(say(options.expected, value), value)
    if (options.unknownKey !== undefined) {
      const unknown = Object.keys(value).find(key => !Object.hasOwn(entries, key))
      if (unknown !== undefined) return problem(say(options.unknownKey, value[unknown]), value[unknown], [unknown])
    }
    for (const [key, check] of Object.entries(entries)) {
      const problem = check(value[key])
      if (problem) return below(key, problem)
    }
  }
  return Object.assign(rule, { entries })
}

/** An array whose items each pass `item`. */
export function arrayOf(item: Rule, expected: Words): Rule {
  return (value) => {
    if (!Array.isArray(value)) return problem(say(expected, value), value)
    for (const [index, element] of value.entries()) {
      const problem = item(element)
      if (problem) return below(index, problem)
    }
  }
}

/** A plain object whose values each pass `item` (environment variables, options bags). */
export function recordOf(item: Rule, expected: Words): Rule {
  return (value) => {
    if (!isPlainObject(value)) return problem(say(expected, value), value)
    for (const [key, element] of Object.entries(value)) {
      const problem = item(element)
      if (problem) return below(key, problem)
    }
  }
}

/** A problem made by hand, for rules that look at several keys at once. */
export function problem(message: string, value: unknown, keys: Key[] = []): Problem {
  return { keys, message, value }
}

/** `on.commit.paths`, `messages[0].role`, `env.PORT`; `''` for the value itself. */
export function keyPath(keys: readonly Key[]): string {
  return keys.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join('')
}

function below(key: Key, problem: Problem): Problem {
  return { ...problem, keys: [key, ...problem.keys] }
}

function say(words: Words, value: unknown): string {
  return typeof words === 'function' ? words(value) : words
}
