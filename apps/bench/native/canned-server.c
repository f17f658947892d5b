// The canned-response server of src/client/canned-server.ts in C: the same
// requests understood, the same bytes answered, but one epoll loop on one
// thread instead of Node processes, so the server takes as little of a
// 2-core machine's CPU from the client under test as it can (the Node server
// squeezed the fast contenders' figures together: results/2026-12-07-native-server.md).
//   - per connection, scan the incoming bytes for the end of each request
//     head ("\r\n\r\n"); heads may arrive split or pipelined, answered in order;
//   - read the request line's path only;
//   - for /echo-length, find Content-Length (the only header read) and skip
//     that many body bytes, then answer 200 if it was 128 KiB, else 400
//     (no usable Content-Length: 400 and close, as the Node server does);
//   - answer pre-built bytes: /tiny 16 B, /64k 64 KiB, anything else 404.
// Responses are pointers into static buffers queued per connection and
// written with writev; what a write leaves is finished on EPOLLOUT. Nothing
// is allocated per request (one buffer per connection, at accept).
//
//   canned-server        prints its port (127.0.0.1) on stdout; exits when stdin ends
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define UPLOAD_BYTES (128 * 1024)
#define MAX_HEAD (64 * 1024)
// Room for the largest head the Node server accepts, plus a read's worth.
#define IN_CAP (MAX_HEAD + 16 * 1024)
// Responses queued per connection before its input is left unread.
#define OUT_CAP 64

struct response {
  const char *bytes;
  size_t len;
};

static struct response TINY, BIG, ECHO_OK, ECHO_BAD, NOT_FOUND;

struct piece {
  const char *p;
  size_t len;
};

struct conn {
  int fd;
  /** Unparsed input: bytes [0, in_len) of in. */
  size_t in_len;
  /** Body bytes still to skip, and the answer once they are in. */
  size_t body_left;
  const struct response *after_body;
  /** Queued output: out[out_head, out_n). */
  struct piece out[OUT_CAP];
  int out_head, out_n;
  /** Waiting for EPOLLOUT (input not read meanwhile). */
  int blocked;
  /** Answered a bad request: half-closed, discard input until the peer closes. */
  int closing;
  char in[IN_CAP];
};

static int epfd;
// Sentinels for epoll's data.ptr.
static char LISTENER, STDIN_MARK;

static void build(struct response *r, const char *status, const char *type, const char *body,
                  size_t body_len) {
  char head[256];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %s\r\ncontent-type: %s\r\ncontent-length: %zu\r\n"
                   "keep-alive: timeout=120\r\n\r\n",
                   status, type, body_len);
  char *all = malloc((size_t)n + body_len);
  if (all == NULL) abort();
  memcpy(all, head, (size_t)n);
  memcpy(all + n, body, body_len);
  r->bytes = all;
  r->len = (size_t)n + body_len;
}

static void drop(struct conn *c) {
  close(c->fd); // also removes it from the epoll set
  free(c);
}

