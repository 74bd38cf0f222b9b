import { transport } from './client';
import { createHubClient, type HubClient } from './hub';

/**
 * The hub's own resources (hosts, board, channel), over the page's transport. Imported only by the
 * hub's pages and loaded by the live store only on a hub, so a lone daemon's first load lacks it.
 */
export const hubClient: HubClient = createHubClient(transport);
