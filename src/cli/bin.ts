#!/usr/bin/env node
import { runGitVanCli } from './index'

await runGitVanCli()
