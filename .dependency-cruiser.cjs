/**
 * The import rule, checked by `npm test` before Jest: the contract at the bottom, imports only
 * go down, workflows see only the contract, shipped code never reaches dev tooling or tests.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles: move what both modules need one floor down (often into src/contract).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contract-is-the-ground-floor',
      severity: 'error',
      comment: 'src/contract imports nothing of ours, only @temporalio/common, @temporalio/workflow and zod.',
      from: { path: '^src/contract/' },
      to: { pathNot: ['^src/contract/', '^node_modules/(@temporalio/(common|workflow)|zod)/'] },
    },
    {
      name: 'workflows-import-only-the-contract',
      severity: 'error',
      comment:
        'Workflow code is bundled into the deterministic sandbox: it may import workflows/, src/contract and @temporalio/workflow|common only.',
      from: { path: '^workflows/' },
      to: { pathNot: ['^workflows/', '^src/contract/', '^node_modules/@temporalio/(workflow|common)/'] },
    },
    {
      name: 'workflows-import-zod-schemas-as-types-only',
      severity: 'error',
      comment:
        'These contract modules hold zod schemas: import their types only (`import type`), so zod stays out of the workflow bundle.',
      from: { path: '^workflows/' },
      to: {
        path: '^src/contract/(chat-message|turn|session|event-catalog|tool-approval)[.]ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'lower-floors-never-import-upper-floors',
      severity: 'error',
      comment:
        'Stores, LLM clients, tools and metrics sit below activities, workflows and the API: pass what they need in, or move the shared type into src/contract.',
      from: { path: '^src/(store|llm|tools|metrics)/' },
      to: { path: '^(activities|workflows|src/api)/' },
    },
    {
      name: 'activities-never-import-the-api-or-workflows',
      severity: 'error',
      comment: 'Activities get their dependencies from createActivities(deps); shared shapes come from src/contract.',
      from: { path: '^activities/' },
      to: { path: '^(workflows|src/api)/' },
    },
    {
      name: 'the-api-never-loads-workflow-or-activity-code',
      severity: 'error',
      comment: 'The API talks to workflows by name through src/contract (signals, queries, workflow id).',
      from: { path: '^src/api/' },
      to: { path: '^(workflows|activities)/' },
    },
    {
      name: 'shipped-code-never-imports-dev-tooling',
      severity: 'error',
      comment:
        'src/, activities/ and workflows/ ship; dev/, bench/, scripts/ and test/ do not. Move the shared piece into shipped code or into dev/.',
      from: { path: '^(src|activities|workflows)/' },
      to: { path: '^(dev|bench|scripts|test)/' },
    },
    {
      name: 'tooling-never-imports-tests',
      severity: 'error',
      comment: 'bench/, scripts/ and dev/ must not depend on test/: move the shared helper into dev/.',
      from: { path: '^(bench|scripts|dev)/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import does not resolve: fix the path or add the package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|data|bench/results|web/dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
