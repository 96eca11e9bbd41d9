// Hash routing ("#/" and "#/projects/<id>") so a reload lands on the same screen in both Electron and
// browser mode without a server-side router.

export type Route = { screen: 'projects' } | { screen: 'project'; projectId: string };

export function parseRoute(hash: string): Route {
  const match = /^#\/projects\/([^/?#]+)$/.exec(hash);
  if (match?.[1]) return { screen: 'project', projectId: decodeURIComponent(match[1]) };
  return { screen: 'projects' };
}

export function routeToHash(route: Route): string {
  return route.screen === 'project' ? `#/projects/${encodeURIComponent(route.projectId)}` : '#/';
}

export class RouteState {
  current: Route = $state({ screen: 'projects' });

  private readonly location: Location;

  constructor(location: Location, target: EventTarget) {
    this.location = location;
    this.current = parseRoute(location.hash);
    target.addEventListener('hashchange', () => {
      this.current = parseRoute(this.location.hash);
    });
  }

  go(route: Route): void {
    const hash = routeToHash(route);
    if (this.location.hash !== hash) this.location.hash = hash;
    this.current = route;
  }
}
