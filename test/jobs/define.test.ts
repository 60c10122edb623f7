import { describe, expect, it } from 'vitest'
import { defineJob } from '../../src/jobs/define'

describe('defineJob', () => {
  it('infers the kind from run or steps', () => {
    expect(defineJob({ run: () => {} }).kind).toBe('atomic')
    expect(defineJob({ steps: [{ exec: 'cli', cmd: 'true' }] }).kind).toBe('composite')
    expect(defineJob({ run: () => {} }).meta).toEqual({})
  })

  it.each([
    [{}, '`run` must be a function, or `steps` an array'],
    [{ run: 1 }, '`run` must be a function'],
    [{ run() {}, steps: [] }, '`run` must be absent when `steps` is given'],
    [{ kind: 'composite', run() {} }, '`kind` must be "atomic"'],
    [{ steps: [{ cmd: 'x' }] }, '`steps` must be an array of exec specs'],
    [{ run() {}, meta: { desc: 3 } }, '`meta.desc` must be a string'],
    [{ run() {}, meta: { schedule: '' } }, '`meta.schedule` must be a cron expression string'],
    [{ run() {}, meta: { tags: 'a' } }, '`meta.tags` must be an array of strings'],
    [{ run() {}, on: { push: true } }, '`on.push` must be one of on.commit, on.tag'],
    [{ run() {}, on: { commit: { branch: 'main' } } }, '`on.commit.branch` must be one of branches, paths, message'],
    [{ run() {}, on: { commit: { message: '(' } } }, '`on.commit.message` must be a valid regular expression'],
    [{ run() {}, on: { tag: [] } }, '`on.tag` must be a glob or an array of globs'],
    [{ run() {}, timeout: -1 }, '`timeout` must be a positive number of milliseconds'],
    [{ run() {}, env: { A: 1 } }, '`env` must be an object of string values'],
    [{ run() {}, schedule: '* * * * *' }, '`schedule` must be one of the known keys'],
  ])('refuses %j', (definition, message) => {
    expect(() => defineJob(definition as any)).toThrow(message)
  })
})
