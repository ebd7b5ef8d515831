export { createConversationMethods } from './conversations/conversation-rpc.ts';
export { ConversationService } from './conversations/conversation-service.ts';
export { isLoopbackHost, type OriginPolicy, originAllowed } from './origin-policy.ts';
export { loadPlugins } from './plugins.ts';
export { type RunningServer, type ServerOptions, startServer } from './server.ts';
