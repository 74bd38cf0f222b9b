import { Badge } from '../../ui/components';
import { formatFullTime } from '../../ui/format';
import { formatLease } from './board';
import { useClock } from './clock';

/** A lease's live countdown: only this node re-renders each second, on the page's one shared timer. */
export function LeaseLeft({ expiresAt }: { expiresAt: string }) {
  const now = useClock();
  const lease = formatLease(expiresAt, now);
  if (!lease) return null;
  return (
    <span className="lease" data-testid="lease">
      <Badge tone={lease.tone} title={`lease ends ${formatFullTime(expiresAt)}`}>
        {lease.text}
      </Badge>
    </span>
  );
}
