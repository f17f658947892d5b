/** --help and --version. */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

export const HELP = `reqivo ${VERSION} — HTTP/1.1 and WebSocket from the command line, on Reqivo.

Usage:
  reqivo [METHOD] URL [ITEM ...] [options]
  reqivo --ws URL [options]

METHOD defaults to GET, or POST when the request has data (items or stdin).
URL: "http://" is assumed; ":3000/x" means http://localhost:3000/x.

Items:
  Name:value      request header (Name: with nothing after it sends it empty)
  key==value      query parameter
  key=value       data field, string value (a JSON object body by default)
  key:=json       data field, raw JSON value: n:=1 ok:=true tags:='["a","b"]'
  field@path      file field (--form only: sends multipart/form-data)
  A backslash makes the next character literal: a\\:b=1 is the field "a:b".
  With no data items, a body piped into stdin is sent as is.

Request:
  -j, --json              data items as a JSON object (the default)
  -f, --form              data items as a form (urlencoded; multipart with field@path)
  -a, --auth USER:PASS    credentials (sent to the URL's origin only, also on redirects)
  -A, --auth-type TYPE    basic (default), digest (answers the server's challenge), or
                          bearer (then --auth TOKEN)
  -F, --follow            follow redirects (off by default)
      --max-redirects N   at most N redirects with --follow (default 30)
      --timeout SECONDS   give up when connecting, waiting for the response head, or
                          between two pieces of the body takes longer than this
      --session NAME      keep cookies (the client's jar), headers and auth in
                          $XDG_CONFIG_HOME/reqivo/sessions/NAME.json and send them
                          again (a NAME with a / is a file path)
  -I, --ignore-stdin      never read the body from stdin

Network:
      --proxy URL         send through this proxy: http://, https://, socks5:// or
                          socks5h:// (user:pass@ goes to the proxy only); "env" reads
                          HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY. Off by default
      --no-proxy          connect directly, whatever --proxy said before
      --cacert FILE       trust the CA certificate(s) in this PEM file (not the system's)
      --cert FILE         client certificate (PEM) for mutual TLS; the file may hold
      --key FILE          the key too, else give its key with --key
      --pin sha256/BASE64 accept the server only if its public key has this SPKI
                          SHA-256 pin (repeat for more than one; checked on top of
                          normal verification)
      --tls-min VERSION   lowest TLS version: TLSv1.2 (default) or TLSv1.3
  -k, --insecure          do not verify the server's certificate (warns; tests only)
      --unix-socket PATH  connect to this Unix domain socket; the URL gives the path
                          and Host (reqivo --unix-socket /run/app.sock :/status)
      --resolve HOST:ADDR answer HOST with this IP address instead of DNS (repeat
                          for more addresses or names); TLS still checks HOST

Output:
  -p, --print WHAT        what to show: H request head, B request body, h response
                          head, b response body, m timings (default hb)
  -h, --headers           response head only (--print=h)
  -b, --body              response body only (--print=b)
  -v, --verbose           request and response, and timings (--print=HBhbm)
      --pretty STYLE      all | colors | format | none. Default: all on a terminal,
                          none when piped (body bytes untouched). NO_COLOR is honoured.
  -d, --download          save the body to a file with a progress bar on stderr
  -o, --output FILE       the file for --download (default: from Content-Disposition
                          or the URL, never overwriting an existing file)
      --check-status      exit 3/4/5 on 3xx/4xx/5xx answers

WebSocket:
      --ws URL            interactive session (ws:// or wss://): each line of stdin is
                          sent as a text message, each message received is printed

Other:
      --help              this text
      --version           the version

Exit status:
  0 ok · 1 network, protocol or file error · 2 timeout · 3/4/5 HTTP 3xx/4xx/5xx with
  --check-status (4xx/5xx always with --download) · 6 too many redirects · 64 usage
  Errors are one line on stderr: "reqivo: error CODE: message".

Examples:
  reqivo :8080/items
  reqivo POST example.org/api name=reqivo tags:='["http","ws"]' X-Trace:1
  reqivo -f example.org/upload title=Report file@report.pdf
  reqivo --session=me -a me:secret example.org/login
  reqivo -d example.org/big.iso
  reqivo --proxy http://proxy.internal:3128 https://example.org/
  reqivo --cacert ca.pem --cert me.pem --key me-key.pem https://api.internal/
  reqivo --resolve api.example.org:10.0.0.7 https://api.example.org/health
`;
