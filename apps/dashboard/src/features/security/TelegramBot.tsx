import { useEffect, useState } from 'react';
import type { TelegramAddonStatus } from '@flotilla/protocol';
import { client, describeError } from '../../api/client';
import { useLive } from '../../live/hooks';
import { Badge, Empty, ErrorNote, Loading, Section } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { telegramWords } from './security';

/**
 * The Telegram bot the server runs (when `@flotilla/telegram` is installed beside it): who may use
 * it (the allowlist, by Telegram user id), whether it runs, and why not. Never the bot's token.
 */
export function TelegramBot() {
  const installed = useLive((s) => s.capabilities?.addons?.includes('telegram') ?? false);
  const [status, setStatus] = useState<TelegramAddonStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (installed) client.telegramStatus().then(setStatus, (e: unknown) => setError(describeError(e)));
  }, [installed]);
  if (!installed) return null;
  const words = status ? telegramWords(status) : null;
  return (
    <Section title="Telegram bot" id="security-telegram">
      <ErrorNote error={error} />
      {!status || !words ? (
        error ? null : <Loading lines={2} />
      ) : (
        <>
          <p data-testid="telegram-state">
            <Badge tone={words.tone}>{words.label}</Badge> {words.detail}
            {status.process?.startedAt && status.process.running ? <> Since {formatTime(status.process.startedAt)}.</> : null}
          </p>
          <h3 className="security-subhead">Allowed Telegram users</h3>
          {status.bot?.allowedUsers.length ? (
            <ul className="plain" data-testid="telegram-allowlist">
              {status.bot.allowedUsers.map((id) => (
                <li key={id} className="mono">
                  {id}
                </li>
              ))}
            </ul>
          ) : (
            <Empty>Nobody: the bot refuses to start with an empty allowlist. Run <code>cb-telegram setup</code>.</Empty>
          )}
          <p className="muted">Updates from anyone else are ignored and logged without their content. Add a user with <code>cb-telegram setup</code> on this machine.</p>
        </>
      )}
    </Section>
  );
}
