/* floor_http.c — owned by tests/bench: the "floor" for `make bench`.
 *
 * A bare libmicrohttpd server with the same threading as gongdan
 * (internal polling thread + epoll, thread pool of --threads N,
 * connection limit 1024) that answers EVERY request with 200 and the
 * exact bytes of --body-file under --content-type.  It measures what
 * libmicrohttpd alone costs, so gongdan's numbers can be read as a
 * percentage of it.
 *
 * usage: floor_http [--port P] [--threads N] --body-file F [--content-type T]
 * prints "listening on http://127.0.0.1:PORT" and runs until SIGTERM/SIGINT.
 */
#define _POSIX_C_SOURCE 200809L
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct MHD_Response *g_resp;
static int g_marker; /* address used as "first call seen" in *con_cls */

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    /* 0.9.75 keep-alive trap: queueing on the first call makes MHD send
     * "Connection: close", so the first call only marks the request. */
    if (*con_cls == NULL) {
        *con_cls = &g_marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* discard request body chunks */
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, g_resp);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, r;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return NULL; }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    int err = ferror(f);
    fclose(f);
    if (err) { free(buf); return NULL; }
    *len = n;
    return buf;
}

static void usage(void)
{
    fprintf(stderr, "usage: floor_http [--port P] [--threads N] "
                    "--body-file F [--content-type T]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned port = 0, threads = 2;
    const char *body_file = NULL, *ctype = "application/octet-stream";
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (!strcmp(argv[i], "--port")) port = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads")) threads = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--body-file")) body_file = argv[++i];
        else if (!strcmp(argv[i], "--content-type")) ctype = argv[++i];
        else usage();
    }
    if (!body_file || port > 65535 || threads < 1) usage();

    size_t len = 0;
    char *body = read_file(body_file, &len);
    if (!body) { perror(body_file); return 1; }
    g_resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!g_resp || MHD_add_response_header(g_resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                           ctype) != MHD_YES) {
        fprintf(stderr, "floor_http: cannot build response\n");
        return 1;
    }

    /* Block SIGTERM/SIGINT before MHD spawns its threads (they inherit
     * the mask), then wait for them synchronously in main. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port,
        NULL, NULL, handler, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, 1024u,
        MHD_OPTION_END);
    if (!d) { fprintf(stderr, "floor_http: MHD_start_daemon failed\n"); return 1; }

    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on http://127.0.0.1:%u\n", info ? info->port : port);
    fflush(stdout);

    int sig;
    sigwait(&sigs, &sig);

    MHD_stop_daemon(d);
    MHD_destroy_response(g_resp);
    return 0;
}
