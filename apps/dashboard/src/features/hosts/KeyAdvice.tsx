import type { Host } from '@flotilla/protocol';
import { KEY_VERDICT_WORDS, trustCommands } from './hosts';

/** Why the hub refused a host, its key's fingerprint, and the exact commands that fix it. */
export function KeyAdvice({ host }: { host: Host }) {
  const commands = trustCommands(host);
  const key = host.hostKey;
  return (
    <div className="key-advice" data-testid="key-advice">
      {key ? (
        <p>
          Its {key.keyType} key <span className="mono fingerprint">{key.fingerprint}</span> {KEY_VERDICT_WORDS[key.verdict].meaning}.
        </p>
      ) : null}
      {host.error ? <p className="host-error">{host.error}</p> : null}
      {commands ? (
        <>
          <p>To accept it, run on the hub’s machine:</p>
          <pre className="key-commands">{commands.join('\n')}</pre>
        </>
      ) : null}
    </div>
  );
}
