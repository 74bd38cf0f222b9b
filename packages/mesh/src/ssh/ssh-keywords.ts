/**
 * The keywords OpenSSH's client accepts (readconf.c's table, as of 9.2, plus Debian's GSSAPI
 * patches and the few later additions users may already have), lower-cased. A keyword outside
 * this list makes ssh refuse the whole config; the resolver reports it as a warning instead,
 * so a typo such as `Hostnmae` is not silently ignored.
 */
const OPENSSH_9_2 = `
host match include hostname port user identityfile identityfile2 identitiesonly certificatefile
proxycommand proxyjump hostkeyalias userknownhostsfile userknownhostsfile2 globalknownhostsfile
globalknownhostsfile2 stricthostkeychecking ignoreunknown forwardagent forwardx11 forwardx11trusted
forwardx11timeout exitonforwardfailure xauthlocation gatewayports passwordauthentication
kbdinteractiveauthentication kbdinteractivedevices challengeresponseauthentication
skeyauthentication tisauthentication pubkeyauthentication dsaauthentication
hostbasedauthentication addkeystoagent identityagent remoteforward localforward dynamicforward
permitremoteopen escapechar connectionattempts batchmode checkhostip tcpkeepalive keepalive
numberofpasswordprompts syslogfacility loglevel logverbose preferredauthentications
hostkeyalgorithms casignaturealgorithms bindaddress bindinterface clearallforwardings
enablesshkeysign verifyhostkeydns nohostauthenticationforlocalhost rekeylimit connecttimeout
addressfamily serveraliveinterval serveralivecountmax sendenv setenv controlpath controlmaster
controlpersist hashknownhosts tunnel tunneldevice localcommand permitlocalcommand remotecommand
visualhostkey kexalgorithms ciphers macs compression ipqos requesttty sessiontype stdinnull
forkafterauthentication proxyusefdpass canonicaldomains canonicalizefallbacklocal
canonicalizehostname canonicalizemaxdots canonicalizepermittedcnames streamlocalbindmask
streamlocalbindunlink revokedhostkeys fingerprinthash updatehostkeys hostbasedacceptedalgorithms
hostbasedkeytypes pubkeyacceptedalgorithms pubkeyacceptedkeytypes securitykeyprovider
knownhostscommand requiredrsasize enableescapecommandline
protocol cipher fallbacktorsh rhostsauthentication rsaauthentication rhostsrsaauthentication
compressionlevel useroaming usersh useprivilegedport afstokenpassing kerberosauthentication
kerberostgtpassing useblacklistedkeys pkcs11provider smartcarddevice
gssapiauthentication gssapidelegatecredentials gssapikeyexchange gssapitrustdns
gssapiclientidentity gssapiserveridentity gssapirenewalforcesrekey gssapikexalgorithms
protocolkeepalives setuptimeout
`;

/** Keywords newer than OpenSSH 9.2, accepted so that a newer ssh's config does not warn. */
export const NEWER_KEYWORDS = ['channeltimeout', 'tag', 'obscurekeystroketiming', 'refuseconnection', 'warnweakcrypto', 'versionaddendum'];

export const OPENSSH_KEYWORDS: readonly string[] = OPENSSH_9_2.split(/\s+/).filter((word) => word !== '');

const KNOWN = new Set([...OPENSSH_KEYWORDS, ...NEWER_KEYWORDS]);

/** True when ssh knows the (lower-cased) keyword. */
export function isKnownKeyword(keyword: string): boolean {
  return KNOWN.has(keyword);
}
