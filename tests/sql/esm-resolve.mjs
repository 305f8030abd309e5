// dt-sql-parser's ES modules import directories and files without ".js", as bundlers
// allow and Node.js does not: resolve those the bundler's way (node --import ./esm-resolve.mjs).
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function resolve(specifier, context, next) {
  if ((specifier.startsWith('.') || specifier.startsWith('/')) && context.parentURL &&
      context.parentURL.includes('/node_modules/dt-sql-parser/')) {
    const url = new URL(specifier, context.parentURL);
    const path = fileURLToPath(url);
    if (existsSync(path) && statSync(path).isDirectory()) return next(url.href + '/index.js', context);
    if (!existsSync(path) && existsSync(path + '.js')) return next(url.href + '.js', context);
  }
  return next(specifier, context);
}`));
