import { defineBuildConfig } from 'unbuild'

export default defineBuildConfig({
  // The job worker is started by file (`new Worker(...)`): an entry of its own.
  entries: ['src/index', 'src/kit', 'src/cli/index', 'src/cli/bin', 'src/daemon/pool/worker'],
  declaration: 'node16',
  clean: true,
  rollup: {
    emitCJS: false,
    inlineDependencies: false,
  },
})
