import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  entries: ['src/index', 'src/kit', 'src/cli/index', 'src/cli/bin'],
  declaration: 'node16',
  clean: true,
  rollup: {
    emitCJS: false,
    inlineDependencies: false,
    // Fewer, larger shared chunks: each module a command loads costs its startup time, however small.
    output: { experimentalMinChunkSize: 20_000 },
  },
})