static void want(struct conn *c, unsigned events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/** Writes what is queued; 1 when all of it went, 0 when the socket is full, -1 on error. */
static int flush(struct conn *c) {
  while (c->out_head < c->out_n) {
    struct iovec iov[OUT_CAP];
    int n = 0;
    for (int i = c->out_head; i < c->out_n; i++, n++) {
      iov[n].iov_base = (void *)c->out[i].p;
      iov[n].iov_len = c->out[i].len;
    }
    ssize_t w = writev(c->fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    size_t left = (size_t)w;
    while (left > 0) {
      struct piece *p = &c->out[c->out_head];
      if (left >= p->len) {
        left -= p->len;
        c->out_head++;
      } else {
        p->p += left;
        p->len -= left;
        left = 0;
      }
    }
  }
  c->out_head = c->out_n = 0;
  return 1;
}

static void queue(struct conn *c, const struct response *r) {
  c->out[c->out_n].p = r->bytes;
  c->out[c->out_n].len = r->len;
  c->out_n++;
}

/** Content-Length of the head [h, h + len), or -1; the value parsed as the Node server's Number() does for digits. */
static long long content_length(const char *h, size_t len) {
  static const char name[] = "\r\ncontent-length:";
  const size_t nlen = sizeof name - 1;
  for (size_t i = 0; i + nlen <= len; i++) {
    if (h[i] != '\r' || strncasecmp(h + i, name, nlen) != 0) continue;
    size_t at = i + nlen, end = at;
    while (end + 1 < len && !(h[end] == '\r' && h[end + 1] == '\n')) end++;
    if (end + 1 >= len) end = len;
    while (at < end && (h[at] == ' ' || h[at] == '\t')) at++;
    while (end > at && (h[end - 1] == ' ' || h[end - 1] == '\t')) end--;
    long long v = 0; // empty: 0, as Number("") is
    for (size_t k = at; k < end; k++) {
      if (h[k] < '0' || h[k] > '9' || v > (1LL << 53) / 10) return -1;
      v = v * 10 + (h[k] - '0');
    }
    return v;
  }
  return -1;
}

/**
 * Answers every complete request in the input buffer, in order, until the
 * output queue is full. Returns 1 when it stopped at a full queue, -1 when
 * the connection must be closed, else 0.
 */
static int parse(struct conn *c) {
  size_t at = 0;
  int full = 0;
  while (at < c->in_len && !c->closing) {
    if (c->out_n == OUT_CAP) {
      full = 1;
      break;
    }
    if (c->body_left > 0) {
      size_t take = c->in_len - at < c->body_left ? c->in_len - at : c->body_left;
      c->body_left -= take;
      at += take;
      if (c->body_left == 0) queue(c, c->after_body);
      continue;
    }
    const char *start = c->in + at;
    size_t avail = c->in_len - at;
    const char *end = memmem(start, avail, "\r\n\r\n", 4);
    if (end == NULL) {
      if (avail > MAX_HEAD) return -1;
      break;
    }
    size_t head_len = (size_t)(end - start);
    // The path: between the request line's first and second space.
    const char *sp = memchr(start, ' ', head_len);
    const char *sp2 = sp == NULL ? NULL : memchr(sp + 1, ' ', (size_t)(end - sp - 1));
    size_t plen = sp2 == NULL ? 0 : (size_t)(sp2 - sp - 1);
    const char *path = sp2 == NULL ? "" : sp + 1;
    at += head_len + 4;
    if (plen == 12 && memcmp(path, "/echo-length", 12) == 0) {
      long long length = content_length(start, head_len);
      if (length < 0) {
        queue(c, &ECHO_BAD);
        c->closing = 1;
        break;
      }
      c->after_body = length == UPLOAD_BYTES ? &ECHO_OK : &ECHO_BAD;
      c->body_left = (size_t)length;
      if (length == 0) queue(c, c->after_body);
    } else if (plen == 5 && memcmp(path, "/tiny", 5) == 0)
      queue(c, &TINY);
    else if (plen == 4 && memcmp(path, "/64k", 4) == 0)
      queue(c, &BIG);
    else
      queue(c, &NOT_FOUND);
  }
  if (c->closing) at = c->in_len;
  memmove(c->in, c->in + at, c->in_len - at);
  c->in_len -= at;
  return full;
}

/** Parses what is buffered, writes the answers, and waits for EPOLLOUT if they did not all go. */
static int answer(struct conn *c) {
  for (;;) {
    int full = parse(c);
    if (full < 0) return -1;
    int f = flush(c);
    if (f < 0) return -1;
    if (f == 0) {
      if (!c->blocked) want(c, EPOLLOUT);
      c->blocked = 1;
      return 0;
    }
    // All written: more requests may be waiting behind what filled the queue.
    if (!full) break;
  }
  if (c->closing) {
    shutdown(c->fd, SHUT_WR);
    if (c->blocked) want(c, EPOLLIN);
    c->blocked = 0;
    return 0;
  }
  if (c->blocked) want(c, EPOLLIN);
  c->blocked = 0;
  return 0;
}

static void on_readable(struct conn *c) {
  if (c->closing) {
    ssize_t r = read(c->fd, c->in, IN_CAP);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) drop(c);
    return;
  }
  ssize_t r = read(c->fd, c->in + c->in_len, IN_CAP - c->in_len);
  if (r < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    drop(c);
    return;
  }
  if (r == 0) {
    drop(c);
    return;
  }
  c->in_len += (size_t)r;
  if (answer(c) < 0) drop(c);
}

static void on_accept(int lfd) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return; // EAGAIN, or a connection gone before accept
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = malloc(sizeof *c);
    if (c == NULL) {
      close(fd);
      continue;
    }
    memset(c, 0, offsetof(struct conn, in));
    c->fd = fd;
    c->after_body = &ECHO_OK;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) drop(c);
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  static char big[64 * 1024];
  memset(big, 'a', sizeof big);
  const char *sixteen = "0123456789abcdef";
  build(&TINY, "200 OK", "text/plain", sixteen, 16);
  build(&BIG, "200 OK", "application/octet-stream", big, sizeof big);
  build(&ECHO_OK, "200 OK", "text/plain", sixteen, 16);
  build(&ECHO_BAD, "400 Bad Request", "text/plain", sixteen, 16);
  build(&NOT_FOUND, "404 Not Found", "text/plain", "", 0);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof addr;
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0 ||
      getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
    perror("canned-server: listen");
    return 1;
  }
  epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &LISTENER};
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
  ev.data.ptr = &STDIN_MARK;
  // stdin must be a pipe (or socket): its end is the signal to stop.
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev) < 0) {
    perror("canned-server: stdin");
    return 1;
  }
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);

  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epfd, events, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("canned-server: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; i++) {
      void *p = events[i].data.ptr;
      if (p == &LISTENER) {
        on_accept(lfd);
      } else if (p == &STDIN_MARK) {
        char buf[256];
        ssize_t r = read(0, buf, sizeof buf);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) return 0;
      } else {
        struct conn *c = p;
        unsigned e = events[i].events;
        if (c->blocked && (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
          if (answer(c) < 0) {
            drop(c);
            continue;
          }
          // Input left unread while blocked is picked up by the next EPOLLIN.
        } else if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          on_readable(c);
        }
      }
    }
  }
}
