/**
 * A small semver range check for plugins' `meta.compatibility` (GitVan has no runtime semver dependency).
 * Supported: `1.2.3`, `=1.2.3`, `>`, `>=`, `<`, `<=`, `^`, `~`, partial versions (`^2`, `2.1`, `2.x`), `*`,
 * comparators joined by spaces (and) and `||` (or). Prerelease tags of the version are ignored.
 */
export function satisfiesRange(version: string, range: string): boolean {
  const current = parseVersion(version)
  if (!current) throw new RangeError(`"${version}" is not a version like 2.1.0`)
  return parseRange(range).some(set => set.every(([op, bound]) => compare(current, bound, op)))
}

/** Why `range` cannot be read, or `undefined` when it is fine. */
export function rangeProblem(range: unknown): string | undefined {
  if (typeof range !== 'string' || range.trim() === '') return 'it must be a non-empty string like "^2.1.0"'
  try {
    parseRange(range)
  } catch (error) {
    return (error as Error).message
  }
}

type Version = [number, number, number]
type Op = '>=' | '<' | '>' | '<=' | '='
type Comparator = [Op, Version]

const COMPARATOR = /^(\^|~|>=|<=|>|<|=)?v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?$/i

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim())
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined
}

function parseRange(range: string): Comparator[][] {
  return range.split('||').map((set) => {
    const parts = set.trim().split(/\s+/).filter(Boolean)
    if (parts.length === 0) throw new RangeError(`"${range}" has an empty alternative around "||"`)
    return parts.flatMap(part => parseComparator(part, range))
  })
}

/** One comparator as lower/upper bounds: `^1.2` is `>=1.2.0 <2.0.0`, `2.x` is `>=2.0.0 <3.0.0`. */
function parseComparator(part: string, range: string): Comparator[] {
  if (part === '*' || part.toLowerCase() === 'x') return []
  const match = COMPARATOR.exec(part)
  if (!match) throw new RangeError(`"${part}" in "${range}" is not a comparator like ^2.1.0, >=2.1.0 or 2.1.0`)
  const op = match[1] ?? '='
  const given = match.slice(2).filter(x => x !== undefined)
  const wild = given.findIndex(x => /^[x*]$/i.test(x))
  const numbers = (wild === -1 ? given : given.slice(0, wild)).map(Number)
  if (numbers.length === 0) return []
  const base: Version = [numbers[0]!, numbers[1] ?? 0, numbers[2] ?? 0]
  const upper = (index: number): Version => bump(base, index)
  switch (op) {
    case '^': {
      // The first non-zero part given is the one that may not change (`^0.2.3` stays below 0.3.0).
      const index = numbers.findIndex(n => n !== 0)
      return [['>=', base], ['<', upper(index === -1 ? numbers.length - 1 : index)]]
    }
    case '~': {
      return [['>=', base], ['<', upper(Math.min(1, numbers.length - 1))]]
    }
    case '=': {
      return numbers.length === 3 ? [['=', base]] : [['>=', base], ['<', upper(numbers.length - 1)]]
    }
    case '>': {
      return numbers.length === 3 ? [['>', base]] : [['>=', upper(numbers.length - 1)]]
    }
    case '<=': {
      return numbers.length === 3 ? [['<=', base]] : [['<', upper(numbers.length - 1)]]
    }
    default: {
      return [[op as Op, base]]
    }
  }
}

function bump(version: Version, index: number): Version {
  return version.map((part, i) => (i < index ? part : i === index ? part + 1 : 0)) as Version
}

function compare(a: Version, b: Version, op: Op): boolean {
  const order = a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
  switch (op) {
    case '=': { return order === 0
    }
    case '>': { return order > 0
    }
    case '>=': { return order >= 0
    }
    case '<': { return order < 0
    }
    case '<=': { return order <= 0
    }
  }
}
