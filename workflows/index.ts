// Entry point the worker bundles: every workflow type lives here.
export { chatSessionWorkflow } from './chat-session-workflow';
