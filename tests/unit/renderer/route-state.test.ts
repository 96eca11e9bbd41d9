import { describe, expect, it } from 'vitest';
import { parseRoute, routeToHash } from '../../../renderer/src/lib/state/route-state.svelte';

describe('hash routes', () => {
  it('round-trips a project route, including ids that need escaping', () => {
    const route = { screen: 'project', projectId: 'p 1/2' } as const;
    expect(routeToHash(route)).toBe('#/projects/p%201%2F2');
    expect(parseRoute(routeToHash(route))).toEqual(route);
  });

  it('treats unknown or empty hashes as the project list', () => {
    expect(parseRoute('')).toEqual({ screen: 'projects' });
    expect(parseRoute('#/nope')).toEqual({ screen: 'projects' });
    expect(parseRoute('#/projects/')).toEqual({ screen: 'projects' });
  });
});
