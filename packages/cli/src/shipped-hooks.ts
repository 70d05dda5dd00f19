// The shipped hook plugins live with the grader (which drives them); the
// CLI's commands take them from there.
export { SHIPPED_HOOKS, shippedHookRegistry } from '@bpflab/grader';
