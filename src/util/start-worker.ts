import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from a module of ours (`new URL('./x.js', import.meta.url)`). Built,
 * that is plain JavaScript. Under tsx (tests, benchmarks) the sources are TypeScript and
 * worker threads do not inherit tsx's loader, so a two-line bootstrap registers it in the
 * worker first.
 */
export function startWorker(
  jsUrl: URL,
  workerData: unknown,
  resourceLimits?: ResourceLimits,
): Worker {
  const options = resourceLimits ? { workerData, resourceLimits } : { workerData };
  if (import.meta.url.endsWith('.js')) return new Worker(jsUrl, options);
  const tsUrl = jsUrl.href.replace(/\.js$/, '.ts');
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(tsUrl)}); });`;
  return new Worker(bootstrap, { eval: true, ...options });
}
