export { createConsole, type ConsoleOptions, type ConsoleService } from './console-service.ts';
export { CONSOLE_HEADER } from './server/request-guard.ts';
export { COOKIE_NAME } from './server/session-cookie.ts';
