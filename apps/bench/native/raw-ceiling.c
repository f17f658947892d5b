// The raw ceiling of client.bench.ts in C ("raw ceiling (native)"): plain
// keep-alive sockets on one epoll loop, each writing a pre-built request and
// counting response bytes until the known response size arrived, then the
// next. No parsing but a probe per request kind that learns the size. The
// Node raw ceiling (rawCeiling() in src/client/contenders.ts) pays for Node's
// event loop per read: GET 16 B 15 µs CPU per request against this one's 10
// (results/2026-12-07-native-server.md), CPU that on 2 cores the server then
// lacks; so the ceiling check measures the server, not the ceiling client.
//
//   raw-ceiling <port> <connections>
// then one command per stdin line:
//   <GET|POST> <path> <upload bytes> <duration ms> <max requests> <in flight>
// answered by one stdout line: `<requests> <elapsed µs> <cpu µs>` (CPU: user +
// system of this process during the sample), or `error <text>`. In-flight
// requests beyond the connections wait for a free one, as in the contenders'
// capped pools: on the wire at most one per connection. Exits when stdin ends.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024

struct conn {
  int fd;
  /** Response bytes still to come for the request in flight (0: idle). */
  long long pending;
  /** Request bytes written so far (< request length: waiting for EPOLLOUT). */
  size_t sent;
  int want_out;
};

static struct conn conns[MAX_CONNS];
static int nconns, port, epfd;
static char *request;
static size_t request_len;
static char readbuf[256 * 1024];

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double cpu_us(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_sec * 1e6 +
         u.ru_stime.tv_usec;
}

static int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/** The whole size of the answer to `request` on a connection of its own; -1 unless 200 with Content-Length. */
static long long probe(char *err, size_t errlen) {
  int fd = dial();
  if (fd < 0 || write_all(fd, request, request_len) < 0) {
    snprintf(err, errlen, "probe: cannot connect or write");
    if (fd >= 0) close(fd);
    return -1;
  }
  size_t got = 0;
  long long total = -1;
  while (total < 0 || (long long)got < total) {
    if (got == sizeof readbuf) break;
    ssize_t r = read(fd, readbuf + got, sizeof readbuf - got);
    if (r <= 0) break;
    got += (size_t)r;
    if (total >= 0) continue;
    char *end = memmem(readbuf, got, "\r\n\r\n", 4);
    if (end == NULL) continue;
    if (got < 13 || memcmp(readbuf, "HTTP/1.1 200 ", 13) != 0) {
      snprintf(err, errlen, "probe: not 200");
      close(fd);
      return -1;
    }
    *end = 0;
    const char *cl = strcasestr(readbuf, "\r\ncontent-length:");
    *end = '\r';
    if (cl == NULL) {
      snprintf(err, errlen, "probe: no content-length");
      close(fd);
      return -1;
    }
    total = (end + 4 - readbuf) + strtoll(cl + 17, NULL, 10);
  }
  close(fd);
  if (total < 0 || (long long)got != total) {
    snprintf(err, errlen, "probe: response incomplete or longer than its size");
    return -1;
  }
  return total;
}

static void watch(struct conn *c, int out) {
  if (c->want_out == out) return;
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
  c->want_out = out;
}

/** Writes the rest of the request; -1 on error. */
static int send_more(struct conn *c) {
  while (c->sent < request_len) {
    ssize_t w = write(c->fd, request + c->sent, request_len - c->sent);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        watch(c, 1);
        return 0;
      }
      return -1;
    }
    c->sent += (size_t)w;
  }
  watch(c, 0);
  return 0;
}

static void build_request(const char *method, const char *path, size_t upload) {
  char head[512];
  int n = upload == 0
              ? snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nhost: 127.0.0.1:%d\r\n\r\n", method,
                         path, port)
              : snprintf(head, sizeof head,
                         "%s %s HTTP/1.1\r\nhost: 127.0.0.1:%d\r\nx-expect-length: %zu\r\n"
                         "content-length: %zu\r\n\r\n",
                         method, path, port, upload, upload);
  free(request);
  request_len = (size_t)n + upload;
  request = malloc(request_len);
  if (request == NULL) abort();
  memcpy(request, head, (size_t)n);
  memset(request + n, 'b', upload); // the scenarios' upload is 0x62 bytes
}

static void sample(char *line) {
  char method[8], path[256];
  size_t upload;
  double duration_ms, max_requests;
  int in_flight;
  if (sscanf(line, "%7s %255s %zu %lf %lf %d", method, path, &upload, &duration_ms, &max_requests,
             &in_flight) != 6) {
    printf("error bad command\n");
    return;
  }
  build_request(method, path, upload);
  char err[128];
  long long size = probe(err, sizeof err);
  if (size < 0) {
    printf("error %s\n", err);
    return;
  }
  int active = in_flight < nconns ? in_flight : nconns;
  double cpu0 = cpu_us(), start = now_us(), deadline = start + duration_ms * 1000;
  long long started = 0, completed = 0;
  int busy = 0;
  for (int i = 0; i < active; i++) {
    if (started >= max_requests) break;
    started++;
    busy++;
    conns[i].pending = size;
    conns[i].sent = 0;
    if (send_more(&conns[i]) < 0) {
      printf("error write failed\n");
      return;
    }
  }
  struct epoll_event events[MAX_CONNS];
  while (busy > 0) {
    int n = epoll_wait(epfd, events, MAX_CONNS, 1000);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      printf("error %s\n", n == 0 ? "no answer for 1 s" : "epoll_wait");
      return;
    }
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if ((events[i].events & EPOLLOUT) && c->sent < request_len && send_more(c) < 0) {
        printf("error write failed\n");
        return;
      }
      if (!(events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      ssize_t r = read(c->fd, readbuf, sizeof readbuf);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        printf("error connection closed\n");
        return;
      }
      c->pending -= r;
      if (c->pending < 0) {
        printf("error more bytes than one response\n");
        return;
      }
      if (c->pending > 0) continue;
      completed++;
      if (started < max_requests && now_us() < deadline) {
        started++;
        c->pending = size;
        c->sent = 0;
        if (send_more(c) < 0) {
          printf("error write failed\n");
          return;
        }
      } else {
        busy--;
      }
    }
  }
  double elapsed = now_us() - start;
  printf("%lld %.0f %.0f\n", completed, elapsed, cpu_us() - cpu0);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc != 3) {
    fprintf(stderr, "usage: raw-ceiling <port> <connections>\n");
    return 2;
  }
  port = atoi(argv[1]);
  nconns = atoi(argv[2]);
  if (nconns < 1 || nconns > MAX_CONNS) return 2;
  epfd = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < nconns; i++) {
    int fd = dial();
    if (fd < 0) {
      perror("raw-ceiling: connect");
      return 1;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) return 1;
    conns[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
  }
  char line[512];
  while (fgets(line, sizeof line, stdin) != NULL) {
    sample(line);
    fflush(stdout);
  }
  return 0;
}
