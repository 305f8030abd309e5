// dt-sql-parser's ES modules import directories and files without ".js", as bundlers
// allow and Node.js does not, and sit in ".js" files of a package that does not say
// "type": "module" (Node.js 20.19 and later detect their syntax; Debian 12's Node.js 18
// does not). Resolve them the bundler's way, as ES modules (node --import ./esm-resolve.mjs).
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const PARSER = '/node_modules/dt-sql-parser/';
export async function resolve(specifier, context, next) {
  let r;
  if ((specifier.startsWith('.') || specifier.startsWith('/')) && context.parentURL &&
      context.parentURL.includes(PARSER)) {
    const url = new URL(specifier, context.parentURL);
    const path = fileURLToPath(url);
    if (existsSync(path) && statSync(path).isDirectory()) r = await next(url.href + '/index.js', context);
    else if (!existsSync(path) && existsSync(path + '.js')) r = await next(url.href + '.js', context);
  }
  r ??= await next(specifier, context);
  return r.url.includes(PARSER) && r.url.endsWith('.js') ? { ...r, format: 'module' } : r;
}`));
