import type Restify from 'restify';

/**
 * restify, loaded without its one known deprecation warning. restify requires spdy when it loads
 * (for HTTP/2, which we never turn on), and spdy's http-deceiver reads process.binding('http_parser')
 * (DEP0111), printed twice on every start and in every test run. Only that warning, and only while
 * restify loads, is dropped: any other deprecation still shows, so nothing else is hidden.
 */
function loadRestify(): typeof Restify {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
    const text = typeof warning === 'string' ? warning : warning.message;
    if (code === 'DEP0111' && text.includes("process.binding('http_parser')")) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('restify') as typeof Restify;
  } finally {
    process.emitWarning = emitWarning;
  }
}

// Imported for its effect, before `import restify from 'restify'` (which then finds it loaded).
loadRestify();
