#!/usr/bin/env node
import { printVersionIfAsked } from './version'

if (!printVersionIfAsked(process.argv.slice(2))) await (await import('./index')).runGitVanCli()
