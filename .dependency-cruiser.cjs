/**
 * The direction of imports, checked in `npm test` (`npm run lint:imports`). The rules are the
 * layers "How it works" describes (docs/how-it-works.md); type-only imports count too.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import circle: move the shared fact below both sides', from: {}, to: { circular: true } },
    { name: 'machines-import-only-xstate', severity: 'error', comment: 'machines/ imports only xstate and each other', from: { path: '^machines/' }, to: { pathNot: '^(machines/|node_modules/xstate/)' } },
    { name: 'worker-not-config-or-master', severity: 'error', comment: 'the worker loads no configuration graph and never the master, not even for a type', from: { path: '^src/worker/' }, to: { path: '^src/(config|master)/' } },
    { name: 'worker-reach-not-config-or-master', severity: 'error', comment: 'nothing the worker loads reaches src/config/ or src/master/', from: { path: '^src/worker/' }, to: { path: '^src/(config|master)/', reachable: true } },
    { name: 'views-not-master', severity: 'error', comment: 'the views are fed by the host; they import nothing of it', from: { path: '^src/(control|metrics|inspector|health)/' }, to: { path: '^src/master/' } },
    { name: 'adapters-decide-nothing', severity: 'error', comment: 'adapters are the OS as Observables: no master, no views', from: { path: '^src/adapters/' }, to: { path: '^src/(master|control|metrics|inspector|health)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|test|node_modules)/' },
  },
};
