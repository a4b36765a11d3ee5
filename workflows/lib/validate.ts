/**
 * Workflows validate their input at the top: callers in other languages start workflows by type
 * name with raw JSON, so the workflow re-checks what the TypeScript client checked.
 */
export { parseInputOrFail as validateWorkflowInput } from '../../contracts/index.js';
