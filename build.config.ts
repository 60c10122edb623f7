import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  entries: [
    'src/index',
    'src/kit',
    'src/cli/index',
    'src/cli/bin',
    // The job worker is started by file (`new Worker(...)`): an entry of its own.
    'src/daemon/pool/worker',
    // The web page's assets, served as they are (see src/server/assets.ts).
    { builder: 'copy', input: 'src/ui', outDir: 'dist/ui', pattern: ['*.js', '*.css', '*.svg'] },
  ],
  declaration: 'node16',
  clean: true,
  rollup: {
    emitCJS: false,
    inlineDependencies: false,
    // Fewer, larger shared chunks: each module a command loads costs its startup time, however small.
    output: { experimentalMinChunkSize: 20_000 },
  },
})
