import type Koa from 'koa';

interface RouterLayer {
  methods: string[];
  path: string | RegExp;
}

/**
 * Every route registered on the app's routers, as `METHOD /path/{param}` (OpenAPI path style).
 * HEAD is left out: the router adds it to every GET by itself.
 */
export function registeredRoutes(app: Koa): string[] {
  const routes = new Set<string>();
  for (const middleware of app.middleware as Array<{ router?: { stack: RouterLayer[] } }>) {
    for (const layer of middleware.router?.stack ?? []) {
      if (typeof layer.path !== 'string') continue;
      const path = layer.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method} ${path}`);
    }
  }
  return [...routes].sort();
}
