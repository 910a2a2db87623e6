// The site's own PAC file that the pac role's example wraps.
function FindProxyForURL(url, host) {
  if (isPlainHostName(host)) {
    return "DIRECT";
  }
  return "PROXY proxy.example.edu:3128";
}
