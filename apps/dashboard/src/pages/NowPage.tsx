import { Alerts } from '../features/now/Alerts';
import { NeedsYou } from '../features/now/NeedsYou';
import { Running } from '../features/now/Running';
import { Totals } from '../features/now/Totals';

/** The first page: what needs me, what is running where, how the day went. */
export function NowPage() {
  return (
    <div className="page">
      <NeedsYou />
      <Running />
      <Totals />
      <Alerts />
    </div>
  );
}
