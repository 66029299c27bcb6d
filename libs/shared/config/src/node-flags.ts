/** The platform's processes, by their directory under `apps/` and `dist/apps/`. */
export type AppName = 'config-api' | 'event-matcher' | 'delivery-worker';

/**
 * The Node flags each app runs with, however it is started: `npm start`, the test platform
 * (`startAppProcess`) and the images (their `CMD`, which the spec checks against this). They
 * trade garbage-collection CPU for memory (ADR 0016): V8's young generation is capped at two
 * semi-spaces of this many MB (16 by default, 32 MB of memory per app however idle), and the
 * old generation is collected when it has grown 30 % past what the last full collection kept
 * (V8 otherwise lets it grow by up to 100 % under load). The matcher's 2 MB and the worker's 4 MB
 * cost no CPU measurable beyond run-to-run noise and keep 5 to 15 MB less each at saturation; the
 * config API keeps 4 MB: at 2 or 1 its idle CPU rose from 0.005 to 0.02-0.035 core (more of its
 * boot's garbage promoted, collected later while idle), for 5 to 10 MB.
 *
 * Without `--enable-source-maps`: stack traces name the compiled files (`dist/apps/...`, the same
 * modules as the sources), and each app keeps 11 to 14 MB less. `NODE_OPTIONS=--enable-source-maps`
 * turns it back on.
 */
export const APP_NODE_FLAGS: Readonly<Record<AppName, readonly string[]>> = Object.freeze({
  'config-api': ['--max-semi-space-size=4', '--heap-growing-percent=30'],
  'event-matcher': ['--max-semi-space-size=2', '--heap-growing-percent=30'],
  'delivery-worker': ['--max-semi-space-size=4', '--heap-growing-percent=30'],
});

/** The flags of `name`, or none for a process that is not one of the apps. */
export function appNodeFlags(name: string): readonly string[] {
  return Object.hasOwn(APP_NODE_FLAGS, name) ? APP_NODE_FLAGS[name as AppName] : [];
}
