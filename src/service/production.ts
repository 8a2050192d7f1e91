import { createLogger } from '../logging/logger.ts';
import { providers } from '../providers/index.ts';
import { openBlobsStorage } from '../storage/blobs.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * The dependencies of a deployed (or locally served) function: `process.env` (Netlify puts the
 * site's Functions-scoped variables there), Netlify Blobs from the ambient function context, and
 * the real provider adapters. Only the functions in netlify/functions/ call this.
 */
export function productionDeps(): ServiceDeps {
  const logger = createLogger();
  return {
    env: process.env,
    openStorage: () => openBlobsStorage({ logger }),
    adapters: providers,
    logger,
  };
}
