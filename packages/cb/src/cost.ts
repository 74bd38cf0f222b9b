import type { Cost, Usage } from '@flotilla/protocol';
import type { Price } from './config.js';

/** Tokens × prices (per million tokens). */
export function priceUsage(usage: Usage, price: Price): number {
  const usd =
    (usage.inputTokens * price.inputPerMTok +
      usage.outputTokens * price.outputPerMTok +
      usage.cacheReadTokens * price.cacheReadPerMTok +
      usage.cacheWriteTokens * price.cacheWritePerMTok) /
    1_000_000;
  return Math.round(usd * 1e6) / 1e6;
}

/** The agent's own figure when it reports one, else the price table, else unknown. */
export function costOf(agentCostUsd: number | null, usage: Usage, price: Price | null): Cost {
  if (agentCostUsd !== null) return { usd: agentCostUsd, source: 'agent' };
  if (price) return { usd: priceUsage(usage, price), source: 'price_table' };
  return { usd: 0, source: 'unknown' };
}
