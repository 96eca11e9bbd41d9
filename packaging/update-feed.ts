/**
 * The auto-update feed. A release build is pointed at a generic HTTPS folder (where `npm run dist` output is
 * uploaded: latest*.yml plus the installers) by E2GAN_UPDATE_URL at build time; electron-builder writes it to
 * resources/app-update.yml, which electron-updater reads at run time. Without it the build has no feed and the
 * app never checks. E2GAN_UPDATE_URL at run time overrides the built-in feed (testing a release channel).
 */
export const UPDATE_URL_ENV = 'E2GAN_UPDATE_URL';

export interface GenericFeed {
  provider: 'generic';
  url: string;
}

/** The feed named by E2GAN_UPDATE_URL, or null when unset; anything but an http(s) URL is an error. */
export function updateFeedFromEnv(env: NodeJS.ProcessEnv = process.env): GenericFeed | null {
  const raw = env[UPDATE_URL_ENV]?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${UPDATE_URL_ENV} is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${UPDATE_URL_ENV} must be an https:// (or http:// for a local test feed) URL, not "${raw}"`);
  }
  return { provider: 'generic', url: url.href };
}
