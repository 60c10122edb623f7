import { describe, expect, it } from 'vitest'
import { defineJob } from '../../src/jobs/define'

describe('defineJob', () => {
  it('infers the kind from run or steps', () => {
    expect(defineJob({ run: () => {} }).kind).toBe('atomic')
    expect(defineJob({ steps: [{ exec: 'cli', cmd: 'true' }] }).kind).toBe('composite')
    expect(defineJob({ run: () => {} }).meta).toEqual({})
  })

  it('accepts cron expressions croner reads, in the given time zone', () => {
    expect(defineJob({ run() {}, meta: { schedule: '0 0 3 * * *', timezone: 'Europe/Paris' } }).meta.schedule).toBe('0 0 3 * * *')
    expect(defineJob({ run() {}, meta: { schedule: '@daily' } }).meta.schedule).toBe('@daily')
  })

  it.each([
    [{}, '`run` must be a function, or `steps` an array'],
    [{ run: 1 }, '`run` must be a function'],
    [{ run() {}, steps: [] }, '`run` must be absent when `steps` is given'],
    [{ kind: 'composite', run() {} }, '`kind` must be "atomic"'],
    [{ steps: [{ cmd: 'x' }] }, '`steps` must be an array of exec specs'],
    [{ run() {}, meta: { desc: 3 } }, '`meta.desc` must be a string'],
    [{ run() {}, meta: { schedule: '' } }, '`meta.schedule` must be a cron expression string'],
    [{ run() {}, meta: { schedule: 'not a cron' } }, '`meta.schedule` must be a valid cron expression (invalid configuration format (\'not a cron\'), exactly five, six, or seven space separated parts are required), e.g. "0 3 * * *" for 03:00 daily'],
    [{ run() {}, meta: { schedule: '61 * * * *' } }, '`meta.schedule` must be a valid cron expression (Invalid value for minute: 61)'],
    [{ run() {}, meta: { schedule: '0 3 * * *', timezone: 'Mars/Olympus' } }, '`meta.timezone` must be an IANA time zone like "Europe/Paris"'],
    [{ run() {}, meta: { tags: 'a' } }, '`meta.tags` must be an array of strings'],
    [{ run() {}, on: { push: true } }, '`on.push` must be one of on.commit, on.tag, on.branch'],
    [{ run() {}, on: { commit: { branch: 'main' } } }, '`on.commit.branch` must be one of branches, branchesIgnore, paths, pathsIgnore, message, author, type, scope, merge'],
    [{ run() {}, on: { commit: { message: '(' } } }, '`on.commit.message` must be a valid regular expression'],
    [{ run() {}, on: { tag: [] } }, '`on.tag` must be a glob, an array of globs, or { match?, ignore?, semver? }'],
    [{ run() {}, on: { tag: { semver: 'yes' } } }, '`on.tag.semver` must be true or false'],
    [{ run() {}, on: { commit: { paths: { renamed: 'x' } } } }, '`on.commit.paths.renamed` must be one of any, added, modified, deleted'],
    [{ run() {}, on: { commit: { merge: { into: 3 } } } }, '`on.commit.merge` must be true, false, or { into: branch globs }'],
    [{ run() {}, on: { branch: 5 } }, '`on.branch` must be a glob, an array of globs, or { match?, ignore? }'],
    [{ run() {}, retry: { count: -1 } }, '`retry.count` must be an integer >= 0'],
    [{ run() {}, timeout: -1 }, '`timeout` must be a positive number of milliseconds'],
    [{ run() {}, env: { A: 1 } }, '`env` must be an object of string values'],
    [{ run() {}, schedule: '* * * * *' }, '`schedule` must be one of the known keys'],
  ])('refuses %j', (definition, message) => {
    expect(() => defineJob(definition as any)).toThrow(message)
  })
})
