import '../features/security/security.css';
import { Security } from '../features/security/Security';

/** Which agents can authenticate, what needs fixing, how the API's tokens work, and who may call the server. */
export function SecurityPage(_props: { params: Record<string, string> }) {
  return <Security />;
}
