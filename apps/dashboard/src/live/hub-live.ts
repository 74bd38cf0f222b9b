// The live store's hub part, loaded as one chunk when the server says it is a hub.
export { applyHubEvent, withHubSnapshot, withHubUpdate } from './hub-state';
export { hubSnapshot } from './hub-snapshot';
