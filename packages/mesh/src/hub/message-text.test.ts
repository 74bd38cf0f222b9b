import { describe, expect, it } from 'vitest';
import type { Message } from '@flotilla/protocol';
import { deliveredText, parseMentions } from './message-text.js';

describe('parseMentions', () => {
  it('should find @session and @role words once each, in order', () => {
    expect(parseMentions('@reviewer please check, cc @api-1. And @reviewer again')).toEqual(['@reviewer', '@api-1']);
  });

  it('should skip e-mail addresses, scoped package names inside words and a bare @', () => {
    expect(parseMentions('mail me@example.com about pkg@1.2 or @ alone')).toEqual([]);
    expect(parseMentions('(@ops) [@db.v2]')).toEqual(['@ops', '@db.v2']);
  });
});

describe('deliveredText', () => {
  const base: Message = { id: '01JD0000000000000000000000', seq: null, from: 'rev-1', fromHost: 'mac', to: 'api-1', text: 'go', mentions: [], deliveries: [], createdAt: '2026-01-01T00:00:00.000Z' };

  it('should say who sent it, to which role, and how to reply', () => {
    expect(deliveredText(base)).toBe('[message from rev-1 — reply: cb msg rev-1 "…"] go');
    expect(deliveredText({ ...base, to: '@backend' })).toBe('[message from rev-1 to @backend — reply: cb msg rev-1 "…"] go');
    expect(deliveredText({ ...base, to: '#channel', seq: 4, from: 'user' })).toBe('[channel #4, from user] go');
  });
});
