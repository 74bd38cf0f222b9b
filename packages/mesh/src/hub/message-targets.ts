/** The usual `resolveTarget` for message delivery: roles from declared profiles, hosts from the fleet. */
import type { DeliveryTarget } from './message-delivery.js';
import type { ProfileStore } from './profile-store.js';

export interface TargetResolverOptions {
  profiles: ProfileStore;
  /** The host a live session runs on now; null when it runs nowhere. */
  sessionHost: (session: string) => Promise<string | null>;
}

/**
 * `@role` → every session whose profile holds the role; a name → that session, on the host it
 * runs on now (else its profile's host, else null: the delivery waits for it).
 *
 * @example
 * const resolveTarget = createTargetResolver({ profiles, sessionHost: async (name) => fleet.hostOf(name) });
 */
export function createTargetResolver(options: TargetResolverOptions): (to: string) => Promise<DeliveryTarget[]> {
  const where = async (session: string, fallback: string | null): Promise<DeliveryTarget> => ({ session, host: (await options.sessionHost(session)) ?? fallback });
  return async (to) => {
    if (to.startsWith('@')) {
      const role = to.slice(1);
      const holders = (await options.profiles.list()).filter((profile) => profile.roles.includes(role));
      return Promise.all(holders.map((profile) => where(profile.session, profile.host)));
    }
    return [await where(to, (await options.profiles.get(to))?.host ?? null)];
  };
}
