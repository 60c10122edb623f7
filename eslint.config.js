// @ts-check
import stylistic from '@stylistic/eslint-plugin'
import unjs from 'eslint-config-unjs'

// UnJS's flat config (typescript-eslint, unicorn) for correctness, ESLint Stylistic for the one formatting style:
// `npm run lint` checks, `npm run lint:fix` formats.
export default unjs({
  ignores: ['dist', 'coverage'],
  rules: {
    // The CLI ends its process on purpose (signals, a second Ctrl-C); loops over arrays read best as for...of or
    // forEach case by case; a nested ternary is fine when it is a lookup.
    'unicorn/no-process-exit': 'off',
    'unicorn/no-array-for-each': 'off',
    'unicorn/no-array-callback-reference': 'off',
    'unicorn/no-nested-ternary': 'off',
    'unicorn/no-negated-condition': 'off',
    'unicorn/no-array-reduce': 'off',
    'unicorn/no-object-as-default-parameter': 'off',
    'unicorn/no-unreadable-array-destructuring': 'off',
    'unicorn/explicit-length-check': 'off',
    // Control characters in regular expressions are how NUL-separated git output and ANSI codes are matched.
    'no-control-regex': 'off',
  },
}, stylistic.configs.customize({ indent: 2, quotes: 'single', semi: false, braceStyle: '1tbs', arrowParens: false }), {
  rules: {
    '@stylistic/member-delimiter-style': ['error', { multiline: { delimiter: 'none' }, singleline: { delimiter: 'semi', requireLast: false } }],
    '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
    '@stylistic/max-statements-per-line': 'off',
    '@stylistic/list-style': 'off',
    '@stylistic/operator-linebreak': ['error', 'before'],
  },
})
